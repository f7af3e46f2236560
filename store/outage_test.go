package store_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/internal/pgtest"
	"github.com/publicservice/hotline/store"
)

// TestWriterSurvivesPostgresOutage stops a private Postgres (never the shared one) for 60 s (5 s with -short;
// HOTLINE_PG_OUTAGE overrides) while calls keep coming at 100 a second, each with a call record saved twice, four
// queue events, a rating and, one in ten, a message. Enqueueing must never block (memory, then the spool file),
// and once Postgres is back every row must be stored exactly once. It prints the records held, the spool's size
// and the time to catch up, from Postgres's restart until everything is written (README: "What the controller
// survives").
func TestWriterSurvivesPostgresOutage(t *testing.T) {
	ctx := context.Background()
	outage, buffer := 60*time.Second, 0 // the default buffer: 8,192 items
	if testing.Short() {
		outage, buffer = 5*time.Second, 1000 // still through the spool
	}
	if v := os.Getenv("HOTLINE_PG_OUTAGE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("HOTLINE_PG_OUTAGE: %v", err)
		}
		outage = d
	}
	pg := pgtest.Start(t)
	db, err := store.Open(ctx, pg.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := store.OpenWriter(db, logger(t), store.WriterOptions{Buffer: buffer, SpoolDir: t.TempDir(), AttemptTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer closeWriter(t, w)

	// The load: 100 calls a second, each enqueued from its own goroutine as the controller would.
	var (
		calls, messages atomic.Int64
		slowest         atomic.Int64 // longest time one call's enqueueing took, ns
		stop            = make(chan struct{})
		wg              sync.WaitGroup
	)
	base := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			start := time.Now()
			id := fmt.Sprintf("call-%06d", n)
			at := base.Add(time.Duration(n) * time.Second)
			c := &hotline.CallRecord{ID: id, Arrived: at, Queue: "general", Department: "general"}
			w.Call(c)
			w.Events(hotline.QueueEvent{Time: at, CallID: id, Queue: "general", Type: hotline.EvEnterQueue})
			w.Events(hotline.QueueEvent{Time: at.Add(5 * time.Second), CallID: id, Queue: "general", Agent: "a1",
				Type: hotline.EvConnect, Wait: 5 * time.Second},
				hotline.QueueEvent{Time: at.Add(65 * time.Second), CallID: id, Queue: "general", Agent: "a1",
					Type: hotline.EvCompleteCaller, Wait: 5 * time.Second, Talk: time.Minute})
			w.Events(hotline.QueueEvent{Time: at.Add(70 * time.Second), CallID: id, Queue: "general", Agent: "a1",
				Type: hotline.EvWrapupEnd})
			c.Answered, c.Ended, c.Disposition, c.Agent = at.Add(5*time.Second), at.Add(65*time.Second), hotline.DispAnswered, "a1"
			w.Call(c)
			w.Rating(store.Rating{Time: at.Add(70 * time.Second), Rating: hotline.Rating(n%4 + 1), Source: hotline.SourcePhone,
				CallID: id, Queue: "general"})
			if n%10 == 0 {
				w.Message(store.Message{Time: at, CallID: id, Recording: "msg-" + id})
				messages.Add(1)
			}
			calls.Add(1)
			if d := int64(time.Since(start)); d > slowest.Load() {
				slowest.Store(d)
			}
		}
	})
	var stopOnce sync.Once
	stopLoad := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
	defer stopLoad() // before the writer closes, also when the test fails
	waitCalls := func(n int64) { checkFor(t, func() bool { return calls.Load() >= n }) }

	waitCalls(200)
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	stopped := time.Now()
	t.Logf("postgres stopped with %d calls enqueued", calls.Load())
	var held, peakBytes int64
	for time.Since(stopped) < outage { // the outage: sample how much the writer holds
		st := w.Stats()
		held = max(held, st.Pending)
		peakBytes = max(peakBytes, st.SpoolBytesPeak)
		time.Sleep(100 * time.Millisecond)
	}
	// The load stops as Postgres comes back, so that catching up ends however slow this machine is (with the
	// race detector on a busy machine, the writer may write slower than 100 calls a second arrive).
	stopLoad()
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	restarted := time.Now()
	fctx, cancel := context.WithTimeout(ctx, 10*time.Minute) // a hang, not a timing assertion
	defer cancel()
	if err := w.Flush(fctx); err != nil {
		t.Fatal(err)
	}
	catchUp := time.Since(restarted)
	st := w.Stats()

	n := calls.Load()
	counts := map[string]int64{}
	for _, q := range []string{"calls", "queue_events", "ratings", "messages"} {
		var c int64
		if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM "+q).Scan(&c); err != nil {
			t.Fatal(err)
		}
		counts[q] = c
	}
	want := map[string]int64{"calls": n, "queue_events": 4 * n, "ratings": n, "messages": messages.Load()}
	for q, c := range want {
		if counts[q] != c {
			t.Errorf("%s: %d rows, want %d (each exactly once)", q, counts[q], c)
		}
	}
	var answered, ratedTwice int64
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM calls WHERE disposition = 'answered'`).Scan(&answered); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM (SELECT call_id FROM ratings GROUP BY call_id
		HAVING count(*) > 1) d`).Scan(&ratedTwice); err != nil {
		t.Fatal(err)
	}
	if answered != n || ratedTwice != 0 {
		t.Errorf("%d calls in their last version (want %d), %d calls rated more than once (want 0)", answered, n, ratedTwice)
	}
	if st.Spooled == 0 || st.Dropped != 0 {
		t.Errorf("stats %+v: want items through the spool, none dropped", st)
	}
	t.Logf("outage %s at 100 calls/s: %d calls (%d rows) enqueued; held at most %d items, %d through the spool, "+
		"spool peak %d bytes; caught up %s after Postgres came back; slowest enqueue of one call %s; %d retries",
		outage, n, counts["calls"]+counts["queue_events"]+counts["ratings"]+counts["messages"], held, st.Spooled,
		peakBytes, catchUp.Round(time.Millisecond), time.Duration(slowest.Load()).Round(time.Microsecond), st.Retries)
}
