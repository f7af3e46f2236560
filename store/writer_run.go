package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/publicservice/hotline"
)

// run is the Writer's goroutine: take the oldest items, up to MaxBatch rows,
// and write them in one transaction; once closed and empty, stop.
func (w *Writer) run() {
	defer close(w.done)
	if w.gate != nil {
		<-w.gate
	}
	for {
		if w.opts.Linger > 0 {
			w.q.linger(w.opts.Linger, w.opts.MaxBatch)
		}
		batch, seq, err := w.q.take(w.opts.MaxBatch)
		if err != nil {
			w.log.Error("store writer: spool unreadable", "err", err) // the items read so far are still written
		}
		if len(batch) == 0 {
			if err == nil { // closed and empty
				w.closeSpool()
				return
			}
			w.q.advance(seq) // nothing readable in what was taken
			continue
		}
		if rest := w.write(batch); rest != nil {
			w.abandon(rest)
			return
		}
		w.q.advance(seq)
	}
}

// abandon runs when Close gave up while batch was being written: with a
// spool, batch and everything still queued are kept there; without, dropped.
func (w *Writer) abandon(batch []witem) {
	batch = append(batch, w.q.drainMemory()...)
	rows := 0
	for i := range batch {
		rows += batch[i].rows()
	}
	w.q.mu.Lock()
	sp := w.q.sp
	var err error
	kept := 0
	if sp != nil {
		err = sp.rewrite(batch)
		kept = sp.count
	}
	w.q.mu.Unlock()
	if sp != nil && err == nil {
		w.kept.Add(int64(kept))
		w.log.Warn("store writer: closed before the database accepted everything: kept in the spool for the next start",
			"items", kept, "spool", w.opts.SpoolDir)
	} else {
		w.dropped.Add(int64(rows))
		w.log.Error("store writer: closed before the database accepted a batch: batch dropped", "items", len(batch),
			"rows", rows, "err", err)
	}
	w.q.mu.Lock()
	last := w.q.seq
	w.q.mu.Unlock()
	w.q.advance(last)
	w.closeSpool()
}

func (w *Writer) closeSpool() {
	w.q.mu.Lock()
	defer w.q.mu.Unlock()
	if w.q.sp != nil {
		if err := w.q.sp.close(); err != nil {
			w.log.Error("store writer: close spool", "err", err)
		}
		w.q.sp = nil
	}
}

// write commits batch, retrying transient errors; on a permanent error it
// writes the items one by one so only the rejected ones are dropped. It
// returns the items not written because the Writer was cancelled (Close gave
// up) first, nil otherwise.
func (w *Writer) write(batch []witem) (unwritten []witem) {
	err := w.attempt(batch)
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) { // Close gave up waiting
		return batch
	}
	if len(batch) > 1 {
		for i := range batch {
			if rest := w.write(batch[i : i+1]); rest != nil {
				return batch[i:]
			}
		}
		return nil
	}
	it := batch[0]
	w.dropped.Add(int64(it.rows()))
	attrs := []any{"kind", it.kind.String(), "rows", it.rows(), "err", err}
	if it.kind == kCall {
		attrs = append(attrs, "call_id", it.call.ID)
	}
	w.log.Error("store writer: item dropped", attrs...)
	w.failMu.Lock()
	w.failed = append(w.failed, err)
	w.failMu.Unlock()
	return nil
}

// attempt writes batch in one transaction until it succeeds, fails for good,
// or the Writer is cancelled.
func (w *Writer) attempt(batch []witem) error {
	backoff := w.opts.RetryMin
	for {
		ctx, cancel := context.WithTimeout(w.ctx, w.opts.AttemptTimeout)
		err := w.db.inTx(ctx, func(tx pgx.Tx) error { return writeBatch(ctx, tx, batch, w.db.rules.get()) })
		cancel()
		if err == nil {
			w.batches.Add(1)
			for i := range batch {
				w.rows.Add(int64(batch[i].rows()))
			}
			return nil
		}
		if w.ctx.Err() != nil {
			return w.ctx.Err()
		}
		if !transient(err) {
			return err
		}
		w.retries.Add(1)
		w.log.Warn("store writer: transient error, retrying", "err", err, "backoff", backoff, "items", len(batch))
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-w.ctx.Done():
			t.Stop()
			return w.ctx.Err()
		}
		backoff = min(2*backoff, w.opts.RetryMax)
	}
}

// writeBatch writes items in one transaction: call upserts, ratings and
// messages pipelined with the queue events (one INSERT from arrays, in order),
// in one round trip. Rows with a uid already stored are skipped.
func writeBatch(ctx context.Context, tx pgx.Tx, batch []witem, rules RollupRules) error {
	b := &pgx.Batch{}
	var ev eventArrays
	var events []hotline.QueueEvent
	for i := range batch {
		it := &batch[i]
		switch it.kind {
		case kCall:
			args, err := callArgs(it.call)
			if err != nil {
				return err
			}
			b.Queue(upsertCallSQL, args...)
		case kRating:
			args, err := ratingArgs(&it.rating)
			if err != nil {
				return err
			}
			b.Queue(insertRatingOnceSQL, append(args, it.uid)...)
		case kMessage:
			args, err := messageArgs(&it.message)
			if err != nil {
				return err
			}
			b.Queue(insertMessageOnceSQL, append(args, it.uid)...)
		case kEvents:
			if err := validateEvents(it.events); err != nil {
				return err
			}
			for j := range it.events {
				ev.add(&it.events[j], it.uid+"."+strconv.Itoa(j))
			}
			events = append(events, it.events...)
		}
	}
	if len(ev.uid) > 0 {
		// The queue rollup counts the events not yet stored (a retry or the
		// spool may bring some again), in the same transaction: one round
		// trip reads which are stored and the calls' earlier events, and the
		// rollup's upsert goes with the inserts.
		reads := &pgx.Batch{}
		stored := queueStoredUIDs(reads, ev.uid)
		prior := queuePriorEvents(reads, events)
		if err := tx.SendBatch(ctx, reads).Close(); err != nil {
			return fmt.Errorf("rollup: reads: %w", err)
		}
		fresh := events
		if len(stored) > 0 {
			fresh = make([]hotline.QueueEvent, 0, len(events))
			for i, e := range events {
				if !stored[ev.uid[i]] {
					fresh = append(fresh, e)
				}
			}
		}
		if sql, args := rollupUpsert(rollupDelta(*prior, fresh, rules)); sql != "" {
			b.Queue(sql, args...)
		}
		b.Queue(insertEventsOnceSQL, ev.args()...)
	}
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}

// transient reports whether err may succeed if tried again.
func transient(err error) bool {
	var he *hotline.Error
	if errors.As(err, &he) {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53"): // connection, resources
			return true
		case pe.Code == "40001", pe.Code == "40P01", pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03":
			return true
		}
		return false
	}
	// Failures on the way to or from the server are worth another try;
	// anything else (encoding a value, …) would fail again.
	var ce *pgconn.ConnectError
	var ne net.Error
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err) || errors.As(err, &ce) || errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}
