package ivr

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
)

// Nobody to answer (app_queue's joinempty/leavewhenempty): a queue no
// signed-in agent serves is not joined, and its waiting callers leave it
// when the last agent signs out; the queue's when_unstaffed says what they
// are offered instead. Both count as EXITEMPTY (Data "join" or "leave") and
// in the queue's unstaffed counter.

// whenUnstaffed is the rule of the call's queue (config.UnstaffedCallback
// by default).
func (c *call) whenUnstaffed() string {
	if c.qcfg == nil || c.qcfg.WhenUnstaffed == "" {
		return config.UnstaffedCallback
	}
	return c.qcfg.WhenUnstaffed
}

// staffed reports whether a signed-in agent serves the call's queue (true
// when Redis cannot tell: the caller then waits as before).
func (c *call) staffed() bool {
	ctx, cancel := c.ctx()
	defer cancel()
	n, err := c.ctl.q.Staffed(ctx, c.queue)
	if err != nil {
		c.warn("staffed", err)
		return true
	}
	return n > 0
}

// joinEmpty: the caller asked for a queue nobody serves.
func (c *call) joinEmpty(rule string) {
	ctx, cancel := c.ctx()
	c.warn("count unstaffed", c.ctl.q.CountUnstaffed(ctx, c.queue, c.now()))
	cancel()
	c.event(hotline.EvExitEmpty, "", 0, 0, 0, "join")
	c.onUnstaffed(rule)
}

// leaveIfUnstaffed makes a waiting caller leave a queue nobody serves any
// more (reports whether they left).
func (c *call) leaveIfUnstaffed() bool {
	if c.st != stWaiting || c.kind != kindInbound || c.offer != nil {
		return false
	}
	rule := c.whenUnstaffed()
	if rule == config.UnstaffedWait || c.staffed() {
		return false
	}
	at := c.now()
	ctx, cancel := c.ctx()
	pos, _, _ := c.ctl.q.Position(ctx, c.queue, c.id)
	_, ok, err := c.ctl.q.Leave(ctx, c.queue, c.id, at, hotline.EvExitEmpty)
	cancel()
	if err != nil {
		c.warn("leave (unstaffed)", err)
	}
	if !ok {
		return false
	}
	c.inQueue = false
	c.rec.Wait = at.Sub(c.rec.Enqueued)
	c.event(hotline.EvExitEmpty, "", c.rec.Wait, 0, pos, "leave")
	c.stop(tAnnounce)
	c.stop(tMaxWait)
	c.stopPlayback()
	c.stopMOH()
	c.onUnstaffed(rule)
	return true
}

// onUnstaffed tells the caller nobody can answer now and applies the rule:
// a callback or a message (the default), a message, or another queue.
func (c *call) onUnstaffed(rule string) {
	c.path("unstaffed")
	if to, ok := strings.CutPrefix(rule, config.UnstaffedQueue); ok && c.unstaffedHops < 3 {
		c.unstaffedHops++
		c.play(func() {
			if c.st != stEnded && !c.gone {
				c.enterQueue(to)
			}
		}, config.PromptTransferDefault)
		return
	}
	c.rec.Disposition = hotline.DispTimeout // left by a rule (may become message or callback)
	if rule == config.UnstaffedMessage && !c.msgFailed {
		c.leaveMessage(config.PromptUnstaffedMessage)
		return
	}
	c.unstaffedMenu = true
	c.enter(stClosed)
}

// AgentsChanged is told (by the HTTP API) that the staffing of queues
// changed: an agent signed in, out, paused or became available. Callers of
// this controller waiting in one of them leave it at once when nobody
// serves it any more (leavewhenempty), and every other live controller is
// told the same through its command list (queue.Notify), so that its
// callers leave too without waiting for their next announcement. When Redis
// cannot take the notice, they find out at that announcement.
func (ctl *Controller) AgentsChanged(ctx context.Context, queues []string) {
	if ctl.stopped.Load() {
		return
	}
	ctl.staffingChanged(queues)
	body, err := json.Marshal(remoteCmd{Op: opStaffing, Queues: queues})
	if err != nil {
		ctl.log.Error("staffing notice", "err", err)
		return
	}
	nctx, cancel := context.WithTimeout(ctx, ctl.opt.CommandTimeout)
	defer cancel()
	if _, err := ctl.q.Notify(nctx, ctl.id, body); err != nil {
		ctl.log.Warn("staffing notice to the other controllers", "queues", queues, "err", err)
	}
}

// staffingChanged makes this controller's callers waiting in one of queues
// leave when nobody serves it any more.
func (ctl *Controller) staffingChanged(queues []string) {
	if ctl.stopped.Load() {
		return
	}
	in := make(map[string]bool, len(queues))
	for _, q := range queues {
		in[q] = true
	}
	ctl.mu.Lock()
	calls := make([]*call, 0, len(ctl.calls))
	for _, c := range ctl.calls {
		calls = append(calls, c)
	}
	ctl.mu.Unlock()
	for _, c := range calls {
		c := c
		release := ctl.clk.Hold()
		c.post(msg{fn: func() {
			if in[c.queue] {
				c.leaveIfUnstaffed()
			}
		}, release: release})
	}
}
