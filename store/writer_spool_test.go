package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// TestWriterSpoolKeepsOrder: memory for 3 items, the writer paused: the rest go to the spool file, enqueueing
// never blocks, and everything is written once, in the order enqueued.
func TestWriterSpoolKeepsOrder(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	dir := t.TempDir()
	w, start := store.NewPausedWriter(db, logger(t), store.WriterOptions{Buffer: 3, MaxBatch: 25, SpoolDir: dir})
	defer closeWriter(t, w)
	all := events(300, "tax", t0)
	for i := range all {
		w.Events(all[i]) // would block after 3 without the spool: the writer is paused
	}
	for i := range 20 {
		w.Rating(store.Rating{Time: us(t0), Rating: hotline.Happy, Source: hotline.SourcePhone, CallID: fmt.Sprint(i)})
		w.Message(store.Message{Time: us(t0), CallID: fmt.Sprint(i), Recording: fmt.Sprint("m", i)})
	}
	st := w.Stats()
	if st.Spooled != 337 || st.Pending != 340 || st.SpoolBytes == 0 {
		t.Fatalf("before start: stats %+v, want 337 spooled, 340 pending, spool bytes > 0", st)
	}
	if fi, err := os.Stat(filepath.Join(dir, "writer.spool")); err != nil || fi.Size() != st.SpoolBytes {
		t.Fatalf("spool file: %v, size %d; want %d bytes", err, fi.Size(), st.SpoolBytes)
	}
	start()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); !reflect.DeepEqual(got, all) {
		t.Errorf("events: %d, want the 300 in enqueue order", len(got))
	}
	rs, _ := db.Ratings(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	ms, _ := db.Messages(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), "")
	if len(rs) != 20 || len(ms) != 20 {
		t.Errorf("ratings %d, messages %d; want 20 each", len(rs), len(ms))
	}
	if st := w.Stats(); st.SpoolBytes != 0 || st.Pending != 0 || st.Dropped != 0 {
		t.Errorf("after flush: %+v, want an empty spool, nothing pending or dropped", st)
	}
	// Drained: the next items go to memory again, and the file was emptied.
	w.Call(sampleCall("after", t0))
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if st := w.Stats(); st.Spooled != 337 {
		t.Errorf("spooled = %d after the spool drained, want 337 (the new call in memory)", st.Spooled)
	}
}

// TestWriterSpoolOutlivesTheProcess: the database refuses (table locked), Close gives up: what was queued is kept
// in the spool, a second Writer on the same directory writes it, each row once. A second Writer on a directory in
// use is refused.
func TestWriterSpoolOutlivesTheProcess(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	dir := t.TempDir()
	tx, err := db.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, `LOCK TABLE queue_events IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	w1, err := store.OpenWriter(db, logger(t), store.WriterOptions{Buffer: 4, MaxBatch: 5, SpoolDir: dir,
		AttemptTimeout: 50 * time.Millisecond, RetryMin: time.Millisecond, RetryMax: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.OpenWriter(db, logger(t), store.WriterOptions{SpoolDir: dir}); hotline.ErrorCode(err) != hotline.ECONFLICT {
		t.Errorf("second writer on a spool in use: %v, want conflict", err)
	}
	all := events(40, "tax", t0)
	for i := range all {
		w1.Events(all[i])
	}
	w1.Rating(store.Rating{Time: us(t0), Rating: hotline.Happy, Source: hotline.SourcePhone, CallID: "c1"})
	checkFor(t, func() bool { return w1.Stats().Retries >= 1 })
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := w1.Close(cctx); err == nil {
		t.Error("close with a cancelled context while the database refuses: nil error")
	}
	if st := w1.Stats(); st.Kept != 41 || st.Dropped != 0 {
		t.Fatalf("stats = %+v, want 41 kept, none dropped", st)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	w2, err := store.OpenWriter(db, logger(t), store.WriterOptions{SpoolDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	closeWriter(t, w2)
	if got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); !reflect.DeepEqual(got, all) {
		t.Errorf("events after the restart: %d, want the 40 once, in order", len(got))
	}
	// A third Writer finds the spool empty: nothing is written twice.
	w3, err := store.OpenWriter(db, logger(t), store.WriterOptions{SpoolDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if err := w3.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	closeWriter(t, w3)
	rs, _ := db.Ratings(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if got, _ := db.QueueEvents(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); len(got) != 40 || len(rs) != 1 {
		t.Errorf("after a third writer: %d events, %d ratings; want 40 and 1", len(got), len(rs))
	}
}
