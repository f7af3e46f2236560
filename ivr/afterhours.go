package ivr

import (
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/telephony"
)

// MaxMessage is the longest recorded message.
const MaxMessage = 120 * time.Second

// closedHours: the queue's department is closed now (hours or a holiday):
// the caller hears prefix, the hours, then 1 callback request, 2 recorded
// message.
func (c *call) closedHours(prefix ...string) {
	cfg := c.ctl.cfg
	c.rec.Disposition = hotline.DispAfterHours
	c.path("closed")
	first := config.PromptAfterHours
	if _, ok := cfg.Holiday(c.now()); ok {
		first = config.PromptHoliday
	}
	hours := ""
	if c.dept != nil {
		hours = c.dept.HoursPrompt
		if hours == "" {
			hours = "hours_" + c.dept.ID
		}
	}
	c.stopPlayback()
	c.enter(stClosed, append(append([]string{}, prefix...), first, hours)...)
}

// chooseClosed handles 1 (callback request) and 2 (message) after hours or
// after the max wait.
func (c *call) chooseClosed(d string) {
	switch d {
	case "1":
		if c.number == "" {
			c.invalid()
			return
		}
		c.rec.Callback = true
		c.path("closed:callback")
		data := "after_hours"
		switch {
		case c.st == stMaxWait:
			data = "max_wait"
		case c.unstaffedMenu:
			data = "unstaffed"
		}
		c.event(hotline.EvCallbackRequest, "", 0, 0, 0, data)
		c.closing(config.PromptCallbackConfirmed)
	case "2":
		if c.msgFailed {
			c.invalid() // recording failed once: only the callback is offered
			return
		}
		c.path("closed:message")
		c.leaveMessage()
	default:
		c.invalid()
	}
}

// leaveMessage records a message ended by # (at most MaxMessage), after
// prefix and the leave_message prompt.
func (c *call) leaveMessage(prefix ...string) {
	c.stop(tInput)
	c.to(stRecording)
	c.play(func() {
		if c.st != stRecording {
			return
		}
		c.recName = "msg-" + strings.NewReplacer(".", "_", "/", "_", ":", "_").Replace(c.id)
		c.ctl.bindRecording(c.recName, c)
		c.reacted()
		ctx, cancel := c.ctx()
		err := c.sw().Record(ctx, c.ch, c.recName, MaxMessage, true, "#")
		cancel()
		if err != nil {
			c.warn("record", err)
			c.recName = ""
			c.messageFailed() // a hung-up caller's events end the call meanwhile
			return
		}
		// Safety: a recording that never reports back.
		c.after(tGrace, MaxMessage+30*time.Second, func() {
			c.log.Warn("recording never finished")
			c.recName = ""
			if c.gone {
				c.finish()
				return
			}
			c.closing(config.PromptGoodbye)
		})
	}, append(append([]string{}, prefix...), config.PromptLeaveMessage)...)
}

// recordingDone stores the message (linked to the call record) and thanks
// the caller.
func (c *call) recordingDone(ev telephony.Event) {
	if c.recName == "" || ev.Recording != c.recName {
		return
	}
	c.stop(tGrace)
	name := c.recName
	c.recName = ""
	failed := ev.Type == telephony.RecordingFailed || ev.State == "failed"
	if !failed && ev.Duration == 0 {
		// Asterisk 22 ends a recording whose file it could not create with
		// RecordingFinished "done" and duration 0, and stores nothing: such a
		// message counts only if it is stored. (Only then: one broken entry in
		// the spool makes Asterisk answer 404 for the stored recordings after it
		// in the directory.) If Asterisk cannot say, the message is kept.
		ctx, cancel := c.ctx()
		stored, err := c.sw().RecordingStored(ctx, name)
		cancel()
		if err != nil {
			c.warn("stored recording", err)
		}
		failed = err == nil && !stored
	}
	if failed {
		if c.gone {
			c.log.Warn("recording failed")
			c.finish()
			return
		}
		c.messageFailed()
		return
	}
	c.rec.Recording = name
	if c.rec.Answered.IsZero() { // a voice comment after the survey keeps the call answered
		c.rec.Disposition = hotline.DispMessage
	}
	length := ev.Duration // whole seconds
	if !c.recStarted.IsZero() && !ev.Time.IsZero() && ev.Time.After(c.recStarted) {
		length = ev.Time.Sub(c.recStarted) // to the millisecond of Asterisk's event times
	}
	c.recStarted = time.Time{}
	c.ctl.w.Message(store.Message{Time: c.now(), CallID: c.id, Department: c.rec.Department,
		Language: c.rec.Language, Recording: name, Duration: length})
	c.messageTicket(name)
	if c.gone {
		c.finish()
		return
	}
	c.closing(config.PromptMessageSaved, config.PromptGoodbye)
}

// messageFailed: the message could not be recorded. The caller is told
// what is true and what happens next: where an officer can take the call
// now (its queue is open and the caller did not already wait the maximum),
// the technical problem and "please hold", then the queue; otherwise that
// the message could not be recorded and, when their number is known, a
// callback offer (1), else goodbye.
func (c *call) messageFailed() {
	cfg := c.ctl.cfg
	c.log.Warn("recording failed")
	c.msgFailed = true
	c.path("message_failed")
	q := c.queue
	if q == "" && c.dept != nil {
		q = c.dept.Queue
	}
	if q == "" {
		q = cfg.Hotline.DefaultQueue
	}
	if open, _ := cfg.QueueOpen(q, c.now()); open && c.rec.Disposition != hotline.DispTimeout {
		c.rec.Disposition = ""
		c.play(func() {
			if c.st == stRecording {
				c.enterQueue(q)
			}
		}, config.PromptSystemError)
		return
	}
	if c.rec.Disposition == "" {
		c.rec.Disposition = hotline.DispFailed
	}
	if c.number == "" {
		c.closing(config.PromptMessageFailed)
		return
	}
	if c.queue == "" {
		c.setQueue(q)
	}
	c.enter(stClosed)
}
