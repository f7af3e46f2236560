// Package hotline holds the domain nouns of the contact centre: calls, queue
// events, ratings, and the one error type with stable codes. Adapters live in
// their own packages (queue for Redis, store for Postgres, telephony for ARI,
// sms for Twilio); the call journey lives in ivr, agent states in agents, the
// metric definitions in reporting.
package hotline

import (
	"errors"
	"fmt"
	"time"
)

// Rating is the four-point satisfaction scale shared by phone surveys, kiosks
// and the web: higher is better.
type Rating int

// The ratings, as stored.
const (
	VeryUnhappy Rating = 1
	Unhappy     Rating = 2
	Happy       Rating = 3
	VeryHappy   Rating = 4
)

var ratingNames = map[Rating]string{VeryUnhappy: "very_unhappy", Unhappy: "unhappy", Happy: "happy", VeryHappy: "very_happy"}

// String is the stored enum name (very_unhappy … very_happy).
func (r Rating) String() string {
	if s, ok := ratingNames[r]; ok {
		return s
	}
	return fmt.Sprintf("rating(%d)", int(r))
}

// Valid reports whether r is one of the four ratings.
func (r Rating) Valid() bool { _, ok := ratingNames[r]; return ok }

// Satisfied reports whether r counts towards the satisfaction rate (happy or very happy).
func (r Rating) Satisfied() bool { return r >= Happy && r <= VeryHappy }

// ParseRating reads a stored enum name.
func ParseRating(s string) (Rating, error) {
	for r, n := range ratingNames {
		if n == s {
			return r, nil
		}
	}
	return 0, Errorf(EINVALID, "unknown rating %q (want very_unhappy, unhappy, happy or very_happy)", s)
}

// Ratings lists the four ratings from worst to best.
var Ratings = []Rating{VeryUnhappy, Unhappy, Happy, VeryHappy}

// RatingSource is where a rating came from.
type RatingSource string

// Rating sources.
const (
	SourcePhone RatingSource = "phone"
	SourceKiosk RatingSource = "kiosk"
	SourceWeb   RatingSource = "web"
)

// Disposition is how a call ended, from the citizen's point of view.
type Disposition string

// Dispositions.
const (
	DispAnswered   Disposition = "answered"    // connected to an agent
	DispAbandoned  Disposition = "abandoned"   // hung up while waiting in a queue
	DispTimeout    Disposition = "timeout"     // left the queue by a max-wait or overflow rule
	DispCallback   Disposition = "callback"    // left the queue with a callback request
	DispAfterHours Disposition = "after_hours" // heard the hours outside opening times
	DispMessage    Disposition = "message"     // left a recorded message
	DispSelfServed Disposition = "self_served" // heard information and hung up, never queued
	DispIVRHangup  Disposition = "ivr_hangup"  // hung up in a menu
	DispFailed     Disposition = "failed"      // a technical failure
)

// QueueEventType follows Asterisk's queue_log verbs.
type QueueEventType string

// Queue event types (queue_log compatible where Asterisk has one).
const (
	EvEnterQueue      QueueEventType = "ENTERQUEUE"
	EvRingNoAnswer    QueueEventType = "RINGNOANSWER"
	EvConnect         QueueEventType = "CONNECT"
	EvAbandon         QueueEventType = "ABANDON"
	EvExitWithTimeout QueueEventType = "EXITWITHTIMEOUT"
	EvCompleteCaller  QueueEventType = "COMPLETECALLER"
	EvCompleteAgent   QueueEventType = "COMPLETEAGENT"
	EvCallbackRequest QueueEventType = "CALLBACKREQUESTED"
	EvCallbackDone    QueueEventType = "CALLBACKCOMPLETED"
	EvPause           QueueEventType = "PAUSE"
	EvUnpause         QueueEventType = "UNPAUSE"
	EvAddMember       QueueEventType = "ADDMEMBER"
	EvRemoveMember    QueueEventType = "REMOVEMEMBER"
	// Handling time beyond talk (AHT = talk + hold + wrap-up). HOLD and UNHOLD
	// bracket one hold of CallID by Agent (hold time = UNHOLD.Time − HOLD.Time);
	// WRAPUPEND says Agent finished the wrap-up of CallID (wrap-up time =
	// WRAPUPEND.Time − the call's COMPLETECALLER/COMPLETEAGENT time).
	EvHold      QueueEventType = "HOLD"
	EvUnhold    QueueEventType = "UNHOLD"
	EvWrapupEnd QueueEventType = "WRAPUPEND"
	// Transfers by the agent (Asterisk's queue_log verbs); Data names the target
	// ("queue:<id>" or "agent:<id>").
	EvBlindTransfer    QueueEventType = "BLINDTRANSFER"
	EvAttendedTransfer QueueEventType = "ATTENDEDTRANSFER"
	// EvCallbackFailed: the hotline could not reach the citizen it called
	// back; Data holds the reason (no_answer, rejected, failed, lost).
	EvCallbackFailed QueueEventType = "CALLBACKFAILED"
	// EvExitEmpty: the caller left (Data "leave") or could not join (Data
	// "join") a queue no signed-in agent serves (queue_log's EXITEMPTY).
	EvExitEmpty QueueEventType = "EXITEMPTY"
)

// QueueEvent is one line of the append-only queue event log.
type QueueEvent struct {
	Time     time.Time
	CallID   string
	Queue    string
	Agent    string // empty when not about an agent
	Type     QueueEventType
	Wait     time.Duration // ENTERQUEUE..now for CONNECT/ABANDON/EXIT*/COMPLETE*
	Talk     time.Duration // COMPLETE*: talk time
	Position int           // ABANDON/EXIT*: position when leaving; ENTERQUEUE: position on entry
	Data     string        // free text: reason, ring time, …
}

// AgentOffer is one ring of one agent for one call.
type AgentOffer struct {
	Agent   string        `json:"agent"`
	At      time.Time     `json:"at"`
	Ring    time.Duration `json:"ring"`
	Outcome string        `json:"outcome"` // answered, no_answer, rejected, failed, caller_gone
}

// CallRecord is everything measured about one call.
type CallRecord struct {
	ID          string // the controller's call id (the caller's ARI channel id)
	Node        string // which Asterisk
	Caller      string // caller number (personal data: never logged)
	Dialled     string
	Language    string
	Department  string
	Queue       string
	IVRPath     []string // menu choices in order, e.g. "lang:en", "main:2", "dept:5"
	Arrived     time.Time
	Enqueued    time.Time // zero if never queued
	Answered    time.Time // zero if never connected to an agent
	Ended       time.Time
	Agent       string
	Wait        time.Duration // Answered-Enqueued, or Ended-Enqueued for abandons
	Talk        time.Duration
	HungUpBy    string // caller, agent, system
	Disposition Disposition
	Survey      Rating // 0 when none
	Recording   string // stored recording name of a left message
	Callback    bool
	Offers      []AgentOffer
}

// Error codes, stable across releases; HTTP statuses map from them in one table (see HTTPStatus).
const (
	ECONFLICT       = "conflict"
	EINTERNAL       = "internal"
	EINVALID        = "invalid"
	ENOTFOUND       = "not_found"
	EUNAUTHORIZED   = "unauthorized"
	EFORBIDDEN      = "forbidden"    // signed in, but the role or the agent does not allow it
	ERATELIMITED    = "rate_limited" // too many attempts (sign-in); retry later
	EUNAVAILABLE    = "unavailable"
	ENOTIMPLEMENTED = "not_implemented"
)

// Error is the project's one error type.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("hotline error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL otherwise, "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, "Internal error." otherwise.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// HTTPStatus maps error codes to HTTP statuses: the one table.
var HTTPStatus = map[string]int{
	ECONFLICT:       409,
	EINVALID:        400,
	ENOTFOUND:       404,
	EUNAUTHORIZED:   401,
	EFORBIDDEN:      403,
	ERATELIMITED:    429,
	EUNAVAILABLE:    503,
	ENOTIMPLEMENTED: 501,
	EINTERNAL:       500,
}
