package store_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// BenchmarkQueueEvents writes the same b.N queue events three ways in one run, each into a fresh schema:
//
//	Writer/one-at-a-time  the call path: w.Events(e) per event, then Flush
//	Writer/100-per-call   w.Events with 100 events per call, then Flush
//	CopyFrom              one raw COPY of all b.N rows (the floor the Writer is compared with)
//
// Each reports events/s.
func BenchmarkQueueEvents(b *testing.B) {
	ctx := context.Background()
	rows := func(n int) []hotline.QueueEvent {
		start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
		out := make([]hotline.QueueEvent, n)
		for i := range out {
			out[i] = hotline.QueueEvent{Time: start.Add(time.Duration(i) * time.Millisecond), CallID: fmt.Sprintf("call-%d", i/4),
				Queue: "tax", Agent: "agent1", Type: hotline.EvConnect, Wait: 12 * time.Second, Position: 3, Data: "ring 4000"}
		}
		return out
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	for _, per := range []int{1, 100} {
		name := "Writer/one-at-a-time"
		if per > 1 {
			name = fmt.Sprintf("Writer/%d-per-call", per)
		}
		b.Run(name, func(b *testing.B) {
			db := storetest.MustOpenDB(b)
			evs := rows(b.N)
			w := store.NewWriter(db, quiet, store.WriterOptions{})
			b.ResetTimer()
			for i := 0; i < len(evs); i += per {
				w.Events(evs[i:min(i+per, len(evs))]...)
			}
			if err := w.Flush(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			if err := w.Close(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.Run("CopyFrom", func(b *testing.B) {
		db := storetest.MustOpenDB(b)
		evs := rows(b.N)
		b.ResetTimer()
		_, err := db.Pool().CopyFrom(ctx, pgx.Identifier{"queue_events"},
			[]string{"time", "call_id", "queue", "agent", "event", "wait_ms", "talk_ms", "position", "data"},
			pgx.CopyFromSlice(len(evs), func(i int) ([]any, error) {
				e := &evs[i]
				return []any{e.Time, e.CallID, e.Queue, e.Agent, string(e.Type), e.Wait.Milliseconds(), e.Talk.Milliseconds(),
					int32(e.Position), e.Data}, nil
			}))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}
