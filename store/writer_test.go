package store_test

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

func logger(t testing.TB) *slog.Logger { return slog.New(slog.NewTextHandler(testWriter{t}, nil)) }

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

func closeWriter(t *testing.T, w *store.Writer) {
	t.Helper()
	if err := w.Close(context.Background()); err != nil {
		t.Errorf("close: %v", err)
	}
}

func TestWriterDurableAfterFlush(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	w := store.NewWriter(db, logger(t), store.WriterOptions{})
	defer closeWriter(t, w)

	c := sampleCall("c1", t0)
	w.Call(c)
	c.Agent = "changed after enqueue" // the Writer copied the record
	c.IVRPath[0] = "lang:xx"
	evs := events(30, "tax", t0)
	w.Events(evs...)
	w.Rating(store.Rating{Time: us(t0), Rating: hotline.VeryHappy, Source: hotline.SourcePhone, CallID: "c1"})
	w.Message(store.Message{Time: us(t0), CallID: "c1", Recording: "msg-c1", Duration: 3 * time.Second})
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}

	// Everything enqueued before Flush is committed: visible on another connection.
	calls, _ := db.Calls(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if len(calls) != 1 || calls[0].Agent != "agent7" || calls[0].IVRPath[0] != "lang:es" {
		t.Errorf("calls = %+v", calls)
	}
	if got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); !reflect.DeepEqual(got, evs) {
		t.Errorf("events: got %d, want the 30 in order", len(got))
	}
	if rs, _ := db.Ratings(ctx, t0.Add(-time.Hour), t0.Add(time.Hour)); len(rs) != 1 {
		t.Errorf("ratings = %d, want 1", len(rs))
	}
	if ms, _ := db.Messages(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); len(ms) != 1 {
		t.Errorf("messages = %d, want 1", len(ms))
	}
	if st := w.Stats(); st.Rows != 33 || st.Dropped != 0 {
		t.Errorf("stats = %+v, want 33 rows, none dropped", st)
	}
}

func TestWriterBatches(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	// Paused until everything is queued, so the batches are exact: 10 Events calls of 10 events each, then 5 calls,
	// with at most 30 rows a batch: events 30 | 30 | 30 | 10 + 5 calls (a batch closes once it reaches 30 rows or
	// the queue is empty). One more call after the Flush is one more batch.
	w, start := store.NewPausedWriter(db, logger(t), store.WriterOptions{MaxBatch: 30})
	defer closeWriter(t, w)
	var all []hotline.QueueEvent
	for i := range 10 {
		evs := events(10, "tax", t0.Add(time.Duration(i)*time.Minute))
		all = append(all, evs...)
		w.Events(evs...)
	}
	for i := range 5 {
		w.Call(sampleCall(string(rune('a'+i)), t0))
	}
	start() // everything above is queued: the batch boundaries no longer depend on timing
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Batches != 4 || st.Rows != 105 {
		t.Errorf("stats = %+v, want 4 batches of 105 rows", st)
	}
	w.Call(sampleCall("f", t0))
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Batches != 5 || st.Rows != 106 {
		t.Errorf("stats = %+v, want 5 batches of 106 rows", st)
	}
	got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), "")
	if !reflect.DeepEqual(got, all) {
		t.Errorf("events: %d, want the %d in enqueue order", len(got), len(all))
	}
}

func TestWriterNoDuplicationAndOrder(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	w := store.NewWriter(db, logger(t), store.WriterOptions{MaxBatch: 7})
	defer closeWriter(t, w)

	// The same call saved at every stage of its life: one row, the last version.
	c := sampleCall("c1", t0)
	for _, d := range []hotline.Disposition{"", hotline.DispAbandoned, hotline.DispAnswered} {
		c.Disposition = d
		w.Call(c)
	}
	// Three goroutines each enqueue 200 events one at a time: each one's events stay in its order.
	var wg sync.WaitGroup
	for _, q := range []string{"q1", "q2", "q3"} {
		wg.Go(func() {
			for _, e := range events(200, q, t0) {
				w.Events(e)
			}
		})
	}
	wg.Wait()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	calls, _ := db.Calls(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if len(calls) != 1 || calls[0].Disposition != hotline.DispAnswered {
		t.Errorf("calls = %d (want 1), disposition %q (want answered)", len(calls), calls[0].Disposition)
	}
	for _, q := range []string{"q1", "q2", "q3"} {
		got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), q)
		if want := events(200, q, t0); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %d events, want the 200 in the order enqueued", q, len(got))
		}
	}
	if st := w.Stats(); st.Batches < 600/7 {
		t.Errorf("stats = %+v: at most 7 rows a batch means at least %d batches", st, 600/7)
	}
}

func TestWriterRejectsOnlyBadItems(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	w, start := store.NewPausedWriter(db, logger(t), store.WriterOptions{})
	defer closeWriter(t, w)
	// One batch: a good call, a rating the database cannot take (5), a good event, a good rating.
	w.Call(sampleCall("c1", t0))
	w.Rating(store.Rating{Time: t0, Rating: 5, Source: hotline.SourceKiosk})
	w.Events(events(3, "tax", t0)...)
	w.Rating(store.Rating{Time: us(t0), Rating: hotline.Happy, Source: hotline.SourceKiosk, KioskID: "k1"})
	start()
	err := w.Flush(ctx)
	if hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("flush: err %v, want the invalid rating", err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Errorf("second flush: %v, want nil (errors reported once)", err)
	}
	calls, _ := db.Calls(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	evs, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), "")
	rs, _ := db.Ratings(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if len(calls) != 1 || len(evs) != 3 || len(rs) != 1 || rs[0].KioskID != "k1" {
		t.Errorf("kept %d calls, %d events, %d ratings; want 1, 3, 1 (the good ones)", len(calls), len(evs), len(rs))
	}
	if st := w.Stats(); st.Dropped != 1 || st.Rows != 5 {
		t.Errorf("stats = %+v, want 5 rows written and 1 dropped", st)
	}
}

// TestWriterRetriesTransientErrors holds an exclusive lock on queue_events from another transaction, so every
// attempt times out (a transient error) until the lock is released; then the events must be written once.
func TestWriterRetriesTransientErrors(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `LOCK TABLE queue_events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	w := store.NewWriter(db, logger(t), store.WriterOptions{AttemptTimeout: 100 * time.Millisecond,
		RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond})
	defer closeWriter(t, w)
	evs := events(20, "tax", t0)
	w.Events(evs...)
	checkFor(t, func() bool { return w.Stats().Retries >= 2 })
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), "")
	if !reflect.DeepEqual(got, evs) {
		t.Errorf("after retries: %d events, want the 20 once", len(got))
	}
	if st := w.Stats(); st.Dropped != 0 || st.Batches != 1 {
		t.Errorf("stats = %+v, want 1 batch, none dropped", st)
	}
}

func TestWriterClose(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	w, start := store.NewPausedWriter(db, logger(t), store.WriterOptions{})
	w.Events(events(50, "tax", t0)...)
	start()
	// Close writes what was queued.
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); len(got) != 50 {
		t.Errorf("after close: %d events, want 50", len(got))
	}
	// After Close nothing is taken: counted as dropped, and Flush says so.
	w.Events(events(2, "tax", t0)...)
	if st := w.Stats(); st.Dropped != 2 {
		t.Errorf("dropped = %d, want 2", st.Dropped)
	}
	if err := w.Flush(ctx); hotline.ErrorCode(err) != hotline.EUNAVAILABLE {
		t.Errorf("flush after close: %v", err)
	}
	if err := w.Close(ctx); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestWriterCloseGivesUp(t *testing.T) {
	// The database refuses (the table is locked) and Close's context is already over: Close returns its error at
	// once and counts the batch as dropped rather than wait for ever.
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `LOCK TABLE queue_events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	w := store.NewWriter(db, logger(t), store.WriterOptions{AttemptTimeout: 50 * time.Millisecond, RetryMin: time.Millisecond})
	w.Events(events(5, "tax", t0)...)
	checkFor(t, func() bool { return w.Stats().Retries >= 1 })
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := w.Close(cctx); err == nil {
		t.Error("close with a cancelled context while the database refuses: nil error")
	}
	if st := w.Stats(); st.Dropped != 5 || st.Rows != 0 {
		t.Errorf("stats = %+v, want 5 dropped, none written", st)
	}
}

// checkFor polls cond until it holds; the test fails after a generous 30 s (a hang, not a timing assertion).
func checkFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// logSink keeps log messages for tests that wait for one.
type logSink struct {
	mu   sync.Mutex
	msgs []string
}

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }
func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, r.Message)
	return nil
}
func (s *logSink) WithAttrs([]slog.Attr) slog.Handler { return s }
func (s *logSink) WithGroup(string) slog.Handler      { return s }
func (s *logSink) has(prefix string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.msgs {
		if strings.HasPrefix(m, prefix) {
			return true
		}
	}
	return false
}

func TestWriterBlocksWhenFull(t *testing.T) {
	// A buffer of 2, the writer paused: the third Call cannot be queued. It must wait, not be lost.
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	sink := &logSink{}
	w, start := store.NewPausedWriter(db, slog.New(sink), store.WriterOptions{Buffer: 2})
	defer closeWriter(t, w)
	w.Call(sampleCall("c1", t0))
	w.Call(sampleCall("c2", t0))
	returned := make(chan struct{})
	go func() {
		w.Call(sampleCall("c3", t0))
		close(returned)
	}()
	checkFor(t, func() bool { return sink.has("store writer buffer full") })
	select {
	case <-returned:
		t.Fatal("Call returned while the buffer was full and the writer paused")
	default:
	}
	start()
	<-returned
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if calls, _ := db.Calls(ctx, t0.Add(-time.Hour), t0.Add(time.Hour)); len(calls) != 3 {
		t.Errorf("calls = %d, want 3: none lost", len(calls))
	}
}

// TestWriterLinger: items enqueued one at a time within Linger share one
// transaction, and a Flush does not wait for the linger to end.
func TestWriterLinger(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	w := store.NewWriter(db, logger(t), store.WriterOptions{Linger: time.Hour})
	defer closeWriter(t, w)
	evs := events(5, "tax", t0)
	for i := range evs {
		w.Events(evs[i])
	}
	w.Call(sampleCall("c1", t0))
	fctx, cancel := context.WithTimeout(ctx, time.Minute) // far below the hour of lingering
	defer cancel()
	if err := w.Flush(fctx); err != nil {
		t.Fatalf("flush while lingering: %v", err)
	}
	if st := w.Stats(); st.Batches != 1 || st.Rows != 6 {
		t.Errorf("batches %d rows %d, want 1 transaction of 6 rows", st.Batches, st.Rows)
	}
	if got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); !reflect.DeepEqual(got, evs) {
		t.Errorf("events: got %d, want the 5 in order", len(got))
	}
	// Close does not wait for the linger either.
	w.Events(events(1, "tax", t0.Add(time.Minute))...)
	cctx, cancel2 := context.WithTimeout(ctx, time.Minute)
	defer cancel2()
	if err := w.Close(cctx); err != nil {
		t.Fatalf("close while lingering: %v", err)
	}
	if st := w.Stats(); st.Batches != 2 || st.Rows != 7 {
		t.Errorf("after close: batches %d rows %d, want 2 and 7", st.Batches, st.Rows)
	}
}
