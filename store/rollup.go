package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
)

// RollupSlot is the length of a queue_rollup and rating_rollup slot
// (reporting.RollupSlot: 15 minutes, so that local hours are exact in any
// time zone in use).
const RollupSlot = reporting.RollupSlot

// RollupRules are what the queue rollup counts with: each queue's
// service-level threshold T and the short-abandon limit S.
type RollupRules struct {
	Threshold    func(queue string) time.Duration
	ShortAbandon time.Duration
}

// DefaultRollupRules are PRODUCT.md's defaults: T = 20 s, S = 5 s.
var DefaultRollupRules = RollupRules{Threshold: reporting.SameThreshold(20 * time.Second), ShortAbandon: 5 * time.Second}

type rulesHolder struct{ p atomic.Pointer[RollupRules] }

func (h *rulesHolder) get() RollupRules {
	if r := h.p.Load(); r != nil {
		return *r
	}
	return DefaultRollupRules
}

// SetRollupRules sets the rules the queue rollup counts with (the
// configuration's thresholds); set them before events are written.
func (db *DB) SetRollupRules(r RollupRules) { db.rules.p.Store(&r) }

// RollupRules returns the rules in force.
func (db *DB) RollupRules() RollupRules { return db.rules.get() }

// rollupEvents adds to queue_rollup what events (about to be appended, in
// the same transaction) change: reporting.CountsBySlot of the calls' earlier
// events and these, minus that of the earlier events alone. So the rollup
// is kept by the writer as events arrive, with the report's one counting.
func rollupEvents(ctx context.Context, q dbtx, events []hotline.QueueEvent, rules RollupRules) error {
	reads := &pgx.Batch{}
	prior := queuePriorEvents(reads, events)
	if reads.Len() > 0 {
		if err := q.SendBatch(ctx, reads).Close(); err != nil {
			return fmt.Errorf("rollup: prior events: %w", err)
		}
	}
	sql, args := rollupUpsert(rollupDelta(*prior, events, rules))
	if sql == "" {
		return nil
	}
	if _, err := q.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("rollup: upsert: %w", err)
	}
	return nil
}

// queuePriorEvents queues on reads the query of the stored events of the
// calls that events continue (a call's ENTERQUEUE needs none); the returned
// slice is filled when reads is sent.
func queuePriorEvents(reads *pgx.Batch, events []hotline.QueueEvent) *[]hotline.QueueEvent {
	prior := new([]hotline.QueueEvent)
	calls := map[string]bool{}
	for _, e := range events {
		if e.CallID != "" && e.Type != hotline.EvEnterQueue {
			calls[e.CallID] = true
		}
	}
	if len(calls) == 0 {
		return prior
	}
	ids := make([]string, 0, len(calls))
	for c := range calls {
		ids = append(ids, c)
	}
	reads.Queue(`SELECT time, call_id, queue, agent, event, wait_ms, talk_ms, position, data
		FROM queue_events WHERE call_id = ANY($1) ORDER BY id`, ids).Query(func(rows pgx.Rows) error {
		var err error
		*prior, err = pgx.CollectRows(rows, scanEvent)
		return err
	})
	return prior
}

// rollupDelta is what events change in the counts of their calls, given the
// calls' earlier events prior.
func rollupDelta(prior, events []hotline.QueueEvent, rules RollupRules) (before, after map[reporting.SlotKey]reporting.Counts) {
	before = reporting.CountsBySlot(prior, RollupSlot, rules.Threshold, rules.ShortAbandon)
	after = reporting.CountsBySlot(append(prior[:len(prior):len(prior)], events...), RollupSlot, rules.Threshold, rules.ShortAbandon)
	return before, after
}

// upsertRollup adds after − before to queue_rollup (max wait: the larger).
func upsertRollup(ctx context.Context, q dbtx, before, after map[reporting.SlotKey]reporting.Counts) error {
	sql, args := rollupUpsert(before, after)
	if sql == "" {
		return nil
	}
	if _, err := q.Exec(ctx, sql, args...); err != nil {
		return fmt.Errorf("rollup: upsert: %w", err)
	}
	return nil
}

// rollupUpsert is the statement that adds after − before to queue_rollup
// (max wait: the larger), "" when nothing changes.
func rollupUpsert(before, after map[reporting.SlotKey]reporting.Counts) (string, []any) {
	var (
		slots                                                                              []time.Time
		queues                                                                             []string
		off, ans, ansT, ab, shortAb, abT, to, cbr, cbd, wait, maxw, talk, hold, wrap, unst []int64
	)
	for k, a := range after {
		d := a.Sub(before[k])
		if d.IsZero() && a.MaxWait <= before[k].MaxWait {
			continue
		}
		slots, queues = append(slots, k.Slot), append(queues, k.Queue)
		off, ans, ansT = append(off, int64(d.Offered)), append(ans, int64(d.Answered)), append(ansT, int64(d.AnsweredWithinT))
		ab, shortAb, abT = append(ab, int64(d.Abandoned)), append(shortAb, int64(d.ShortAbandoned)), append(abT, int64(d.AbandonedWithinT))
		to, cbr, cbd = append(to, int64(d.TimedOut)), append(cbr, int64(d.CallbacksRequested)), append(cbd, int64(d.CallbacksCompleted))
		wait, maxw, talk = append(wait, d.WaitSum.Microseconds()), append(maxw, a.MaxWait.Microseconds()), append(talk, d.TalkSum.Microseconds())
		hold, wrap = append(hold, d.HoldSum.Microseconds()), append(wrap, d.WrapSum.Microseconds())
		unst = append(unst, int64(d.Unstaffed))
	}
	if len(slots) == 0 {
		return "", nil
	}
	return upsertRollupSQL, []any{slots, queues, off, ans, ansT, ab, shortAb, abT, to, cbr, cbd, wait, maxw, talk, hold, wrap, unst}
}

const upsertRollupSQL = `INSERT INTO queue_rollup AS r (slot, queue, offered, answered, answered_within_t, abandoned,
		short_abandoned, abandoned_within_t, timed_out, callbacks_requested, callbacks_completed, wait_us, max_wait_us,
		talk_us, hold_us, wrap_us, unstaffed)
		SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[],
			$7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[],
			$14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[])
		ORDER BY 1, 2 -- one lock order for concurrent writers
		ON CONFLICT (slot, queue) DO UPDATE SET offered = r.offered + EXCLUDED.offered,
			answered = r.answered + EXCLUDED.answered, answered_within_t = r.answered_within_t + EXCLUDED.answered_within_t,
			abandoned = r.abandoned + EXCLUDED.abandoned, short_abandoned = r.short_abandoned + EXCLUDED.short_abandoned,
			abandoned_within_t = r.abandoned_within_t + EXCLUDED.abandoned_within_t, timed_out = r.timed_out + EXCLUDED.timed_out,
			callbacks_requested = r.callbacks_requested + EXCLUDED.callbacks_requested,
			callbacks_completed = r.callbacks_completed + EXCLUDED.callbacks_completed, wait_us = r.wait_us + EXCLUDED.wait_us,
			max_wait_us = greatest(r.max_wait_us, EXCLUDED.max_wait_us), talk_us = r.talk_us + EXCLUDED.talk_us,
			hold_us = r.hold_us + EXCLUDED.hold_us, wrap_us = r.wrap_us + EXCLUDED.wrap_us,
			unstaffed = r.unstaffed + EXCLUDED.unstaffed`

// AddQueueRollup adds counts to queue_rollup (the generator's bulk path; the
// writer keeps it as events arrive).
func (db *DB) AddQueueRollup(ctx context.Context, counts map[reporting.SlotKey]reporting.Counts) error {
	return upsertRollup(ctx, db.pool, nil, counts)
}

// QueueRollup returns the rolled-up counts of the slots in [from, to).
func (db *DB) QueueRollup(ctx context.Context, from, to time.Time) (map[reporting.SlotKey]reporting.Counts, error) {
	rows, err := db.pool.Query(ctx, `SELECT slot, queue, offered, answered, answered_within_t, abandoned, short_abandoned,
		abandoned_within_t, timed_out, callbacks_requested, callbacks_completed, wait_us, max_wait_us, talk_us, hold_us, wrap_us,
		unstaffed FROM queue_rollup WHERE slot >= $1 AND slot < $2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: queue rollup: %w", err)
	}
	defer rows.Close()
	out := map[reporting.SlotKey]reporting.Counts{}
	for rows.Next() {
		var (
			k                                                reporting.SlotKey
			off, ans, ansT, ab, sab, abT, to, cbr, cbd, unst int64
			wait, maxw, talk, hold, wrap                     int64
		)
		if err := rows.Scan(&k.Slot, &k.Queue, &off, &ans, &ansT, &ab, &sab, &abT, &to, &cbr, &cbd, &wait, &maxw, &talk, &hold, &wrap, &unst); err != nil {
			return nil, fmt.Errorf("store: queue rollup: %w", err)
		}
		k.Slot = k.Slot.UTC()
		out[k] = reporting.Counts{Offered: int(off), Answered: int(ans), AnsweredWithinT: int(ansT), Abandoned: int(ab),
			ShortAbandoned: int(sab), AbandonedWithinT: int(abT), TimedOut: int(to), CallbacksRequested: int(cbr),
			CallbacksCompleted: int(cbd), Unstaffed: int(unst), WaitSum: us(wait), MaxWait: us(maxw), TalkSum: us(talk),
			HoldSum: us(hold), WrapSum: us(wrap)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: queue rollup: %w", err)
	}
	return out, nil
}

// RatingRollup returns the rating counts of the hours in [from, to).
func (db *DB) RatingRollup(ctx context.Context, from, to time.Time) ([]reporting.RatingCount, error) {
	rows, err := db.pool.Query(ctx, `SELECT slot, source, department, service_point, kiosk_id, very_unhappy, unhappy,
		happy, very_happy, misuse FROM rating_rollup WHERE slot >= $1 AND slot < $2`, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: rating rollup: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (reporting.RatingCount, error) {
		var (
			c                 reporting.RatingCount
			src               string
			vu, u, h, vh, mis int64
		)
		err := row.Scan(&c.Slot, &src, &c.Department, &c.ServicePoint, &c.KioskID, &vu, &u, &h, &vh, &mis)
		c.Slot, c.Source = c.Slot.UTC(), hotline.RatingSource(src)
		c.Counts = reporting.Satisfaction{VeryUnhappy: int(vu), Unhappy: int(u), Happy: int(h), VeryHappy: int(vh)}
		c.Misuse = int(mis)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: rating rollup: %w", err)
	}
	return out, nil
}

func scanEvent(row pgx.CollectableRow) (hotline.QueueEvent, error) {
	var (
		e              hotline.QueueEvent
		typ            string
		waitMS, talkMS int64
		pos            int32
	)
	err := row.Scan(&e.Time, &e.CallID, &e.Queue, &e.Agent, &typ, &waitMS, &talkMS, &pos, &e.Data)
	e.Time = e.Time.UTC()
	e.Type, e.Wait, e.Talk, e.Position = hotline.QueueEventType(typ), fromMS(waitMS), fromMS(talkMS), int(pos)
	return e, err
}

func us(n int64) time.Duration { return time.Duration(n) * time.Microsecond }

// queueStoredUIDs queues on reads the query of which of uids are already
// in queue_events; the returned set is filled when reads is sent.
func queueStoredUIDs(reads *pgx.Batch, uids []string) map[string]bool {
	stored := map[string]bool{}
	reads.Queue(`SELECT uid FROM queue_events WHERE uid = ANY($1)`, uids).Query(func(rows pgx.Rows) error {
		us, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, u := range us {
			stored[u] = true
		}
		return err
	})
	return stored
}
