package ivr

import (
	"sync"
	"time"

	"github.com/publicservice/hotline/telephony"
)

// eventHandlerSetter is a Switch whose event reader can hand each event to
// a function on its own goroutine (telephony.ARI.SetHandler) instead of
// through its Events channel.
type eventHandlerSetter interface {
	SetHandler(func(telephony.Event))
}

// inlet routes events on the Switch's reader goroutine: routing is a map
// look-up and a post to the call's mailbox, so it need not cost a goroutine
// hand-off an event. The exception is Connected, whose re-adoption makes
// REST requests and must not stall the reader: from a Connected on, events
// are kept in the backlog, in order, and Run's goroutine routes them
// (Connected first) until the backlog is empty; then the reader routes
// again. route is never run by both at once.
type inlet struct {
	mu      sync.Mutex
	backlog []telephony.Event
	busy    bool          // Run's goroutine owns routing until the backlog is empty
	wake    chan struct{} // Run's goroutine has backlog to route
}

func newInlet() *inlet { return &inlet{wake: make(chan struct{}, 1)} }

// handleEvent is the Switch's event handler (on the reader's goroutine).
func (ctl *Controller) handleEvent(ev telephony.Event) {
	in := ctl.in
	in.mu.Lock()
	if in.busy || ev.Type == telephony.Connected {
		in.busy = true
		in.backlog = append(in.backlog, ev)
		in.mu.Unlock()
		select {
		case in.wake <- struct{}{}:
		default:
		}
		return
	}
	in.mu.Unlock()
	ctl.route(ev, arrivedAt(ev))
}

// routeBacklog routes the backlog on Run's goroutine until it is empty.
func (ctl *Controller) routeBacklog() {
	in := ctl.in
	for {
		in.mu.Lock()
		if len(in.backlog) == 0 {
			in.busy = false
			in.backlog = nil
			in.mu.Unlock()
			return
		}
		ev := in.backlog[0]
		in.backlog[0] = telephony.Event{}
		in.backlog = in.backlog[1:]
		in.mu.Unlock()
		ctl.route(ev, arrivedAt(ev))
	}
}

// releaseBacklog releases the events left in the backlog at the end of Run.
func (ctl *Controller) releaseBacklog() {
	in := ctl.in
	in.mu.Lock()
	left := in.backlog
	in.backlog = nil
	in.mu.Unlock()
	for _, ev := range left {
		done(ev)
	}
}

// arrivedAt is when the reader read ev (reaction times count from there).
func arrivedAt(ev telephony.Event) time.Time {
	if ev.Received.IsZero() {
		return time.Now()
	}
	return ev.Received
}
