package queue

import (
	"context"
	"net"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// RoundTrips is a go-redis hook counting round trips to Redis: one per
// command, one per pipeline or transaction. Add it with rdb.AddHook(rt).
type RoundTrips struct {
	n, cmds atomic.Int64
}

// NewRoundTrips returns a zeroed counter.
func NewRoundTrips() *RoundTrips { return &RoundTrips{} }

// Count is the number of round trips so far.
func (r *RoundTrips) Count() int64 { return r.n.Load() }

// Commands is the number of commands so far (pipelined ones counted one by one).
func (r *RoundTrips) Commands() int64 { return r.cmds.Load() }

// Reset zeroes both counts.
func (r *RoundTrips) Reset() { r.n.Store(0); r.cmds.Store(0) }

// DialHook implements redis.Hook.
func (r *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (r *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		r.n.Add(1)
		r.cmds.Add(1)
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (r *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		r.n.Add(1)
		r.cmds.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

var _ redis.Hook = (*RoundTrips)(nil)
var _ = net.Conn(nil)
