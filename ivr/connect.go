package ivr

import (
	"fmt"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/telephony"
)

// onMatch: the dispatch paired this caller with an agent.
func (c *call) onMatch(m queue.Match) {
	if !c.matchStands(m) {
		return
	}
	if c.st == stWaiting && c.offer == nil && !c.gone {
		c.ringAgent(m)
		return
	}
	// Not ours to take any more (hung up, left, already ringing): free the agent.
	c.log.Info("match for a call not waiting", "state", c.st)
	if c.rec.Callback && c.kind == kindInbound {
		// Asked for a callback and is still saying goodbye: call back now.
		c.ctl.mu.Lock()
		if c.ctl.calls[c.id] == c {
			delete(c.ctl.calls, c.id)
		}
		c.ctl.mu.Unlock()
		cb := c.ctl.newCallbackCall(m)
		release := c.ctl.clk.Hold()
		cb.post(msg{fn: func() { cb.startCallback(m) }, release: release})
		return
	}
	ctx, cancel := c.ctx()
	defer cancel()
	at := c.now()
	if _, _, err := c.ctl.q.Leave(ctx, m.Caller.Queue, m.Caller.CallID, at, hotline.EvAbandon); err != nil {
		c.warn("leave (stale match)", err)
	}
	c.warn("offer cancelled", c.ctl.q.OfferCancelled(ctx, m, at))
	c.ctl.dispatch(ctx, m.Caller.Queue)
}

// matchStands is false for a match that a rebuild voided while it was on
// its way: made before the controller's last rebuild cutoff, whose FreeStale
// may have freed the agent (and put the caller back in the queue) because
// this call did not know the match yet. Acting on it would ring an agent
// Redis has free for another caller. Such a match is confirmed in Redis
// first (one round trip, only for matches older than a rebuild); a void one
// is dropped, leaving the caller and the agent where the rebuild put them.
// When Redis cannot answer, the match is taken (the next rebuild finds the
// offer in this call's state).
func (c *call) matchStands(m queue.Match) bool {
	if m.At.UnixMicro() >= c.ctl.guard.cutoff.Load() {
		return true
	}
	ctx, cancel := c.ctx()
	ok, err := c.ctl.q.ConfirmMatch(ctx, m, c.now())
	cancel()
	if err != nil {
		c.warn("confirm match", err)
		return true
	}
	if !ok {
		c.log.Warn("match voided by a rebuild while on its way: dropped", "agent", m.Agent.ID)
	}
	return ok
}

// agentEndpoint is the endpoint dialled for an agent.
func (c *call) agentEndpoint(a queue.Match) string {
	if a.Agent.Endpoint != "" {
		return a.Agent.Endpoint
	}
	if ag := c.ctl.cfg.Agent(a.Agent.ID); ag != nil && ag.Endpoint != "" {
		return ag.Endpoint
	}
	return "PJSIP/" + a.Agent.ID
}

func (c *call) ringTimeout() time.Duration {
	if c.qcfg != nil && c.qcfg.RingTimeout > 0 {
		return c.qcfg.RingTimeout
	}
	return config.DefaultRingTimeout
}

// ringAgent originates the matched agent's endpoint; the caller keeps
// hearing music.
func (c *call) ringAgent(m queue.Match) { c.ringAgentAs(m, false) }

// ringAgentAs is ringAgent; direct: m is a named agent reserved by a
// transfer (transfer.go).
func (c *call) ringAgentAs(m queue.Match, direct bool) {
	at := c.now()
	o := &offer{m: m, ch: fmt.Sprintf("%s-a%d", c.id, len(c.rec.Offers)+1), at: at, idx: len(c.rec.Offers), direct: direct}
	c.rec.Offers = append(c.rec.Offers, hotline.AgentOffer{Agent: m.Agent.ID, At: at})
	c.offer = o
	c.ctl.bindChan(o.ch, c)
	c.to(stRinging)
	// "Connecting you to an officer" while the officer's phone rings (it
	// replaces what was playing; the bridge stops it when they answer), then
	// the music again.
	c.stopMOH()
	c.play(func() {
		if c.st == stRinging || c.st == stWaiting {
			c.startMOH()
		}
	}, config.PromptConnecting)
	ring := c.ringTimeout()
	c.after(tRing, ring, func() {
		if c.offer == o && !o.settled {
			c.offerFailed("no_answer", true, true)
		}
	})
	c.reacted()
	ctx, cancel := c.ctx()
	// The officer's phone shows the citizen's number (the hotline's name when withheld).
	cid := c.number
	if cid == "" {
		cid = c.ctl.cfg.Hotline.Name
	}
	err := c.sw().Originate(ctx, telephony.Originate{Endpoint: c.agentEndpoint(m), ChannelID: o.ch,
		AppArgs: "agent," + c.id, CallerID: cid, Timeout: ring + 5*time.Second,
		Variables: map[string]string{"HOTLINE_CALL": c.id, "HOTLINE_QUEUE": c.queue}})
	cancel()
	if err != nil && c.offer == o && !o.settled {
		c.log.Info("agent leg failed", "agent", m.Agent.ID, "err", err)
		c.offerFailed("failed", false, true)
	}
}

// offerFailed: the ringing agent did not answer (or the leg failed): the
// caller keeps their place, the agent is auto-paused, dispatch again.
func (c *call) offerFailed(outcome string, hangup, pause bool) {
	o := c.offer
	if o == nil || o.settled {
		return
	}
	o.settled = true
	c.stop(tRing)
	at := c.now()
	if hangup {
		c.hangup(o.ch, "no_answer")
	}
	c.rec.Offers[o.idx].Outcome = outcome
	c.rec.Offers[o.idx].Ring = at.Sub(o.at)
	c.offer = nil
	autoPause := pause && (c.qcfg == nil || c.qcfg.AutoPause)
	c.event(hotline.EvRingNoAnswer, o.m.Agent.ID, 0, 0, 0,
		fmt.Sprintf("%s ring_ms=%d", outcome, at.Sub(o.at).Milliseconds()))
	ctx, cancel := c.ctx()
	err := c.ctl.q.NoAnswer(ctx, o.m, at, autoPause)
	cancel()
	c.warn("no answer", err)
	if autoPause && err == nil {
		c.event(hotline.EvPause, o.m.Agent.ID, 0, 0, 0, "auto")
	}
	if c.gone {
		return
	}
	if o.direct {
		// The named agent did not take the transfer: the caller goes to the
		// call's queue rather than be lost.
		c.path("transfer_failed:" + outcome)
		c.enterQueue(c.queue)
		return
	}
	c.backToWaiting()
	ctx, cancel = c.ctx()
	c.ctl.dispatch(ctx, c.queue)
	cancel()
}

// agentAnswered: the agent leg entered Stasis: bridge it with the caller.
func (c *call) agentAnswered() {
	o := c.offer
	if o == nil || o.settled {
		return
	}
	o.settled = true
	c.stop(tRing)
	c.bridge = "br-" + c.id
	c.reacted()
	ctx, cancel := c.ctx()
	err := c.sw().CreateBridge(ctx, c.bridge, "mixing")
	cancel()
	if err != nil {
		c.warn("create bridge", err)
	}
	c.stopPlayback()
	c.stopMOH()
	ctx, cancel = c.ctx()
	err = c.sw().AddToBridge(ctx, c.bridge, c.ch, o.ch)
	cancel()
	if err != nil {
		c.warn("add to bridge", err)
	} else {
		c.observeSetup(o)
	}
	at := c.now()
	ctx, cancel = c.ctx()
	var wait time.Duration
	if o.direct {
		// A named agent taking a transfer: the caller was in no queue.
		err = c.ctl.q.ReservedAnswered(ctx, o.m.Agent.ID, c.queueCallID(), at)
		wait = c.rec.Wait
	} else {
		wait, err = c.ctl.q.Connected(ctx, o.m, at)
	}
	cancel()
	if err != nil {
		c.warn("connected", err)
		if !o.direct {
			wait = at.Sub(c.rec.Enqueued)
		}
	}
	c.offer = nil
	c.match = &o.m
	c.agentCh = o.ch
	c.inQueue = false
	c.rec.Answered = at
	c.rec.Agent = o.m.Agent.ID
	c.rec.Wait = wait
	c.rec.Offers[o.idx].Outcome = "answered"
	c.rec.Offers[o.idx].Ring = at.Sub(o.at)
	c.rec.Disposition = hotline.DispAnswered
	c.stop(tAnnounce)
	c.stop(tMaxWait)
	data := fmt.Sprintf("ring_ms=%d", at.Sub(o.at).Milliseconds())
	if o.direct {
		data = "transfer " + data
	}
	c.event(hotline.EvConnect, o.m.Agent.ID, wait, 0, 0, data)
	if c.cbOf != "" {
		c.event(hotline.EvCallbackDone, o.m.Agent.ID, wait, 0, 0, "")
	}
	c.to(stTalking)
}

// observeSetup tells the adaptive limit how long this caller's setup took:
// from the key that put them in the queue with an agent free to the bridge
// (wall time), less the agent's own ringing (Dial RINGING to the answer)
// when Asterisk reported it. Calls that waited for an agent give none.
func (c *call) observeSetup(o *offer) {
	from := c.setupFrom
	c.setupFrom = time.Time{}
	a := c.ctl.opt.Adaptive
	if a == nil || from.IsZero() || len(c.rec.Offers) != 1 {
		return
	}
	d := time.Since(from)
	if !o.ringingAt.IsZero() && !c.evAt.IsZero() {
		d -= c.evAt.Sub(o.ringingAt)
	}
	a.ObserveSetup(c.now(), c.rec.Arrived, max(d, 0))
}

func (c *call) wrapUp() time.Duration {
	if c.qcfg != nil {
		return c.qcfg.WrapUp
	}
	return config.DefaultWrapUp
}

// release ends the agent's part: wrap-up, then a dispatch of their queues.
func (c *call) releaseAgent(at time.Time) {
	if c.match == nil {
		return
	}
	m := c.match
	c.match = nil
	wrap := c.wrapUp()
	ctx, cancel := c.ctx()
	c.warn("release", c.ctl.q.Release(ctx, m.Agent.ID, at, wrap))
	cancel()
	skills := m.Agent.Skills
	if len(skills) == 0 {
		skills = []string{c.queue}
	}
	// WRAPUPEND when the wrap-up ends (AHT = talk + hold + wrap-up).
	wrapEnd := hotline.QueueEvent{CallID: c.queueCallID(), Queue: c.queue, Agent: m.Agent.ID, Type: hotline.EvWrapupEnd}
	c.ctl.agentFree(skills, wrap, func(at time.Time) {
		wrapEnd.Time = at
		c.ctl.w.Events(wrapEnd)
	})
}

func (c *call) destroyBridge() {
	if c.bridge == "" {
		return
	}
	ctx, cancel := c.ctx()
	c.warn("destroy bridge", c.sw().DestroyBridge(ctx, c.bridge))
	cancel()
	c.bridge, c.aside = "", false
}

// agentGone: the officer hung up during the call.
func (c *call) agentGone() {
	if c.st == stConsult {
		// The first agent hung up while consulting: the consultation ends
		// with them and the caller is no longer on hold.
		c.dropConsult("first_agent_gone")
		c.to(stTalking)
	}
	if c.st != stTalking {
		return
	}
	c.endHold("hangup") // the caller stays out of the bridge, which goes
	at := c.now()
	c.agentCh = ""
	c.rec.Talk = at.Sub(c.rec.Answered)
	c.rec.HungUpBy = "agent"
	agent := ""
	if c.match != nil {
		agent = c.match.Agent.ID
	}
	c.event(hotline.EvCompleteAgent, agent, c.rec.Wait, c.rec.Talk, 0, "")
	c.releaseAgent(at)
	if c.bridge != "" {
		c.reacted()
		if !c.aside {
			ctx, cancel := c.ctx()
			c.warn("remove from bridge", c.sw().RemoveFromBridge(ctx, c.bridge, c.ch))
			cancel()
		}
		c.destroyBridge()
	}
	if c.wantsSurvey() {
		c.enter(stSurvey)
		return
	}
	c.closing(config.PromptGoodbye)
}

// callerGone: the caller's channel hung up (or left Stasis).
func (c *call) callerGone() {
	if c.gone {
		return
	}
	c.gone = true
	at := c.now()
	if o := c.offer; o != nil && o.direct && !o.settled {
		// A named agent ringing for a transferred caller: the call was
		// answered (by the first agent); the reserved agent is freed.
		o.settled = true
		c.stop(tRing)
		c.hangup(o.ch, "normal")
		c.rec.Offers[o.idx].Outcome = "caller_gone"
		c.rec.Offers[o.idx].Ring = at.Sub(o.at)
		ctx, cancel := c.ctx()
		c.warn("offer cancelled", c.ctl.q.OfferCancelled(ctx, o.m, at))
		cancel()
		c.offer = nil
		c.rec.HungUpBy = "caller"
		c.finish()
		return
	}
	switch c.st {
	case stWaiting, stRinging, stCallbackHello:
		if o := c.offer; o != nil && !o.settled {
			o.settled = true
			c.stop(tRing)
			c.hangup(o.ch, "normal")
			c.rec.Offers[o.idx].Outcome = "caller_gone"
			c.rec.Offers[o.idx].Ring = at.Sub(o.at)
		}
		ctx, cancel := c.ctx()
		pos, _, _ := c.ctl.q.Position(ctx, c.queue, c.queueCallID())
		why := hotline.EvAbandon
		if c.kind == kindCallback {
			why = hotline.EvCallbackRequest
		}
		_, _, err := c.ctl.q.Leave(ctx, c.queue, c.queueCallID(), at, why)
		cancel()
		c.warn("leave", err)
		var m *queue.Match
		if c.offer != nil {
			m = &c.offer.m
		} else if c.st == stCallbackHello && c.cbMatch != nil {
			m = c.cbMatch
		}
		if m != nil {
			ctx, cancel := c.ctx()
			c.warn("offer cancelled", c.ctl.q.OfferCancelled(ctx, *m, at))
			c.ctl.dispatch(ctx, c.queue)
			cancel()
			c.offer = nil
		}
		c.inQueue = false
		wait := at.Sub(c.rec.Enqueued)
		c.rec.Wait = wait
		if c.kind == kindCallback {
			c.rec.Disposition = hotline.DispFailed
		} else {
			c.rec.Disposition = hotline.DispAbandoned
			data := ""
			if wait < c.ctl.cfg.ShortAbandon() {
				data = "short"
			}
			c.event(hotline.EvAbandon, "", wait, 0, pos, data)
		}
	case stTalking, stConsult:
		data := ""
		if c.consult != nil {
			// Hung up on hold during a consultation: it ends too.
			c.dropConsult("caller_gone")
			data = "consult"
		}
		c.rec.Talk = at.Sub(c.rec.Answered)
		c.rec.HungUpBy = "caller"
		agent := ""
		if c.match != nil {
			agent = c.match.Agent.ID
		}
		c.event(hotline.EvCompleteCaller, agent, c.rec.Wait, c.rec.Talk, 0, data)
		if c.agentCh != "" {
			c.hangup(c.agentCh, "normal")
			c.agentCh = ""
		}
		c.releaseAgent(at)
		c.destroyBridge()
	case stRecording:
		// The recording ends with the channel: wait briefly for RecordingFinished.
		if c.recName != "" {
			c.after(tGrace, 5*time.Second, c.finish)
			return
		}
	}
	if c.rec.HungUpBy == "" {
		c.rec.HungUpBy = "caller"
	}
	c.finish()
}

// ---- callbacks ----

// newCallbackCall registers the outbound leg calling a citizen back.
func (ctl *Controller) newCallbackCall(m queue.Match) *call {
	id := "cb-" + m.Caller.CallID
	ctl.mu.Lock()
	if ctl.calls[id] != nil {
		id = ctl.newID(id + "-")
	}
	ctl.mu.Unlock()
	c := ctl.newCall(id, kindCallback)
	c.id = id // the callback leg's channel id is its call id
	ctl.mu.Lock()
	if ctl.calls[ctl.opt.CallIDPrefix+id] == c {
		delete(ctl.calls, ctl.opt.CallIDPrefix+id)
	}
	ctl.calls[id] = c
	ctl.mu.Unlock()
	c.log = ctl.log.With("call", id)
	c.cbOf = m.Caller.CallID
	c.number = m.Caller.Callback
	c.rec = hotline.CallRecord{ID: id, Node: ctl.sw.Node(), Caller: m.Caller.Callback, Dialled: "callback",
		Language: m.Caller.Language, Arrived: ctl.clk.Now(), Enqueued: m.Caller.Enqueued, Callback: true}
	c.setQueue(m.Caller.Queue)
	c.path("callback:" + m.Caller.CallID)
	return c
}

// startCallback calls the citizen back for match m.
func (c *call) startCallback(m queue.Match) {
	c.cbMatch = &m
	c.to(stCallbackDial)
	c.after(tRing, c.ctl.opt.CallbackRing+2*time.Second, func() {
		if c.st == stCallbackDial {
			c.hangup(c.ch, "no_answer")
			c.callbackFailed("no_answer")
		}
	})
	c.reacted()
	ctx, cancel := c.ctx()
	err := c.sw().Originate(ctx, telephony.Originate{Endpoint: c.ctl.opt.CallbackEndpoint(c.number), ChannelID: c.ch,
		AppArgs: "callback," + c.id, CallerID: c.ctl.cfg.Hotline.Name, Timeout: c.ctl.opt.CallbackRing})
	cancel()
	if err != nil && c.st == stCallbackDial {
		// The error names the endpoint, i.e. the citizen's number: never log it.
		c.log.Info("callback originate failed", "gone", isGone(err))
		c.callbackFailed("failed")
	}
}

// callbackAnswered: the citizen picked up: announce, then ring the agent.
func (c *call) callbackAnswered() {
	c.stop(tRing)
	c.to(stCallbackHello)
	if c.rec.Language != "" {
		c.setLanguage(c.rec.Language)
	}
	c.play(func() {
		if c.st == stCallbackHello && c.cbMatch != nil {
			m := *c.cbMatch
			c.cbMatch = nil
			c.inQueue = true
			c.ringAgent(m)
		}
	}, config.PromptCallbackAnnounce)
}

// callbackFailed: the citizen could not be reached; the agent is freed.
func (c *call) callbackFailed(outcome string) {
	if c.st == stEnded {
		return
	}
	c.stop(tRing)
	at := c.now()
	c.gone = true
	ctx, cancel := c.ctx()
	if _, _, err := c.ctl.q.Leave(ctx, c.queue, c.cbOf, at, hotline.EvCallbackRequest); err != nil {
		c.warn("leave (callback failed)", err)
	}
	if c.cbMatch != nil {
		c.warn("offer cancelled", c.ctl.q.OfferCancelled(ctx, *c.cbMatch, at))
		c.ctl.dispatch(ctx, c.queue)
	}
	cancel()
	c.rec.Disposition = hotline.DispFailed
	c.rec.HungUpBy = "system"
	c.path("callback_failed:" + outcome)
	c.event(hotline.EvCallbackFailed, "", 0, 0, 0, outcome)
	c.finish()
}
