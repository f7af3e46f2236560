package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
)

// copyThreshold is the batch size from which queue events go through COPY
// rather than one pipelined INSERT each.
const copyThreshold = 16

var eventColumns = []string{"time", "call_id", "queue", "agent", "event", "wait_ms", "talk_ms", "position", "data"}

// AppendQueueEvents appends events to the queue event log in one transaction,
// in slice order (ids increase in that order).
func (db *DB) AppendQueueEvents(ctx context.Context, events []hotline.QueueEvent) error {
	if len(events) == 0 {
		return nil
	}
	if err := validateEvents(events); err != nil {
		return err
	}
	if err := db.inTx(ctx, func(tx pgx.Tx) error { return appendEvents(ctx, tx, events, db.rules.get()) }); err != nil {
		return fmt.Errorf("store: append queue events: %w", err)
	}
	return nil
}

func validateEvents(events []hotline.QueueEvent) error {
	for i, e := range events {
		if e.Time.IsZero() || e.Type == "" {
			return hotline.Errorf(hotline.EINVALID, "queue event %d: time and type are required", i)
		}
	}
	return nil
}

// appendEvents writes events with COPY for larger batches, a pipelined
// batch of INSERTs for small ones.
func appendEvents(ctx context.Context, q dbtx, events []hotline.QueueEvent, rules RollupRules) error {
	if err := rollupEvents(ctx, q, events, rules); err != nil {
		return err
	}
	if len(events) >= copyThreshold {
		_, err := q.CopyFrom(ctx, pgx.Identifier{"queue_events"}, eventColumns, pgx.CopyFromSlice(len(events),
			func(i int) ([]any, error) { return eventRow(&events[i]), nil }))
		if err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		return nil
	}
	b := &pgx.Batch{}
	for i := range events {
		b.Queue(`INSERT INTO queue_events (time, call_id, queue, agent, event, wait_ms, talk_ms, position, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, eventRow(&events[i])...)
	}
	if err := q.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	return nil
}

func eventRow(e *hotline.QueueEvent) []any {
	return []any{e.Time, e.CallID, e.Queue, e.Agent, string(e.Type), ms(e.Wait), ms(e.Talk), int32(e.Position), e.Data}
}

// QueueEvents returns the events in [from, to) of one queue ("" for all), in
// the order they were appended.
func (db *DB) QueueEvents(ctx context.Context, from, to time.Time, queue string) ([]hotline.QueueEvent, error) {
	rows, err := db.pool.Query(ctx, `SELECT time, call_id, queue, agent, event, wait_ms, talk_ms, position, data
		FROM queue_events WHERE time >= $1 AND time < $2 AND ($3 = '' OR queue = $3) ORDER BY id`, from, to, queue)
	if err != nil {
		return nil, fmt.Errorf("store: queue events: %w", err)
	}
	events, err := pgx.CollectRows(rows, scanEvent)
	if err != nil {
		return nil, fmt.Errorf("store: queue events: %w", err)
	}
	return events, nil
}

// insertEventsOnceSQL appends queue events given as arrays, in array order,
// skipping those whose uid is already stored (the Writer's retries and spool).
const insertEventsOnceSQL = `INSERT INTO queue_events (time, call_id, queue, agent, event, wait_ms, talk_ms, position, data, uid)
SELECT t, c, q, a, e, w, tk, p, d, u
FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
	$8::int[], $9::text[], $10::text[]) WITH ORDINALITY AS x(t, c, q, a, e, w, tk, p, d, u, n)
ORDER BY n
ON CONFLICT (uid) DO NOTHING`

// eventArrays are queue events column by column, for insertEventsOnceSQL.
type eventArrays struct {
	time                            []time.Time
	callID, queue, agent, typ, data []string
	wait, talk                      []int64
	pos                             []int32
	uid                             []string
}

func (a *eventArrays) add(e *hotline.QueueEvent, uid string) {
	a.time = append(a.time, e.Time)
	a.callID = append(a.callID, e.CallID)
	a.queue = append(a.queue, e.Queue)
	a.agent = append(a.agent, e.Agent)
	a.typ = append(a.typ, string(e.Type))
	a.wait = append(a.wait, ms(e.Wait))
	a.talk = append(a.talk, ms(e.Talk))
	a.pos = append(a.pos, int32(e.Position))
	a.data = append(a.data, e.Data)
	a.uid = append(a.uid, uid)
}

func (a *eventArrays) args() []any {
	return []any{a.time, a.callID, a.queue, a.agent, a.typ, a.wait, a.talk, a.pos, a.data, a.uid}
}
