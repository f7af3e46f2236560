package store

import (
	"errors"
	"sync"
	"time"
)

// wqueue is the Writer's FIFO: up to limit items in memory, then (with a
// spool) the rest in the spool file, then pushes wait. Items go to the spool
// when memory is full or the spool is not yet empty, so everything in memory
// is older than everything in the spool and the order is kept.
type wqueue struct {
	mu    sync.Mutex
	cond  *sync.Cond // items taken or added, done advanced, closed
	mem   []witem
	head  int // mem[head:] are queued
	limit int
	sp    *spool

	seq     uint64 // last sequence number given
	done    uint64 // every item up to it is written or dropped
	closed  bool   // no more pushes; pushes waiting for room give up
	spErr   error  // the spool could not be written: memory only from then on
	waiters []flushWaiter
	hurry   bool // a Flush is waiting: no lingering

	spooled int64 // items ever written to the spool
}

type flushWaiter struct {
	target uint64
	ch     chan struct{}
}

func newWQueue(limit int, sp *spool) *wqueue {
	q := &wqueue{limit: limit, sp: sp}
	q.cond = sync.NewCond(&q.mu)
	if sp != nil && sp.count > 0 { // left by a previous process: older than anything pushed now
		q.seq = uint64(sp.count)
		q.done = 0
	}
	return q
}

func (q *wqueue) memLen() int { return len(q.mem) - q.head }

// pending is the number of items queued (memory and spool), not counting a
// batch being written.
func (q *wqueue) pending() int {
	n := q.memLen()
	if q.sp != nil {
		n += q.sp.count
	}
	return n
}

// push queues it, giving it the next sequence number and uid. It waits while
// memory and spool are full; it returns false if the Writer closed meanwhile.
// blocked is called once if it has to wait, and with the error if the spool
// cannot be written (memory only from then on).
func (q *wqueue) push(it witem, uidPrefix string, blocked func(spoolErr error)) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	warned := false
	for !q.closed {
		spoolOK := q.sp != nil && q.spErr == nil && !q.sp.full()
		useSpool := q.sp != nil && (q.sp.count > 0 || q.memLen() >= q.limit)
		if !useSpool && q.memLen() < q.limit {
			q.seq++
			it.uid = uidFor(uidPrefix, q.seq)
			q.mem = append(q.mem, it)
			q.cond.Broadcast()
			return true
		}
		if useSpool && spoolOK {
			q.seq++
			it.uid = uidFor(uidPrefix, q.seq)
			if err := q.sp.append(&it); err != nil {
				q.seq--
				q.spErr = err
				blocked(err)
				continue
			}
			q.spooled++
			q.cond.Broadcast()
			return true
		}
		if !warned {
			warned = true
			blocked(nil)
		}
		q.cond.Wait()
	}
	return false
}

// take waits for items and returns the oldest ones, up to maxRows rows (at
// least one item), with the sequence number of the last. It returns nil once
// the queue is closed and empty. Spooled items count one row each here (their
// size is known once decoded, outside the lock).
func (q *wqueue) take(maxRows int) ([]witem, uint64, error) {
	q.mu.Lock()
	for q.pending() == 0 && !q.closed {
		q.cond.Wait()
	}
	var batch []witem
	rows := 0
	for rows < maxRows && q.memLen() > 0 {
		it := q.mem[q.head]
		q.mem[q.head] = witem{}
		q.head++
		batch = append(batch, it)
		rows += it.rows()
	}
	if q.memLen() == 0 { // reuse the slice
		q.mem, q.head = q.mem[:0], 0
	} else if q.head > q.limit {
		q.mem, q.head = append([]witem(nil), q.mem[q.head:]...), 0
	}
	var (
		lines [][]byte
		err   error
	)
	for rows < maxRows && q.sp != nil && q.sp.count > 0 {
		var line []byte
		if line, err = q.sp.next(); err != nil {
			break
		}
		lines = append(lines, line)
		rows++
	}
	seq := q.done + uint64(len(batch)+len(lines))
	if len(batch)+len(lines) > 0 {
		q.cond.Broadcast() // room for waiting pushes
	}
	q.mu.Unlock()
	for _, line := range lines {
		it, derr := decodeSpooled(line)
		if derr != nil {
			err = errors.Join(err, derr) // a corrupt record is skipped and reported
			continue
		}
		batch = append(batch, it)
	}
	return batch, seq, err
}

// advance marks every item up to seq as handled and wakes the flushes waiting for it.
func (q *wqueue) advance(seq uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.done = seq
	kept := q.waiters[:0]
	for _, w := range q.waiters {
		if w.target <= seq {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	q.waiters = kept
}

// flushWait returns a channel closed once everything pushed so far is handled.
func (q *wqueue) flushWait() (<-chan struct{}, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch := make(chan struct{})
	if q.closed {
		return nil, false
	}
	if q.done >= q.seq {
		close(ch)
		return ch, true
	}
	q.waiters = append(q.waiters, flushWaiter{target: q.seq, ch: ch})
	q.hurry = true
	q.cond.Broadcast()
	return ch, true
}

// linger waits for an item, then up to d more for others to join it: until
// maxRows items are queued, a Flush waits or the queue closes.
func (q *wqueue) linger(d time.Duration, maxRows int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.pending() == 0 && !q.closed {
		q.cond.Wait()
	}
	expired := false
	t := time.AfterFunc(d, func() {
		q.mu.Lock()
		expired = true
		q.cond.Broadcast()
		q.mu.Unlock()
	})
	defer t.Stop()
	for !expired && !q.closed && !q.hurry && q.pending() < maxRows {
		q.cond.Wait()
	}
	q.hurry = false
}

// close refuses further pushes; take drains what is queued, then returns nil.
func (q *wqueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}

// drainMemory removes and returns what is queued in memory (Close giving up).
func (q *wqueue) drainMemory() []witem {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := append([]witem(nil), q.mem[q.head:]...)
	q.mem, q.head = nil, 0
	return out
}
