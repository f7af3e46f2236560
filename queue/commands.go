package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline"
)

// Commands between controllers: a request for a call owned by another
// controller (the agent panel's call control) is pushed to the owner's
// command list ("{P}:cmd:<owner>") and answered on a reply list of its own
// ("{P}:reply:<id>"), both expiring. The sender waits up to its deadline; a
// controller without a lease is gone and gets no command. Notify pushes a
// command that expects no reply (ID "") to every other live controller.

// Command is one request taken from a controller's command list.
type Command struct {
	ID   string `json:"id"`
	Body []byte `json:"body"`
}

const commandTTL = 30 * time.Second

// CallOwner returns the call agentID is ringing for or talking on and the
// controller owning it ("" when the agent has no call).
func (q *Queues) CallOwner(ctx context.Context, agentID string) (callID, owner string, err error) {
	v, err := q.rdb.HMGet(ctx, q.key("a", agentID), "call", "owner").Result()
	if err != nil {
		return "", "", wrap("call owner", err)
	}
	callID, _ = v[0].(string)
	owner, _ = v[1].(string)
	return callID, owner, nil
}

// Alive reports whether owner holds a lease (its controller runs).
func (q *Queues) Alive(ctx context.Context, owner string) (bool, error) {
	n, err := q.rdb.Exists(ctx, q.key("lease", owner)).Result()
	if err != nil {
		return false, wrap("lease", err)
	}
	return n == 1, nil
}

// SendCommand pushes body to owner's command list and waits up to wait for
// the reply. An owner without a lease, or one that does not answer in time,
// is an hotline.EUNAVAILABLE error.
func (q *Queues) SendCommand(ctx context.Context, owner string, body []byte, wait time.Duration) ([]byte, error) {
	alive, err := q.Alive(ctx, owner)
	if err != nil {
		return nil, err
	}
	if !alive {
		return nil, hotline.Errorf(hotline.EUNAVAILABLE, "controller %s owning the call is gone", owner)
	}
	var rb [12]byte
	_, _ = rand.Read(rb[:])
	id := hex.EncodeToString(rb[:])
	cmd, err := json.Marshal(Command{ID: id, Body: body})
	if err != nil {
		return nil, wrap("send command", err)
	}
	ck := q.key("cmd", owner)
	_, err = q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, ck, cmd)
		p.Expire(ctx, ck, commandTTL)
		return nil
	})
	if err != nil {
		return nil, wrap("send command", err)
	}
	if wait < time.Second {
		wait = time.Second
	}
	res, err := q.rdb.BLPop(ctx, wait, q.key("reply", id)).Result()
	if errors.Is(err, redis.Nil) {
		// Not taken in time: withdraw it so that it never runs late.
		if n, _ := q.rdb.LRem(context.WithoutCancel(ctx), ck, 1, cmd).Result(); n == 1 {
			return nil, hotline.Errorf(hotline.EUNAVAILABLE, "controller %s owning the call did not answer within %s", owner, wait)
		}
		return nil, hotline.Errorf(hotline.EUNAVAILABLE, "controller %s owning the call took the command but did not answer within %s", owner, wait)
	}
	if err != nil {
		return nil, wrap("command reply", err)
	}
	return []byte(res[1]), nil
}

// NextCommand pops the next command for owner, waiting up to wait (whole
// seconds); nil, nil on timeout.
func (q *Queues) NextCommand(ctx context.Context, owner string, wait time.Duration) (*Command, error) {
	if wait < time.Second {
		wait = time.Second
	}
	res, err := q.rdb.BLPop(ctx, wait, q.key("cmd", owner)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap("next command", err)
	}
	var c Command
	if err := json.Unmarshal([]byte(res[1]), &c); err != nil {
		return nil, wrap("next command: decode", err)
	}
	return &c, nil
}

// NextMatchOrCommand waits up to wait (whole seconds) on owner's dispatch
// inbox and command list at once (one blocked connection and one round
// trip a wait instead of two) and returns the first of either: a match
// with its release, as NextMatchHeld returns it, or a command; all nil on
// timeout. The inbox is served first when both have entries.
func (q *Queues) NextMatchOrCommand(ctx context.Context, owner string, wait time.Duration) (*Match, func(), *Command, error) {
	if wait < time.Second {
		wait = time.Second
	}
	wait = (wait + time.Second - 1) / time.Second * time.Second
	inbox := q.key("inbox", owner)
	res, err := q.rdb.BLPop(ctx, wait, inbox, q.key("cmd", owner)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil, nil, nil
	}
	if err != nil {
		return nil, nil, nil, wrap("next match or command", err)
	}
	if res[0] == inbox {
		release := q.clk.Hold()
		q.clk.Taken(1)
		var m Match
		if err := json.Unmarshal([]byte(res[1]), &m); err != nil {
			release()
			return nil, nil, nil, wrap("next match: decode", err)
		}
		return &m, release, nil, nil
	}
	var c Command
	if err := json.Unmarshal([]byte(res[1]), &c); err != nil {
		return nil, nil, nil, wrap("next command: decode", err)
	}
	return nil, nil, &c, nil
}

// Reply answers command id.
func (q *Queues) Reply(ctx context.Context, id string, body []byte) error {
	k := q.key("reply", id)
	_, err := q.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.RPush(ctx, k, body)
		p.Expire(ctx, k, commandTTL)
		return nil
	})
	return wrap("reply", err)
}

// KEYS: anchor. ARGV: P, sender, command json, ttl seconds.
// Returns the number of controllers the command was pushed to.
var notifyScript = script(`
local n = 0
for _, o in ipairs(redis.call('SMEMBERS', k('owners'))) do
  if o ~= ARGV[2] and redis.call('EXISTS', k('lease', o)) == 1 then
    local ck = k('cmd', o)
    redis.call('RPUSH', ck, ARGV[3])
    redis.call('EXPIRE', ck, ARGV[4])
    n = n + 1
  end
end
return n
`)

// Notify pushes body, as a command that expects no reply (ID ""), to the
// command list of every controller holding a lease except from, in one
// round trip. It returns how many controllers it reached.
func (q *Queues) Notify(ctx context.Context, from string, body []byte) (int, error) {
	cmd, err := json.Marshal(Command{Body: body})
	if err != nil {
		return 0, wrap("notify", err)
	}
	n, err := notifyScript.Run(ctx, q.rdb, []string{q.key("queues")}, q.pfx, from, cmd, int(commandTTL/time.Second)).Int()
	if err != nil {
		return 0, wrap("notify", err)
	}
	return n, nil
}
