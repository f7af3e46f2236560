package queue

import (
	"context"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// RoundTrips is a go-redis hook counting round trips to Redis: one per
// command, one per pipeline or transaction. The handshake of a new connection
// (HELLO, AUTH, SELECT, CLIENT SETINFO, READONLY) is counted apart, under
// Handshakes. Add it with rdb.AddHook(rt); it is safe for concurrent use.
type RoundTrips struct {
	n, cmds, hs atomic.Int64
}

// NewRoundTrips returns a zeroed counter.
func NewRoundTrips() *RoundTrips { return &RoundTrips{} }

// Count is the number of round trips so far (handshakes excluded).
func (r *RoundTrips) Count() int64 { return r.n.Load() }

// Commands is the number of commands so far (pipelined ones counted one by one).
func (r *RoundTrips) Commands() int64 { return r.cmds.Load() }

// Handshakes is the number of round trips spent setting up new connections.
func (r *RoundTrips) Handshakes() int64 { return r.hs.Load() }

// Reset zeroes the counts.
func (r *RoundTrips) Reset() { r.n.Store(0); r.cmds.Store(0); r.hs.Store(0) }

func handshake(cmd redis.Cmder) bool {
	switch cmd.Name() {
	case "hello", "auth", "select", "client", "readonly":
		return true
	}
	return false
}

// DialHook implements redis.Hook.
func (r *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (r *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if handshake(cmd) {
			r.hs.Add(1)
		} else {
			r.n.Add(1)
			r.cmds.Add(1)
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (r *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		all := len(cmds) > 0
		for _, c := range cmds {
			all = all && handshake(c)
		}
		if all {
			r.hs.Add(1)
		} else {
			r.n.Add(1)
			r.cmds.Add(int64(len(cmds)))
		}
		return next(ctx, cmds)
	}
}

var _ redis.Hook = (*RoundTrips)(nil)
