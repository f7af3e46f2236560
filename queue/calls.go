package queue

import (
	"context"
)

// SaveCall stores owner's in-progress state of callID (opaque bytes, e.g.
// JSON), so a restarted controller can re-adopt its calls.
func (q *Queues) SaveCall(ctx context.Context, owner, callID string, state []byte) error {
	return wrap("save call", q.rdb.HSet(ctx, q.key("calls", owner), callID, state).Err())
}

// DeleteCall forgets owner's in-progress state of callID (no error if absent).
func (q *Queues) DeleteCall(ctx context.Context, owner, callID string) error {
	return wrap("delete call", q.rdb.HDel(ctx, q.key("calls", owner), callID).Err())
}

// Calls returns owner's in-progress call states by call id.
func (q *Queues) Calls(ctx context.Context, owner string) (map[string][]byte, error) {
	h, err := q.rdb.HGetAll(ctx, q.key("calls", owner)).Result()
	if err != nil {
		return nil, wrap("calls", err)
	}
	out := make(map[string][]byte, len(h))
	for k, v := range h {
		out[k] = []byte(v)
	}
	return out, nil
}
