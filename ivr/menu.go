package ivr

import (
	"time"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/telephony"
)

// onEvent is the call's reaction to one telephony event.
func (c *call) onEvent(ev telephony.Event) {
	if c.st == stEnded {
		return
	}
	ch := ev.Channel.ID
	switch ev.Type {
	case telephony.StasisStart:
		switch {
		case ch == c.ch && c.st == stNew && c.kind == kindInbound:
			did := ""
			args := ev.Args
			if len(args) == 0 {
				args = ev.Channel.Args
			}
			if len(args) > 1 {
				did = args[1]
			}
			c.start(ev.Channel, did)
		case ch == c.ch && c.st == stCallbackDial:
			c.callbackAnswered()
		case c.offer != nil && ch == c.offer.ch:
			c.agentAnswered()
		case c.consult != nil && ch == c.consult.ch:
			c.consultAnswered()
		case ch != c.ch:
			// A leg for an offer that is over: not wanted any more.
			c.hangup(ch, "normal")
		}
	case telephony.PlaybackFinished:
		c.playbackDone(ev.PlaybackID)
	case telephony.ChannelDtmf:
		if ch == c.ch {
			c.onDigit(ev.Digit)
		}
	case telephony.ChannelHangup, telephony.StasisEnd, telephony.ChannelDestroyed:
		switch {
		case ch == c.ch:
			if c.kind == kindCallback && c.st == stCallbackDial {
				c.callbackFailed(outcomeOfCause(ev.Cause))
				return
			}
			c.callerGone()
		case c.offer != nil && ch == c.offer.ch:
			c.offerFailed(outcomeOfCause(ev.Cause), false, true)
		case c.consult != nil && ch == c.consult.ch:
			c.consultLegGone(outcomeOfCause(ev.Cause))
		case ch == c.agentCh && ch != "":
			c.agentGone()
		}
	case telephony.Dial:
		st := ev.DialStatus
		if st == "RINGING" && c.offer != nil && ch == c.offer.ch && c.offer.ringingAt.IsZero() {
			c.offer.ringingAt = c.evAt
		}
		if st == "" || st == "RINGING" || st == "PROGRESS" || st == "ANSWER" {
			return
		}
		switch {
		case c.offer != nil && ch == c.offer.ch:
			c.offerFailed(outcomeOfDial(st), true, true)
		case c.consult != nil && ch == c.consult.ch:
			c.consultFailed(outcomeOfDial(st), true)
		case ch == c.ch && c.st == stCallbackDial:
			c.hangup(c.ch, "normal")
			c.callbackFailed(outcomeOfDial(st))
		}
	case telephony.RecordingStarted:
		if ev.Recording == c.recName && c.recName != "" {
			c.recStarted = ev.Time
		}
	case telephony.RecordingFinished, telephony.RecordingFailed:
		c.recordingDone(ev)
	}
}

func outcomeOfDial(status string) string {
	switch status {
	case "BUSY":
		return "rejected"
	case "NOANSWER", "CANCEL":
		return "no_answer"
	}
	return "failed"
}

func outcomeOfCause(cause int) string {
	switch cause {
	case 18, 19:
		return "no_answer"
	case 17, 21:
		return "rejected"
	case 16:
		return "rejected" // cleared normally by the far end before answering
	}
	return "failed"
}

// start answers a new inbound call and plays the greeting and first menu.
func (c *call) start(ch telephony.Channel, did string) {
	cfg := c.ctl.cfg
	c.number = ch.Caller
	c.chanLang = ch.Language
	c.rec.ID = c.id
	c.rec.Node = c.ctl.sw.Node()
	c.rec.Caller = ch.Caller
	c.rec.Dialled = did
	c.rec.Arrived = c.now()
	if err := c.answer(); err != nil {
		c.warn("answer", err)
		if isGone(err) {
			c.callerGone()
			return
		}
	}
	if d := cfg.DepartmentForNumber(did); d != nil {
		c.dept = d
		c.rec.Department = d.ID
		c.path("did:" + d.ID)
	}
	if len(cfg.Languages) > 1 {
		c.enter(stLanguage, config.PromptGreeting)
		return
	}
	c.setLanguage(cfg.DefaultLanguage())
	c.afterLanguage(config.PromptGreeting)
}

// lineClosed reports whether no queue of the hotline is open now.
func (c *call) lineClosed() bool {
	now := c.now()
	for i := range c.ctl.cfg.Queues {
		if open, _ := c.ctl.cfg.QueueOpen(c.ctl.cfg.Queues[i].ID, now); open {
			return false
		}
	}
	return true
}

// setLanguage sets the caller's language, on the channel too
// (CHANNEL(language)): numbers and digits (number:N, digits:N) are then said
// in it. A channel that already has it (StasisStart says so; "en" unless the
// dialplan set another) is left as it is.
func (c *call) setLanguage(lang string) {
	c.rec.Language = lang
	if lang == c.chanLang {
		return
	}
	c.reacted()
	ctx, cancel := c.ctx()
	defer cancel()
	if err := c.sw().SetVariable(ctx, c.ch, "CHANNEL(language)", lang); err != nil {
		c.warn("set language", err)
		return
	}
	c.chanLang = lang
}

// afterLanguage goes to the department of the number, or the main menu;
// when the whole hotline is closed (no queue open), the caller hears so at
// once and is offered a callback or a message, with no menu to go through.
func (c *call) afterLanguage(prefix ...string) {
	if c.lineClosed() {
		q := c.ctl.cfg.Hotline.DefaultQueue
		if c.dept != nil && c.dept.Queue != "" {
			q = c.dept.Queue
		}
		c.setQueue(q)
		c.path("line_closed")
		c.closedHours(prefix...)
		return
	}
	if c.dept != nil {
		c.enter(stDeptMenu, prefix...)
		return
	}
	c.enter(stMainMenu, prefix...)
}

// ---- playback ----

// play plays prompt keys (or media URIs) as one playback and calls then
// when it finished, failed, or never reported back within the safety time.
func (c *call) play(then func(), keys ...string) {
	c.stopPlayback()
	media := c.media(keys...)
	if len(media) == 0 {
		if then != nil {
			then()
		}
		return
	}
	id := c.ctl.newID(c.id + "~p")
	c.pb, c.pbThen = id, then
	c.dirty = true // a successor must be able to stop it
	c.ctl.bindPlayback(id, c)
	c.after(tPlayback, c.ctl.opt.PlaybackSafety, func() {
		c.log.Warn("playback never finished; going on", "playback", id)
		c.stopPlayback()
		if then != nil {
			then()
		}
	})
	c.reacted()
	ctx, cancel := c.ctx()
	err := c.sw().Play(ctx, c.ch, id, media...)
	cancel()
	if err != nil {
		c.warn("play", err)
		if isGone(err) {
			return // hang-up events follow
		}
		// Go on as if it had played.
		release := c.ctl.clk.Hold()
		c.post(msg{fn: func() { c.playbackDone(id) }, release: release})
	}
}

// playbackDone handles the end (done, stopped or failed) of playback id.
func (c *call) playbackDone(id string) {
	if id == "" || id != c.pb {
		c.ctl.unbindPlayback(id)
		return
	}
	c.stop(tPlayback)
	c.ctl.unbindPlayback(id)
	then := c.pbThen
	c.pb, c.pbThen = "", nil
	if then != nil {
		then()
	}
}

// stopPlayback stops the current playback (DTMF does not stop prompts on
// Asterisk); its PlaybackFinished is then ignored.
func (c *call) stopPlayback() {
	if c.pb == "" {
		return
	}
	id := c.pb
	c.pb, c.pbThen = "", nil
	c.stop(tPlayback)
	c.reacted()
	ctx, cancel := c.ctx()
	c.warn("stop playback", c.sw().StopPlayback(ctx, id))
	cancel()
	c.ctl.unbindPlayback(id)
}

// ---- menus ----

func isMenu(s state) bool {
	switch s {
	case stLanguage, stMainMenu, stDeptMenu, stTicket, stClosed, stMaxWait, stSurvey:
		return true
	}
	return false
}

// promptOf is the prompt key of a menu state.
func (c *call) promptOf(s state) string {
	switch s {
	case stLanguage:
		return config.PromptLanguageMenu
	case stMainMenu:
		return config.PromptMainMenu
	case stDeptMenu:
		if c.dept != nil && c.dept.MenuPrompt != "" {
			return c.dept.MenuPrompt
		}
		if c.dept != nil {
			return "menu_" + c.dept.ID
		}
		return config.PromptMainMenu
	case stTicket:
		return config.PromptTicketEnter
	case stClosed:
		if c.msgFailed {
			return config.PromptMessageFailedCallback
		}
		if c.unstaffedMenu {
			return config.PromptUnstaffed
		}
		return config.PromptAfterHoursOptions
	case stMaxWait:
		return config.PromptMaxWait
	case stSurvey:
		return config.PromptSurveyQuestion
	}
	return ""
}

func (c *call) timeoutOf(s state) time.Duration {
	cfg := c.ctl.cfg
	if s == stSurvey && cfg.Survey.Timeout > 0 {
		return cfg.Survey.Timeout
	}
	if cfg.Hotline.MenuTimeout > 0 {
		return cfg.Hotline.MenuTimeout
	}
	return config.DefaultMenuTimeout
}

func (c *call) retriesOf(s state) int {
	cfg := c.ctl.cfg
	n := cfg.Hotline.MenuRetries
	if s == stSurvey {
		n = cfg.Survey.Retries
	}
	return max(n, 0)
}

// enter starts menu s afresh (retries reset), prefixed by prompts.
func (c *call) enter(s state, prefix ...string) {
	c.tries = 0
	c.ask(s, prefix...)
}

// ask (re)plays menu s and collects its input.
func (c *call) ask(s state, prefix ...string) {
	c.stop(tInput)
	c.to(s)
	c.digits = ""
	keys := append(append([]string{}, prefix...), c.promptOf(s))
	c.play(func() {
		if c.st != s {
			return
		}
		c.after(tInput, c.timeoutOf(s), c.noInput)
	}, keys...)
}

func (c *call) noInput() {
	if c.st == stSurvey && c.recovery {
		c.closing(config.PromptSurveyThanks)
		return
	}
	switch c.st {
	case stLanguage:
		c.chooseLanguage("")
		return
	case stTicket:
		if c.digits != "" {
			c.ticketDone()
			return
		}
	}
	if !isMenu(c.st) {
		return
	}
	c.retry(config.PromptNoInput)
}

func (c *call) invalid() {
	if c.st == stSurvey {
		c.retry(config.PromptSurveyInvalid)
		return
	}
	c.retry(config.PromptInvalid)
}

// retry repeats the current menu or, after the configured retries, gives up.
func (c *call) retry(prefix string) {
	c.tries++
	if c.tries > c.retriesOf(c.st) {
		c.menuFailed()
		return
	}
	c.ask(c.st, prefix)
}

// menuFailed: no valid choice after every retry. Callers are never dropped:
// menus route them to the default queue.
func (c *call) menuFailed() {
	switch c.st {
	case stLanguage:
		c.chooseLanguage("")
	case stMainMenu, stDeptMenu, stTicket, stInfo:
		c.path("default")
		q := c.ctl.cfg.Hotline.DefaultQueue
		c.play(func() { c.enterQueue(q) }, config.PromptTransferDefault)
	default: // the survey, and anything else: goodbye
		c.closing(config.PromptGoodbye)
	}
}

// onDigit handles one DTMF digit of the caller.
func (c *call) onDigit(d string) {
	c.log.Debug("dtmf", "digit", d, "state", c.st, "at", c.now())
	switch c.st {
	case stLanguage, stMainMenu, stDeptMenu, stClosed, stMaxWait, stSurvey:
		c.stopPlayback()
		c.stop(tInput)
		c.choose(d)
	case stInfo:
		c.stopPlayback()
		c.tries = 0
		c.chooseDept(d)
	case stTicket:
		c.stopPlayback()
		c.stop(tInput)
		if d == "#" {
			c.ticketDone()
			return
		}
		c.digits += d
		if len(c.digits) >= 20 {
			c.ticketDone()
			return
		}
		c.after(tInput, c.timeoutOf(stTicket), c.noInput)
	case stWaiting:
		switch {
		case d == "2" && c.callbackAllowed():
			c.requestCallback()
		case d == c.ctl.cfg.Survey.OptKey && c.ctl.cfg.Survey.On:
			c.surveyKey()
		case c.qcfg != nil && c.qcfg.SMSInfoKey != "" && d == c.qcfg.SMSInfoKey:
			c.smsInfoWaiting()
		}
	}
}

// choose handles a key pressed in a single-key menu.
func (c *call) choose(d string) {
	switch c.st {
	case stLanguage:
		if _, ok := c.ctl.cfg.LanguageByDigit(d); !ok {
			c.invalid()
			return
		}
		c.chooseLanguage(d)
	case stMainMenu:
		c.chooseMain(d)
	case stDeptMenu:
		c.chooseDept(d)
	case stClosed, stMaxWait:
		c.chooseClosed(d)
	case stSurvey:
		c.chooseRating(d)
	}
}

// chooseLanguage sets the language of digit d ("" for the default).
func (c *call) chooseLanguage(d string) {
	cfg := c.ctl.cfg
	lang, ok := cfg.LanguageByDigit(d)
	if !ok {
		lang = cfg.DefaultLanguage()
		c.path("lang:" + lang + ":default")
	} else {
		c.path("lang:" + lang)
	}
	c.setLanguage(lang)
	c.afterLanguage()
}

func (c *call) chooseMain(d string) {
	cfg := c.ctl.cfg
	if dept := cfg.DepartmentByDigit(d); dept != nil {
		c.path("main:" + d)
		c.dept = dept
		c.rec.Department = dept.ID
		c.enter(stDeptMenu)
		return
	}
	if e := cfg.MainMenuEntry(d); e != nil {
		c.path("main:" + d)
		c.action(e)
		return
	}
	c.invalid()
}

func (c *call) chooseDept(d string) {
	if c.dept == nil {
		c.chooseMain(d)
		return
	}
	e := c.dept.MenuEntry(d)
	if e == nil {
		if c.st == stInfo {
			c.to(stDeptMenu)
		}
		c.invalid()
		return
	}
	c.path("dept:" + c.dept.ID + ":" + d)
	c.action(e)
}

// action runs a menu entry.
func (c *call) action(e *config.MenuEntry) {
	cfg := c.ctl.cfg
	switch e.Action {
	case config.ActionInfo:
		c.heard = true
		c.to(stInfo)
		c.play(func() {
			if c.st == stInfo {
				c.enter(stDeptMenu)
			}
		}, c.infoPrompts(e)...)
	case config.ActionOfficer, config.ActionComplaint, config.ActionCompliment:
		q := e.Queue
		if q == "" && (e.Action == config.ActionComplaint || e.Action == config.ActionCompliment) {
			q = cfg.Hotline.ComplaintsQueue
		}
		if q == "" && c.dept != nil {
			q = c.dept.Queue
		}
		if q == "" {
			q = cfg.Hotline.DefaultQueue
		}
		c.enterQueue(q)
	case config.ActionTicket:
		c.enter(stTicket)
	case config.ActionSMSInfo:
		c.smsInfo()
	case config.ActionMessage:
		c.leaveMessage()
	case config.ActionMainMenu:
		c.enter(stMainMenu)
	case config.ActionRepeat:
		c.ask(c.st)
	default:
		c.invalid()
	}
}

// ticketDone: the caller entered a ticket number. With Options.Tickets its
// status is read back (tickets.go); without, the number is noted in the IVR
// path and an officer handles it.
func (c *call) ticketDone() {
	c.stop(tInput)
	if c.digits == "" {
		c.invalid()
		return
	}
	c.path("ticket:" + c.digits)
	digits := c.digits
	c.digits = ""
	if c.ctl.opt.Tickets != nil {
		c.readTicketStatus(digits)
		return
	}
	q := ""
	if c.dept != nil {
		q = c.dept.Queue
	}
	if q == "" {
		q = c.ctl.cfg.Hotline.DefaultQueue
	}
	c.play(func() { c.enterQueue(q) }, config.PromptTicketInProgress)
}

// closing plays a last prompt, then hangs up.
func (c *call) closing(keys ...string) {
	c.stopAllButRecording()
	c.stopMOH()
	c.to(stClosing)
	c.play(func() {
		if c.rec.HungUpBy == "" {
			c.rec.HungUpBy = "system"
		}
		c.hangup(c.ch, "normal")
		c.finish()
	}, keys...)
}

func (c *call) stopAllButRecording() {
	for _, k := range []timerKind{tInput, tAnnounce, tMaxWait, tRing} {
		c.stop(k)
	}
}
