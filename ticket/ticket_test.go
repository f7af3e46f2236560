package ticket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ticket"
)

func cay(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/Cayman")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Every pair of statuses: allowed exactly when the table says so, refused
// with an EINVALID error that names the allowed moves otherwise.
func TestTransitionTable(t *testing.T) {
	allowed := map[string]bool{
		"new>acknowledged": true, "new>in_progress": true, "new>resolved": true, "new>closed": true,
		"acknowledged>in_progress": true, "acknowledged>waiting_on_customer": true, "acknowledged>resolved": true, "acknowledged>closed": true,
		"in_progress>waiting_on_customer": true, "in_progress>resolved": true, "in_progress>closed": true,
		"waiting_on_customer>in_progress": true, "waiting_on_customer>resolved": true, "waiting_on_customer>closed": true,
		"resolved>closed": true, "resolved>reopened": true,
		"closed>reopened":      true,
		"reopened>in_progress": true, "reopened>waiting_on_customer": true, "reopened>resolved": true, "reopened>closed": true,
	}
	n := 0
	for _, from := range ticket.Statuses {
		for _, to := range ticket.Statuses {
			err := ticket.CheckMove(from, to)
			want := allowed[string(from)+">"+string(to)]
			if want {
				n++
			}
			if (err == nil) != want {
				t.Errorf("%s → %s: err %v, want allowed %v", from, to, err, want)
			}
			if err != nil && (hotline.ErrorCode(err) != hotline.EINVALID || !strings.Contains(err.Error(), "status:")) {
				t.Errorf("%s → %s: error %v is not an EINVALID naming the status", from, to, err)
			}
		}
	}
	if n != len(allowed) {
		t.Errorf("table has %d moves, test expects %d", n, len(allowed))
	}
	err := ticket.CheckMove(ticket.Closed, ticket.InProgress)
	if !strings.Contains(hotline.ErrorMessage(err), "closed cannot become in_progress (it can become reopened)") {
		t.Errorf("message: %v", err)
	}
	if err := ticket.CheckMove(ticket.New, "lost"); err == nil || !strings.Contains(err.Error(), `"lost" is not a status`) {
		t.Errorf("unknown status: %v", err)
	}
}

// Working-day deadlines across weekends, public holidays and year ends,
// on the sample's Cayman holiday calendar.
func TestDueBy(t *testing.T) {
	cfg := config.Sample()
	tests := []struct {
		name, from string
		n          int
		want       string // date; the deadline is 23:59:59 that day
	}{
		{"same week", "2026-03-02 10:00", 2, "2026-03-04"},
		{"over a weekend", "2026-03-05 10:00", 2, "2026-03-09"},
		{"received on a Saturday", "2026-03-07 10:00", 1, "2026-03-09"},
		{"received on a Sunday", "2026-03-08 23:30", 5, "2026-03-13"},
		{"over Good Friday and Easter Monday", "2026-04-01 09:00", 2, "2026-04-07"},
		{"received on a holiday", "2026-04-03 12:00", 1, "2026-04-07"},
		{"over Ash Wednesday", "2026-02-17 09:00", 1, "2026-02-19"},
		{"over Christmas and Boxing Day observed", "2026-12-24 11:00", 2, "2026-12-30"},
		{"year end 2026 into 2027", "2026-12-23 16:00", 5, "2027-01-04"},
		{"year end 2027, Christmas on a Saturday", "2027-12-23 09:00", 3, "2027-12-30"},
		{"10 working days over New Year", "2026-12-18 09:00", 10, "2027-01-06"},
		{"late at night counts as that day", "2026-03-02 23:59", 1, "2026-03-03"},
		{"zero days: the same day", "2026-03-02 08:00", 0, "2026-03-02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ticket.DueBy(cfg, cay(t, tc.from), tc.n)
			want := cay(t, tc.want+" 23:59").Add(59 * time.Second)
			if !got.Equal(want) {
				t.Errorf("DueBy(%s, %d) = %v, want %v", tc.from, tc.n, got, want)
			}
			if tc.n > 0 && cfg.WorkingDaysBetween(cay(t, tc.from), got) != tc.n {
				t.Errorf("WorkingDaysBetween disagrees: %d", cfg.WorkingDaysBetween(cay(t, tc.from), got))
			}
		})
	}
	tk := &ticket.Ticket{Created: cay(t, "2026-12-23 16:00"), Department: "worc"}
	ticket.SetDeadlines(cfg, tk)
	if tk.AckDue.Format("2006-01-02") != "2026-12-29" || tk.ReplyDue.Format("2006-01-02") != "2027-01-04" ||
		tk.ResolveDue.Format("2006-01-02") != "2027-01-18" {
		t.Errorf("deadlines: ack %v reply %v resolve %v", tk.AckDue, tk.ReplyDue, tk.ResolveDue)
	}
}

func TestReference(t *testing.T) {
	if got := ticket.Reference(ticket.Complaint, 2026, 4217); got != "C-2026-004217" {
		t.Errorf("Reference = %s", got)
	}
	if got := ticket.Reference(ticket.Compliment, 2027, 1234567); got != "M-2027-1234567" {
		t.Errorf("Reference beyond a million = %s", got)
	}
	ok := map[string][2]int64{
		"C-2026-004217": {2026, 4217}, "c 2026 4217": {2026, 4217}, "2026004217": {2026, 4217},
		"4217": {2026, 4217}, " M-2025-000001 ": {2025, 1}, "I2026-12": {2026, 12},
	}
	for in, want := range ok {
		y, n, err := ticket.ParseReference(in, 2026)
		if err != nil || int64(y) != want[0] || n != want[1] {
			t.Errorf("ParseReference(%q) = %d %d %v, want %v", in, y, n, err, want)
		}
	}
	for _, in := range []string{"", "C-26-1", "hello", "0", "20260000000000000", "C-2026-", "1999000001"} {
		if _, _, err := ticket.ParseReference(in, 2026); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("ParseReference(%q) err %v, want EINVALID", in, err)
		}
	}
	if got := strings.Join(ticket.Spoken("C-2026-004217"), " "); got != "C 2 0 2 6 0 0 4 2 1 7" {
		t.Errorf("Spoken = %s", got)
	}
}

func TestValidate(t *testing.T) {
	cfg := config.Sample()
	now := cay(t, "2026-06-01 10:00")
	good := func() *ticket.Ticket {
		return &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByOnline, WhatHappened: "Waited an hour", PrivacyAccepted: true}
	}
	tests := []struct {
		name  string
		edit  func(*ticket.Ticket)
		field string
	}{
		{"kind", func(t *ticket.Ticket) { t.Kind = "rant" }, "kind"},
		{"channel", func(t *ticket.Ticket) { t.Channel = "fax" }, "channel"},
		{"what happened", func(t *ticket.Ticket) { t.WhatHappened = "  " }, "what_happened"},
		{"future date", func(t *ticket.Ticket) { t.OccurredOn = "2026-06-02" }, "occurred_on"},
		{"bad date", func(t *ticket.Ticket) { t.OccurredOn = "01/06/2026" }, "occurred_on"},
		{"bad time", func(t *ticket.Ticket) { t.OccurredAt = "25:00" }, "occurred_time"},
		{"where", func(t *ticket.Ticket) { t.Place = "moon" }, "where"},
		{"phone from", func(t *ticket.Ticket) { t.PhoneFrom = "call me" }, "phone_from"},
		{"service", func(t *ticket.Ticket) { t.Service = "nope" }, "service"},
		{"service of another department", func(t *ticket.Ticket) { t.Service = "passport"; t.Department = "dvdl" }, "service"},
		{"department", func(t *ticket.Ticket) { t.Department = "nasa" }, "department"},
		{"email", func(t *ticket.Ticket) { t.Email = "not an address" }, "email"},
		{"contact without details", func(t *ticket.Ticket) { t.ContactWanted = true }, "contact_by"},
		{"contact by phone without one", func(t *ticket.Ticket) { t.ContactWanted = true; t.ContactBy = "phone"; t.Email = "a@b.ky" }, "phone"},
		{"privacy", func(t *ticket.Ticket) { t.PrivacyAccepted = false }, "privacy_accepted"},
		{"language", func(t *ticket.Ticket) { t.Language = "fr" }, "language"},
	}
	for _, tc := range tests {
		tk := good()
		tc.edit(tk)
		err := ticket.Validate(cfg, tk, now)
		if hotline.ErrorCode(err) != hotline.EINVALID || !strings.HasPrefix(hotline.ErrorMessage(err), tc.field+":") {
			t.Errorf("%s: err %v, want EINVALID on %s", tc.name, err, tc.field)
		}
	}
	tk := good()
	tk.Service, tk.ContactWanted, tk.Phone, tk.PhoneFrom = "passport", true, "+1 (345) 555-0100", "345 555 0101"
	if err := ticket.Validate(cfg, tk, now); err != nil {
		t.Fatal(err)
	}
	if tk.Department != "passports" || tk.ContactBy != ticket.ContactByPhone || tk.Phone != "+13455550100" || tk.PhoneFrom != "3455550101" || tk.Language != "en" {
		t.Errorf("inferred: %+v", tk)
	}
	// Staff entering a letter need no privacy tick.
	tk = good()
	tk.Channel, tk.PrivacyAccepted = ticket.ByLetter, false
	if err := ticket.Validate(cfg, tk, now); err != nil {
		t.Errorf("letter: %v", err)
	}
}

func TestOverdue(t *testing.T) {
	tk := &ticket.Ticket{Status: ticket.New, AckDue: cay(t, "2026-03-04 23:59"), ResolveDue: cay(t, "2026-03-13 23:59")}
	if tk.Overdue(cay(t, "2026-03-04 12:00")) || !tk.Overdue(cay(t, "2026-03-05 00:00")) {
		t.Error("acknowledgement overdue")
	}
	tk.Status = ticket.InProgress
	if tk.Overdue(cay(t, "2026-03-05 00:00")) || !tk.Overdue(cay(t, "2026-03-14 00:00")) {
		t.Error("resolution overdue")
	}
	tk.Status = ticket.Resolved
	if tk.Overdue(cay(t, "2026-04-01 00:00")) {
		t.Error("a resolved ticket is never overdue")
	}
}
