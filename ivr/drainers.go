package ivr

import "time"

// drainers run the calls' mailboxes on long-lived goroutines. A goroutine
// spawned for each burst of a call's messages (one per ARI event, mostly)
// started on a small stack that handling the event grew again every time:
// on the real Asterisk, runtime.copystack was a tenth of the controller's
// CPU. A parked drainer keeps its grown stack for the next call's messages.
// A drainer idle for drainerIdle exits; there is never a wait for a free
// one (a new one starts when none is parked).
type drainers struct{ work chan *call }

const drainerIdle = 10 * time.Second

func newDrainers() *drainers { return &drainers{work: make(chan *call)} }

// run drains c's mailbox on a parked drainer, or on a new one.
func (d *drainers) run(c *call) {
	select {
	case d.work <- c:
	default:
		go d.loop(c)
	}
}

func (d *drainers) loop(c *call) {
	idle := time.NewTimer(drainerIdle)
	defer idle.Stop()
	for {
		c.drain()
		idle.Reset(drainerIdle)
		select {
		case c = <-d.work:
		case <-idle.C:
			return
		}
	}
}
