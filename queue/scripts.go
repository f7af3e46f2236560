package queue

import "github.com/redis/go-redis/v9"

// Key layout (P is "{prefix}", every key in one Cluster slot):
//
//	P:queues                 SET   queue names known
//	P:agents                 SET   agent ids known
//	P:a:<agent>              HASH  json, state, reason, since, idle, wrap, call, queue, owner (of the call; times in Unix µs)
//	P:c:<call>               HASH  json, queue, owner, state (waiting|offered), agent, enq (µs), score, cb (1 once a callback was counted)
//	P:q:<queue>:wait         ZSET  waiting callers by score = −priority×1e13 + Enqueued ms (ties: call id)
//	P:q:<queue>:age          ZSET  waiting callers by Enqueued µs (for the longest wait)
//	P:q:<queue>:avail        ZSET  available agents with the skill, by idle-since µs
//	P:q:<queue>:wrap         ZSET  agents in wrap-up with the skill, by wrap-up end µs
//	P:q:<queue>:members      SET   logged-in agents with the skill
//	P:q:<queue>:aht          LIST  handling times (µs) of the last ahtSamples calls released
//	P:n:<queue>:d:<date>     HASH  counters of one local day (expiring); durations in µs
//	P:n:<queue>:i:<start>    HASH  counters of one interval (expiring)
//	P:n:<queue>:sd:<date>    HASH  one local day's answered calls by the answering agent's site (expiring):
//	                               <site>:answered, <site>:answered_within_sl, <site>:wait_sum_us
//	P:inbox:<owner>          LIST  matches (JSON) for the controller owner
//	P:calls:<owner>          HASH  call id → in-progress state
//	P:own:<owner>            SET   call ids of the callers (waiting, offered, callback) owner's channels hold
//	P:epoch                  STRING token of this data set (missing: the data set was lost; see restore.go)
//	P:lease:<owner>          STRING a live controller's lease (expires unless renewed; see lease.go)
//	P:owners                 SET   controllers that hold or held a lease
//	P:hb                     HASH  owner → its last heartbeat (µs)
//	P:cmd:<owner>            LIST  commands (JSON) for the controller owner from other controllers (commands.go)
//	P:reply:<id>             LIST  the reply to one command
//
// Every script gets P as ARGV[1] and an anchor key in KEYS[1] so a Cluster
// client routes it to the prefix's slot; all keys it touches share that slot.

const ahtSamples = 50

// prelude is shared by every script.
const prelude = `
local P = ARGV[1]
local function k(...) return table.concat({P, ...}, ':') end
local function n(x) return string.format('%d', x) end
local function num(x) if not x then return 0 end return tonumber(x) or 0 end
local function skills(aj)
  if not aj then return {} end
  local s = cjson.decode(aj).skills
  if type(s) ~= 'table' then return {} end
  return s
end
local function unindex(aid, s)
  for _, qn in ipairs(s) do
    redis.call('ZREM', k('q', qn, 'avail'), aid)
    redis.call('ZREM', k('q', qn, 'wrap'), aid)
  end
end
-- restore_offered puts a caller offered to agent aid back in its place
-- (same score and entry time); 1 if it did.
local function restore_offered(ck, cid, aid)
  local ch = redis.call('HMGET', ck, 'state', 'agent', 'queue', 'score', 'enq')
  if ch[1] ~= 'offered' or ch[2] ~= aid then return 0 end
  redis.call('HSET', ck, 'state', 'waiting', 'agent', '')
  redis.call('ZADD', k('q', ch[3], 'wait'), ch[4], cid)
  redis.call('ZADD', k('q', ch[3], 'age'), ch[5], cid)
  return 1
end

local function make_avail(aid, s, since, idle)
  redis.call('HSET', k('a', aid), 'state', 'available', 'reason', '', 'since', n(since), 'idle', n(idle), 'wrap', '0', 'call', '', 'queue', '')
  for _, qn in ipairs(s) do
    redis.call('ZREM', k('q', qn, 'wrap'), aid)
    redis.call('ZADD', k('q', qn, 'avail'), n(idle), aid)
  end
end
-- settle promotes an agent whose wrap-up ended by now; returns its state (false if unknown).
local function settle(aid, now)
  local h = redis.call('HMGET', k('a', aid), 'state', 'wrap', 'json')
  if h[1] == 'wrap_up' and num(h[2]) <= now then
    make_avail(aid, skills(h[3]), num(h[2]), num(h[2]))
    return 'available'
  end
  return h[1]
end
local function bump(dk, ik, field, by)
  redis.call('HINCRBY', dk, field, n(by))
  redis.call('HINCRBY', ik, field, n(by))
end
local function maxw(dk, ik, w)
  for _, kk in ipairs({dk, ik}) do
    if w > num(redis.call('HGET', kk, 'max_wait_us')) then redis.call('HSET', kk, 'max_wait_us', n(w)) end
  end
end
local function ttl(dk, ik, dttl, ittl)
  redis.call('EXPIRE', dk, dttl)
  redis.call('EXPIRE', ik, ittl)
end
`

func script(body string) *redis.Script { return redis.NewScript(prelude + body) }

// KEYS: day, interval. ARGV: P, call, queue, json, score, enq, dttl, ittl,
// owner, only-staffed ('1': answer -2 and enqueue nothing when no signed-in
// agent serves the queue).
var enqueueScript = script(`
local cid, qn = ARGV[2], ARGV[3]
local ck = k('c', cid)
if ARGV[10] == '1' and redis.call('EXISTS', ck) == 0 and redis.call('SCARD', k('q', qn, 'members')) == 0 then
  return -2
end
if redis.call('EXISTS', ck) == 1 then
  -- A retried script (reply lost in a failover) finds its own caller: same answer.
  local h = redis.call('HMGET', ck, 'owner', 'enq', 'queue')
  if h[1] == ARGV[9] and h[2] == ARGV[6] and h[3] == qn then
    local r = redis.call('ZRANK', k('q', qn, 'wait'), cid)
    if r then return r + 1 end
    return 1
  end
  return -1
end
redis.call('HSET', ck, 'json', ARGV[4], 'queue', qn, 'state', 'waiting', 'agent', '', 'enq', ARGV[6], 'score', ARGV[5], 'cb', '0', 'owner', ARGV[9])
if ARGV[9] ~= '' then redis.call('SADD', k('own', ARGV[9]), cid) end
redis.call('ZADD', k('q', qn, 'wait'), ARGV[5], cid)
redis.call('ZADD', k('q', qn, 'age'), ARGV[6], cid)
redis.call('SADD', k('queues'), qn)
bump(KEYS[1], KEYS[2], 'offered', 1)
ttl(KEYS[1], KEYS[2], ARGV[7], ARGV[8])
return redis.call('ZRANK', k('q', qn, 'wait'), cid) + 1
`)

// KEYS: day, interval. ARGV: P, queue, call, at, why, S, T, dttl, ittl.
var leaveScript = script(`
local qn, cid, at, why = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local ck = k('c', cid)
local h = redis.call('HMGET', ck, 'json', 'queue', 'enq', 'cb', 'owner')
if not h[1] or h[2] ~= qn then return false end
redis.call('ZREM', k('q', qn, 'wait'), cid)
redis.call('ZREM', k('q', qn, 'age'), cid)
redis.call('DEL', ck)
if h[5] and h[5] ~= '' then redis.call('SREM', k('own', h[5]), cid) end
local w = at - num(h[3])
if w < 0 then w = 0 end
local dk, ik = KEYS[1], KEYS[2]
if why == 'ABANDON' then
  bump(dk, ik, 'abandoned', 1)
  if w < tonumber(ARGV[6]) then bump(dk, ik, 'short_abandoned', 1) end
  if w <= tonumber(ARGV[7]) then bump(dk, ik, 'abandoned_within_sl', 1) end
elseif why == 'EXITWITHTIMEOUT' then
  bump(dk, ik, 'timed_out', 1)
elseif why == 'EXITEMPTY' then
  bump(dk, ik, 'unstaffed', 1)
elseif why == 'CALLBACKREQUESTED' and h[4] ~= '1' then
  bump(dk, ik, 'callbacks_requested', 1)
end
maxw(dk, ik, w)
ttl(dk, ik, ARGV[8], ARGV[9])
return h[1]
`)

// KEYS: day, interval. ARGV: P, queue, call, number, dttl, ittl.
var callbackScript = script(`
local qn, cid = ARGV[2], ARGV[3]
local ck = k('c', cid)
local h = redis.call('HMGET', ck, 'json', 'queue', 'cb')
if not h[1] or h[2] ~= qn then return 0 end
local c = cjson.decode(h[1])
c.callback = ARGV[4]
redis.call('HSET', ck, 'json', cjson.encode(c), 'cb', '1')
if h[3] ~= '1' then
  bump(KEYS[1], KEYS[2], 'callbacks_requested', 1)
  ttl(KEYS[1], KEYS[2], ARGV[5], ARGV[6])
end
return 1
`)

// KEYS: anchor. ARGV: P, agent, to, allowed-from (space separated), at, reason, json (login only).
// Returns {1, previous state} or {0, current state}.
var agentScript = script(`
local aid, to, at = ARGV[2], ARGV[3], tonumber(ARGV[5])
local ak = k('a', aid)
local st = 'logged_out'
if redis.call('EXISTS', ak) == 1 then st = settle(aid, at) or 'logged_out' end
if not string.find(' ' .. ARGV[4] .. ' ', ' ' .. st .. ' ', 1, true) then return {0, st} end
local aj = redis.call('HGET', ak, 'json')
if to == 'available' and st == 'logged_out' then
  aj = ARGV[7]
  redis.call('HSET', ak, 'json', aj)
  redis.call('SADD', k('agents'), aid)
  for _, qn in ipairs(skills(aj)) do
    redis.call('SADD', k('q', qn, 'members'), aid)
    redis.call('SADD', k('queues'), qn)
  end
end
local s = skills(aj)
if to == 'available' then
  make_avail(aid, s, at, at)
elseif to == 'paused' then
  unindex(aid, s)
  redis.call('HSET', ak, 'state', 'paused', 'reason', ARGV[6], 'since', n(at), 'idle', '0', 'wrap', '0', 'call', '', 'queue', '')
elseif to == 'logged_out' then
  unindex(aid, s)
  for _, qn in ipairs(s) do redis.call('SREM', k('q', qn, 'members'), aid) end
  redis.call('HSET', ak, 'state', 'logged_out', 'reason', '', 'since', n(at), 'idle', '0', 'wrap', '0', 'call', '', 'queue', '')
end
return {1, st}
`)

// KEYS: anchor. ARGV: P, queue, now, now (RFC 3339), inbox ttl, max matches,
// and optionally a call id whose match is only returned, not pushed to its
// owner's inbox (the dispatcher delivers it itself).
// Returns the matches as JSON strings.
var dispatchScript = script(`
local qn, now, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[6])
local W, AGE, A, WR = k('q', qn, 'wait'), k('q', qn, 'age'), k('q', qn, 'avail'), k('q', qn, 'wrap')
for _, aid in ipairs(redis.call('ZRANGEBYSCORE', WR, '-inf', ARGV[3])) do
  if settle(aid, now) ~= 'available' then redis.call('ZREM', WR, aid) end
end
local out = {}
while #out < limit do
  local c = redis.call('ZRANGE', W, 0, 0)
  if #c == 0 then break end
  local a = redis.call('ZRANGE', A, 0, 0)
  if #a == 0 then break end
  local cid, aid = c[1], a[1]
  local ak, ck = k('a', aid), k('c', cid)
  local ah = redis.call('HMGET', ak, 'state', 'json')
  local ch = redis.call('HMGET', ck, 'json', 'state', 'owner')
  if ah[1] ~= 'available' then
    redis.call('ZREM', A, aid)
  elseif ch[2] ~= 'waiting' then
    redis.call('ZREM', W, cid)
    redis.call('ZREM', AGE, cid)
  else
    unindex(aid, skills(ah[2]))
    redis.call('HSET', ak, 'state', 'ringing', 'reason', '', 'since', ARGV[3], 'call', cid, 'queue', qn, 'owner', ch[3] or '', 'confirmed', '0')
    redis.call('ZREM', W, cid)
    redis.call('ZREM', AGE, cid)
    redis.call('HSET', ck, 'state', 'offered', 'agent', aid)
    local m = '{"caller":' .. ch[1] .. ',"agent":' .. ah[2] .. ',"at":"' .. ARGV[4] .. '"}'
    local owner = ch[3]
    if owner and owner ~= '' and cid ~= ARGV[7] then
      redis.call('RPUSH', k('inbox', owner), m)
      redis.call('EXPIRE', k('inbox', owner), ARGV[5])
    end
    out[#out + 1] = m
  end
end
return out
`)

// KEYS: anchor. ARGV: P, call, agent, at, pause (1|0).
// Returns {agent changed 1|0, caller restored 1|0, agent state}.
var noAnswerScript = script(`
local cid, aid, at = ARGV[2], ARGV[3], tonumber(ARGV[4])
local ak, ck = k('a', aid), k('c', cid)
local ah = redis.call('HMGET', ak, 'state', 'call', 'json')
local agent = 0
if ah[1] == 'ringing' and ah[2] == cid then
  agent = 1
  if ARGV[5] == '1' then
    unindex(aid, skills(ah[3]))
    redis.call('HSET', ak, 'state', 'paused', 'reason', 'auto', 'since', n(at), 'idle', '0', 'call', '', 'queue', '')
  else
    make_avail(aid, skills(ah[3]), at, at)
  end
end
return {agent, restore_offered(ck, cid, aid), ah[1] or 'logged_out'}
`)

// KEYS: day, interval, site day. ARGV: P, call, agent, at, T, dttl, ittl, agent's site ("" none).
// Returns {1, wait µs} or {0, agent state, caller state}.
var connectScript = script(`
local cid, aid, at = ARGV[2], ARGV[3], tonumber(ARGV[4])
local ak, ck = k('a', aid), k('c', cid)
local ah = redis.call('HMGET', ak, 'state', 'call')
local ch = redis.call('HMGET', ck, 'state', 'agent', 'enq', 'owner')
if ah[1] ~= 'ringing' or ah[2] ~= cid or ch[1] ~= 'offered' or ch[2] ~= aid then
  return {0, ah[1] or 'logged_out', ch[1] or 'gone'}
end
redis.call('HSET', ak, 'state', 'on_call', 'since', n(at))
redis.call('DEL', ck)
if ch[4] and ch[4] ~= '' then redis.call('SREM', k('own', ch[4]), cid) end
local w = at - num(ch[3])
if w < 0 then w = 0 end
local dk, ik = KEYS[1], KEYS[2]
bump(dk, ik, 'answered', 1)
if w <= tonumber(ARGV[5]) then bump(dk, ik, 'answered_within_sl', 1) end
bump(dk, ik, 'wait_sum_us', w)
maxw(dk, ik, w)
ttl(dk, ik, ARGV[6], ARGV[7])
local site = ARGV[8]
if site and site ~= '' then
  local sk = KEYS[3]
  redis.call('HINCRBY', sk, site .. ':answered', 1)
  if w <= tonumber(ARGV[5]) then redis.call('HINCRBY', sk, site .. ':answered_within_sl', 1) end
  redis.call('HINCRBY', sk, site .. ':wait_sum_us', n(w))
  redis.call('EXPIRE', sk, ARGV[6])
end
return {1, w}
`)

// KEYS: anchor. ARGV: P, call, agent, at.
// Returns {agent changed 1|0, caller restored 1|0, agent state}.
var cancelScript = script(`
local cid, aid, at = ARGV[2], ARGV[3], tonumber(ARGV[4])
local ak, ck = k('a', aid), k('c', cid)
local ah = redis.call('HMGET', ak, 'state', 'call', 'json', 'idle')
local agent = 0
if ah[1] == 'ringing' and ah[2] == cid then
  agent = 1
  make_avail(aid, skills(ah[3]), at, num(ah[4]))
end
return {agent, restore_offered(ck, cid, aid), ah[1] or 'logged_out'}
`)

// KEYS: anchor. ARGV: P, agent, at, wrap-up µs, samples, day suffix, interval suffix, dttl, ittl.
// Returns {1, handling µs} or {0, state}.
var releaseScript = script(`
local aid, at, wu = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local ak = k('a', aid)
local ah = redis.call('HMGET', ak, 'state', 'since', 'queue', 'json')
if ah[1] ~= 'on_call' then return {0, ah[1] or 'logged_out'} end
local talk = at - num(ah[2])
if talk < 0 then talk = 0 end
local qn = ah[3]
if qn and qn ~= '' then
  local lk = k('q', qn, 'aht')
  redis.call('LPUSH', lk, n(talk + wu))
  redis.call('LTRIM', lk, 0, tonumber(ARGV[5]) - 1)
  local dk, ik = k('n', qn, 'd', ARGV[6]), k('n', qn, 'i', ARGV[7])
  bump(dk, ik, 'talk_sum_us', talk)
  bump(dk, ik, 'wrap_sum_us', wu)
  ttl(dk, ik, ARGV[8], ARGV[9])
end
local s = skills(ah[4])
if wu > 0 then
  redis.call('HSET', ak, 'state', 'wrap_up', 'since', n(at), 'wrap', n(at + wu), 'idle', '0', 'call', '', 'queue', '')
  for _, q in ipairs(s) do redis.call('ZADD', k('q', q, 'wrap'), n(at + wu), aid) end
else
  make_avail(aid, s, at, at)
end
return {1, talk + wu}
`)

// KEYS: day, interval, site day. ARGV: P, queue, now.
// Returns {waiting, oldest enq µs, available, busy, paused, day HGETALL, interval HGETALL, site day HGETALL}.
var liveScript = script(`
local qn, now = ARGV[2], tonumber(ARGV[3])
local waiting = redis.call('ZCARD', k('q', qn, 'wait'))
local oldest = '0'
local o = redis.call('ZRANGE', k('q', qn, 'age'), 0, 0)
if #o > 0 then oldest = redis.call('HGET', k('c', o[1]), 'enq') or '0' end
local av, busy, paused, staffed = 0, 0, 0, 0
for _, aid in ipairs(redis.call('SMEMBERS', k('q', qn, 'members'))) do
  local h = redis.call('HMGET', k('a', aid), 'state', 'wrap')
  local st = h[1]
  if st == 'wrap_up' and num(h[2]) <= now then st = 'available' end
  if st == 'available' then av = av + 1
  elseif st == 'ringing' or st == 'on_call' or st == 'wrap_up' then busy = busy + 1
  elseif st == 'paused' then paused = paused + 1 end
end
return {waiting, oldest, av, busy, paused, redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])}
`)

// KEYS: day. ARGV: P, queue, now.
// Returns {aht sum µs, aht samples, staffed (logged in, not paused), available, day wait_sum_us, day answered}.
var ewtScript = script(`
local qn, now = ARGV[2], tonumber(ARGV[3])
local sum, cnt = 0, 0
for _, v in ipairs(redis.call('LRANGE', k('q', qn, 'aht'), 0, -1)) do sum = sum + tonumber(v); cnt = cnt + 1 end
local staffed, av = 0, 0
for _, aid in ipairs(redis.call('SMEMBERS', k('q', qn, 'members'))) do
  local h = redis.call('HMGET', k('a', aid), 'state', 'wrap')
  local st = h[1]
  if st == 'wrap_up' and num(h[2]) <= now then st = 'available' end
  if st == 'available' then av = av + 1 end
  if st and st ~= 'paused' and st ~= 'logged_out' then staffed = staffed + 1 end
end
local d = redis.call('HMGET', KEYS[1], 'wait_sum_us', 'answered')
return {n(sum), cnt, staffed, av, d[1] or '0', d[2] or '0'}
`)

// KEYS: anchor. ARGV: P. Returns {id, HGETALL, id, HGETALL, …}.
var agentsScript = script(`
local out = {}
for _, aid in ipairs(redis.call('SMEMBERS', k('agents'))) do
  out[#out + 1] = aid
  out[#out + 1] = redis.call('HGETALL', k('a', aid))
end
return out
`)

// scriptsByName are every script, by the name the debug counters give them.
var scriptsByName = map[string]*redis.Script{"restoreCall": restoreCallScript, "freeStale": freeStaleScript,
	"restoreAgents": restoreAgentsScript, "sweep": sweepScript, "enqueue": enqueueScript, "leave": leaveScript,
	"callback": callbackScript, "agent": agentScript, "dispatch": dispatchScript, "noAnswer": noAnswerScript,
	"connect": connectScript, "cancel": cancelScript, "release": releaseScript, "live": liveScript, "ewt": ewtScript,
	"agents": agentsScript, "reserve": reserveScript, "reservedAnswered": reservedAnsweredScript,
	"unreserve": unreserveScript, "confirmMatch": confirmMatchScript, "notify": notifyScript}

// ScriptNames maps each script's SHA1 (EVALSHA's first argument) to its name,
// for counters that split EVALSHA by script.
var ScriptNames = map[string]string{}

func init() {
	for name, s := range scriptsByName {
		ScriptNames[s.Hash()] = name
	}
}
