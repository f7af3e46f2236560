package ivr

import (
	"encoding/json"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/queue"
	"strings"
	"time"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/telephony"
)

// readopt runs on every (re)connection of the event WebSocket: events of the
// gap are lost, so the controller lists what is in Stasis and brings its
// calls back in step: calls it tracks whose channels vanished are ended,
// calls saved in Redis (by a previous controller with this id) are
// re-adopted, and channels nobody knows are hung up (or, inbound and not
// answered, taken as new calls).
func (ctl *Controller) readopt(ev telephony.Event) {
	defer done(ev)
	defer ctl.once1.Do(func() { close(ctl.adopt1) })
	ctx, cancel := ctl.cmdCtx()
	defer cancel()
	chans, err := ctl.sw.Channels(ctx)
	if err != nil {
		ctl.log.Error("re-adoption: list channels", "err", err)
		return
	}
	saved, err := ctl.q.Calls(ctx, ctl.id)
	if err != nil {
		ctl.log.Error("re-adoption: saved calls", "err", err)
		saved = nil
	}
	byID := make(map[string]telephony.Channel, len(chans))
	for _, ch := range chans {
		byID[ch.ID] = ch
	}
	claimed := map[string]bool{}

	// Calls tracked here: did their channels vanish during the gap?
	ctl.mu.Lock()
	tracked := make([]*call, 0, len(ctl.calls))
	for _, c := range ctl.calls {
		tracked = append(tracked, c)
	}
	for ch := range ctl.chans {
		claimed[ch] = true
	}
	ctl.mu.Unlock()
	for _, c := range tracked {
		c := c
		release := ctl.clk.Hold()
		c.post(msg{fn: func() { c.checkChannels(byID) }, release: release})
	}

	// Calls saved by a previous controller with this id.
	adopted, lost := 0, 0
	for id, data := range saved {
		ctl.mu.Lock()
		known := ctl.calls[id] != nil
		ctl.mu.Unlock()
		if known {
			continue
		}
		var s savedCall
		if err := json.Unmarshal(data, &s); err != nil {
			ctl.log.Error("re-adoption: decode saved call", "call", id, "err", err)
			continue
		}
		c := ctl.restore(s)
		claimed[s.Channel] = true
		if s.AgentChan != "" {
			claimed[s.AgentChan] = true
		}
		if s.Offer != nil {
			claimed[s.Offer.Channel] = true
		}
		release := ctl.clk.Hold()
		if _, present := byID[s.Channel]; !present && c.st != stCallbackDial {
			// The caller's channel is gone (Asterisk restarted meanwhile):
			// not adopted, closed as ended by a system failure.
			c.post(msg{fn: c.lost, release: release})
			lost++
			continue
		}
		c.post(msg{fn: func() { c.resume(byID) }, release: release})
		adopted++
	}

	// Channels nobody knows.
	newCalls, hungUp := 0, 0
	for _, ch := range chans {
		if claimed[ch.ID] || strings.HasPrefix(ch.Name, "Snoop/") {
			continue
		}
		// ARI's channel model has no Stasis args: an unknown channel not yet
		// answered is a new inbound call (agent and callback legs enter
		// Stasis only once answered).
		inbound := ch.State != "Up"
		if len(ch.Args) > 0 {
			inbound = inbound && ch.Args[0] == "inbound"
		}
		if inbound {
			did := ch.Dialled
			if len(ch.Args) > 1 {
				did = ch.Args[1]
			}
			c := ctl.newCall(ch.ID, kindInbound)
			ch := ch
			release := ctl.clk.Hold()
			c.post(msg{fn: func() { c.start(ch, did) }, release: release})
			newCalls++
			continue
		}
		hctx, hcancel := ctl.cmdCtx()
		if err := ctl.sw.Hangup(hctx, ch.ID, "normal"); err != nil && !isGone(err) {
			ctl.log.Warn("re-adoption: hang up unknown channel", "channel", ch.ID, "err", err)
		}
		hcancel()
		hungUp++
	}
	if adopted+lost+newCalls+hungUp > 0 {
		ctl.log.Info("re-adoption", "channels", len(chans), "adopted", adopted, "lost", lost, "new", newCalls, "hung_up", hungUp)
	}
}

// checkChannels ends what vanished while the WebSocket was down.
func (c *call) checkChannels(byID map[string]telephony.Channel) {
	if c.st == stEnded || c.st == stNew || c.st == stCallbackDial {
		return
	}
	if _, ok := byID[c.ch]; !ok {
		c.callerGone()
		return
	}
	switch {
	case c.st == stTalking && c.agentCh != "":
		if _, ok := byID[c.agentCh]; !ok {
			c.agentGone()
		}
	case c.st == stConsult && c.consult != nil:
		if _, ok := byID[c.agentCh]; !ok || c.agentCh == "" {
			c.agentGone()
		} else if ch, ok := byID[c.consult.ch]; !ok {
			c.consultLegGone("lost")
		} else if ch.State == "Up" && !c.consult.answered {
			c.consultAnswered() // its StasisStart may have been lost in the gap
		}
	case c.st == stRinging && c.offer != nil && !c.offer.settled:
		// The agent's StasisStart may have been lost in the gap.
		if ch, ok := byID[c.offer.ch]; ok && ch.State == "Up" {
			c.agentAnswered()
		}
	case isMenu(c.st) || c.st == stInfo:
		// A PlaybackFinished or a key may have been lost: prompt again.
		c.stopPlayback()
		if c.st == stInfo {
			c.enter(stDeptMenu)
		} else {
			c.ask(c.st)
		}
	case c.st == stWaiting && c.pb == "":
		c.startMOH() // idempotent on Asterisk
	}
}

// lost closes a saved call whose caller channel no longer exists (an
// Asterisk restart ended it while no controller watched): it leaves the
// queue (counted as nothing but its wait), a ringing agent is freed, a
// connected agent released, the agent leg hung up if it survived, and the
// record says failed, hung up by the system.
func (c *call) lost() {
	c.log.Info("call lost with its channel: closed as a system failure", "state", c.st)
	at := c.now()
	c.gone = true
	if c.pb != "" {
		c.pb = "" // gone with the channel
	}
	ctx, cancel := c.ctx()
	if c.inQueue || c.st == stWaiting || c.st == stRinging || c.st == stCallbackHello {
		_, _, err := c.ctl.q.Leave(ctx, c.queue, c.queueCallID(), at, queue.LeaveLost)
		c.warn("leave (lost)", err)
		c.inQueue = false
	}
	if o := c.offer; o != nil && !o.settled {
		o.settled = true
		c.rec.Offers[o.idx].Outcome = "lost"
		c.rec.Offers[o.idx].Ring = at.Sub(o.at)
		c.warn("offer cancelled (lost)", c.ctl.q.OfferCancelled(ctx, o.m, at))
		c.offer = nil
		c.ctl.dispatch(ctx, c.queue)
	}
	if c.st == stCallbackHello && c.cbMatch != nil {
		c.warn("offer cancelled (lost)", c.ctl.q.OfferCancelled(ctx, *c.cbMatch, at))
		c.cbMatch = nil
		c.ctl.dispatch(ctx, c.queue)
	}
	cancel()
	if c.agentCh != "" {
		c.hangup(c.agentCh, "normal")
		c.agentCh = ""
	}
	c.rec.Disposition = hotline.DispFailed
	c.rec.HungUpBy = "system"
	c.path("lost")
	c.finish()
}

// restore rebuilds a call from its saved state (the actor then resumes it).
func (ctl *Controller) restore(s savedCall) *call {
	c := &call{ctl: ctl, id: s.ID, ch: s.Channel, kind: s.Kind, timers: map[timerKind]*ctimer{}}
	c.log = ctl.log.With("call", c.id)
	c.st = parseState(s.State)
	c.cbOf = s.CbOf
	c.number = s.Number
	c.inQueue = s.InQueue
	c.heard = s.Heard
	if s.Survey != nil {
		c.surveyOpt, c.surveySet = *s.Survey, true
	}
	c.rec = s.Record
	c.match = s.Match
	c.cbMatch = s.CbMatch
	c.agentCh = s.AgentChan
	c.bridge = s.Bridge
	c.recName = s.RecName
	if s.Dept != "" {
		c.dept = ctl.cfg.Department(s.Dept)
	}
	if s.Queue != "" {
		c.queue = s.Queue
		c.qcfg = ctl.cfg.Queue(s.Queue)
	}
	if s.Offer != nil {
		c.offer = &offer{m: s.Offer.Match, ch: s.Offer.Channel, at: time.UnixMicro(s.Offer.At).UTC(), idx: s.Offer.Idx,
			direct: s.Offer.Direct}
	}
	c.pb = s.Playback // stopped on resume
	ctl.mu.Lock()
	ctl.calls[c.id] = c
	ctl.bindChanLocked(c.ch, c)
	if c.agentCh != "" {
		ctl.bindChanLocked(c.agentCh, c)
	}
	if k := s.Consult; k != nil {
		// Answered or not, it ends at resume (the leg's events of the gap are lost).
		c.consult = &consult{m: k.Match, ch: k.Channel, at: time.UnixMicro(k.At).UTC(), idx: k.Idx, target: k.Target,
			from: k.From, bridge: k.Bridge, answered: k.Bridge != ""}
		ctl.bindChanLocked(k.Channel, c)
	}
	if c.offer != nil {
		ctl.bindChanLocked(c.offer.ch, c)
	}
	if c.recName != "" {
		ctl.bindRecLocked(c.recName, c)
	}
	ctl.mu.Unlock()
	ctl.stats[catOf(c.st)].Add(1)
	return c
}

// resume picks a re-adopted call up where it was: queued callers keep their
// place (music and announcements restart), bridged calls stay up, callers in
// a menu hear it again.
func (c *call) resume(byID map[string]telephony.Channel) {
	c.log.Info("re-adopting call", "state", c.st)
	if c.pb != "" {
		id := c.pb
		c.pb = ""
		ctx, cancel := c.ctx()
		_ = c.sw().StopPlayback(ctx, id)
		cancel()
	}
	_, present := byID[c.ch]
	if !present && c.st != stCallbackDial {
		c.callerGone()
		return
	}
	switch c.st {
	case stNew:
		c.start(byID[c.ch], c.rec.Dialled)
	case stLanguage, stMainMenu, stDeptMenu, stTicket, stClosed, stMaxWait, stSurvey:
		c.enter(c.st)
	case stInfo:
		c.enter(stDeptMenu)
	case stRecording:
		if c.recName != "" {
			c.after(tGrace, MaxMessage+30*time.Second, func() {
				c.recName = ""
				c.closing(config.PromptGoodbye)
			})
			return
		}
		c.leaveMessage()
	case stWaiting:
		c.startMOH()
		c.armWaitTimers()
		ctx, cancel := c.ctx()
		c.ctl.dispatch(ctx, c.queue)
		cancel()
	case stRinging:
		o := c.offer
		if o == nil {
			c.backToWaiting()
			return
		}
		if ch, ok := byID[o.ch]; ok && ch.State == "Up" {
			c.agentAnswered()
			return
		}
		c.hangup(o.ch, "normal")
		c.offerFailed("lost", false, false)
	case stTalking:
		if c.bridge != "" && byID[c.ch].BridgeID != c.bridge {
			// Out of the agent's bridge: the caller is on hold (hold.go);
			// the music is started again in case the hold was cut short.
			c.held, c.aside = true, true
			ctx, cancel := c.ctx()
			c.warn("start moh", c.sw().StartMOH(ctx, c.ch, c.ctl.opt.MOHClass))
			cancel()
		}
		if _, ok := byID[c.agentCh]; !ok || c.agentCh == "" {
			c.agentGone()
		}
	case stConsult:
		// A consultation does not survive a restart: it ends, the consulted
		// agent is freed and the caller is back with the first agent.
		c.held, c.mohOn = true, false // it was on hold
		c.aside = c.bridge != "" && byID[c.ch].BridgeID != c.bridge
		c.dropConsult("lost")
		c.unhold("consult_lost")
		c.to(stTalking)
		if _, ok := byID[c.agentCh]; !ok || c.agentCh == "" {
			c.agentGone()
			return
		}
		c.rejoin()
	case stClosing:
		if c.rec.HungUpBy == "" {
			c.rec.HungUpBy = "system"
		}
		c.hangup(c.ch, "normal")
		c.finish()
	case stCallbackDial:
		if ch, ok := byID[c.ch]; ok && ch.State == "Up" {
			c.callbackAnswered()
			return
		}
		c.hangup(c.ch, "normal")
		c.callbackFailed("lost")
	case stCallbackHello:
		if c.cbMatch != nil {
			m := *c.cbMatch
			c.cbMatch = nil
			c.inQueue = true
			c.ringAgent(m)
		}
	}
}
