// Package tickethttp serves tickets over HTTP:
//
//	GET  /feedback                        the public complaints and compliments form (English, ?lang=es Spanish)
//	POST /feedback                        submits it (form-encoded; works without JavaScript)
//	POST /api/v1/tickets                  public JSON: the form's fields; 201 {"reference": ...}
//	GET  /api/v1/tickets                  staff: search (status, kind, department, channel, overdue, from, to, reference, phone)
//	GET  /api/v1/tickets.csv              supervisors: the same search as CSV
//	GET  /api/v1/tickets/{reference}      staff: the ticket, its audit trail and linked calls
//	POST /api/v1/tickets/{reference}/status   staff: {"status": ..., "note": ...}
//	POST /api/v1/tickets/{reference}/assign   supervisors: {"department": ..., "officer": ..., "note": ...}
//	POST /api/v1/staff/tickets            staff: enter a letter, e-mail, counter or phone ticket ("channel", "received";
//	                                      "call_id" links it to a call: the agent panel's form during a call)
//	GET  /api/v1/tickets/notifications    staff: overdue notifications (?recipient=)
//	GET  /staff/tickets                   staff: the same search as a page, with the form to enter a letter or e-mail
//	GET  /reports/complaints?year=        staff: formal complaints resolution rate by month, overall and by department
//	GET  /api/v1/reports/complaints?year= staff: the same as JSON
//	GET  /reports/feedback/annual?year=   staff: the annual compliments and complaints report (counts by department,
//	                                      service, channel, outcome; on-time rate); .csv for the same as CSV
//
// Staff routes sit behind the sign-in wrappers given to Routes (package
// auth); without them they answer 401. Errors are JSON {"error": {"code", "message", "field"}}
// with the status of hotline.HTTPStatus; the message starts with the name of
// the field at fault, which "field" repeats.
package tickethttp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ticket"
)

// Handler serves the ticket routes.
type Handler struct {
	Tickets ticket.Service
	// Notifications lists overdue notifications (optional).
	Notifications func(r *http.Request, recipient string) ([]ticket.Notification, error)
	Config        *config.Config
	Clock         clock.Clock
	Logger        *slog.Logger
	// Actor names the signed-in staff member of a request (default "staff").
	Actor func(r *http.Request) string
	// Facts feeds the reports (ticket/postgres.Service.Facts); nil: no reports.
	Facts Facts
	// CSRF is the session's CSRF token for the staff page's forms (auth.CSRFToken).
	CSRF func(r *http.Request) string
}

// Routes adds the routes to mux. staff wraps the staff routes with the
// sign-in check (auth.Service.Require()), supervisor those for supervisors
// only (assignment, CSV export: auth.Require(auth.Supervisor)); nil refuses
// them all with 401.
func (h *Handler) Routes(mux *http.ServeMux, staff, supervisor func(http.Handler) http.Handler) {
	closed := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteError(w, hotline.Errorf(hotline.EUNAUTHORIZED, "sign in to see tickets"))
		})
	}
	if staff == nil {
		staff = closed
	}
	if supervisor == nil {
		supervisor = closed
	}
	s := func(f http.HandlerFunc) http.Handler { return staff(f) }
	sup := func(f http.HandlerFunc) http.Handler { return supervisor(f) }
	mux.HandleFunc("GET /feedback", h.formGet)
	mux.HandleFunc("GET /feedback/style.css", h.css)
	mux.HandleFunc("POST /feedback", h.formPost)
	mux.HandleFunc("POST /api/v1/tickets", h.apiCreate)
	mux.Handle("GET /api/v1/tickets", s(h.apiSearch))
	mux.Handle("GET /api/v1/tickets.csv", sup(h.apiCSV))
	mux.Handle("GET /api/v1/tickets/notifications", s(h.apiNotifications))
	mux.Handle("GET /api/v1/tickets/{reference}", s(h.apiGet))
	mux.Handle("POST /api/v1/tickets/{reference}/status", s(h.apiStatus))
	mux.Handle("POST /api/v1/tickets/{reference}/assign", sup(h.apiAssign))
	mux.Handle("POST /api/v1/staff/tickets", s(h.apiStaffCreate))
	mux.Handle("GET /staff/tickets", s(h.staffPage))
	if h.Facts != nil {
		mux.Handle("GET /reports/complaints", s(h.complaintsReport))
		mux.Handle("GET /api/v1/reports/complaints", s(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			q.Set("format", "json")
			r.URL.RawQuery = q.Encode()
			h.complaintsReport(w, r)
		}))
		mux.Handle("GET /reports/feedback/annual", s(h.annualReport))
		mux.Handle("GET /reports/feedback/annual.csv", s(h.annualCSV))
	}
	mux.Handle("POST /staff/tickets", s(h.staffPost))
}

func (h *Handler) now() time.Time {
	if h.Clock == nil {
		return time.Now()
	}
	return h.Clock.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func (h *Handler) actor(r *http.Request) string {
	if h.Actor != nil {
		if a := h.Actor(r); a != "" {
			return a
		}
	}
	return "staff"
}

// Request is the JSON body of POST /api/v1/tickets: the fields of the form.
type Request struct {
	Kind            ticket.Kind      `json:"kind"`
	Language        string           `json:"language"`
	WhatHappened    string           `json:"what_happened"`
	OccurredOn      string           `json:"occurred_on"`
	OccurredTime    string           `json:"occurred_time"`
	Where           ticket.Place     `json:"where"`
	PhoneFrom       string           `json:"phone_from"`
	CounterLocation string           `json:"counter_location"`
	OtherDetails    string           `json:"other_details"`
	Department      string           `json:"department"`
	Service         string           `json:"service"`
	OutcomeExpected string           `json:"outcome_expected"`
	ContactWanted   bool             `json:"contact_wanted"`
	ContactBy       ticket.ContactBy `json:"contact_by"`
	Name            string           `json:"name"`
	Email           string           `json:"email"`
	Phone           string           `json:"phone"`
	PrivacyAccepted bool             `json:"privacy_accepted"`
	// Staff entry only (POST /api/v1/staff/tickets).
	Channel  ticket.Channel `json:"channel,omitempty"`
	Received string         `json:"received,omitempty"` // RFC 3339 or YYYY-MM-DD: when the letter or e-mail arrived
	CallID   string         `json:"call_id,omitempty"`
}

// Ticket builds the ticket of a request.
func (q *Request) Ticket() *ticket.Ticket {
	return &ticket.Ticket{Kind: q.Kind, Language: q.Language, WhatHappened: q.WhatHappened, OccurredOn: q.OccurredOn,
		OccurredAt: q.OccurredTime, Place: q.Where, PhoneFrom: q.PhoneFrom, CounterLocation: q.CounterLocation,
		OtherDetails: q.OtherDetails, Department: q.Department, Service: q.Service, OutcomeExpected: q.OutcomeExpected,
		ContactWanted: q.ContactWanted, ContactBy: q.ContactBy, Name: q.Name, Email: q.Email, Phone: q.Phone,
		PrivacyAccepted: q.PrivacyAccepted, Channel: q.Channel, CallID: q.CallID}
}

// Created is the answer to a creation.
type Created struct {
	Reference      string        `json:"reference"`
	Status         ticket.Status `json:"status"`
	AcknowledgeDue time.Time     `json:"acknowledge_due"`
	ReplyDue       time.Time     `json:"reply_due"`
	ResolveDue     time.Time     `json:"resolve_due"`
}

func created(t *ticket.Ticket) Created {
	return Created{Reference: t.Reference, Status: t.Status, AcknowledgeDue: t.AckDue, ReplyDue: t.ReplyDue, ResolveDue: t.ResolveDue}
}

// MaxBody is the largest request body accepted.
const MaxBody = 64 << 10

// decode reads a JSON body strictly: unknown fields and wrong types are
// EINVALID errors naming the field.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			return hotline.Errorf(hotline.EINVALID, "%s: want a %s, not a JSON %s", te.Field, te.Type, te.Value)
		case errors.As(err, &se):
			return hotline.Errorf(hotline.EINVALID, "body: not JSON (at byte %d): %v", se.Offset, err)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return hotline.Errorf(hotline.EINVALID, "%s: unknown field", f)
		case errors.Is(err, io.EOF):
			return hotline.Errorf(hotline.EINVALID, "body: empty (want a JSON object)")
		}
		return hotline.Errorf(hotline.EINVALID, "body: %v", err)
	}
	return nil
}

// WriteError writes err as {"error": {"code", "message", "field"}}.
func WriteError(w http.ResponseWriter, err error) {
	code := hotline.ErrorCode(err)
	status, ok := hotline.HTTPStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	msg := hotline.ErrorMessage(err)
	body := map[string]any{"code": code, "message": msg}
	if f, _, ok := strings.Cut(msg, ":"); ok && code == hotline.EINVALID && !strings.ContainsAny(f, " \"") {
		body["field"] = f
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if hotline.ErrorCode(err) == hotline.EINTERNAL {
		h.log().Error("tickets http", "path", r.URL.Path, "err", err)
	}
	WriteError(w, err)
}

func badParam(name, format string, args ...any) error {
	return hotline.Errorf(hotline.EINVALID, "%s: %s", name, fmt.Sprintf(format, args...))
}
