package tickethttp

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/ticket"
)

// apiCreate is the public JSON form: the channel is always online.
func (h *Handler) apiCreate(w http.ResponseWriter, r *http.Request) {
	var q Request
	if err := decode(r, &q); err != nil {
		h.fail(w, r, err)
		return
	}
	if q.Channel != "" || q.Received != "" || q.CallID != "" {
		h.fail(w, r, badParam("channel", "the public form is always online; staff enter other channels at /api/v1/staff/tickets"))
		return
	}
	t := q.Ticket()
	t.Channel = ticket.ByOnline
	if err := h.Tickets.Create(r.Context(), t, "public"); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, created(t))
}

// apiStaffCreate: staff enter a letter, e-mail, counter visit or phone call.
func (h *Handler) apiStaffCreate(w http.ResponseWriter, r *http.Request) {
	var q Request
	if err := decode(r, &q); err != nil {
		h.fail(w, r, err)
		return
	}
	t := q.Ticket()
	if t.Channel == "" {
		h.fail(w, r, badParam("channel", "required (phone, counter, online, email, letter or sms)"))
		return
	}
	if q.Received != "" {
		at, err := h.parseWhen(q.Received, false)
		if err != nil || at.After(h.now()) {
			h.fail(w, r, badParam("received", "%q is not a past date or time (want YYYY-MM-DD or RFC 3339)", q.Received))
			return
		}
		t.Created = at
	}
	if err := h.Tickets.Create(r.Context(), t, h.actor(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, created(t))
}

// Detail is GET /api/v1/tickets/{reference}.
type Detail struct {
	*ticket.Ticket
	Overdue bool                `json:"overdue"`
	History []ticket.Change     `json:"history"`
	Calls   []ticket.LinkedCall `json:"calls"`
	Next    []ticket.Status     `json:"next_statuses"`
}

func (h *Handler) detail(r *http.Request, ref string) (*Detail, error) {
	t, err := h.Tickets.Find(r.Context(), ref)
	if err != nil {
		return nil, err
	}
	hist, err := h.Tickets.History(r.Context(), t.Reference)
	if err != nil {
		return nil, err
	}
	calls, err := h.Tickets.Calls(r.Context(), t.Reference)
	if err != nil {
		return nil, err
	}
	if calls == nil {
		calls = []ticket.LinkedCall{}
	}
	return &Detail{Ticket: t, Overdue: t.Overdue(h.now()), History: hist, Calls: calls, Next: t.Status.Next()}, nil
}

func (h *Handler) apiGet(w http.ResponseWriter, r *http.Request) {
	d, err := h.detail(r, r.PathValue("reference"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (h *Handler) apiStatus(w http.ResponseWriter, r *http.Request) {
	var q struct {
		Status ticket.Status `json:"status"`
		Note   string        `json:"note"`
	}
	if err := decode(r, &q); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Tickets.Transition(r.Context(), r.PathValue("reference"), q.Status, h.actor(r), q.Note); err != nil {
		h.fail(w, r, err)
		return
	}
	h.apiGet(w, r)
}

func (h *Handler) apiAssign(w http.ResponseWriter, r *http.Request) {
	var q struct {
		Department string `json:"department"`
		Officer    string `json:"officer"`
		Note       string `json:"note"`
	}
	if err := decode(r, &q); err != nil {
		h.fail(w, r, err)
		return
	}
	if q.Department == "" && q.Officer == "" {
		h.fail(w, r, badParam("department", "give a department, an officer or both"))
		return
	}
	if _, err := h.Tickets.Assign(r.Context(), r.PathValue("reference"), q.Department, q.Officer, h.actor(r), q.Note); err != nil {
		h.fail(w, r, err)
		return
	}
	h.apiGet(w, r)
}

// filter reads the search parameters.
func (h *Handler) filter(r *http.Request) (ticket.Filter, error) {
	v := r.URL.Query()
	f := ticket.Filter{Reference: v.Get("reference"), Department: v.Get("department"), Phone: v.Get("phone"), Now: h.now()}
	for _, s := range v["status"] {
		for _, one := range strings.Split(s, ",") {
			if one == "" {
				continue
			}
			st, err := ticket.ParseStatus(one)
			if err != nil {
				return f, err
			}
			f.Status = append(f.Status, st)
		}
	}
	if k := v.Get("kind"); k != "" {
		if f.Kind = ticket.Kind(k); !f.Kind.Valid() {
			return f, badParam("kind", "%q is not a kind (want complaint, compliment or information)", k)
		}
	}
	if c := v.Get("channel"); c != "" {
		if f.Channel = ticket.Channel(c); !f.Channel.Valid() {
			return f, badParam("channel", "%q is not a channel", c)
		}
	}
	if f.Department != "" && h.Config.Department(f.Department) == nil {
		return f, badParam("department", "%q is not a department", f.Department)
	}
	if o := v.Get("overdue"); o != "" {
		b, err := strconv.ParseBool(o)
		if err != nil {
			return f, badParam("overdue", "%q is not true or false", o)
		}
		f.Overdue = b
	}
	var err error
	if s := v.Get("from"); s != "" {
		if f.From, err = h.parseWhen(s, false); err != nil {
			return f, badParam("from", "%q is not a date (want YYYY-MM-DD or RFC 3339)", s)
		}
	}
	if s := v.Get("to"); s != "" {
		if f.To, err = h.parseWhen(s, true); err != nil {
			return f, badParam("to", "%q is not a date (want YYYY-MM-DD or RFC 3339)", s)
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return f, badParam(p.name, "%q is not a whole number", s)
			}
			*p.dst = n
		}
	}
	return f, nil
}

// parseWhen reads YYYY-MM-DD (local midnight; the next midnight when
// inclusiveEnd, so to=2026-03-31 includes that day) or RFC 3339.
func (h *Handler) parseWhen(s string, inclusiveEnd bool) (time.Time, error) {
	if d, err := time.ParseInLocation("2006-01-02", s, h.Config.Location()); err == nil {
		if inclusiveEnd {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	return time.Parse(time.RFC3339, s)
}

func (h *Handler) apiSearch(w http.ResponseWriter, r *http.Request) {
	f, err := h.filter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ts, total, err := h.Tickets.Search(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	type row struct {
		*ticket.Ticket
		Overdue bool `json:"overdue"`
	}
	out := make([]row, len(ts))
	for i, t := range ts {
		out[i] = row{t, t.Overdue(f.Now)}
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "tickets": out})
}

// CSVHeader is the header of the CSV export.
var CSVHeader = []string{"reference", "kind", "channel", "status", "language", "department", "service", "where",
	"occurred_on", "occurred_time", "what_happened", "outcome_expected", "contact_wanted", "contact_by", "name", "email",
	"phone", "phone_from", "officer", "created", "acknowledge_due", "acknowledged_at", "reply_due", "resolve_due",
	"resolved_at", "closed_at", "overdue", "escalated_at"}

func (h *Handler) apiCSV(w http.ResponseWriter, r *http.Request) {
	f, err := h.filter(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if f.Limit == 0 {
		f.Limit = 10000
	}
	ts, _, err := h.Tickets.Search(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tickets.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write(CSVHeader)
	ts2 := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.RFC3339)
	}
	for _, t := range ts {
		_ = cw.Write([]string{t.Reference, string(t.Kind), string(t.Channel), string(t.Status), t.Language, t.Department,
			t.Service, string(t.Place), t.OccurredOn, t.OccurredAt, csvSafe(t.WhatHappened), csvSafe(t.OutcomeExpected),
			strconv.FormatBool(t.ContactWanted), string(t.ContactBy), csvSafe(t.Name), csvSafe(t.Email), t.Phone, t.PhoneFrom,
			t.Officer, ts2(t.Created), ts2(t.AckDue), ts2(t.AcknowledgedAt), ts2(t.ReplyDue), ts2(t.ResolveDue),
			ts2(t.ResolvedAt), ts2(t.ClosedAt), strconv.FormatBool(t.Overdue(f.Now)), ts2(t.EscalatedAt)})
	}
	cw.Flush()
}

// csvSafe stops a spreadsheet from running text typed by the public as a
// formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (h *Handler) apiNotifications(w http.ResponseWriter, r *http.Request) {
	if h.Notifications == nil {
		WriteError(w, hotline.Errorf(hotline.ENOTIMPLEMENTED, "notifications are not available"))
		return
	}
	ns, err := h.Notifications(r, r.URL.Query().Get("recipient"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if ns == nil {
		ns = []ticket.Notification{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": ns})
}
