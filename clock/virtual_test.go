package clock

import (
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

// checkFor polls f until it returns true or the wall-clock timeout passes.
func checkFor(t *testing.T, timeout time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestVirtualFiresInOrderAtExactTimes(t *testing.T) {
	v := NewVirtual(t0)
	defer v.Close()
	var mu sync.Mutex
	var got []time.Duration
	done := make(chan struct{})
	for _, d := range []time.Duration{3 * time.Hour, time.Second, 90 * time.Minute, time.Second} {
		d := d
		v.AfterFunc(d, func() {
			mu.Lock()
			got = append(got, v.Now().Sub(t0))
			n := len(got)
			mu.Unlock()
			if n == 4 {
				close(done)
			}
		})
	}
	<-done
	want := []time.Duration{time.Second, time.Second, 90 * time.Minute, 3 * time.Hour}
	mu.Lock()
	defer mu.Unlock()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("firing %d at %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}

func TestVirtualChainedTimersAccumulateExactly(t *testing.T) {
	v := NewVirtual(t0)
	defer v.Close()
	done := make(chan time.Time)
	var step func(n int)
	step = func(n int) {
		if n == 0 {
			done <- v.Now()
			return
		}
		v.AfterFunc(1500*time.Millisecond, func() { step(n - 1) })
	}
	step(1000)
	if got, want := (<-done).Sub(t0), 1500*time.Second; got != want {
		t.Fatalf("after 1000 chained 1.5 s timers: %v, want %v", got, want)
	}
}

func TestVirtualHoldStopsTime(t *testing.T) {
	v := NewVirtual(t0)
	defer v.Close()
	release := v.Hold()
	fired := make(chan struct{})
	v.AfterFunc(time.Minute, func() { close(fired) })
	// Give the advancer every chance to (wrongly) fire.
	for i := 0; i < 50; i++ {
		time.Sleep(100 * time.Microsecond)
		select {
		case <-fired:
			t.Fatal("timer fired while a hold was open")
		default:
		}
	}
	if !v.Now().Equal(t0) {
		t.Fatalf("time moved under a hold: %v", v.Now())
	}
	release()
	release() // a second release is harmless
	<-fired
	if got := v.Now().Sub(t0); got != time.Minute {
		t.Fatalf("now %v after the timer, want 1m", got)
	}
}

func TestVirtualHandoffStopsTimeUntilTaken(t *testing.T) {
	v := NewVirtual(t0)
	defer v.Close()
	v.Handoff(2)
	fired := make(chan struct{})
	v.AfterFunc(time.Second, func() { close(fired) })
	v.Taken(1)
	for i := 0; i < 50; i++ {
		time.Sleep(100 * time.Microsecond)
		select {
		case <-fired:
			t.Fatal("timer fired with a message in flight")
		default:
		}
	}
	v.Taken(1)
	<-fired
}

func TestVirtualStop(t *testing.T) {
	v := NewVirtual(t0, Paused())
	defer v.Close()
	var mu sync.Mutex
	fired := map[string]bool{}
	a := v.AfterFunc(time.Second, func() { mu.Lock(); fired["a"] = true; mu.Unlock() })
	v.AfterFunc(2*time.Second, func() { mu.Lock(); fired["b"] = true; mu.Unlock() })
	if !a.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	if a.Stop() {
		t.Fatal("second Stop reported true")
	}
	v.Resume()
	checkFor(t, 5*time.Second, "timer b", func() bool { mu.Lock(); defer mu.Unlock(); return fired["b"] })
	mu.Lock()
	defer mu.Unlock()
	if fired["a"] {
		t.Fatal("stopped timer fired")
	}
}

func TestVirtualManyGoroutines(t *testing.T) {
	v := NewVirtual(t0)
	defer v.Close()
	const n = 200
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		i := i
		go func() {
			release := v.Hold()
			start := v.Now()
			v.AfterFunc(time.Duration(i)*time.Millisecond, func() {
				if got := v.Now().Sub(start); got < time.Duration(i)*time.Millisecond {
					t.Errorf("timer %d fired after %v", i, got)
				}
				wg.Done()
			})
			release()
		}()
	}
	wg.Wait()
}

func TestFormatARI(t *testing.T) {
	ts := time.Date(2026, 11, 28, 20, 29, 58, 415_900_000, time.UTC)
	if got, want := FormatARI(ts), "2026-11-28T20:29:58.415+0000"; got != want {
		t.Fatalf("FormatARI = %q, want %q", got, want)
	}
	p, err := time.Parse(ARILayout, "2026-11-28T20:29:58.415-0500")
	if err != nil || p.UTC().Hour() != 1 {
		t.Fatalf("parse back: %v %v", p, err)
	}
}

func TestScaled(t *testing.T) {
	c := Scaled(t0, 1000)
	done := make(chan struct{})
	c.AfterFunc(time.Second, func() { close(done) }) // 1 ms of wall time
	<-done
	if c.Now().Sub(t0) < time.Second {
		t.Fatalf("scaled clock at %v after its 1 s timer", c.Now().Sub(t0))
	}
}

func TestVirtualTakenBeforeHandoffUnderHold(t *testing.T) {
	v := NewVirtual(t0)
	defer v.Close()
	release := v.Hold() // the sender works under a hold
	v.Taken(1)          // the receiver was quicker than the sender's Handoff
	v.Handoff(1)
	fired := make(chan struct{})
	v.AfterFunc(time.Second, func() { close(fired) })
	release()
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("clock stalled after a Taken that came before its Handoff")
	}
}
