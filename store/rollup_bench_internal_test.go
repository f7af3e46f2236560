package store

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
)

// BenchmarkRollupHook measures what keeping queue_rollup costs the writer:
// the same batches of live-like queue events (each call's ENTERQUEUE,
// CONNECT, COMPLETE and WRAPUPEND in separate items, 60 calls apart, so a
// batch mixes calls at every stage) written by writeBatch with the rollup
// hook and without it, on a table already holding 200,000 events.
//
//	go test -run '^$' -bench RollupHook -benchtime 20000x ./store/
func BenchmarkRollupHook(b *testing.B) {
	for _, per := range []int{10, 100, 1000} {
		for _, hook := range []bool{true, false} {
			name := fmt.Sprintf("batch=%d/rollup=%v", per, hook)
			b.Run(name, func(b *testing.B) { benchRollupHook(b, per, hook) })
		}
	}
}

func benchRollupHook(b *testing.B, per int, hook bool) {
	ctx := context.Background()
	db := openInternal(b)
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	// Earlier days: 200,000 events of 50,000 other calls.
	var old [][]any
	for c := range 50_000 {
		id := "old-" + strconv.Itoa(c)
		t := start.Add(-time.Duration(c) * time.Second)
		for _, ev := range []string{"ENTERQUEUE", "CONNECT", "COMPLETECALLER", "WRAPUPEND"} {
			old = append(old, []any{t, id, "tax", "a1", ev, int64(1000), int64(0), int32(0), ""})
		}
	}
	if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{"queue_events"}, []string{"time", "call_id", "queue", "agent", "event",
		"wait_ms", "talk_ms", "position", "data"}, pgx.CopyFromRows(old)); err != nil {
		b.Fatal(err)
	}
	if _, err := db.pool.Exec(ctx, "ANALYZE queue_events"); err != nil {
		b.Fatal(err)
	}
	// b.N events: call c's stage s at slot c + 60·s.
	type at struct {
		slot int
		e    hotline.QueueEvent
	}
	stages := []hotline.QueueEventType{hotline.EvEnterQueue, hotline.EvConnect, hotline.EvCompleteCaller, hotline.EvWrapupEnd}
	var evs []at
	for c := 0; len(evs) < b.N; c++ {
		for s, typ := range stages {
			if len(evs) == b.N {
				break
			}
			slot := c + 60*s
			e := hotline.QueueEvent{Time: start.Add(time.Duration(slot) * time.Second), CallID: "c" + strconv.Itoa(c), Queue: "tax", Type: typ}
			if typ != hotline.EvEnterQueue {
				e.Agent, e.Wait = "a1", 8*time.Second
			}
			if typ == hotline.EvCompleteCaller {
				e.Talk = 100 * time.Second
			}
			evs = append(evs, at{slot, e})
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].slot < evs[j].slot })
	var batches [][]witem
	for i := 0; i < len(evs); i += per {
		var batch []witem
		for j := i; j < min(i+per, len(evs)); j++ {
			batch = append(batch, witem{kind: kEvents, uid: "u" + strconv.Itoa(j), events: []hotline.QueueEvent{evs[j].e}})
		}
		batches = append(batches, batch)
	}
	rules := DefaultRollupRules
	b.ResetTimer()
	for _, batch := range batches {
		err := db.inTx(ctx, func(tx pgx.Tx) error {
			if hook {
				return writeBatch(ctx, tx, batch, rules)
			}
			return writeBatchNoRollup(ctx, tx, batch)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(len(batches)), "µs/batch")
}

// writeBatchNoRollup is writeBatch's event insert alone: what the writer
// would do without keeping the rollup.
func writeBatchNoRollup(ctx context.Context, tx pgx.Tx, batch []witem) error {
	var ev eventArrays
	for i := range batch {
		for j := range batch[i].events {
			ev.add(&batch[i].events[j], batch[i].uid+"."+strconv.Itoa(j))
		}
	}
	_, err := tx.Exec(ctx, insertEventsOnceSQL, ev.args()...)
	return err
}
