package store

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/publicservice/hotline"
)

// run is the Writer's goroutine: take an item, then whatever else is already
// queued up to MaxBatch rows or the next Flush, and write them in one transaction.
func (w *Writer) run() {
	defer close(w.done)
	if w.gate != nil {
		<-w.gate
	}
	for {
		var first witem
		select {
		case first = <-w.ch:
		case <-w.finish:
			w.drainAll()
			return
		}
		w.handle(first)
	}
}

// handle writes first and what follows it in the queue.
func (w *Writer) handle(first witem) {
	if first.kind == kFlush {
		w.reply(first)
		return
	}
	batch, rows := []witem{first}, first.rows()
	var flush *witem
	for rows < w.opts.MaxBatch && flush == nil {
		select {
		case it := <-w.ch:
			if it.kind == kFlush {
				flush = &it
				break
			}
			batch = append(batch, it)
			rows += it.rows()
		default:
			rows = w.opts.MaxBatch // nothing more queued
		}
	}
	w.write(batch)
	if flush != nil {
		w.reply(*flush)
	}
}

// drainAll writes what is left after Close.
func (w *Writer) drainAll() {
	for {
		select {
		case it := <-w.ch:
			w.handle(it)
		default:
			return
		}
	}
}

func (w *Writer) reply(it witem) {
	w.failMu.Lock()
	err := errors.Join(w.failed...)
	w.failed = nil
	w.failMu.Unlock()
	it.flushed <- err
}

// write commits batch, retrying transient errors; on a permanent error it
// writes the items one by one so only the rejected ones are dropped.
func (w *Writer) write(batch []witem) {
	err := w.attempt(batch)
	if err == nil {
		return
	}
	if errors.Is(err, context.Canceled) { // Close gave up waiting
		rows := 0
		for i := range batch {
			rows += batch[i].rows()
		}
		w.dropped.Add(int64(rows))
		w.log.Error("store writer: closed before the database accepted a batch: batch dropped", "items", len(batch), "rows", rows)
		return
	}
	if len(batch) > 1 {
		for _, it := range batch {
			w.write([]witem{it})
		}
		return
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
// messages pipelined in one round trip, then all queue events (in order) by COPY.
func writeBatch(ctx context.Context, tx pgx.Tx, batch []witem, rules RollupRules) error {
	b := &pgx.Batch{}
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
			b.Queue(insertRatingSQL, args...)
		case kMessage:
			args, err := messageArgs(&it.message)
			if err != nil {
				return err
			}
			b.Queue(insertMessageSQL, args...)
		case kEvents:
			if err := validateEvents(it.events); err != nil {
				return err
			}
			events = append(events, it.events...)
		}
	}
	if b.Len() > 0 {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
	}
	if len(events) > 0 {
		return appendEvents(ctx, tx, events, rules)
	}
	return nil
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
