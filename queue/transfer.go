package queue

import (
	"context"
	"encoding/json"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
)

// Transfers to a named agent or to a queue's next agent, and consultation
// legs (attended transfers): the agent is reserved for a call that is not
// waiting in any queue (it is connected to another agent already).

// KEYS: anchor. ARGV: P, agent ("" for the queue's longest-idle), queue of the agent choice ("" with an agent),
// call, call's queue, owner, now.
// Returns {1, agent json} or {0, reason}.
var reserveScript = script(`
local aid, qn, cid, cq, owner, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
if aid == '' then
  local A, WR = k('q', qn, 'avail'), k('q', qn, 'wrap')
  for _, a in ipairs(redis.call('ZRANGEBYSCORE', WR, '-inf', ARGV[7])) do
    if settle(a, now) ~= 'available' then redis.call('ZREM', WR, a) end
  end
  while true do
    local a = redis.call('ZRANGE', A, 0, 0)
    if #a == 0 then return {0, 'none'} end
    if redis.call('HGET', k('a', a[1]), 'state') == 'available' then aid = a[1] break end
    redis.call('ZREM', A, a[1])
  end
end
local ak = k('a', aid)
if redis.call('EXISTS', ak) == 0 then return {0, 'logged_out'} end
local st = settle(aid, now)
if st ~= 'available' then return {0, st or 'logged_out'} end
local aj = redis.call('HGET', ak, 'json')
unindex(aid, skills(aj))
redis.call('HSET', ak, 'state', 'ringing', 'reason', '', 'since', n(now), 'call', cid, 'queue', cq, 'owner', owner, 'confirmed', '0')
return {1, aj}
`)

// KEYS: anchor. ARGV: P, agent, call, at. Returns 1 if the agent went on_call.
var reservedAnsweredScript = script(`
local aid, cid = ARGV[2], ARGV[3]
local ak = k('a', aid)
local h = redis.call('HMGET', ak, 'state', 'call')
if h[1] ~= 'ringing' or h[2] ~= cid then return 0 end
redis.call('HSET', ak, 'state', 'on_call', 'since', ARGV[4])
return 1
`)

// KEYS: anchor. ARGV: P, agent, call, at. Returns 1 if the agent was freed.
var unreserveScript = script(`
local aid, cid, at = ARGV[2], ARGV[3], tonumber(ARGV[4])
local ak = k('a', aid)
local h = redis.call('HMGET', ak, 'state', 'call', 'json')
if (h[1] ~= 'ringing' and h[1] ~= 'on_call') or h[2] ~= cid then return 0 end
make_avail(aid, skills(h[3]), at, at)
return 1
`)

// Reserve rings agentID (or, when agentID is "", the longest-idle available
// agent of fromQueue) for call callID of queue callQueue owned by owner: the
// agent goes from available (or an ended wrap-up) to ringing for the call.
// An agent not signed in or not available, or a queue without an available
// agent, is an hotline.ECONFLICT error and nothing changes.
func (q *Queues) Reserve(ctx context.Context, agentID, fromQueue, callID, callQueue, owner string, at time.Time) (agents.Agent, error) {
	res, err := reserveScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, agentID, fromQueue, callID, callQueue,
		owner, i64(us(at))).Slice()
	if err != nil {
		return agents.Agent{}, wrap("reserve", err)
	}
	if res[0].(int64) == 0 {
		if agentID == "" {
			return agents.Agent{}, hotline.Errorf(hotline.ECONFLICT, "no agent of queue %s is available", fromQueue)
		}
		return agents.Agent{}, hotline.Errorf(hotline.ECONFLICT, "agent %s is %v, not available", agentID, res[1])
	}
	var a agents.Agent
	if err := json.Unmarshal([]byte(res[1].(string)), &a); err != nil {
		return agents.Agent{}, wrap("reserve: decode agent", err)
	}
	return a, nil
}

// ReservedAnswered puts an agent reserved for callID (Reserve) on the call
// at at. ECONFLICT when the agent is no longer ringing for it.
func (q *Queues) ReservedAnswered(ctx context.Context, agentID, callID string, at time.Time) error {
	n, err := reservedAnsweredScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, agentID, callID, i64(us(at))).Int()
	if err != nil {
		return wrap("reserved answered", err)
	}
	if n == 0 {
		return hotline.Errorf(hotline.ECONFLICT, "agent %s is not ringing for call %s", agentID, callID)
	}
	return nil
}

// Unreserve makes an agent ringing for or talking on callID available again
// at once (idle since at), without wrap-up or handling time: a consultation
// that was cancelled. An agent no longer on the call is left alone.
func (q *Queues) Unreserve(ctx context.Context, agentID, callID string, at time.Time) error {
	_, err := unreserveScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, agentID, callID, i64(us(at))).Int()
	return wrap("unreserve", err)
}
