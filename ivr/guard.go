package ivr

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/queue"
)

// The guard: every Heartbeat (wall time) the controller renews its lease and
// reads the Redis data set's epoch (and run id). It rebuilds what Redis lost
// when
//   - Redis was unreachable and answers again (a restart, a failover, a
//     network cut: whatever it lost is put back; what it kept is left);
//   - the epoch key is missing (Redis restarted without its data, or was
//     flushed) or changed (another controller saw the loss first);
//   - the run id changed (another server answers on the address);
//   - this controller's lease was lost (it was taken for dead and swept).
//
// A rebuild holds the clock (simulated time stands still), puts back this
// controller's calls (RestoreCall: callers waiting or being offered, agents
// ringing for or talking to them; callers who arrived while Redis was down
// are queued now), saves their states again, waits RebuildSettle so the
// other controllers put back their calls too, signs agents in again from
// AgentStates (only those Redis does not know), and dispatches every queue.
//
// Once Redis has been healthy for longer than LeaseTTL, the guard also
// sweeps the controllers whose lease expired (queue.Sweep) and writes the
// call records of their calls in progress, ended by a system failure.

// Rebuild is one rebuild's figures.
type Rebuild struct {
	Reason         string
	Started        time.Time     // wall time the rebuild started (the loss was detected)
	Outage         time.Duration // how long Redis was unreachable before (0: not seen down)
	Took           time.Duration // wall time of the rebuild, settle included
	Calls          int           // calls in progress here
	Callers        int           // callers put back in a queue (waiting or offered)
	Queued         int           // callers who arrived while Redis was down, queued now
	AgentsBusy     int           // agents put back ringing or on a call
	AgentsRestored int           // agents signed in again from the journal
	Conflicts      int           // agents found busy with another call (left as they were)
	AgentsFreed    int           // agents Redis showed busy with a call of this controller that ended
	Errors         int           // Redis operations that failed (the rebuild runs again at the next heartbeat)
}

// SweepReport is what this controller took over from a dead one.
type SweepReport struct {
	queue.Swept
	At      time.Time // wall time of the sweep
	Records int       // call records written (ended by system failure)
}

type guardState struct {
	ok       atomic.Bool // Redis answered the last heartbeat
	mu       sync.Mutex
	lastErr  error
	rebuilds []Rebuild
	sweeps   []SweepReport
	beats    atomic.Int64
	// cutoff is the latest rebuild's cutoff (µs of the controller's clock):
	// its FreeStale may have freed the agent of a match made before it, so
	// such a match is confirmed before it is acted on (call.onMatch).
	cutoff atomic.Int64
}

// RedisErr is nil while Redis answered the last heartbeat, else why not.
func (ctl *Controller) RedisErr() error {
	if ctl.guard.ok.Load() || ctl.guard.beats.Load() == 0 {
		return nil
	}
	ctl.guard.mu.Lock()
	defer ctl.guard.mu.Unlock()
	if ctl.guard.lastErr == nil {
		return hotline.Errorf(hotline.EUNAVAILABLE, "redis unavailable")
	}
	return ctl.guard.lastErr
}

// Rebuilds returns the rebuilds done so far.
func (ctl *Controller) Rebuilds() []Rebuild {
	ctl.guard.mu.Lock()
	defer ctl.guard.mu.Unlock()
	return append([]Rebuild(nil), ctl.guard.rebuilds...)
}

// Sweeps returns what this controller took over from dead controllers.
func (ctl *Controller) Sweeps() []SweepReport {
	ctl.guard.mu.Lock()
	defer ctl.guard.mu.Unlock()
	return append([]SweepReport(nil), ctl.guard.sweeps...)
}

func (ctl *Controller) guardLoop(ctx context.Context) {
	t := time.NewTicker(ctl.opt.Heartbeat)
	defer t.Stop()
	var (
		epoch, runID string
		joined       bool
		again        bool // the last rebuild met errors: run it again
		downSince    time.Time
		healthySince time.Time
		lastSweep    time.Time
		failures     int
	)
	// A slow answer under load is not an outage: a beat may take up to a
	// quarter of the lease, and Redis counts as down after two failed beats.
	timeout := max(ctl.opt.LeaseTTL/4, ctl.opt.Heartbeat)
	for {
		bctx, cancel := context.WithTimeout(ctx, timeout)
		b, err := ctl.q.Heartbeat(bctx, ctl.id, ctl.opt.LeaseTTL, ctl.clk.Now())
		cancel()
		ctl.guard.beats.Add(1)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			failures++
		}
		if err != nil && failures < 2 {
			// One failed beat: wait for the next before calling Redis down.
		} else if err != nil {
			if downSince.IsZero() {
				downSince = time.Now()
				ctl.log.Warn("redis unreachable: callers are kept on hold until it is back", "err", err)
			}
			ctl.guard.mu.Lock()
			ctl.guard.lastErr = err
			ctl.guard.mu.Unlock()
			ctl.guard.ok.Store(false)
			healthySince = time.Time{}
		} else {
			failures = 0
			reason := ""
			switch {
			case !downSince.IsZero():
				reason = "reconnected"
			case epoch != "" && b.Epoch == "":
				reason = "data lost"
			case epoch != "" && b.Epoch != epoch:
				reason = "epoch changed"
			case runID != "" && b.RunID != "" && b.RunID != runID:
				reason = "run id changed"
			case joined && b.Joined:
				reason = "lease lost"
			case again:
				reason = "retry"
			}
			first := epoch == ""
			if b.Epoch == "" {
				mctx, mcancel := context.WithTimeout(ctx, time.Second)
				if e, err := ctl.q.MarkEpoch(mctx, instanceToken()+ctl.id); err == nil {
					b.Epoch = e
				}
				mcancel()
			}
			epoch, runID, joined = b.Epoch, b.RunID, true
			ctl.guard.ok.Store(true)
			if reason != "" && !first {
				var outage time.Duration
				if !downSince.IsZero() {
					outage = time.Since(downSince)
				}
				again = ctl.rebuild(ctx, reason, outage, b.Epoch+"."+b.RunID) > 0
			}
			downSince = time.Time{}
			if healthySince.IsZero() {
				healthySince = time.Now()
			}
			if time.Since(healthySince) > ctl.opt.LeaseTTL && time.Since(lastSweep) >= 2*ctl.opt.Heartbeat {
				lastSweep = time.Now()
				ctl.sweep(ctx)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// rebuild puts back what Redis lost (see the comment at the top); it returns
// the number of Redis operations that failed.
func (ctl *Controller) rebuild(ctx context.Context, reason string, outage time.Duration, round string) int {
	release := ctl.clk.Hold()
	defer release()
	r := Rebuild{Reason: reason, Started: time.Now(), Outage: outage}
	cutoff := ctl.clk.Now()
	if c := cutoff.UnixMicro(); c > ctl.guard.cutoff.Load() {
		ctl.guard.cutoff.Store(c)
	}
	ctl.mu.Lock()
	calls := make([]*call, 0, len(ctl.calls))
	for _, c := range ctl.calls {
		calls = append(calls, c)
	}
	ctl.mu.Unlock()
	r.Calls = len(calls)
	var wg sync.WaitGroup
	var mu sync.Mutex
	busy := map[string]string{}
	live := make([]string, 0, len(calls))
	for _, c := range calls {
		c := c
		wg.Add(1)
		c.post(msg{fn: func() {
			st := c.restoreInRedis()
			consulted := "" // an attended transfer's consulted agent is busy with the call too
			if c.consult != nil {
				consulted = c.consult.m.Agent.ID
			}
			mu.Lock()
			if consulted != "" {
				busy[consulted] = c.queueCallID()
			}
			r.Callers += st.callers
			r.Queued += st.queued
			r.AgentsBusy += st.agents
			r.Conflicts += st.conflicts
			r.Errors += st.errors
			if st.agent != "" {
				busy[st.agent] = st.call
			}
			live = append(live, c.queueCallID())
			mu.Unlock()
		}, release: wg.Done})
	}
	wg.Wait()
	if r.Errors == 0 {
		fctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		n, err := ctl.q.FreeStale(fctx, ctl.id, busy, live, cutoff, ctl.clk.Now())
		cancel()
		if err != nil {
			r.Errors++
		}
		r.AgentsFreed = n
	}
	if r.Errors == 0 {
		mctx, cancel := context.WithTimeout(ctx, time.Second)
		if err := ctl.q.MarkRebuilt(mctx, round, ctl.id); err != nil {
			r.Errors++
		}
		cancel()
	}
	if r.Errors > 0 {
		// Not every call is back: signing agents in now could offer one
		// busy with a call not put back yet. Again at the next heartbeat.
		r.Took = time.Since(r.Started)
		ctl.log.Warn("redis: rebuild incomplete, retrying", "reason", r.Reason, "errors", r.Errors)
		ctl.guard.mu.Lock()
		ctl.guard.rebuilds = append(ctl.guard.rebuilds, r)
		ctl.guard.mu.Unlock()
		return r.Errors
	}
	if ctl.opt.AgentStates != nil {
		// Agents busy with other controllers' calls must be back before any
		// agent is signed in again as available: wait (at least the settle
		// time, at most the lease time) until every live controller put its
		// calls back.
		t := time.NewTimer(ctl.opt.RebuildSettle)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0
		case <-t.C:
		}
		deadline := r.Started.Add(ctl.opt.LeaseTTL)
		for time.Now().Before(deadline) {
			wctx, cancel := context.WithTimeout(ctx, time.Second)
			left, err := ctl.q.WaitingFor(wctx, round)
			cancel()
			if err == nil && len(left) == 0 {
				break
			}
			select {
			case <-ctx.Done():
				return 0
			case <-time.After(ctl.opt.Heartbeat):
			}
		}
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		recs, err := ctl.opt.AgentStates(actx)
		if err != nil {
			ctl.log.Error("rebuild: agents' last states", "err", err)
		}
		if len(recs) > 0 {
			n, err := ctl.q.RestoreAgents(actx, recs)
			if err != nil {
				ctl.log.Error("rebuild: restore agents", "err", err)
				r.Errors++
			}
			r.AgentsRestored = n
		}
		cancel()
	}
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	ctl.dispatchAll(dctx)
	cancel()
	r.Took = time.Since(r.Started)
	ctl.log.Warn("redis: rebuilt what it lost", "reason", r.Reason, "outage", r.Outage, "took", r.Took,
		"calls", r.Calls, "callers", r.Callers, "queued_now", r.Queued, "agents_busy", r.AgentsBusy,
		"agents_restored", r.AgentsRestored, "agents_freed", r.AgentsFreed, "conflicts", r.Conflicts, "errors", r.Errors)
	ctl.guard.mu.Lock()
	ctl.guard.rebuilds = append(ctl.guard.rebuilds, r)
	ctl.guard.mu.Unlock()
	return r.Errors
}

type restoreStats struct {
	callers, queued, agents, conflicts, errors int
	agent, call                                string // the agent busy with this call, if any
}

// caller is this call as the queue knows it.
func (c *call) caller() queue.Caller {
	prio := 0
	if c.qcfg != nil {
		prio = c.qcfg.Priority
	}
	return queue.Caller{CallID: c.queueCallID(), Queue: c.queue, Priority: prio, Enqueued: c.rec.Enqueued,
		Owner: c.ctl.id, Language: c.rec.Language}
}

// restoreInRedis puts this call's part of the queue state back (runs on the
// call's actor).
func (c *call) restoreInRedis() (st restoreStats) {
	if c.st == stEnded || c.gone {
		return st
	}
	rc := queue.RestoredCall{Callback: c.rec.Callback}
	switch {
	case c.pending && c.st == stWaiting:
		if c.retryEnqueue() {
			st.queued++
		} else {
			st.errors++
		}
		if c.save() != nil {
			st.errors++
		}
		return st
	case c.st == stWaiting && c.inQueue:
		rc.Caller, rc.CallerState = c.caller(), "waiting"
	case c.offer != nil && !c.offer.settled:
		rc.Caller, rc.CallerState = c.offer.m.Caller, "offered"
		a := c.offer.m.Agent
		rc.Agent, rc.AgentState, rc.AgentSince = &a, agents.Ringing, c.offer.at
	case c.st == stTalking && c.match != nil:
		rc.Caller = c.match.Caller
		a := c.match.Agent
		rc.Agent, rc.AgentState, rc.AgentSince = &a, agents.OnCall, c.rec.Answered
	case c.cbMatch != nil && (c.st == stCallbackDial || c.st == stCallbackHello):
		rc.Caller, rc.CallerState = c.cbMatch.Caller, "offered"
		a := c.cbMatch.Agent
		rc.Agent, rc.AgentState, rc.AgentSince = &a, agents.Ringing, c.rec.Arrived
	}
	if rc.Agent != nil {
		st.agent, st.call = rc.Agent.ID, rc.Caller.CallID
	}
	if rc.CallerState != "" || rc.Agent != nil {
		ctx, cancel := c.ctx()
		cr, ar, conflict, err := c.ctl.q.RestoreCall(ctx, rc)
		cancel()
		c.warn("restore call", err)
		if err != nil {
			st.errors++
		}
		if cr {
			st.callers++
		}
		if ar {
			st.agents++
		}
		if conflict {
			st.conflicts++
			c.log.Warn("rebuild: the agent of this call is busy with another call", "agent", rc.Agent.ID)
		}
	}
	if c.save() != nil {
		st.errors++
	}
	return st
}

// retryEnqueue queues a caller who arrived while Redis was unreachable, with
// the time they started waiting; true once queued.
func (c *call) retryEnqueue() bool {
	if !c.pending {
		return false
	}
	ctx, cancel := c.ctx()
	pos, err := c.ctl.q.Enqueue(ctx, c.caller())
	cancel()
	if err != nil {
		if !queue.Unavailable(err) {
			c.warn("enqueue (retry)", err)
		}
		return false
	}
	c.pending = false
	c.inQueue = true
	c.log.Info("queued once Redis was back", "position", pos)
	ctx, cancel = c.ctx()
	c.ctl.dispatch(ctx, c.queue)
	cancel()
	return true
}

// sweep takes over what dead controllers left and writes their calls' records.
func (ctl *Controller) sweep(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	swept, err := ctl.q.Sweep(sctx, ctl.id, ctl.clk.Now())
	if err != nil {
		ctl.log.Warn("sweep dead controllers", "err", err)
		return
	}
	for _, s := range swept {
		rep := SweepReport{Swept: s, At: time.Now()}
		for id, data := range s.Calls {
			var sc savedCall
			if err := json.Unmarshal(data, &sc); err != nil {
				ctl.log.Error("sweep: decode a dead controller's call", "call", id, "err", err)
				continue
			}
			if rec := failedRecord(sc, s.LastBeat); rec != nil {
				ctl.w.Call(rec)
				rep.Records++
			}
		}
		ctl.log.Warn("took over from a dead controller", "dead", s.Owner, "last_beat", s.LastBeat,
			"calls_ended", rep.Records, "callbacks_taken", s.Callbacks, "callers_dropped", s.Dropped, "agents_freed", s.Freed)
		ctl.guard.mu.Lock()
		ctl.guard.sweeps = append(ctl.guard.sweeps, rep)
		ctl.guard.mu.Unlock()
		ctl.dispatchAll(sctx)
	}
}

// failedRecord is the call record of a dead controller's call in progress,
// ended at its last heartbeat by a system failure: an answered call keeps
// its answer (talk time up to the last heartbeat); any other call is failed.
func failedRecord(sc savedCall, lastBeat time.Time) *hotline.CallRecord {
	rec := sc.Record
	if rec.ID == "" || rec.Arrived.IsZero() {
		return nil
	}
	end := lastBeat
	if end.Before(rec.Arrived) {
		end = rec.Arrived
	}
	rec.Ended = end
	rec.HungUpBy = "system"
	rec.IVRPath = append(append([]string(nil), rec.IVRPath...), "controller_lost")
	if !rec.Answered.IsZero() {
		rec.Disposition = hotline.DispAnswered
		if rec.Talk == 0 && end.After(rec.Answered) {
			rec.Talk = end.Sub(rec.Answered)
		}
	} else {
		rec.Disposition = hotline.DispFailed
		if !rec.Enqueued.IsZero() && rec.Wait == 0 {
			rec.Wait = end.Sub(rec.Enqueued)
		}
	}
	return &rec
}
