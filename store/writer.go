package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/publicservice/hotline"
)

// WriterOptions tune a Writer; zero values take the defaults.
type WriterOptions struct {
	Buffer         int           // items kept in memory before the spool (or, without one, before Call/Events/Rating/Message block) (default 8192)
	MaxBatch       int           // rows per transaction, a queue event or a record each (default 1000)
	RetryMin       time.Duration // first backoff after a transient error (default 50ms)
	RetryMax       time.Duration // backoff cap (default 5s)
	AttemptTimeout time.Duration // limit of one transaction attempt (default 30s)
	// SpoolDir, when set, is a directory of this Writer's own where items go once Buffer is full (the database
	// is away or slower than the calls), and where items still queued when Close gives up are kept. A Writer
	// opened on it later writes them first. Empty: no spool; enqueueing blocks when Buffer is full.
	SpoolDir string
	SpoolMax int64 // bytes of spool before enqueueing blocks (default 1 GiB)
	// Linger, when positive, is how long the Writer waits after an item
	// arrives for more to share its transaction (until MaxBatch rows are
	// queued, a Flush or Close): items that trickle in (a call's events one
	// at a time) then cost one transaction for many instead of one each.
	// Records reach the database up to Linger later. Default 0: write at once.
	Linger time.Duration
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
	if o.SpoolMax <= 0 {
		o.SpoolMax = 1 << 30
	}
}

// WriterStats are counters since NewWriter.
type WriterStats struct {
	Batches        int64 // transactions committed
	Rows           int64 // rows written (queue events, calls, ratings, messages)
	Retries        int64 // attempts repeated after a transient error
	Dropped        int64 // items rejected by the database or the validation (not retryable), or enqueued after Close
	Pending        int64 // items queued now, in memory and spool (a batch being written not included)
	Spooled        int64 // items that went through the spool file
	SpoolBytes     int64 // bytes in the spool file not yet written to the database
	SpoolBytesPeak int64 // the most SpoolBytes has been
	Kept           int64 // items (calls, event lists, ratings, messages) left in the spool by a Close that gave up, for the next Writer on SpoolDir
}

// Writer writes to the database asynchronously so that Postgres latency never
// delays a call. Enqueueing copies the data and returns at once. Items wait in
// memory (up to Buffer), then, with a SpoolDir, in a spool file on local disk;
// only when both are full does enqueueing BLOCK (logged once per episode)
// rather than lose a record. One goroutine takes items in order, writes them
// in batches (one transaction per batch) and retries transient errors
// (connection lost, Postgres restarting, serialization failure, …) with
// exponential backoff, for as long as it takes. Items the database rejects for
// good (a constraint violation) are written one by one so that only the bad
// ones are dropped, logged and reported by the next Flush.
//
// Exactly once: every queue event, rating and message gets a unique id (uid)
// when enqueued, and is inserted with ON CONFLICT (uid) DO NOTHING; call
// records are upserts by call id. A batch retried after a commit whose outcome
// was unknown, or read again from a spool a crashed process left, is therefore
// never stored twice.
//
// Retries use wall-clock timers: the Writer is I/O, never part of simulated time.
type Writer struct {
	db     *DB
	log    *slog.Logger
	opts   WriterOptions
	q      *wqueue
	prefix string        // uid prefix, random per Writer
	gate   chan struct{} // tests: run waits for it to close
	ctx    context.Context
	cancel context.CancelFunc

	closeOnce sync.Once
	done      chan struct{}

	failMu sync.Mutex
	failed []error // permanent failures since the last Flush

	batches, rows, retries, dropped, kept atomic.Int64
	full                                  atomic.Bool // the buffer-full warning was logged
}

type witemKind int

const (
	kCall witemKind = iota
	kEvents
	kRating
	kMessage
)

type witem struct {
	kind    witemKind
	uid     string // events: uid + "." + index
	call    *hotline.CallRecord
	events  []hotline.QueueEvent
	rating  Rating
	message Message
}

func (it *witem) rows() int {
	if it.kind == kEvents {
		return len(it.events)
	}
	return 1
}

func uidFor(prefix string, seq uint64) string { return prefix + strconv.FormatUint(seq, 36) }

// NewWriter starts a Writer on db without a spool. Close it to stop its goroutine.
func NewWriter(db *DB, logger *slog.Logger, opts WriterOptions) *Writer {
	opts.SpoolDir = ""
	w, _ := newWriter(db, logger, opts, nil)
	return w
}

// OpenWriter starts a Writer on db; with opts.SpoolDir it opens (and locks) the
// spool there, and first writes what a previous Writer left in it.
func OpenWriter(db *DB, logger *slog.Logger, opts WriterOptions) (*Writer, error) {
	return newWriter(db, logger, opts, nil)
}

func newWriter(db *DB, logger *slog.Logger, opts WriterOptions, gate chan struct{}) (*Writer, error) {
	opts.defaults()
	if logger == nil {
		logger = slog.Default()
	}
	var sp *spool
	if opts.SpoolDir != "" {
		var err error
		if sp, err = openSpool(opts.SpoolDir, opts.SpoolMax); err != nil {
			return nil, err
		}
	}
	var rb [6]byte
	if _, err := rand.Read(rb[:]); err != nil {
		return nil, fmt.Errorf("store: writer id: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{db: db, log: logger.With("component", "store.writer"), opts: opts, q: newWQueue(opts.Buffer, sp),
		prefix: hex.EncodeToString(rb[:]) + "-", gate: gate, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	if sp != nil && sp.count > 0 {
		w.log.Info("store writer: writing what the spool kept", "items", sp.count, "bytes", sp.size)
	}
	go w.run()
	return w, nil
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
	ok := w.q.push(it, w.prefix, func(spoolErr error) {
		if spoolErr != nil {
			w.log.Error("store writer: spool failed: memory only from now on", "err", spoolErr)
			return
		}
		if w.full.CompareAndSwap(false, true) { // once per episode, not once per blocked call
			w.log.Warn("store writer buffer full: blocking until the database catches up", "buffer", w.opts.Buffer,
				"spool", w.opts.SpoolDir)
		}
	})
	if !ok {
		w.dropped.Add(int64(it.rows()))
		w.log.Error("store writer closed: item dropped", "kind", it.kind.String(), "rows", it.rows())
		return false
	}
	w.full.Store(false)
	return true
}

// Flush returns once everything enqueued before it is durable (committed), or
// when ctx is done. Its error joins the items the database rejected for good
// since the previous Flush.
func (w *Writer) Flush(ctx context.Context) error {
	ch, ok := w.q.flushWait()
	if !ok {
		return hotline.Errorf(hotline.EUNAVAILABLE, "store writer is closed")
	}
	select {
	case <-ch:
	case <-ctx.Done():
		return fmt.Errorf("store: flush: %w", ctx.Err())
	}
	w.failMu.Lock()
	defer w.failMu.Unlock()
	err := errors.Join(w.failed...)
	w.failed = nil
	return err
}

// Close writes everything enqueued and stops the Writer. If ctx ends first,
// pending retries are abandoned: with a spool, what is still queued is kept in
// the spool file for the next Writer on that directory (Stats().Kept);
// without, it is lost (Stats().Dropped). Close then returns ctx's error.
func (w *Writer) Close(ctx context.Context) error {
	w.closeOnce.Do(w.q.close)
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
	st := WriterStats{Batches: w.batches.Load(), Rows: w.rows.Load(), Retries: w.retries.Load(),
		Dropped: w.dropped.Load(), Kept: w.kept.Load()}
	w.q.mu.Lock()
	st.Pending, st.Spooled = int64(w.q.pending()), w.q.spooled
	if w.q.sp != nil {
		st.SpoolBytes, st.SpoolBytesPeak = w.q.sp.unread(), w.q.sp.peak
	}
	w.q.mu.Unlock()
	return st
}

func (k witemKind) String() string {
	return [...]string{"call", "events", "rating", "message"}[k]
}
