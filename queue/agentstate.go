package queue

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
)

// transition runs the agent script: to must be allowed from the agent's
// current state by agents' table (the script checks it atomically).
func (q *Queues) transition(ctx context.Context, op, id string, to agents.State, at time.Time, reason string, aj []byte) (agents.State, error) {
	from := agents.From(to)
	allowed := make([]string, 0, len(from))
	for _, s := range from {
		if s == agents.Ringing || s == agents.OnCall {
			continue // those transitions belong to Dispatch, NoAnswer, OfferCancelled and Release
		}
		if s == agents.LoggedOut && aj == nil {
			continue // only Login leaves logged_out
		}
		allowed = append(allowed, string(s))
	}
	res, err := agentScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, id, string(to),
		strings.Join(allowed, " "), i64(us(at)), reason, aj).Slice()
	if err != nil {
		return "", wrap(op, err)
	}
	cur := agents.State(res[1].(string))
	if res[0].(int64) == 0 {
		if err := agents.Transition(cur, to); err != nil {
			return cur, err
		}
		return cur, hotline.Errorf(hotline.ECONFLICT, "agent %s: %s is not allowed from %s here", id, op, cur)
	}
	return cur, nil
}

// Login makes a logged-out (or unknown) agent available, idle since at, in
// every queue of a.Skills (the agent's stored record is replaced by a). An
// agent already logged in is an hotline.ECONFLICT error.
func (q *Queues) Login(ctx context.Context, a agents.Agent, at time.Time) error {
	if err := a.Validate(); err != nil {
		return err
	}
	j, err := json.Marshal(a)
	if err != nil {
		return wrap("login", err)
	}
	cur, err := q.transition(ctx, "login", a.ID, agents.Available, at, "", j)
	if err != nil && cur != "" {
		return hotline.Errorf(hotline.ECONFLICT, "agent %s is already logged in (%s)", a.ID, cur)
	}
	if err == nil {
		q.journal(a.ID, &a, agents.Available, "", at)
	}
	return err
}

// Logout logs out an available, paused or wrapping-up agent.
func (q *Queues) Logout(ctx context.Context, id string, at time.Time) error {
	_, err := q.transition(ctx, "logout", id, agents.LoggedOut, at, "", nil)
	if err == nil {
		q.journal(id, nil, agents.LoggedOut, "", at)
	}
	return err
}

// SetAvailable makes a paused or wrapping-up agent available, idle since at.
// An agent already available is left as it is (not an error).
func (q *Queues) SetAvailable(ctx context.Context, id string, at time.Time) error {
	cur, err := q.transition(ctx, "set available", id, agents.Available, at, "", nil)
	if err == nil {
		q.journal(id, nil, agents.Available, "", at)
	}
	if err != nil && cur == agents.Available {
		return nil
	}
	if err != nil && cur == agents.LoggedOut {
		return hotline.Errorf(hotline.ECONFLICT, "agent %s is logged out: log in instead", id)
	}
	return err
}

// Pause pauses an available, wrapping-up or paused agent with a reason
// (agents.ReasonBreak, agents.ReasonManual, …; default manual).
func (q *Queues) Pause(ctx context.Context, id, reason string, at time.Time) error {
	if reason == "" {
		reason = agents.ReasonManual
	}
	_, err := q.transition(ctx, "pause", id, agents.Paused, at, reason, nil)
	if err == nil {
		q.journal(id, nil, agents.Paused, reason, at)
	}
	return err
}

// Release ends the agent's call at at: wrap_up until at+wrapUp, or available
// immediately (idle since at) when wrapUp is 0. The handling time (at − the
// connect time + wrapUp) feeds EstimatedWait; the talk time and wrapUp are
// added to the TalkSum and WrapSum of the call's queue in the day and interval
// of at (wrap-up counted whole when the call ends). An agent not on a call is
// an hotline.ECONFLICT error.
func (q *Queues) Release(ctx context.Context, agentID string, at time.Time, wrapUp time.Duration) error {
	if wrapUp < 0 {
		wrapUp = 0
	}
	ck := q.counterKeys("", at) // the queue is the agent's call's, known to the script
	res, err := releaseScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, agentID, i64(us(at)),
		i64(wrapUp.Microseconds()), ahtSamples, ck.daySfx, ck.intSfx, ck.dayTTL, ck.intTTL).Slice()
	if err != nil {
		return wrap("release", err)
	}
	if res[0].(int64) == 0 {
		return hotline.Errorf(hotline.ECONFLICT, "agent %s is %v, not on a call", agentID, res[1])
	}
	return nil
}

// Agent returns one agent's status (a wrap-up ended by the clock's now reads
// as available, idle since its end). An unknown agent is an hotline.ENOTFOUND
// error.
func (q *Queues) Agent(ctx context.Context, id string) (AgentStatus, error) {
	h, err := q.rdb.HGetAll(ctx, q.key("a", id)).Result()
	if err != nil {
		return AgentStatus{}, wrap("agent", err)
	}
	if len(h) == 0 {
		return AgentStatus{}, hotline.Errorf(hotline.ENOTFOUND, "no agent %s", id)
	}
	return q.status(h, q.clk.Now())
}

// Agents returns every known agent's status (logged out ones included),
// sorted by id. One round trip.
func (q *Queues) Agents(ctx context.Context) ([]AgentStatus, error) {
	res, err := agentsScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx).Slice()
	if err != nil {
		return nil, wrap("agents", err)
	}
	now := q.clk.Now()
	out := make([]AgentStatus, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		flat, _ := res[i+1].([]any)
		h := make(map[string]string, len(flat)/2)
		for j := 0; j+1 < len(flat); j += 2 {
			h[flat[j].(string)], _ = flat[j+1].(string)
		}
		if len(h) == 0 {
			continue
		}
		st, err := q.status(h, now)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Agent.ID < out[j].Agent.ID })
	return out, nil
}

func atoi(s string) int64 { v, _ := strconv.ParseInt(s, 10, 64); return v }

// status decodes an agent hash, reading an ended wrap-up as available.
func (q *Queues) status(h map[string]string, now time.Time) (AgentStatus, error) {
	var s AgentStatus
	if err := json.Unmarshal([]byte(h["json"]), &s.Agent); err != nil {
		return s, wrap("agent: decode", err)
	}
	s.State = agents.State(h["state"])
	s.Reason = h["reason"]
	s.Since = q.fromUS(atoi(h["since"]))
	s.CallID = h["call"]
	s.Queue = h["queue"]
	s.IdleSince = q.fromUS(atoi(h["idle"]))
	s.WrapUntil = q.fromUS(atoi(h["wrap"]))
	if s.State == agents.WrapUp && !s.WrapUntil.After(now) {
		s.State, s.Since, s.IdleSince, s.WrapUntil = agents.Available, s.WrapUntil, s.WrapUntil, time.Time{}
	}
	return s, nil
}
