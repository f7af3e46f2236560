// Package clock is the one time source shared by the controller and the ARI
// simulator.
//
// Three clocks implement it:
//   - Real: wall time, for `hotline serve`, `hotline arisim` and the demo.
//   - Scaled: wall time sped up by a factor (accelerated, not exact).
//   - Virtual: event-driven virtual time for simulations and tests. Time stands
//     still while any work is in progress and jumps to the next timer as soon as
//     the whole system is idle, so a simulated working day runs in seconds and
//     every timing is exact in simulated time.
//
// For Virtual time to be exact, code that runs under it follows three rules:
//  1. Wait only through AfterFunc (never time.Sleep or time.After): a virtual
//     clock holds time still until the function returns.
//  2. Bracket work that was not started by an AfterFunc with Hold/release.
//  3. When one goroutine hands work to another through a channel, socket or
//     Redis list (an ARI event over a WebSocket, a dispatch inbox), the sender
//     calls Handoff(1) before sending (or, at the latest, before it releases the
//     Hold it sends under) and the receiver calls Taken(1) once it has taken its
//     own Hold. Time does not advance while a message is in flight.
//
// On Real and Scaled clocks Hold, Handoff and Taken cost nothing.
package clock

import "time"

// Clock is a source of time and timers.
type Clock interface {
	// Now is the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed. On a virtual
	// clock, time does not advance again until f has returned.
	AfterFunc(d time.Duration, f func()) Timer
	// Hold marks work in progress: a virtual clock does not advance until the
	// returned release is called (exactly once).
	Hold() (release func())
	// Handoff records n messages sent to another goroutine that has yet to take
	// them; Taken records n taken. A virtual clock does not advance while any
	// message is in flight.
	Handoff(n int)
	Taken(n int)
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop cancels the timer; it reports whether the call stopped it before it fired.
	Stop() bool
}

// Since is c.Now().Sub(t).
func Since(c Clock, t time.Time) time.Duration { return c.Now().Sub(t) }

// Real returns the wall clock.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
func (realClock) Hold() func() { return noop }
func (realClock) Handoff(int)  {}
func (realClock) Taken(int)    {}

func noop() {}

// Scaled returns a clock that runs factor times faster than the wall clock,
// starting at start. It is accelerated, not exact: network latency is scaled
// too. Use Virtual where timings must be exact.
func Scaled(start time.Time, factor float64) Clock {
	if factor <= 0 {
		factor = 1
	}
	return &scaled{start: start, base: time.Now(), factor: factor}
}

type scaled struct {
	start, base time.Time
	factor      float64
}

func (s *scaled) Now() time.Time {
	return s.start.Add(time.Duration(float64(time.Since(s.base)) * s.factor))
}
func (s *scaled) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(time.Duration(float64(d)/s.factor), f)
}
func (s *scaled) Hold() func() { return noop }
func (s *scaled) Handoff(int)  {}
func (s *scaled) Taken(int)    {}

// FormatARI formats t exactly as Asterisk's ARI does:
// 2026-11-28T20:29:58.415+0000 (milliseconds, no colon in the offset).
func FormatARI(t time.Time) string { return t.Format(ARILayout) }

// ARILayout is Asterisk's ARI timestamp layout.
const ARILayout = "2006-01-02T15:04:05.000-0700"
