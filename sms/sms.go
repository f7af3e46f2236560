// Package sms is the hotline's text messaging: the messages it sends
// (acknowledgements, resolutions, department information, status replies),
// an outbox worker that delivers them with retries and backoff, and the
// inbound keywords (STATUS <reference>, STOP, START, COMPLIMENT, anything
// else becomes a complaint).
//
// Adapters: sms/postgres keeps the outbox, opt-outs and inbound log in
// Postgres (rows written in the same transaction as the ticket change that
// causes them); sms/twilio sends through github.com/twilio/twilio-go and
// checks X-Twilio-Signature. Numbers and bodies are personal data: never
// logged (the outbox row id and key are).
package sms

import (
	"context"
	"errors"
	"time"
)

// Message is one outgoing SMS.
type Message struct {
	ID       int64
	Key      string // idempotency key: one row, one delivery, ever
	To       string // E.164
	Body     string
	TicketID int64 // 0 when not about a ticket
	Attempts int
	// Uncertain: an earlier attempt may have reached Twilio (a timeout or a
	// lost connection, or the process died mid-send). Before sending again the
	// worker asks the provider whether it already has the message.
	Uncertain bool
	// Created is when the row was written (no copy can be older).
	Created time.Time
	// Taken are the provider's ids of other outbox rows with the same
	// number and body: messages of theirs, never a copy of this one. (The
	// outbox sends identical messages one at a time, so an uncertain attempt
	// never has an identical one in flight beside it.)
	Taken []string
}

// Statuses of an outbox row. Twilio's delivery callbacks move sent rows to
// delivered, undelivered or failed.
const (
	StatusPending     = "pending"
	StatusSending     = "sending"
	StatusSent        = "sent"
	StatusDelivered   = "delivered"
	StatusUndelivered = "undelivered"
	StatusFailed      = "failed"
	StatusSuppressed  = "suppressed" // the number opted out
)

// Sender is the SMS provider (sms/twilio).
type Sender interface {
	// Send sends m.Body to m.To and returns the provider's message id
	// (delivery callbacks carry m.Key). A *SendError says whether trying
	// again can help and whether the message may have been accepted anyway.
	Send(ctx context.Context, m Message) (sid string, err error)
	// Find looks for a copy of m already accepted by the provider (same
	// number and body, since m.Created, and not one of m.Taken) and returns
	// its id ("" when none).
	Find(ctx context.Context, m Message) (sid string, err error)
}

// SendError classifies a failed send.
type SendError struct {
	// Permanent: the provider refused the message (bad number, opted out at
	// the carrier, ...): do not retry.
	Permanent bool
	// Uncertain: no answer came back (timeout, lost connection): the message
	// may have been accepted.
	Uncertain bool
	Err       error
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// classify returns the SendError in err's chain, or an uncertain one.
func classify(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return se
	}
	return &SendError{Uncertain: true, Err: err}
}
