package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/publicservice/hotline"
)

// WriterOptions tune a Writer; zero values take the defaults.
type WriterOptions struct {
	Buffer         int           // items queued before Call/Events/Rating/Message block (default 8192)
	MaxBatch       int           // rows per transaction, a queue event or a record each (default 1000)
	RetryMin       time.Duration // first backoff after a transient error (default 50ms)
	RetryMax       time.Duration // backoff cap (default 5s)
	AttemptTimeout time.Duration // limit of one transaction attempt (default 30s)
}

func (o *WriterOptions) defaults() {
	if o.Buffer <= 0 {
		o.Buffer = 8192
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 1000
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 50 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(5*time.Second, o.RetryMin)
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 30 * time.Second
	}
}

// WriterStats are counters since NewWriter.
type WriterStats struct {
	Batches int64 // transactions committed
	Rows    int64 // rows written (queue events, calls, ratings, messages)
	Retries int64 // attempts repeated after a transient error
	Dropped int64 // items rejected by the database or the validation (not retryable), or enqueued after Close
}

// Writer writes to the database asynchronously so that Postgres latency never
// delays a call. Enqueueing copies the data and returns at once while the
// buffer has room; when the buffer is full (Postgres down or slower than the
// calls), it BLOCKS until there is room rather than lose a record, and logs a
// warning. One goroutine takes what is queued in order, writes it in batches
// (one transaction per batch, COPY for queue events) and retries transient
// errors (connection lost, serialization failure, …) with exponential backoff,
// for as long as it takes. Items the database rejects for good (a constraint
// violation) are written one by one so that only the bad ones are dropped,
// logged and reported by the next Flush.
//
// Retries use wall-clock timers: the Writer is I/O, never part of simulated time.
// A commit whose outcome is unknown (connection lost during COMMIT) is retried,
// so in that rare case a batch of queue events may be written twice; call
// records are upserts and never duplicate.
type Writer struct {
	db     *DB
	log    *slog.Logger
	opts   WriterOptions
	ch     chan witem
	gate   chan struct{} // tests: run waits for it to close
	ctx    context.Context
	cancel context.CancelFunc

	mu        sync.RWMutex // held for reading while sending, for writing to mark closed
	closed    bool
	closing   chan struct{}
	closeOnce sync.Once
	finish    chan struct{}
	done      chan struct{}

	failMu sync.Mutex
	failed []error // permanent failures since the last Flush

	batches, rows, retries, dropped atomic.Int64
	full                            atomic.Bool // the buffer-full warning was logged
}

type witemKind int

const (
	kCall witemKind = iota
	kEvents
	kRating
	kMessage
	kFlush
)

type witem struct {
	kind    witemKind
	call    *hotline.CallRecord
	events  []hotline.QueueEvent
	rating  Rating
	message Message
	flushed chan error
}

func (it *witem) rows() int {
	if it.kind == kEvents {
		return len(it.events)
	}
	return 1
}

// NewWriter starts a Writer on db. Close it to stop its goroutine.
func NewWriter(db *DB, logger *slog.Logger, opts WriterOptions) *Writer {
	return newWriter(db, logger, opts, nil)
}

func newWriter(db *DB, logger *slog.Logger, opts WriterOptions, gate chan struct{}) *Writer {
	opts.defaults()
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{db: db, log: logger.With("component", "store.writer"), opts: opts,
		ch: make(chan witem, opts.Buffer), gate: gate, ctx: ctx, cancel: cancel,
		closing: make(chan struct{}), finish: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// Call enqueues a call record (upserted by ID). The record is copied.
func (w *Writer) Call(c *hotline.CallRecord) {
	if c == nil {
		return
	}
	cp := *c
	cp.IVRPath = slices.Clone(c.IVRPath)
	cp.Offers = slices.Clone(c.Offers)
	w.send(witem{kind: kCall, call: &cp})
}

// Events enqueues queue events, appended in the order enqueued.
func (w *Writer) Events(events ...hotline.QueueEvent) {
	if len(events) == 0 {
		return
	}
	w.send(witem{kind: kEvents, events: slices.Clone(events)})
}

// Rating enqueues a rating.
func (w *Writer) Rating(r Rating) { w.send(witem{kind: kRating, rating: r}) }

// Message enqueues a recorded message.
func (w *Writer) Message(m Message) { w.send(witem{kind: kMessage, message: m}) }

func (w *Writer) send(it witem) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		w.dropped.Add(int64(it.rows()))
		w.log.Error("store writer closed: item dropped", "kind", it.kind.String(), "rows", it.rows())
		return false
	}
	select {
	case w.ch <- it:
		w.full.Store(false)
		return true
	default:
	}
	if w.full.CompareAndSwap(false, true) { // once per episode, not once per blocked call
		w.log.Warn("store writer buffer full: blocking until the database catches up", "buffer", cap(w.ch))
	}
	select {
	case w.ch <- it:
		return true
	case <-w.closing:
		w.dropped.Add(int64(it.rows()))
		w.log.Error("store writer closing while buffer full: item dropped", "kind", it.kind.String(), "rows", it.rows())
		return false
	}
}

// Flush returns once everything enqueued before it is durable (committed), or
// when ctx is done. Its error joins the items the database rejected for good
// since the previous Flush.
func (w *Writer) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	if !w.send(witem{kind: kFlush, flushed: reply}) {
		return hotline.Errorf(hotline.EUNAVAILABLE, "store writer is closed")
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return fmt.Errorf("store: flush: %w", ctx.Err())
	}
}

// Close writes everything enqueued and stops the Writer. If ctx ends first,
// pending retries are abandoned and what is still queued is lost (counted in
// Stats().Dropped); Close then returns ctx's error.
func (w *Writer) Close(ctx context.Context) error {
	w.closeOnce.Do(func() {
		close(w.closing)
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.finish)
	})
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
		return fmt.Errorf("store: close writer: %w", ctx.Err())
	}
	w.cancel()
	w.failMu.Lock()
	defer w.failMu.Unlock()
	return errors.Join(w.failed...)
}

// Stats returns the counters.
func (w *Writer) Stats() WriterStats {
	return WriterStats{Batches: w.batches.Load(), Rows: w.rows.Load(), Retries: w.retries.Load(), Dropped: w.dropped.Load()}
}

func (k witemKind) String() string {
	return [...]string{"call", "events", "rating", "message", "flush"}[k]
}
