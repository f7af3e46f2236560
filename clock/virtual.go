package clock

import (
	"container/heap"
	"log/slog"
	"runtime"
	"sync"
	"time"
)

// Virtual is an event-driven virtual clock. Time advances only when no work
// is held and no message is in flight; it then jumps straight to the earliest
// pending timer and fires every timer due at that instant.
//
// The zero value is not usable; call NewVirtual, and Close when done.
type Virtual struct {
	mu       sync.Mutex
	cond     *sync.Cond
	now      time.Time
	timers   timerHeap
	seq      uint64
	holds    int
	inflight int
	gen      uint64 // bumped on every change of holds/inflight/timers
	closed   bool
	paused   bool

	// StallAfter is how long (wall time) the clock may stay busy with no
	// change at all before it logs the counts and forgets in-flight messages
	// (a message handed off but never taken, e.g. to a connection that died).
	stallAfter time.Duration
	log        *slog.Logger
}

// VirtualOption configures a Virtual clock.
type VirtualOption func(*Virtual)

// WithStallAfter sets the stall watchdog (default 3 s of wall time).
func WithStallAfter(d time.Duration) VirtualOption { return func(v *Virtual) { v.stallAfter = d } }

// WithLogger sets the logger for stall warnings.
func WithLogger(l *slog.Logger) VirtualOption { return func(v *Virtual) { v.log = l } }

// Paused starts the clock without automatic advance; call Advance or Resume.
func Paused() VirtualOption { return func(v *Virtual) { v.paused = true } }

// NewVirtual returns a virtual clock starting at start that advances by
// itself whenever the system is idle.
func NewVirtual(start time.Time, opts ...VirtualOption) *Virtual {
	v := &Virtual{now: start, stallAfter: 3 * time.Second, log: slog.Default()}
	for _, o := range opts {
		o(v)
	}
	v.cond = sync.NewCond(&v.mu)
	go v.run()
	go v.watchdog()
	return v
}

// Now returns the current virtual time.
func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	t := v.now
	v.mu.Unlock()
	return t
}

// AfterFunc schedules f at Now()+d.
func (v *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.seq++
	t := &vtimer{v: v, when: v.now.Add(d), seq: v.seq, f: f, index: -1}
	heap.Push(&v.timers, t)
	v.gen++
	v.cond.Broadcast()
	return t
}

// Hold marks work in progress.
func (v *Virtual) Hold() func() {
	v.mu.Lock()
	v.holds++
	v.gen++
	v.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			v.mu.Lock()
			v.holds--
			v.gen++
			if v.holds < 0 {
				v.holds = 0
			}
			v.cond.Broadcast()
			v.mu.Unlock()
		})
	}
}

// Handoff records n messages in flight.
func (v *Virtual) Handoff(n int) {
	v.mu.Lock()
	v.inflight += n
	v.gen++
	v.mu.Unlock()
}

// Taken records n messages taken.
func (v *Virtual) Taken(n int) {
	v.mu.Lock()
	// A receiver may take a message before its sender has counted the
	// handoff (the sender is still holding time then): the count goes
	// negative for that moment and back to zero at the Handoff.
	v.inflight -= n
	v.gen++
	v.cond.Broadcast()
	v.mu.Unlock()
}

// Pending reports the number of pending timers, open holds and messages in flight.
func (v *Virtual) Pending() (timers, holds, inflight int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.timers), v.holds, v.inflight
}

// Pause stops automatic advance; Resume restarts it.
func (v *Virtual) Pause() { v.mu.Lock(); v.paused = true; v.mu.Unlock() }

// Resume restarts automatic advance.
func (v *Virtual) Resume() {
	v.mu.Lock()
	v.paused = false
	v.cond.Broadcast()
	v.mu.Unlock()
}

// Advance moves time forward by d at once, firing every timer due on the way
// in order. It is meant for paused clocks in unit tests.
func (v *Virtual) Advance(d time.Duration) {
	v.mu.Lock()
	target := v.now.Add(d)
	for len(v.timers) > 0 && !v.timers[0].when.After(target) {
		v.fireDueLocked()
	}
	v.now = target
	v.gen++
	v.mu.Unlock()
}

// Close stops the clock's goroutines. Pending timers never fire.
func (v *Virtual) Close() {
	v.mu.Lock()
	v.closed = true
	v.cond.Broadcast()
	v.mu.Unlock()
}

func (v *Virtual) idleLocked() bool {
	return !v.paused && v.holds == 0 && v.inflight <= 0 && len(v.timers) > 0
}

func (v *Virtual) run() {
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		for !v.closed && !v.idleLocked() {
			v.cond.Wait()
		}
		if v.closed {
			return
		}
		// Let goroutines that were just made runnable (and have not yet taken
		// a hold) run before deciding the system is idle.
		g := v.gen
		v.mu.Unlock()
		for i := 0; i < 3; i++ {
			runtime.Gosched()
		}
		v.mu.Lock()
		if v.closed {
			return
		}
		if g != v.gen || !v.idleLocked() {
			continue
		}
		v.fireDueLocked()
	}
}

// fireDueLocked advances to the earliest timer and starts every timer due then,
// each under its own hold.
func (v *Virtual) fireDueLocked() {
	if len(v.timers) == 0 {
		return
	}
	when := v.timers[0].when
	if when.After(v.now) {
		v.now = when
	}
	for len(v.timers) > 0 && !v.timers[0].when.After(when) {
		t := heap.Pop(&v.timers).(*vtimer)
		t.fired = true
		v.holds++
		v.gen++
		go func(f func()) {
			defer func() {
				v.mu.Lock()
				v.holds--
				v.gen++
				v.cond.Broadcast()
				v.mu.Unlock()
			}()
			f()
		}(t.f)
	}
}

func (v *Virtual) watchdog() {
	tick := time.NewTicker(v.stallAfter / 3)
	defer tick.Stop()
	var lastGen uint64
	var since time.Time
	for range tick.C {
		v.mu.Lock()
		if v.closed {
			v.mu.Unlock()
			return
		}
		busy := v.inflight > 0 && v.holds == 0
		if !busy || v.gen != lastGen {
			lastGen = v.gen
			since = time.Now()
			v.mu.Unlock()
			continue
		}
		if time.Since(since) >= v.stallAfter {
			v.log.Warn("virtual clock stalled: forgetting messages handed off but never taken",
				"inflight", v.inflight, "timers", len(v.timers), "now", v.now)
			v.inflight = 0
			v.gen++
			v.cond.Broadcast()
		}
		v.mu.Unlock()
	}
}

type vtimer struct {
	v     *Virtual
	when  time.Time
	seq   uint64
	f     func()
	index int
	fired bool
}

func (t *vtimer) Stop() bool {
	t.v.mu.Lock()
	defer t.v.mu.Unlock()
	if t.fired || t.index < 0 {
		return false
	}
	heap.Remove(&t.v.timers, t.index)
	t.v.gen++
	t.v.cond.Broadcast()
	return true
}

type timerHeap []*vtimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *timerHeap) Push(x any) {
	t := x.(*vtimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}
