package queue

import (
	"context"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
)

var errTODO = hotline.Errorf(hotline.ENOTIMPLEMENTED, "queue: not implemented yet")

// Enqueue puts c at the back of its priority in c.Queue (ENTERQUEUE) and
// counts it offered in the day and interval of c.Enqueued. position is
// 1-based among the callers waiting. A call id already queued is an
// hotline.ECONFLICT error.
func (q *Queues) Enqueue(ctx context.Context, c Caller) (position int, err error) { return 0, errTODO }

// Position is the 1-based place of callID among the callers waiting in queue
// and the number waiting; position is 0 when the caller is not waiting (gone,
// or being offered to an agent).
func (q *Queues) Position(ctx context.Context, queue, callID string) (position, waiting int, err error) {
	return 0, 0, errTODO
}

// Leave removes a waiting or offered caller: why is hotline.EvAbandon,
// hotline.EvExitWithTimeout or hotline.EvCallbackRequest. It counts, in the
// day and interval of at, abandoned (and short abandoned when wait < S, and
// abandoned within T when wait <= T), timed out, or callbacks requested
// (unless RequestCallback already counted this caller), and the max wait.
// ok is false (and nothing is counted) when the caller was not there, so
// Leave is idempotent. When the caller was being offered, the controller then
// calls OfferCancelled for the ringing agent.
func (q *Queues) Leave(ctx context.Context, queue, callID string, at time.Time, why hotline.QueueEventType) (Caller, bool, error) {
	return Caller{}, false, errTODO
}

// RequestCallback flags a waiting (or offered) caller with the number to call
// back: the caller keeps their place, callbacks_requested is counted once, and
// the Match that dispatches them carries Caller.Callback. A caller not in the
// queue is an hotline.ENOTFOUND error.
func (q *Queues) RequestCallback(ctx context.Context, queue, callID, number string, at time.Time) error {
	return errTODO
}

// Login makes a logged-out (or unknown) agent available, idle since at, in
// every queue of a.Skills (the agent's record is replaced by a). An agent
// already logged in is an hotline.ECONFLICT error.
func (q *Queues) Login(ctx context.Context, a agents.Agent, at time.Time) error { return errTODO }

// Logout logs out an available, paused or wrapping-up agent.
func (q *Queues) Logout(ctx context.Context, id string, at time.Time) error { return errTODO }

// SetAvailable makes a paused or wrapping-up agent available, idle since at.
func (q *Queues) SetAvailable(ctx context.Context, id string, at time.Time) error { return errTODO }

// Pause pauses an available, wrapping-up or paused agent with a reason
// (agents.ReasonBreak, agents.ReasonManual, …).
func (q *Queues) Pause(ctx context.Context, id, reason string, at time.Time) error { return errTODO }

// Agent returns one agent's status (an ended wrap-up reads as available).
// An unknown agent is an hotline.ENOTFOUND error.
func (q *Queues) Agent(ctx context.Context, id string) (AgentStatus, error) {
	return AgentStatus{}, errTODO
}

// Agents returns every known agent's status, sorted by id.
func (q *Queues) Agents(ctx context.Context) ([]AgentStatus, error) { return nil, errTODO }

// Dispatch pairs, in one Lua script, the longest-waiting caller of queue
// (priority first, then earliest Enqueued) with the longest-idle available
// agent having the queue among its skills, again and again until either runs
// out. Each agent goes to ringing with the call id, each caller from waiting to
// offered, and each match is pushed (LPUSH, JSON) to the inbox of
// Caller.Owner; the matches are returned in order. Agents whose wrap-up ended
// by now count as available, idle since the end of their wrap-up.
func (q *Queues) Dispatch(ctx context.Context, queue string, now time.Time) ([]Match, error) {
	return nil, errTODO
}

// NextMatch pops the next match from owner's inbox, waiting up to wait (0
// waits forever); it returns nil, nil on timeout.
func (q *Queues) NextMatch(ctx context.Context, owner string, wait time.Duration) (*Match, error) {
	return nil, errTODO
}

// NoAnswer handles RINGNOANSWER for m: the caller, unless it has left, goes
// back to its original place (same priority and Enqueued); the agent is
// paused with reason "auto" (pause) or made available again, idle since at.
func (q *Queues) NoAnswer(ctx context.Context, m Match, at time.Time, pause bool) error {
	return errTODO
}

// Connected handles CONNECT for m: the agent goes on_call, the caller leaves
// the queue answered; it counts answered, answered within T, the wait sum and
// max wait. wait = at − Enqueued. If the caller already left (or the offer is
// no longer this agent's) it is an hotline.ECONFLICT error and nothing changes.
func (q *Queues) Connected(ctx context.Context, m Match, at time.Time) (wait time.Duration, err error) {
	return 0, errTODO
}

// OfferCancelled makes the agent ringing for m available again, idle since
// unchanged (the caller left while the agent rang: call Leave first).
func (q *Queues) OfferCancelled(ctx context.Context, m Match, at time.Time) error { return errTODO }

// Release ends the agent's call at at: wrap_up until at+wrapUp, or available
// immediately (idle since at) when wrapUp is 0. The handling time
// (talk + wrap-up) feeds EstimatedWait.
func (q *Queues) Release(ctx context.Context, agentID string, at time.Time, wrapUp time.Duration) error {
	return errTODO
}

// Live returns the live picture of queue at now.
func (q *Queues) Live(ctx context.Context, queue string, now time.Time) (Live, error) {
	return Live{}, errTODO
}

// Queues lists the queues known (that have had callers or agents), sorted.
func (q *Queues) Queues(ctx context.Context) ([]string, error) { return nil, errTODO }

// EstimatedWait estimates the wait of the caller at position in queue.
func (q *Queues) EstimatedWait(ctx context.Context, queue string, position int, now time.Time) (time.Duration, error) {
	return 0, errTODO
}

// SaveCall stores owner's in-progress state of callID (opaque bytes), so a
// restarted controller can re-adopt its calls.
func (q *Queues) SaveCall(ctx context.Context, owner, callID string, state []byte) error {
	return errTODO
}

// DeleteCall forgets owner's in-progress state of callID.
func (q *Queues) DeleteCall(ctx context.Context, owner, callID string) error { return errTODO }

// Calls returns owner's in-progress call states by call id.
func (q *Queues) Calls(ctx context.Context, owner string) (map[string][]byte, error) {
	return nil, errTODO
}
