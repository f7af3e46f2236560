// Package ticket is the domain of complaints, compliments and information
// requests that need follow-up: the fields of the Belize complaints and
// compliments form (Appendix C of ../shared/seeds/004), a human-friendly
// reference, an explicit status machine with an audit trail, assignment,
// working-day deadlines (Appendix D: correspondence answered within 5 working
// days) and overdue escalation.
//
// The layout follows WTF Dial: this package holds the nouns and the Service
// interface; ticket/postgres implements it on Postgres (migration
// store/migrations/0005_tickets.sql), writing the SMS outbox rows of package
// sms in the same transaction as the ticket change.
//
// Personal fields (Name, Email, Phone, PhoneFrom) are never logged; `hotline
// retention` anonymises them after the configured retention period.
package ticket

import (
	"context"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
)

// Kind is what the ticket is.
type Kind string

// Kinds of ticket.
const (
	Complaint   Kind = "complaint"
	Compliment  Kind = "compliment"
	Information Kind = "information" // an information request that needs follow-up
)

// Kinds lists every kind.
var Kinds = []Kind{Complaint, Compliment, Information}

// Letter is the reference prefix of the kind: C complaint, M compliment
// (C is taken), I information request.
func (k Kind) Letter() string {
	switch k {
	case Complaint:
		return "C"
	case Compliment:
		return "M"
	case Information:
		return "I"
	}
	return "X"
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Complaint || k == Compliment || k == Information }

// Channel is how the ticket came in.
type Channel string

// Channels of creation.
const (
	ByPhone   Channel = "phone"   // the agent panel during a call, or the IVR
	ByCounter Channel = "counter" // entered by staff at a counter
	ByOnline  Channel = "online"  // the public web form or the JSON API
	ByEmail   Channel = "email"   // an e-mail entered by staff
	ByLetter  Channel = "letter"  // a letter entered by staff
	BySMS     Channel = "sms"     // an inbound SMS
)

// Channels lists every channel.
var Channels = []Channel{ByPhone, ByCounter, ByOnline, ByEmail, ByLetter, BySMS}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

// Place is where what the ticket is about happened (Appendix C).
type Place string

// Places.
const (
	OverPhone Place = "phone"
	AtCounter Place = "counter"
	PlaceWeb  Place = "online"
	Elsewhere Place = "other"
)

// Valid reports whether p is "" (not stated) or a known place.
func (p Place) Valid() bool {
	return p == "" || p == OverPhone || p == AtCounter || p == PlaceWeb || p == Elsewhere
}

// ContactBy is how the person wants to be contacted.
type ContactBy string

// Contact preferences.
const (
	NoContact      ContactBy = ""
	ContactByEmail ContactBy = "email"
	ContactByPhone ContactBy = "phone" // by SMS or a call to Phone
)

// Ticket is one complaint, compliment or information request.
type Ticket struct {
	ID        int64   `json:"-"`
	Reference string  `json:"reference"`
	Kind      Kind    `json:"kind"`
	Channel   Channel `json:"channel"`
	Status    Status  `json:"status"`
	Language  string  `json:"language"`

	// Appendix C.
	WhatHappened    string    `json:"what_happened"`
	OccurredOn      string    `json:"occurred_on,omitempty"`   // YYYY-MM-DD
	OccurredAt      string    `json:"occurred_time,omitempty"` // HH:MM, approximate
	Place           Place     `json:"where,omitempty"`
	PhoneFrom       string    `json:"phone_from,omitempty"` // the number called from (personal)
	CounterLocation string    `json:"counter_location,omitempty"`
	OtherDetails    string    `json:"other_details,omitempty"`
	Department      string    `json:"department,omitempty"`
	Service         string    `json:"service,omitempty"`
	OutcomeExpected string    `json:"outcome_expected,omitempty"`
	ContactWanted   bool      `json:"contact_wanted"`
	ContactBy       ContactBy `json:"contact_by,omitempty"`
	Name            string    `json:"name,omitempty"`  // personal
	Email           string    `json:"email,omitempty"` // personal
	Phone           string    `json:"phone,omitempty"` // personal
	PrivacyAccepted bool      `json:"privacy_accepted"`

	// From the call path.
	CallID    string         `json:"call_id,omitempty"`   // the call during which it was logged
	Recording string         `json:"recording,omitempty"` // a recorded message or voice comment
	Rating    hotline.Rating `json:"rating,omitempty"`    // the poor rating that led to it
	Agent     string         `json:"agent,omitempty"`     // the agent of the rated call

	// Handling.
	Officer        string    `json:"officer,omitempty"`
	CreatedBy      string    `json:"created_by"`
	Created        time.Time `json:"created"`
	AckDue         time.Time `json:"acknowledge_due"`
	ReplyDue       time.Time `json:"reply_due"`
	ResolveDue     time.Time `json:"resolve_due"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
	ResolvedAt     time.Time `json:"resolved_at,omitzero"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	EscalatedAt    time.Time `json:"escalated_at,omitzero"`
	AnonymisedAt   time.Time `json:"anonymised_at,omitzero"`
	Updated        time.Time `json:"updated"`
}

// Overdue reports whether, at now, the ticket is past a deadline it has not
// met: acknowledgement (still new) or resolution (not resolved or closed).
func (t *Ticket) Overdue(now time.Time) bool {
	if t.Status == New && now.After(t.AckDue) {
		return true
	}
	return !t.Status.Done() && now.After(t.ResolveDue)
}

// Change is one line of a ticket's audit trail.
type Change struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`  // staff id, "public", "ivr", "sms", "system"
	Action string    `json:"action"` // created, status, assigned, escalated, anonymised, note
	From   string    `json:"from,omitempty"`
	To     string    `json:"to,omitempty"`
	Note   string    `json:"note,omitempty"`
}

// LinkedCall is a call record linked to a ticket: the call it was logged in,
// or a call from the number the person said they called from.
type LinkedCall struct {
	CallID      string              `json:"call_id"`
	Arrived     time.Time           `json:"arrived"`
	Queue       string              `json:"queue"`
	Agent       string              `json:"agent"`
	Wait        time.Duration       `json:"-"`
	WaitSeconds float64             `json:"wait_seconds"`
	Disposition hotline.Disposition `json:"disposition"`
	Rating      string              `json:"rating,omitempty"`
	Why         string              `json:"why"` // logged_during, called_from
}

// Filter selects tickets for staff.
type Filter struct {
	Reference  string
	Status     []Status
	Kind       Kind
	Department string
	Channel    Channel
	Overdue    bool // only overdue at Now
	Phone      string
	From, To   time.Time // created in [From, To)
	Now        time.Time
	Limit      int // default 100, at most 10000
	Offset     int
}

// Fact is what the reports need of one ticket: its dimensions and, for the
// on-time metrics of package reporting, its deadlines and when they were met
// (Complaint.Resolved is when it was resolved, or closed without one).
type Fact struct {
	Kind       Kind
	Channel    Channel
	Status     Status
	Department string
	Service    string
	Complaint  reporting.Complaint
}

// Notification tells a supervisor about an overdue ticket.
type Notification struct {
	Time      time.Time `json:"time"`
	Recipient string    `json:"recipient"`
	Reference string    `json:"reference"`
	Reason    string    `json:"reason"` // acknowledgement_overdue, resolution_overdue
}

// Service is what the HTTP handlers, the IVR and the SMS webhook use.
type Service interface {
	// Create validates t, gives it a reference and deadlines, links the
	// matching call records, stores it with its "created" audit line and, when
	// the person asked to be contacted by phone, the acknowledgement SMS in
	// the outbox, all in one transaction.
	Create(ctx context.Context, t *Ticket, actor string) error
	// Find returns a ticket by reference (ENOTFOUND when none).
	Find(ctx context.Context, ref string) (*Ticket, error)
	// Search lists tickets matching f, newest first, and how many match.
	Search(ctx context.Context, f Filter) ([]*Ticket, int, error)
	// Transition moves a ticket to another status (EINVALID when the table
	// forbids it), with an audit line; resolving queues the resolution SMS.
	Transition(ctx context.Context, ref string, to Status, actor, note string) (*Ticket, error)
	// Assign sets the department and officer (either may be left unchanged
	// with "").
	Assign(ctx context.Context, ref, department, officer, actor, note string) (*Ticket, error)
	// History is the audit trail, oldest first.
	History(ctx context.Context, ref string) ([]Change, error)
	// Calls lists the linked call records.
	Calls(ctx context.Context, ref string) ([]LinkedCall, error)
	// Escalate flags every ticket overdue at now and not yet escalated,
	// notifies its department's supervisors, and returns the notifications.
	Escalate(ctx context.Context, now time.Time) ([]Notification, error)
}
