package queue

import (
	"context"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Leases. Every controller renews a lease ("{P}:lease:<id>", expiring after
// the lease time) with each heartbeat. A controller whose lease expired is
// dead for good (a restarted one renews it within a heartbeat): any live
// controller's sweeper (Sweep, one Lua script, so two sweepers never both
// take the same items) then
//   - frees the agents rung for matches waiting in its inbox, or ringing for
//     or talking to its callers (their channels were on its Asterisk);
//   - hands its callers waiting for a callback to the sweeping controller
//     (nobody is on the line: any controller can call them back);
//   - removes its callers on the line from the queues (no figure counts
//     them: they neither abandoned nor timed out);
//   - returns its saved in-progress call states, for the sweeper to write
//     their call records as ended by a system failure.

// Beat is what one heartbeat learnt.
type Beat struct {
	Epoch  string // the data set's epoch ("" when missing)
	RunID  string // the Redis server's run_id ("" on a Cluster, where it is per node)
	Joined bool   // owner was not in the owners set (first beat, or Redis lost it, or it was swept)
}

// Heartbeat renews owner's lease for ttl and reads the epoch (and, on a
// single server or a Sentinel master, its run id): one round trip.
func (q *Queues) Heartbeat(ctx context.Context, owner string, ttl time.Duration, now time.Time) (Beat, error) {
	_, cluster := q.rdb.(*redis.ClusterClient)
	var (
		ep   *redis.StringCmd
		add  *redis.IntCmd
		info *redis.StringCmd
	)
	_, err := q.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		ep = p.Get(ctx, q.key("epoch"))
		p.Set(ctx, q.key("lease", owner), i64(us(now)), ttl)
		add = p.SAdd(ctx, q.key("owners"), owner)
		p.HSet(ctx, q.key("hb"), owner, i64(us(now)))
		if !cluster {
			info = p.Info(ctx, "server")
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return Beat{}, wrap("heartbeat", err)
	}
	b := Beat{Epoch: ep.Val(), Joined: add.Val() == 1}
	if info != nil {
		b.RunID = runID(info.Val())
	}
	return b, nil
}

// DropLease gives owner's lease up at once (a controller that stops for
// good and wants its leftovers swept without waiting for the expiry).
func (q *Queues) DropLease(ctx context.Context, owner string) error {
	return wrap("drop lease", q.rdb.Del(ctx, q.key("lease", owner)).Err())
}

// Swept is what a sweeper took from one dead controller.
type Swept struct {
	Owner     string
	LastBeat  time.Time         // the dead controller's last heartbeat
	Calls     map[string][]byte // its saved in-progress call states, by call id
	Callbacks int               // callers waiting for a callback now owned by the sweeper
	Dropped   int               // callers on its line removed from the queues
	Freed     int               // agents freed
}

// KEYS: anchor. ARGV: P, me, now µs.
// Returns {owner, last beat, {call, state, …}, callbacks, dropped, freed} per dead owner.
var sweepScript = script(`
local me, now = ARGV[2], tonumber(ARGV[3])
local out = {}
local function free(aid, cid, dead)
  local ah = redis.call('HMGET', k('a', aid), 'state', 'call', 'json', 'idle')
  if (ah[1] == 'ringing' or ah[1] == 'on_call') and (ah[2] == cid or (dead and dead[ah[2]])) then
    local idle = num(ah[4])
    if ah[1] == 'on_call' or idle == 0 then idle = now end
    make_avail(aid, skills(ah[3]), now, idle)
    return 1
  end
  return 0
end
for _, o in ipairs(redis.call('SMEMBERS', k('owners'))) do
  if o ~= me and redis.call('EXISTS', k('lease', o)) == 0 then
    local freed, callbacks, dropped = 0, 0, 0
    local dead = {}
    -- 1. matches in its inbox: the agent is freed, the caller goes back to its place.
    for _, m in ipairs(redis.call('LRANGE', k('inbox', o), 0, -1)) do
      local ok, mm = pcall(cjson.decode, m)
      if ok and type(mm) == 'table' and type(mm.caller) == 'table' and type(mm.agent) == 'table' then
        local cid, aid = mm.caller.call_id, mm.agent.id
        freed = freed + free(aid, cid, nil)
        restore_offered(k('c', cid), cid, aid)
      end
    end
    redis.call('DEL', k('inbox', o))
    -- 2. its callers.
    for _, cid in ipairs(redis.call('SMEMBERS', k('own', o))) do
      local ck = k('c', cid)
      local ch = redis.call('HMGET', ck, 'state', 'queue', 'cb', 'agent', 'json')
      if ch[1] then
        if ch[1] == 'offered' and ch[4] and ch[4] ~= '' then freed = freed + free(ch[4], cid, nil) end
        if ch[3] == '1' then
          local c = cjson.decode(ch[5])
          c.owner = me
          redis.call('HSET', ck, 'json', cjson.encode(c), 'owner', me, 'state', 'waiting', 'agent', '')
          redis.call('ZADD', k('q', ch[2], 'wait'), redis.call('HGET', ck, 'score'), cid)
          redis.call('ZADD', k('q', ch[2], 'age'), redis.call('HGET', ck, 'enq'), cid)
          redis.call('SADD', k('own', me), cid)
          callbacks = callbacks + 1
        else
          redis.call('ZREM', k('q', ch[2], 'wait'), cid)
          redis.call('ZREM', k('q', ch[2], 'age'), cid)
          redis.call('DEL', ck)
          dead[cid] = true
          dropped = dropped + 1
        end
      end
    end
    redis.call('DEL', k('own', o))
    -- 3. its saved calls; 4. agents busy with them.
    local saved = redis.call('HGETALL', k('calls', o))
    redis.call('DEL', k('calls', o))
    for i = 1, #saved, 2 do
      dead[saved[i]] = true
      local ok, sc = pcall(cjson.decode, saved[i + 1])
      if ok and type(sc) == 'table' and type(sc.cb_of) == 'string' and sc.cb_of ~= '' then dead[sc.cb_of] = true end
    end
    for _, aid in ipairs(redis.call('SMEMBERS', k('agents'))) do
      local ah = redis.call('HMGET', k('a', aid), 'owner', 'call')
      if ah[1] == o then
        freed = freed + free(aid, ah[2], nil)
      else
        freed = freed + free(aid, '', dead)
      end
    end
    local hb = redis.call('HGET', k('hb'), o) or '0'
    redis.call('HDEL', k('hb'), o)
    redis.call('SREM', k('owners'), o)
    out[#out + 1] = {o, hb, saved, callbacks, dropped, freed}
  end
end
return out
`)

// Sweep takes over what controllers whose lease expired left behind (see
// above); me is the sweeping controller (callers waiting for a callback
// become its own). Run it only once this controller has seen Redis healthy
// for longer than the lease time, so every live controller renewed its
// lease meanwhile.
func (q *Queues) Sweep(ctx context.Context, me string, now time.Time) ([]Swept, error) {
	res, err := sweepScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, me, i64(us(now))).Slice()
	if err != nil {
		return nil, wrap("sweep", err)
	}
	out := make([]Swept, 0, len(res))
	for _, r := range res {
		row, _ := r.([]any)
		if len(row) < 6 {
			continue
		}
		s := Swept{Calls: map[string][]byte{}}
		s.Owner, _ = row[0].(string)
		hb, _ := row[1].(string)
		s.LastBeat = q.fromUS(atoi(hb))
		flat, _ := row[2].([]any)
		for i := 0; i+1 < len(flat); i += 2 {
			id, _ := flat[i].(string)
			v, _ := flat[i+1].(string)
			s.Calls[id] = []byte(v)
		}
		cb, _ := row[3].(int64)
		dr, _ := row[4].(int64)
		fr, _ := row[5].(int64)
		s.Callbacks, s.Dropped, s.Freed = int(cb), int(dr), int(fr)
		out = append(out, s)
	}
	return out, nil
}

// runID is the run_id field of an INFO answer ("" when absent), read line
// by line without building the slice of all lines (twice a second).
func runID(info string) string {
	for line := range strings.Lines(info) {
		if v, ok := strings.CutPrefix(line, "run_id:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
