package ivr

import (
	"context"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ticket"
)

// TicketDesk is what the IVR needs of tickets (Options.Tickets): finding a
// ticket by the reference typed on the keypad, creating one from a recorded
// message, and queueing a department's information by SMS.
type TicketDesk interface {
	Find(ctx context.Context, ref string) (*ticket.Ticket, error)
	Create(ctx context.Context, t *ticket.Ticket, actor string) error
	// SendInfo queues the department's information (service inventory) by
	// SMS to number in lang, once per call and department (callID).
	SendInfo(ctx context.Context, callID, number, lang, dept string) error
}

// Prompts of the ticket journeys (config.RequiredPrompts lists the others).
const (
	PromptSMSInfoSent    = "sms_info_sent"
	PromptSMSInfoNoPhone = "sms_info_no_phone"
	// PromptSMSInfoOffer, followed by the queue's sms_info_key, ends the
	// position announcement where the queue has the key and the prompt is
	// configured: "To receive this department's information by text
	// message, press" 7.
	PromptSMSInfoOffer = "sms_info_offer"
	// PromptRecoveryOffer: sorry; 1 to leave a short comment, 2 to be called
	// back by a supervisor.
	PromptRecoveryOffer = "recovery_offer"
	// PromptRecoveryCallback: a supervisor will call you back.
	PromptRecoveryCallback = "recovery_callback"
)

// statusPrompt is the prompt that reads a status back.
func statusPrompt(s ticket.Status) string {
	switch s {
	case ticket.New:
		return config.PromptTicketReceived
	case ticket.Resolved, ticket.Closed:
		return config.PromptTicketResolved
	}
	return config.PromptTicketInProgress
}

// keypadReference is the year and sequence typed on the keypad: the digits
// of the reference (2026004217), or the sequence alone for this year.
func keypadReference(digits string) string {
	return strings.TrimLeft(strings.TrimSuffix(digits, "#"), "*")
}

// readTicketStatus looks the typed reference up and reads it back digit by
// digit with its status, then returns to the menu the caller came from; an
// unknown reference is asked for again (the menu's retries).
func (c *call) readTicketStatus(digits string) {
	ref := keypadReference(digits)
	ctx, cancel := c.ctx()
	t, err := c.ctl.opt.Tickets.Find(ctx, ref)
	cancel()
	if err != nil {
		code := hotline.ErrorCode(err)
		if code != hotline.ENOTFOUND && code != hotline.EINVALID {
			c.warn("find ticket", err)
		}
		c.path("ticket_status:not_found")
		c.retry(config.PromptTicketNotFound)
		return
	}
	c.path("ticket_status:" + string(t.Status))
	c.tries = 0
	back := stMainMenu
	if c.dept != nil {
		back = stDeptMenu
	}
	spoken := "digits:" + strings.ReplaceAll(t.Reference[2:], "-", "")
	c.enter(back, "characters:"+t.Kind.Letter(), spoken, statusPrompt(t.Status))
}

// smsInfo sends the department's information by SMS to the calling number,
// says so, and returns to the department menu.
func (c *call) smsInfo() {
	if c.dept == nil {
		c.invalid()
		return
	}
	if c.ctl.opt.Tickets == nil || c.number == "" {
		c.path("sms_info:no_phone")
		c.enter(stDeptMenu, PromptSMSInfoNoPhone)
		return
	}
	lang := c.rec.Language
	if lang == "" {
		lang = c.ctl.cfg.DefaultLanguage()
	}
	ctx, cancel := c.ctx()
	err := c.ctl.opt.Tickets.SendInfo(ctx, c.id, c.number, lang, c.dept.ID)
	cancel()
	if err != nil {
		c.warn("sms info", err)
		c.path("sms_info:failed")
		c.enter(stDeptMenu, config.PromptSystemError)
		return
	}
	c.path("sms_info:" + c.dept.ID)
	c.enter(stDeptMenu, PromptSMSInfoSent)
}

// smsInfoWaiting handles the queue's sms_info_key pressed while waiting: the
// information of the queue's department goes by SMS to the calling number
// (the same desk and once-per-call key as the menu action), the caller is
// told, and the music resumes; the caller keeps their place in the queue.
func (c *call) smsInfoWaiting() {
	dept := c.rec.Department
	if c.qcfg != nil && c.qcfg.Department != "" {
		dept = c.qcfg.Department
	}
	prompt := PromptSMSInfoSent
	switch {
	case dept == "":
		return
	case c.ctl.opt.Tickets == nil || c.number == "":
		c.path("sms_info:no_phone")
		prompt = PromptSMSInfoNoPhone
	default:
		lang := c.rec.Language
		if lang == "" {
			lang = c.ctl.cfg.DefaultLanguage()
		}
		ctx, cancel := c.ctx()
		err := c.ctl.opt.Tickets.SendInfo(ctx, c.id, c.number, lang, dept)
		cancel()
		if err != nil {
			c.warn("sms info while waiting", err)
			c.path("sms_info:failed")
			prompt = config.PromptSystemError
		} else {
			c.path("sms_info:" + dept)
		}
	}
	c.stopMOH()
	c.play(func() {
		if c.st == stWaiting || c.st == stRinging {
			c.startMOH()
		}
	}, prompt)
}

// messageTicket turns a recorded message into a ticket with the recording
// attached: a complaint when the caller chose to leave one, an information
// request when it was left after hours or after the longest wait.
func (c *call) messageTicket(recording string) {
	if c.ctl.opt.Tickets == nil {
		return
	}
	kind := ticket.Complaint
	for _, p := range c.rec.IVRPath {
		if p == "closed:message" {
			kind = ticket.Information
		}
	}
	t := &ticket.Ticket{Kind: kind, Channel: ticket.ByPhone, Language: c.rec.Language, Place: ticket.OverPhone,
		Department: c.rec.Department, CallID: c.id, Recording: recording, Phone: c.number}
	if c.recovery {
		t.Rating, t.Agent = c.rec.Survey, c.rec.Agent
		t.WhatHappened = "Voice comment after rating the call " + c.rec.Survey.String() + "."
	}
	c.createTicket(t)
}

// createTicket stores a ticket made by the IVR, keeping it without the SMS
// acknowledgement when the caller's number is not a phone number.
func (c *call) createTicket(t *ticket.Ticket) {
	if t.Phone != "" {
		t.ContactWanted, t.ContactBy = true, ticket.ContactByPhone
	}
	ctx, cancel := c.ctx()
	err := c.ctl.opt.Tickets.Create(ctx, t, "ivr")
	cancel()
	if err != nil && t.Phone != "" && hotline.ErrorCode(err) == hotline.EINVALID {
		// A number that is not a phone number (a SIP name): keep the ticket, without the SMS.
		t.Phone, t.ContactWanted, t.ContactBy = "", false, ticket.NoContact
		ctx, cancel = c.ctx()
		err = c.ctl.opt.Tickets.Create(ctx, t, "ivr")
		cancel()
	}
	if err != nil {
		c.warn("ticket from a message", err)
		return
	}
	c.path("ticket:" + t.Reference)
}

// offerRecovery: after an unhappy or very unhappy rating, the caller is
// offered at once a short voice comment (1) or a supervisor's callback (2);
// either becomes a follow-up ticket linked to the call, the rating and the
// agent. It reports whether the offer was made.
func (c *call) offerRecovery(r hotline.Rating) bool {
	if c.ctl.opt.Tickets == nil || r > hotline.Unhappy || c.recovery {
		return false
	}
	c.recovery = true
	c.path("recovery:offer")
	c.tries = 0
	c.play(func() {
		if c.st == stSurvey {
			c.after(tInput, c.timeoutOf(stSurvey), c.noInput)
		}
	}, PromptRecoveryOffer)
	return true
}

// chooseRecovery handles the key pressed after the recovery offer.
func (c *call) chooseRecovery(d string) {
	switch d {
	case "1":
		c.path("recovery:comment")
		c.leaveMessage()
	case "2":
		c.path("recovery:callback")
		t := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByPhone, Language: c.rec.Language,
			Place: ticket.OverPhone, Department: c.rec.Department, CallID: c.id, Phone: c.number,
			Rating: c.rec.Survey, Agent: c.rec.Agent,
			WhatHappened: "The caller rated the call " + c.rec.Survey.String() + " and asked to be called back by a supervisor."}
		if sup := c.ctl.cfg.SupervisorsOf(c.rec.Department); len(sup) > 0 {
			t.Officer = sup[0]
		}
		c.createTicket(t)
		c.closing(PromptRecoveryCallback)
	default:
		c.closing(config.PromptSurveyThanks)
	}
}
