package queue

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/publicservice/hotline/agents"
	"github.com/redis/go-redis/v9"
)

// Rebuilding what Redis lost. A Redis restarted without persistence, a
// FLUSHALL, or a failover that lost writes leaves the queue state empty or
// behind. Every controller notices (the epoch key is missing or changed, the
// run id changed, or Redis was unreachable) and puts back what it knows:
// its own calls (RestoreCall: callers waiting or being offered, agents
// ringing for or talking to them) and the agents' last sign-in states from
// the journal (RestoreAgents, which never overwrites an agent Redis knows).
// Both are idempotent: running them on a Redis that lost nothing changes
// nothing.

// Epoch is the token of the current Redis data set ("" when the key is
// missing: the data set was lost or never marked).
func (q *Queues) Epoch(ctx context.Context) (string, error) {
	v, err := q.rdb.Get(ctx, q.key("epoch")).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	return v, wrap("epoch", err)
}

// MarkEpoch sets the epoch to token unless another controller set one
// first; it returns the epoch now in force.
func (q *Queues) MarkEpoch(ctx context.Context, token string) (string, error) {
	var get *redis.StringCmd
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SetNX(ctx, q.key("epoch"), token, 0)
		get = p.Get(ctx, q.key("epoch"))
		return nil
	})
	if err != nil {
		return "", wrap("mark epoch", err)
	}
	return get.Val(), nil
}

// RestoredCall is one call in progress as its controller knows it.
type RestoredCall struct {
	Caller Caller
	// CallerState is "waiting", "offered" (to Agent) or "" (not in a queue:
	// talking, or a callback leg).
	CallerState string
	Agent       *agents.Agent // the agent ringing for or talking to this call, if any
	AgentState  agents.State  // agents.Ringing or agents.OnCall
	AgentSince  time.Time
	Callback    bool // the caller asked for a callback (counted already)
}

// KEYS: anchor. ARGV: P, call, caller json, queue, caller state, score, enq, owner, cb, agent, agent json, agent state, since.
// Returns {caller restored 1|0, agent restored 1|0|-1 (busy with another call)}.
var restoreCallScript = script(`
local cid, qn, cst, owner, aid, ast = ARGV[2], ARGV[4], ARGV[5], ARGV[8], ARGV[10], ARGV[12]
local res = {0, 0}
if cst ~= '' then
  local ck = k('c', cid)
  if redis.call('EXISTS', ck) == 0 then
    local ag = ''
    if cst == 'offered' then ag = aid end
    redis.call('HSET', ck, 'json', ARGV[3], 'queue', qn, 'state', cst, 'agent', ag, 'enq', ARGV[7], 'score', ARGV[6], 'cb', ARGV[9], 'owner', owner)
    if cst == 'waiting' then
      redis.call('ZADD', k('q', qn, 'wait'), ARGV[6], cid)
      redis.call('ZADD', k('q', qn, 'age'), ARGV[7], cid)
    end
    redis.call('SADD', k('queues'), qn)
    if owner ~= '' then redis.call('SADD', k('own', owner), cid) end
    res[1] = 1
  end
end
if ast ~= '' and aid ~= '' then
  local ak = k('a', aid)
  local h = redis.call('HMGET', ak, 'state', 'call')
  if h[1] == ast and h[2] == cid then
    res[2] = 0
  elseif (h[1] == 'ringing' or h[1] == 'on_call') and h[2] ~= cid then
    res[2] = -1
  else
    local s = skills(ARGV[11])
    unindex(aid, s)
    redis.call('HSET', ak, 'json', ARGV[11], 'state', ast, 'reason', '', 'since', ARGV[13], 'idle', '0', 'wrap', '0', 'call', cid, 'queue', qn, 'owner', owner)
    redis.call('SADD', k('agents'), aid)
    for _, q in ipairs(s) do
      redis.call('SADD', k('q', q, 'members'), aid)
      redis.call('SADD', k('queues'), q)
    end
    res[2] = 1
  end
end
return res
`)

// RestoreCall puts one of owner's calls back as its controller knows it,
// leaving alone whatever Redis still has. callerRestored tells whether the
// caller was missing; agentConflict that the agent is busy with another
// call (the agent is then left as it is).
func (q *Queues) RestoreCall(ctx context.Context, rc RestoredCall) (callerRestored, agentRestored, agentConflict bool, err error) {
	c := rc.Caller
	var cj []byte
	if rc.CallerState != "" {
		if cj, err = json.Marshal(c); err != nil {
			return false, false, false, wrap("restore call", err)
		}
	}
	aid, aj, ast, since := "", []byte(nil), "", ""
	if rc.Agent != nil && (rc.AgentState == agents.Ringing || rc.AgentState == agents.OnCall) {
		if aj, err = json.Marshal(rc.Agent); err != nil {
			return false, false, false, wrap("restore call", err)
		}
		aid, ast, since = rc.Agent.ID, string(rc.AgentState), i64(us(rc.AgentSince))
	}
	if rc.CallerState == "" && ast == "" {
		return false, false, false, nil
	}
	cb := "0"
	if rc.Callback {
		cb = "1"
	}
	res, err := restoreCallScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, c.CallID, cj, c.Queue,
		rc.CallerState, i64(score(c.Priority, c.Enqueued)), i64(us(c.Enqueued)), c.Owner, cb, aid, aj, ast, since).Slice()
	if err != nil {
		return false, false, false, wrap("restore call", err)
	}
	return res[0].(int64) == 1, res[1].(int64) == 1, res[1].(int64) == -1, nil
}

// KEYS: anchor. ARGV: P, JSON array of {id, json, state, reason, since}.
// Returns the number of agents restored.
var restoreAgentsScript = script(`
local n = 0
for _, r in ipairs(cjson.decode(ARGV[2])) do
  local ak = k('a', r.id)
  if redis.call('EXISTS', ak) == 0 and (r.state == 'available' or r.state == 'paused') then
    redis.call('HSET', ak, 'json', r.json)
    redis.call('SADD', k('agents'), r.id)
    local s = skills(r.json)
    for _, qn in ipairs(s) do
      redis.call('SADD', k('q', qn, 'members'), r.id)
      redis.call('SADD', k('queues'), qn)
    end
    if r.state == 'available' then
      make_avail(r.id, s, tonumber(r.since), tonumber(r.since))
    else
      redis.call('HSET', ak, 'state', 'paused', 'reason', r.reason, 'since', r.since, 'idle', '0', 'wrap', '0', 'call', '', 'queue', '')
    end
    n = n + 1
  end
end
return n
`)

// RestoreAgents signs in again, in the state the journal recorded
// (available or paused with its reason), every agent Redis does not know.
// Agents Redis knows (whatever their state) are left alone.
func (q *Queues) RestoreAgents(ctx context.Context, recs []agents.Record) (int, error) {
	type row struct {
		ID     string `json:"id"`
		JSON   string `json:"json"`
		State  string `json:"state"`
		Reason string `json:"reason"`
		Since  string `json:"since"`
	}
	rows := make([]row, 0, len(recs))
	for _, r := range recs {
		st := agents.Base(r.State)
		if st != agents.Available && st != agents.Paused {
			continue
		}
		j, err := json.Marshal(r.Agent)
		if err != nil {
			return 0, wrap("restore agents", err)
		}
		rows = append(rows, row{ID: r.Agent.ID, JSON: string(j), State: string(st), Reason: r.Reason, Since: i64(us(r.Since))})
	}
	if len(rows) == 0 {
		return 0, nil
	}
	arg, err := json.Marshal(rows)
	if err != nil {
		return 0, wrap("restore agents", err)
	}
	n, err := restoreAgentsScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, arg).Int()
	return n, wrap("restore agents", err)
}

// journal passes an agent's new base state to Options.OnAgentChange (a
// nil a: only the id is known; the journal keeps the agent's details).
func (q *Queues) journal(id string, a *agents.Agent, st agents.State, reason string, at time.Time) {
	if q.opt.OnAgentChange == nil {
		return
	}
	if a == nil {
		a = &agents.Agent{ID: id}
	}
	q.opt.OnAgentChange(agents.Record{Agent: *a, State: st, Reason: reason, Since: at})
}

// MarkRebuilt records that owner put its calls back in the rebuild round
// (e.g. the epoch and run id of the data set being rebuilt).
func (q *Queues) MarkRebuilt(ctx context.Context, round, owner string) error {
	k := q.key("rebuilt", round)
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.SAdd(ctx, k, owner)
		p.Expire(ctx, k, time.Hour)
		return nil
	})
	return wrap("mark rebuilt", err)
}

// WaitingFor lists the live controllers (holding a lease) that have not
// marked the rebuild round yet.
func (q *Queues) WaitingFor(ctx context.Context, round string) ([]string, error) {
	var owners, done *redis.StringSliceCmd
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		owners = p.SMembers(ctx, q.key("owners"))
		done = p.SMembers(ctx, q.key("rebuilt", round))
		return nil
	})
	if err != nil {
		return nil, wrap("rebuild round", err)
	}
	marked := map[string]bool{}
	for _, o := range done.Val() {
		marked[o] = true
	}
	var out []string
	for _, o := range owners.Val() {
		if !marked[o] {
			n, err := q.rdb.Exists(ctx, q.key("lease", o)).Result()
			if err != nil {
				return nil, wrap("rebuild round", err)
			}
			if n == 1 {
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// KEYS: anchor. ARGV: P, owner, now µs, JSON {agent: call} of the agents busy
// with owner's calls, JSON [call ids] of owner's calls in progress, cutoff µs.
// Returns the number of agents freed.
var freeStaleScript = script(`
local me, now = ARGV[2], tonumber(ARGV[3])
local legit = cjson.decode(ARGV[4])
local cutoff = tonumber(ARGV[6])
local live = {}
for _, cid in ipairs(cjson.decode(ARGV[5])) do live[cid] = true end
local freed = 0
for _, aid in ipairs(redis.call('SMEMBERS', k('agents'))) do
  local ak = k('a', aid)
  local h = redis.call('HMGET', ak, 'state', 'call', 'owner', 'json', 'idle', 'since', 'confirmed')
  if (h[1] == 'ringing' or h[1] == 'on_call') and h[3] == me and legit[aid] ~= h[2] and num(h[6]) < cutoff and num(h[7]) < cutoff then
    local stale = true
    if h[1] == 'ringing' and not live[h[2]] then
      -- a match on its way to this controller's inbox, or a callback being dialled
      local ch = redis.call('HMGET', k('c', h[2]), 'state', 'agent')
      if ch[1] == 'offered' and ch[2] == aid then stale = false end
    end
    if stale then
      if h[1] == 'ringing' then restore_offered(k('c', h[2]), h[2], aid) end
      local idle = num(h[5])
      if h[1] == 'on_call' or idle == 0 then idle = now end
      make_avail(aid, skills(h[4]), now, idle)
      freed = freed + 1
    end
  end
end
return freed
`)

// KEYS: anchor. ARGV: P, call, agent, the match's time µs, now µs.
// Returns 1 when the match still stands (then marked confirmed at now), 0.
var confirmMatchScript = script(`
local cid, aid = ARGV[2], ARGV[3]
local ak = k('a', aid)
local h = redis.call('HMGET', ak, 'state', 'call', 'since')
if h[1] ~= 'ringing' or h[2] ~= cid or h[3] ~= ARGV[4] then return 0 end
local ch = redis.call('HMGET', k('c', cid), 'state', 'agent')
if ch[1] ~= 'offered' or ch[2] ~= aid then return 0 end
redis.call('HSET', ak, 'confirmed', ARGV[5])
return 1
`)

// ConfirmMatch tells whether m still stands in Redis (its agent ringing for
// its caller since the match, the caller offered to that agent), and if so
// marks it confirmed at now, so that a FreeStale with an earlier cutoff
// leaves the agent alone. A controller confirms a match made before its
// last rebuild's cutoff before acting on it: that rebuild's FreeStale may
// have freed the agent while the match was on its way (in the inbox, or
// popped and not yet handled by its call), and the agent may since have
// been matched again, possibly to the same caller by a later match. A false
// answer means the match is void: the caller and the agent are where the
// rebuild put them.
func (q *Queues) ConfirmMatch(ctx context.Context, m Match, now time.Time) (bool, error) {
	n, err := confirmMatchScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, m.Caller.CallID, m.Agent.ID,
		i64(us(m.At)), i64(us(now))).Int()
	if err != nil {
		return false, wrap("confirm match", err)
	}
	return n == 1, nil
}

// FreeStale frees the agents Redis shows ringing for or talking to one of
// owner's calls when owner knows better: busy lists the agents really busy
// with its calls (agent id → call id), live its calls in progress. An agent
// ringing for a caller owner does not have (a match on its way to its
// inbox, a callback being dialled) is left alone. This mends what a command
// that failed while Redis was unreachable left behind (a release, a
// no-answer). Only agents in that state since before cutoff (the moment
// owner took its snapshot of busy and live) are considered: calls move on
// meanwhile (and agents whose match was confirmed at or after cutoff, see
// ConfirmMatch). It returns the number of agents freed.
func (q *Queues) FreeStale(ctx context.Context, owner string, busy map[string]string, live []string, cutoff, now time.Time) (int, error) {
	if busy == nil {
		busy = map[string]string{}
	}
	if live == nil {
		live = []string{}
	}
	bj, err := json.Marshal(busy)
	if err != nil {
		return 0, wrap("free stale agents", err)
	}
	lj, err := json.Marshal(live)
	if err != nil {
		return 0, wrap("free stale agents", err)
	}
	n, err := freeStaleScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, owner, i64(us(now)), bj, lj, i64(us(cutoff))).Int()
	return n, wrap("free stale agents", err)
}
