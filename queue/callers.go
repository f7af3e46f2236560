package queue

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/redis/go-redis/v9"
)

func i64(v int64) string { return strconv.FormatInt(v, 10) }

// score orders the waiting callers: higher priority first, then earliest
// Enqueued (to the millisecond; ties go by call id).
func score(priority int, enq time.Time) int64 {
	if priority > MaxPriority {
		priority = MaxPriority
	}
	if priority < -MaxPriority {
		priority = -MaxPriority
	}
	return -int64(priority)*1e13 + enq.UnixMilli()
}

// Enqueue puts c at the back of its priority in c.Queue (ENTERQUEUE) and
// counts it offered in the day and interval of c.Enqueued. position is
// 1-based among the callers waiting. A call id already queued (in any
// queue) is an hotline.ECONFLICT error. c.Priority is clamped to
// ±MaxPriority.
func (q *Queues) Enqueue(ctx context.Context, c Caller) (position int, err error) {
	keys, args, err := q.enqueueArgs(c, false)
	if err != nil {
		return 0, err
	}
	n, err := enqueueScript.Run(ctx, q.rdb, keys, args...).Int()
	return enqueued(c, n, err)
}

// ErrUnstaffed is returned by EnqueueDispatch when asked to enqueue only if
// a signed-in agent serves the queue and none does.
var ErrUnstaffed = hotline.Errorf(hotline.ECONFLICT, "queue: no signed-in agent serves the queue")

// EnqueueDispatch enqueues c and runs the queue's dispatch in one round trip
// (a pipeline of the two scripts): the caller is matched at once when an
// agent is free. With onlyStaffed, c is not enqueued when no signed-in agent
// serves the queue (ErrUnstaffed; the dispatch still runs). matched reports
// whether c itself was matched; its match is on its way to c.Owner's inbox.
// When Redis has not got the scripts (NOSCRIPT after a restart), both run
// again one after the other (the enqueue script answers a retry of its own
// caller as it did the first time).
func (q *Queues) EnqueueDispatch(ctx context.Context, c Caller, onlyStaffed bool) (position int, matched bool, err error) {
	position, matched, _, err = q.enqueueDispatch(ctx, c, onlyStaffed, false)
	return position, matched, err
}

// EnqueueDispatchHere is EnqueueDispatch for a dispatcher that is c's owner
// and acts on c's own match at once: that match is handed back (own) instead
// of going through the owner's inbox (one round trip and one hand-over
// fewer). own is nil when c was not matched, or when its match went to the
// inbox after all (the scripts were reloaded after a Redis restart);
// matched says whether c was matched either way.
func (q *Queues) EnqueueDispatchHere(ctx context.Context, c Caller, onlyStaffed bool) (position int, matched bool, own *Match, err error) {
	return q.enqueueDispatch(ctx, c, onlyStaffed, true)
}

func (q *Queues) enqueueDispatch(ctx context.Context, c Caller, onlyStaffed, here bool) (position int, matched bool, own *Match, err error) {
	keys, args, err := q.enqueueArgs(c, onlyStaffed)
	if err != nil {
		return 0, false, nil, err
	}
	q.clk.Handoff(dispatchBatchMax)
	pushed := 0
	defer func() { q.clk.Taken(dispatchBatchMax - pushed) }()
	keep := ""
	dargs := q.dispatchArgs(c.Queue, c.Enqueued)
	if here {
		keep = c.CallID
		dargs = append(dargs, keep)
	}
	var enq, disp *redis.Cmd
	_, _ = q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		enq = enqueueScript.EvalSha(ctx, p, keys, args...)
		disp = dispatchScript.EvalSha(ctx, p, q.dispatchKeys(), dargs...)
		return nil
	})
	n, err := enq.Int()
	retried := err != nil && redis.HasErrorPrefix(err, "NOSCRIPT")
	if retried {
		// The dispatch ran before the caller was queued: it runs again below.
		n, err = enqueueScript.Run(ctx, q.rdb, keys, args...).Int()
	}
	if n == -2 && err == nil {
		err = ErrUnstaffed
	} else if position, err = enqueued(c, n, err); err != nil {
		return 0, false, nil, err
	}
	res, derr := disp.StringSlice()
	if retried || derr != nil || len(res) == dispatchBatchMax {
		// Not run (NOSCRIPT, or an error), or more to match: on its own.
		ms, serr := q.Dispatch(ctx, c.Queue, c.Enqueued)
		for _, m := range ms {
			matched = matched || m.Caller.CallID == c.CallID
		}
		if derr != nil && !redis.HasErrorPrefix(derr, "NOSCRIPT") && serr == nil {
			serr = wrap("dispatch", derr)
		}
		if err == nil && serr != nil {
			q.log.Warn("dispatch after enqueue", "queue", c.Queue, "err", serr)
		}
	}
	ms, n2, merr := decodeMatches(res, keep)
	pushed += n2
	for i, m := range ms {
		if m.Caller.CallID == c.CallID {
			matched = true
			if keep != "" && own == nil {
				own = &ms[i]
			}
		}
	}
	if merr != nil {
		q.log.Warn("dispatch after enqueue", "queue", c.Queue, "err", merr)
	}
	return position, matched, own, err
}

// enqueueArgs checks c and builds the enqueue script's keys and arguments.
func (q *Queues) enqueueArgs(c Caller, onlyStaffed bool) ([]string, []any, error) {
	if c.CallID == "" || c.Queue == "" {
		return nil, nil, hotline.Errorf(hotline.EINVALID, "enqueue: call id and queue are required")
	}
	if c.Enqueued.IsZero() {
		return nil, nil, hotline.Errorf(hotline.EINVALID, "enqueue %s: Enqueued is zero", c.CallID)
	}
	if c.Priority > MaxPriority {
		c.Priority = MaxPriority
	} else if c.Priority < -MaxPriority {
		c.Priority = -MaxPriority
	}
	j, err := json.Marshal(c)
	if err != nil {
		return nil, nil, wrap("enqueue", err)
	}
	staffed := "0"
	if onlyStaffed {
		staffed = "1"
	}
	ck := q.counterKeys(c.Queue, c.Enqueued)
	return ck.keys(), []any{q.pfx, c.CallID, c.Queue, j, i64(score(c.Priority, c.Enqueued)), i64(us(c.Enqueued)),
		ck.dayTTL, ck.intTTL, c.Owner, staffed}, nil
}

// enqueued reads the enqueue script's answer.
func enqueued(c Caller, n int, err error) (int, error) {
	if err != nil {
		return 0, wrap("enqueue", err)
	}
	if n < 0 {
		return 0, hotline.Errorf(hotline.ECONFLICT, "call %s is already queued", c.CallID)
	}
	return n, nil
}

// Position is the 1-based place of callID among the callers waiting in queue
// and the number waiting; position is 0 when the caller is not waiting (gone,
// or being offered to an agent). One round trip (a pipeline).
func (q *Queues) Position(ctx context.Context, queue, callID string) (position, waiting int, err error) {
	wk := q.key("q", queue, "wait")
	var rank *redis.IntCmd
	var card *redis.IntCmd
	_, err = q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		rank = p.ZRank(ctx, wk, callID)
		card = p.ZCard(ctx, wk)
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, 0, wrap("position", err)
	}
	if r, err := rank.Result(); err == nil {
		position = int(r) + 1
	}
	return position, int(card.Val()), nil
}

// LeaveLost is the Leave reason of a caller whose call was lost to a system
// failure (its channel vanished with an Asterisk restart): removed, counted
// as nothing but the max wait.
const LeaveLost hotline.QueueEventType = "LOST"

// Leave removes a waiting or offered caller: why is hotline.EvAbandon,
// hotline.EvExitWithTimeout, hotline.EvCallbackRequest, hotline.EvExitEmpty
// or LeaveLost. It counts, in the day and interval of at, abandoned (and
// short abandoned when wait < S, and abandoned within T when wait <= T),
// timed out, callbacks requested (unless RequestCallback already counted
// this caller), or unstaffed (EXITEMPTY), and the max wait
// (wait = at − Enqueued). ok is false (and nothing is counted) when the
// caller was not there, so Leave is idempotent. When the caller was being
// offered, the controller then calls OfferCancelled for the ringing agent.
func (q *Queues) Leave(ctx context.Context, queue, callID string, at time.Time, why hotline.QueueEventType) (Caller, bool, error) {
	switch why {
	case hotline.EvAbandon, hotline.EvExitWithTimeout, hotline.EvCallbackRequest, hotline.EvExitEmpty, LeaveLost:
	default:
		return Caller{}, false, hotline.Errorf(hotline.EINVALID, "leave: %s is not ABANDON, EXITWITHTIMEOUT, CALLBACKREQUESTED, EXITEMPTY or LOST", why)
	}
	ck := q.counterKeys(queue, at)
	s, err := leaveScript.Run(ctx, q.rdb, ck.keys(), q.pfx, queue, callID, i64(us(at)), string(why),
		i64(q.opt.ShortAbandon.Microseconds()), i64(q.opt.Threshold(queue).Microseconds()), ck.dayTTL, ck.intTTL).Text()
	if errors.Is(err, redis.Nil) {
		return Caller{}, false, nil
	}
	if err != nil {
		return Caller{}, false, wrap("leave", err)
	}
	var c Caller
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return Caller{}, true, wrap("leave: decode caller", err)
	}
	return c, true, nil
}

// RequestCallback flags a waiting (or offered) caller with the number to call
// back: the caller keeps their place, callbacks_requested is counted once (in
// the day and interval of at), and the Match that dispatches them carries
// Caller.Callback. A caller not in the queue is an hotline.ENOTFOUND error.
func (q *Queues) RequestCallback(ctx context.Context, queue, callID, number string, at time.Time) error {
	if number == "" {
		return hotline.Errorf(hotline.EINVALID, "callback number is empty")
	}
	ck := q.counterKeys(queue, at)
	n, err := callbackScript.Run(ctx, q.rdb, ck.keys(), q.pfx, queue, callID, number, ck.dayTTL, ck.intTTL).Int()
	if err != nil {
		return wrap("request callback", err)
	}
	if n == 0 {
		return hotline.Errorf(hotline.ENOTFOUND, "call %s is not in queue %s", callID, queue)
	}
	return nil
}

// Dispatch pairs, in one Lua script (one round trip), the longest-waiting
// caller of queue (priority first, then earliest Enqueued) with the
// longest-idle available agent having the queue among its skills, again and
// again until either runs out. Each agent goes to ringing with the call id,
// each caller from waiting to offered, and each match is pushed to the inbox of
// Caller.Owner (RPUSH, JSON, so the inbox is first in first
// out; none when Owner is ""); the matches are
// returned in order. Agents whose wrap-up ended by now count as available,
// idle since the end of their wrap-up. One round trip per 256 matches. For a
// virtual clock, every match pushed to an inbox is recorded in flight
// (clk.Handoff) before it can be popped; NextMatch records it taken.
func (q *Queues) Dispatch(ctx context.Context, queue string, now time.Time) ([]Match, error) {
	var out []Match
	for {
		ms, full, err := q.dispatchBatch(ctx, queue, now)
		out = append(out, ms...)
		if err != nil || !full {
			return out, err
		}
	}
}

// dispatchBatch runs the dispatch script once, for at most dispatchBatchMax
// matches. For a virtual clock the matches that may be pushed are recorded
// in flight (Handoff) before the script runs, so a receiver can never take a
// match before it is counted; the unused part is given back after.
func (q *Queues) dispatchBatch(ctx context.Context, queue string, now time.Time) (out []Match, full bool, err error) {
	q.clk.Handoff(dispatchBatchMax)
	pushed := 0
	defer func() { q.clk.Taken(dispatchBatchMax - pushed) }()
	res, err := dispatchScript.Run(ctx, q.rdb, q.dispatchKeys(), q.dispatchArgs(queue, now)...).StringSlice()
	if err != nil {
		return nil, false, wrap("dispatch", err)
	}
	out, pushed, err = decodeMatches(res, "")
	return out, len(res) == dispatchBatchMax, err
}

// dispatchKeys and dispatchArgs are the dispatch script's keys and arguments
// for queue at now.
func (q *Queues) dispatchKeys() []string { return []string{q.key("queues")} }

func (q *Queues) dispatchArgs(queue string, now time.Time) []any {
	return []any{q.pfx, queue, i64(us(now)), now.Format(time.RFC3339Nano), inboxTTL, dispatchBatchMax}
}

// decodeMatches decodes the dispatch script's answer; pushed counts the
// matches pushed to an inbox (those naming an owner, but the match of call
// keep, which the script kept out of its inbox, and any it cannot decode,
// which stay counted in flight).
func decodeMatches(res []string, keep string) (out []Match, pushed int, err error) {
	out = make([]Match, 0, len(res))
	for _, s := range res {
		var m Match
		if derr := json.Unmarshal([]byte(s), &m); derr != nil {
			pushed++
			err = wrap("dispatch: decode match", derr)
			continue
		}
		if m.Caller.Owner != "" && (keep == "" || m.Caller.CallID != keep) {
			pushed++
		}
		out = append(out, m)
	}
	return out, pushed, err
}

// DispatchQueues runs Dispatch for each of queues, in that order, in one
// round trip (a pipeline of the dispatch script, which Redis runs one after
// the other): an agent who serves several queues and becomes free is offered
// the callers of all of them at the cost of one. A queue whose script was
// not loaded (NOSCRIPT after a Redis restart) or whose batch was full is
// dispatched again on its own.
func (q *Queues) DispatchQueues(ctx context.Context, queues []string, now time.Time) ([]Match, error) {
	if len(queues) <= 1 {
		if len(queues) == 0 {
			return nil, nil
		}
		return q.Dispatch(ctx, queues[0], now)
	}
	q.clk.Handoff(dispatchBatchMax * len(queues))
	pushed := 0
	defer func() { q.clk.Taken(dispatchBatchMax*len(queues) - pushed) }()
	cmds := make([]*redis.Cmd, len(queues))
	_, _ = q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, qn := range queues {
			cmds[i] = dispatchScript.EvalSha(ctx, p, q.dispatchKeys(), q.dispatchArgs(qn, now)...)
		}
		return nil
	})
	var (
		out  []Match
		errs []error
	)
	for i, cmd := range cmds {
		res, err := cmd.StringSlice()
		if err != nil && !redis.HasErrorPrefix(err, "NOSCRIPT") {
			errs = append(errs, wrap("dispatch "+queues[i], err))
			continue
		}
		if err != nil || len(res) == dispatchBatchMax {
			// Not run (NOSCRIPT), or more matches to come: this queue on its own.
			ms, err := q.Dispatch(ctx, queues[i], now)
			out = append(out, ms...)
			if err != nil {
				errs = append(errs, err)
			}
		}
		ms, n, err := decodeMatches(res, "")
		out, pushed = append(out, ms...), pushed+n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// dispatchBatchMax bounds the matches of one dispatch script run.
const dispatchBatchMax = 256

// inboxTTL (seconds) bounds the life of an inbox nobody pops (a controller gone for good).
const inboxTTL = "86400"

// NextMatch pops the next match from owner's inbox, waiting up to wait
// (rounded up to whole seconds, as BLPOP takes them; 0 waits forever); it
// returns nil, nil on timeout. For a virtual clock it calls clk.Taken(1)
// under a short Hold; a controller that must keep time still until it has
// acted on the match uses NextMatchHeld instead.
func (q *Queues) NextMatch(ctx context.Context, owner string, wait time.Duration) (*Match, error) {
	m, release, err := q.NextMatchHeld(ctx, owner, wait)
	if release != nil {
		release()
	}
	return m, err
}

// NextMatchHeld is NextMatch that, when it returns a match, has taken a clock
// Hold (and recorded clk.Taken(1)); the caller calls release once it has
// taken its own Hold or finished with the match. release is nil when there is
// no match.
func (q *Queues) NextMatchHeld(ctx context.Context, owner string, wait time.Duration) (*Match, func(), error) {
	if wait > 0 && wait < time.Second {
		wait = time.Second
	}
	wait = (wait + time.Second - 1) / time.Second * time.Second
	res, err := q.rdb.BLPop(ctx, wait, q.key("inbox", owner)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, wrap("next match", err)
	}
	release := q.clk.Hold()
	q.clk.Taken(1)
	var m Match
	if err := json.Unmarshal([]byte(res[1]), &m); err != nil {
		release()
		return nil, nil, wrap("next match: decode", err)
	}
	return &m, release, nil
}

// NoAnswer handles RINGNOANSWER for m: the caller, unless it has left, goes
// back to its original place (same priority and Enqueued); the agent is
// paused with reason "auto" (pause) or made available again, idle since at
// (so that other idle agents are tried first). If the agent is no longer
// ringing for this call it is an hotline.ECONFLICT error (the caller part is
// still done).
func (q *Queues) NoAnswer(ctx context.Context, m Match, at time.Time, pause bool) error {
	p := "0"
	if pause {
		p = "1"
	}
	res, err := noAnswerScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, m.Caller.CallID, m.Agent.ID, i64(us(at)), p).Slice()
	if err != nil {
		return wrap("no answer", err)
	}
	if res[0].(int64) == 0 {
		return hotline.Errorf(hotline.ECONFLICT, "agent %s is %v, not ringing for call %s", m.Agent.ID, res[2], m.Caller.CallID)
	}
	if pause {
		q.journal(m.Agent.ID, &m.Agent, agents.Paused, agents.ReasonAuto, at)
	}
	return nil
}

// Connected handles CONNECT for m: the agent goes on_call, the caller leaves
// the queue answered; it counts, in the day and interval of at, answered,
// answered within T (wait <= T), the wait sum and max wait, and, when the
// agent has a site (Options.Site), the same answered, within T and wait sum
// in the day's counters of that site (Live.TodayBySite), in the same script.
// wait = at − m.Caller.Enqueued. If the caller already left (or the offer is
// no longer this agent's) it is an hotline.ECONFLICT error and nothing
// changes: the controller hangs up the agent leg and calls OfferCancelled.
func (q *Queues) Connected(ctx context.Context, m Match, at time.Time) (wait time.Duration, err error) {
	ck := q.counterKeys(m.Caller.Queue, at)
	site := ""
	if q.opt.Site != nil {
		site = q.opt.Site(m.Agent.ID)
	}
	res, err := connectScript.Run(ctx, q.rdb, ck.withSites(), q.pfx, m.Caller.CallID, m.Agent.ID, i64(us(at)),
		i64(q.opt.Threshold(m.Caller.Queue).Microseconds()), ck.dayTTL, ck.intTTL, site).Slice()
	if err != nil {
		return 0, wrap("connected", err)
	}
	if res[0].(int64) == 0 {
		return 0, hotline.Errorf(hotline.ECONFLICT, "cannot connect call %s to agent %s: agent %v, caller %v",
			m.Caller.CallID, m.Agent.ID, res[1], res[2])
	}
	// The wait the script counted: at − the caller's entry as Redis knows it.
	return time.Duration(res[1].(int64)) * time.Microsecond, nil
}

// OfferCancelled makes the agent ringing for m available again, idle since
// unchanged (the caller left while the agent rang: call Leave first). Should
// the caller still be offered to this agent (OfferCancelled before Leave),
// the caller goes back to its place rather than be lost. An agent no longer
// ringing for this call is left alone and it is not an error (idempotent).
func (q *Queues) OfferCancelled(ctx context.Context, m Match, at time.Time) error {
	_, err := cancelScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, m.Caller.CallID, m.Agent.ID, i64(us(at))).Slice()
	return wrap("offer cancelled", err)
}
