package ivr

import (
	"errors"
	"fmt"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
)

func (c *call) setQueue(q string) {
	cfg := c.ctl.cfg
	qc := cfg.Queue(q)
	if qc == nil {
		q = cfg.Hotline.DefaultQueue
		qc = cfg.Queue(q)
	}
	c.queue, c.qcfg = q, qc
	c.rec.Queue = q
	if qc != nil && qc.Department != "" {
		if c.rec.Department == "" || c.dept == nil || c.dept.ID != qc.Department {
			c.rec.Department = qc.Department
		}
		if c.dept == nil {
			c.dept = cfg.Department(qc.Department)
		}
	}
}

// enterQueue puts the caller in queue q (or, when q is closed now, plays the
// hours and the after-hours options).
func (c *call) enterQueue(q string) {
	keyAt := c.evAt
	c.stop(tInput)
	c.setQueue(q)
	now := c.now()
	if open, _ := c.ctl.cfg.QueueOpen(c.queue, now); !open {
		c.closedHours()
		return
	}
	rule := c.whenUnstaffed()
	c.stopPlayback()
	at := c.now()
	prio := 0
	if c.qcfg != nil {
		prio = c.qcfg.Priority
	}
	// One round trip: queued only when someone serves the queue (unless
	// the queue's rule is to wait anyway), then the queue's dispatch.
	ctx, cancel := c.ctx()
	pos, matched, own, err := c.ctl.q.EnqueueDispatchHere(ctx, queue.Caller{CallID: c.id, Queue: c.queue, Priority: prio, Enqueued: at,
		Owner: c.ctl.id, Language: c.rec.Language}, rule != config.UnstaffedWait)
	cancel()
	if errors.Is(err, queue.ErrUnstaffed) {
		c.joinEmpty(rule)
		return
	}
	// The music starts as the caller joins: the wait counts from there.
	c.startMOH()
	c.rec.Enqueued = at
	if err != nil && queue.Unavailable(err) {
		// Redis is unreachable: the caller holds (music, announcements) and is
		// queued, with this entry time, as soon as Redis is back.
		c.log.Warn("redis unreachable: caller held until it is back", "err", err)
		c.pending = true
		c.path("queue:" + c.queue)
		c.event(hotline.EvEnterQueue, "", 0, 0, 0, "redis_unavailable")
		c.to(stWaiting)
		c.armWaitTimers()
		return
	}
	if err != nil {
		c.warn("enqueue", err)
		c.rec.Disposition = hotline.DispFailed
		c.closing(config.PromptSystemError)
		return
	}
	c.inQueue = true
	c.path("queue:" + c.queue)
	c.event(hotline.EvEnterQueue, "", 0, 0, pos, "")
	c.to(stWaiting)
	c.armWaitTimers()
	if matched {
		c.setupFrom = keyAt
	} else {
		c.queueEntry()
	}
	if own != nil {
		// Matched at once: the agent is rung from here, not after a round
		// trip through this controller's inbox.
		c.onMatch(*own)
	}
}

// queueEntry tells a caller who joined a queue and was not matched at once
// that the officers are busy (queue_entry), then the music resumes. The
// music started first, at the moment of joining (the caller's wait counts
// from there).
func (c *call) queueEntry() {
	if c.st != stWaiting || c.pb != "" {
		return
	}
	c.stopMOH()
	c.play(func() {
		if c.st == stWaiting || c.st == stRinging {
			c.startMOH()
		}
	}, config.PromptQueueEntry)
}

// armWaitTimers (re)starts the announcement and max-wait timers.
func (c *call) armWaitTimers() {
	every := config.DefaultAnnounceEvery
	if c.qcfg != nil && c.qcfg.AnnounceEvery > 0 {
		every = c.qcfg.AnnounceEvery
	}
	if c.timers[tAnnounce] == nil {
		c.after(tAnnounce, every, c.announce)
	}
	if c.qcfg != nil && c.qcfg.MaxWait > 0 && c.timers[tMaxWait] == nil && c.kind == kindInbound {
		left := c.qcfg.MaxWait - c.now().Sub(c.rec.Enqueued)
		c.after(tMaxWait, max(left, 0), c.maxWait)
	}
}

// backToWaiting returns a caller to the queue's music after an offer ended.
func (c *call) backToWaiting() {
	c.to(stWaiting)
	if c.pb == "" && !c.mohOn {
		c.startMOH()
	}
	c.armWaitTimers()
}

func (c *call) callbackAllowed() bool {
	return c.qcfg != nil && c.qcfg.Callback && c.number != "" && c.kind == kindInbound
}

// announce tells the caller their position and estimated wait, offering a
// callback where the queue allows it, then restarts the music.
func (c *call) announce() {
	if c.st != stWaiting {
		return
	}
	every := config.DefaultAnnounceEvery
	if c.qcfg != nil && c.qcfg.AnnounceEvery > 0 {
		every = c.qcfg.AnnounceEvery
	}
	if c.pending && !c.retryEnqueue() {
		c.after(tAnnounce, every, c.announce)
		return
	}
	if c.leaveIfUnstaffed() {
		return
	}
	ctx, cancel := c.ctx()
	// A safety net: a dispatch missed (an agent's wrap-up ended on a
	// controller that stopped meanwhile) is caught up at every announcement.
	c.ctl.dispatch(ctx, c.queue)
	pos, _, err := c.ctl.q.Position(ctx, c.queue, c.queueCallID())
	cancel()
	if err != nil || pos <= 0 {
		if err != nil {
			c.warn("position", err)
		}
		c.after(tAnnounce, every, c.announce)
		return
	}
	ctx, cancel = c.ctx()
	ewt, err := c.ctl.q.EstimatedWait(ctx, c.queue, pos, c.now())
	cancel()
	if err != nil {
		c.warn("estimated wait", err)
	}
	keys := []string{config.PromptPosition, fmt.Sprintf("number:%d", pos)}
	if ewt < time.Minute {
		keys = append(keys, config.PromptEWTShort)
	} else {
		mins := int((ewt + time.Minute - 1) / time.Minute)
		keys = append(keys, config.PromptEWT, fmt.Sprintf("number:%d", mins), config.PromptMinutes)
	}
	if c.callbackAllowed() {
		keys = append(keys, config.PromptCallbackOffer)
	}
	if c.ctl.cfg.Survey.On && !c.wantsSurvey() && !c.surveySet {
		keys = append(keys, config.PromptSurveyOffer)
	}
	if c.qcfg != nil && c.qcfg.SMSInfoKey != "" && c.ctl.opt.Tickets != nil && c.number != "" {
		if _, ok := c.ctl.cfg.PromptEntry(c.rec.Language, PromptSMSInfoOffer); ok {
			keys = append(keys, PromptSMSInfoOffer, "digits:"+c.qcfg.SMSInfoKey)
		}
	}
	c.stopMOH()
	c.play(func() {
		if c.st == stWaiting || c.st == stRinging {
			c.startMOH()
		}
	}, keys...)
	c.after(tAnnounce, every, c.announce)
}

// requestCallback: the caller keeps their place and hangs up; the hotline
// calls them back when their turn comes.
func (c *call) requestCallback() {
	at := c.now()
	ctx, cancel := c.ctx()
	err := c.ctl.q.RequestCallback(ctx, c.queue, c.id, c.number, at)
	cancel()
	if err != nil {
		c.warn("request callback", err)
		return
	}
	c.inQueue = false // keeps the place: never Leave on hang-up
	c.rec.Callback = true
	c.rec.Disposition = hotline.DispCallback
	c.rec.Wait = at.Sub(c.rec.Enqueued)
	c.path("callback")
	c.event(hotline.EvCallbackRequest, "", c.rec.Wait, 0, 0, "")
	c.stopPlayback()
	c.closing(config.PromptCallbackConfirmed)
}

// maxWait: the caller waited max_wait; they leave the queue and are offered a
// callback request or a recorded message.
func (c *call) maxWait() {
	if c.st != stWaiting {
		return
	}
	at := c.now()
	ctx, cancel := c.ctx()
	pos, _, _ := c.ctl.q.Position(ctx, c.queue, c.id)
	_, ok, err := c.ctl.q.Leave(ctx, c.queue, c.id, at, hotline.EvExitWithTimeout)
	cancel()
	if err != nil {
		c.warn("leave (max wait)", err)
	}
	// Not queued (Redis was down when the caller came, or lost them), or
	// Redis unreachable now: the caller is not left waiting for nobody.
	if !ok && !c.pending && !queue.Unavailable(err) {
		return
	}
	c.pending = false
	c.inQueue = false
	c.rec.Wait = at.Sub(c.rec.Enqueued)
	c.rec.Disposition = hotline.DispTimeout
	c.event(hotline.EvExitWithTimeout, "", c.rec.Wait, 0, pos, "max_wait")
	c.stop(tAnnounce)
	c.stopPlayback()
	c.stopMOH()
	c.enter(stMaxWait)
}
