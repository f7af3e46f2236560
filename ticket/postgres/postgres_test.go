package postgres_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	smspg "github.com/publicservice/hotline/sms/postgres"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/ticket"
	"github.com/publicservice/hotline/ticket/tickettest"
)

var ctx = context.Background()

func complaint() *ticket.Ticket {
	return &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByOnline, WhatHappened: "Nobody answered for an hour",
		Department: "dvdl", PrivacyAccepted: true}
}

// Each channel of creation: reference, status, deadlines, audit line, and
// the ticket found again by reference and by the keypad digits.
func TestCreateEachChannel(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	refRE := regexp.MustCompile(`^[CMI]-2026-\d{6}$`)
	for i, ch := range ticket.Channels {
		tk := complaint()
		tk.Channel = ch
		tk.Kind = ticket.Kinds[i%len(ticket.Kinds)]
		if err := e.Tickets.Create(ctx, tk, "staff-"+string(ch)); err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		if !refRE.MatchString(tk.Reference) || !strings.HasPrefix(tk.Reference, tk.Kind.Letter()+"-") {
			t.Errorf("%s: reference %q", ch, tk.Reference)
		}
		if want := fmt.Sprintf("-2026-%06d", i+1); !strings.HasSuffix(tk.Reference, want) {
			t.Errorf("%s: reference %s, want sequence %s", ch, tk.Reference, want)
		}
		got, err := e.Tickets.Find(ctx, tk.Reference)
		if err != nil || got.Channel != ch || got.Status != ticket.New || got.CreatedBy != "staff-"+string(ch) {
			t.Fatalf("%s: Find = %+v, %v", ch, got, err)
		}
		if got.AckDue.Format("2006-01-02") != "2026-03-04" || got.ResolveDue.Format("2006-01-02") != "2026-03-16" {
			t.Errorf("%s: deadlines %v %v", ch, got.AckDue, got.ResolveDue)
		}
		digits := strings.ReplaceAll(tk.Reference[2:], "-", "")
		if byDigits, err := e.Tickets.Find(ctx, digits); err != nil || byDigits.ID != got.ID {
			t.Errorf("%s: Find(%s) = %v, %v", ch, digits, byDigits, err)
		}
		h, err := e.Tickets.History(ctx, tk.Reference)
		if err != nil || len(h) != 1 || h[0].Action != "created" || h[0].To != "new" || h[0].Note != string(ch) {
			t.Errorf("%s: history %+v %v", ch, h, err)
		}
	}
	if _, err := e.Tickets.Find(ctx, "C-2026-999999"); hotline.ErrorCode(err) != hotline.ENOTFOUND {
		t.Errorf("unknown reference: %v", err)
	}
	bad := complaint()
	bad.WhatHappened = ""
	if err := e.Tickets.Create(ctx, bad, "public"); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("invalid ticket: %v", err)
	}
}

// Every allowed transition, walked on real rows, and every illegal one
// refused with nothing changed.
func TestEveryTransition(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	for _, from := range ticket.Statuses {
		for _, to := range ticket.Statuses {
			tk := complaint()
			if err := e.Tickets.Create(ctx, tk, "public"); err != nil {
				t.Fatal(err)
			}
			if err := walkTo(e, tk.Reference, from); err != nil {
				t.Fatalf("walk to %s: %v", from, err)
			}
			before, _ := e.Tickets.History(ctx, tk.Reference)
			e.Clock.Add(time.Minute)
			got, err := e.Tickets.Transition(ctx, tk.Reference, to, "officer1", "note "+string(to))
			after, _ := e.Tickets.History(ctx, tk.Reference)
			now, _ := e.Tickets.Find(ctx, tk.Reference)
			if ticket.CanMove(from, to) {
				if err != nil || got.Status != to || now.Status != to {
					t.Errorf("%s → %s: %v (now %s)", from, to, err, now.Status)
					continue
				}
				last := after[len(after)-1]
				if len(after) != len(before)+1 || last.From != string(from) || last.To != string(to) || last.Actor != "officer1" ||
					last.Note != "note "+string(to) || !last.Time.Equal(e.Clock.Now()) {
					t.Errorf("%s → %s: audit %+v", from, to, last)
				}
				if to == ticket.Resolved && !now.ResolvedAt.Equal(e.Clock.Now()) {
					t.Errorf("%s → resolved: resolved_at %v", from, now.ResolvedAt)
				}
				if from == ticket.New && now.AcknowledgedAt.IsZero() {
					t.Errorf("new → %s: not acknowledged", to)
				}
			} else {
				if hotline.ErrorCode(err) != hotline.EINVALID || !strings.Contains(hotline.ErrorMessage(err), "status:") {
					t.Errorf("%s → %s: err %v, want EINVALID", from, to, err)
				}
				if now.Status != from || len(after) != len(before) {
					t.Errorf("%s → %s refused but changed: status %s, %d audit lines (was %d)", from, to, now.Status, len(after), len(before))
				}
			}
		}
	}
}

// walkTo moves a new ticket to status s by allowed moves.
func walkTo(e *tickettest.Env, ref string, s ticket.Status) error {
	paths := map[ticket.Status][]ticket.Status{
		ticket.New:               nil,
		ticket.Acknowledged:      {ticket.Acknowledged},
		ticket.InProgress:        {ticket.InProgress},
		ticket.WaitingOnCustomer: {ticket.Acknowledged, ticket.WaitingOnCustomer},
		ticket.Resolved:          {ticket.Resolved},
		ticket.Closed:            {ticket.Closed},
		ticket.Reopened:          {ticket.Resolved, ticket.Reopened},
	}
	for _, st := range paths[s] {
		if _, err := e.Tickets.Transition(context.Background(), ref, st, "walk", ""); err != nil {
			return err
		}
	}
	return nil
}

// The acknowledgement and resolution SMS go to the outbox in the same
// transaction, only for people who asked to be contacted by phone, once per
// message.
func TestSMSOnlyWhenContactByPhone(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	byPhone := complaint()
	byPhone.ContactWanted, byPhone.ContactBy, byPhone.Phone, byPhone.Language = true, ticket.ContactByPhone, "+1 345 555 0100", "es"
	byEmail := complaint()
	byEmail.ContactWanted, byEmail.Email, byEmail.Phone, byEmail.ContactBy = true, "a@example.ky", "+13455550101", ticket.ContactByEmail
	noContact := complaint()
	noContact.Phone = "+13455550102"
	for _, tk := range []*ticket.Ticket{byPhone, byEmail, noContact} {
		if err := e.Tickets.Create(ctx, tk, "public"); err != nil {
			t.Fatal(err)
		}
		for _, st := range []ticket.Status{ticket.InProgress, ticket.Resolved, ticket.Reopened, ticket.Resolved} {
			if _, err := e.Tickets.Transition(ctx, tk.Reference, st, "o", ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	ob := &smspg.Outbox{Pool: e.DB.Pool()}
	rows, err := ob.Rows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, r := range rows {
		keys = append(keys, r.Key)
		if r.To != "+13455550100" || r.Status != "pending" {
			t.Errorf("row %+v", r)
		}
	}
	want := []string{"ack:" + byPhone.Reference, "resolved:" + byPhone.Reference + ":1", "resolved:" + byPhone.Reference + ":2"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Fatalf("outbox keys %v, want %v", keys, want)
	}
	if !strings.Contains(rows[0].Body, byPhone.Reference) || !strings.Contains(rows[0].Body, "recibimos su queja") {
		t.Errorf("acknowledgement in Spanish with the reference: %q", rows[0].Body)
	}
}

// Many goroutines creating tickets at once: no duplicate reference, no gap.
func TestConcurrentCreate(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	const workers, each = 16, 12
	var mu sync.Mutex
	var refs []string
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				tk := complaint()
				tk.Kind = ticket.Kinds[(w+i)%3]
				if err := e.Tickets.Create(ctx, tk, "public"); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				refs = append(refs, tk.Reference)
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seqs := map[string]bool{}
	for _, r := range refs {
		s := r[2:]
		if seqs[s] {
			t.Errorf("duplicate reference %s", r)
		}
		seqs[s] = true
	}
	var nums []string
	for s := range seqs {
		nums = append(nums, s)
	}
	sort.Strings(nums)
	if len(nums) != workers*each || nums[0] != "2026-000001" || nums[len(nums)-1] != fmt.Sprintf("2026-%06d", workers*each) {
		t.Errorf("%d references from %s to %s", len(nums), nums[0], nums[len(nums)-1])
	}
	// A new year starts again at 1.
	e.Clock.Set(tickettest.Cayman(t, "2027-01-04 09:00"))
	tk := complaint()
	if err := e.Tickets.Create(ctx, tk, "public"); err != nil || tk.Reference != "C-2027-000001" {
		t.Errorf("first of 2027: %s %v", tk.Reference, err)
	}
}

// A complaint about a phone call links the calls from the number given
// around the time given, and the call it was logged during.
func TestLinkedCalls(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-05 10:00"))
	at := func(s string) time.Time { return tickettest.Cayman(t, s) }
	calls := []hotline.CallRecord{
		{ID: "c-match", Caller: "+13455550100", Arrived: at("2026-03-04 14:10"), Queue: "dvdl", Agent: "a103",
			Wait: 95 * time.Second, Disposition: hotline.DispAnswered, Survey: hotline.VeryUnhappy},
		{ID: "c-abandon", Caller: "+1 345 555 0100", Arrived: at("2026-03-04 15:30"), Queue: "dvdl", Wait: 300 * time.Second, Disposition: hotline.DispAbandoned},
		{ID: "c-too-early", Caller: "+13455550100", Arrived: at("2026-03-04 09:00"), Queue: "dvdl", Disposition: hotline.DispAnswered},
		{ID: "c-other-number", Caller: "+13455550199", Arrived: at("2026-03-04 14:15"), Queue: "dvdl", Disposition: hotline.DispAnswered},
		{ID: "c-now", Caller: "+13455550100", Arrived: at("2026-03-05 09:58"), Queue: "complaints", Agent: "a101", Disposition: hotline.DispAnswered},
	}
	for i := range calls {
		calls[i].Ended = calls[i].Arrived.Add(time.Minute)
		if err := e.DB.SaveCall(ctx, &calls[i]); err != nil {
			t.Fatal(err)
		}
	}
	tk := complaint()
	tk.Channel, tk.Place, tk.PhoneFrom, tk.OccurredOn, tk.OccurredAt, tk.CallID = ticket.ByPhone, ticket.OverPhone, "345-555-0100", "2026-03-04", "14:30", "c-now"
	if err := e.Tickets.Create(ctx, tk, "a101"); err != nil {
		t.Fatal(err)
	}
	linked, err := e.Tickets.Calls(ctx, tk.Reference)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range linked {
		got = append(got, c.CallID+"/"+c.Why)
	}
	if strings.Join(got, " ") != "c-match/called_from c-abandon/called_from c-now/logged_during" {
		t.Fatalf("linked %v", got)
	}
	if m := linked[0]; m.Queue != "dvdl" || m.Agent != "a103" || m.WaitSeconds != 95 || m.Rating != "very_unhappy" || m.Disposition != hotline.DispAnswered {
		t.Errorf("linked call details %+v", m)
	}
	// Without a time: the whole day.
	tk2 := complaint()
	tk2.PhoneFrom, tk2.OccurredOn = "+13455550100", "2026-03-04"
	if err := e.Tickets.Create(ctx, tk2, "public"); err != nil {
		t.Fatal(err)
	}
	if l, _ := e.Tickets.Calls(ctx, tk2.Reference); len(l) != 3 {
		t.Errorf("whole day: %d calls linked, want 3", len(l))
	}
	_ = store.Rating{}
}

// Staff search by every filter; overdue escalation flags once and notifies
// the department's supervisors.
func TestSearchAndEscalate(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	mk := func(kind ticket.Kind, dept, phone string) *ticket.Ticket {
		tk := complaint()
		tk.Kind, tk.Department, tk.Phone = kind, dept, phone
		if err := e.Tickets.Create(ctx, tk, "public"); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	a := mk(ticket.Complaint, "dvdl", "+13455550100")
	e.Clock.Set(tickettest.Cayman(t, "2026-03-03 10:00"))
	b := mk(ticket.Compliment, "worc", "")
	c := mk(ticket.Complaint, "passports", "")
	if _, err := e.Tickets.Transition(ctx, c.Reference, ticket.InProgress, "o", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tickets.Assign(ctx, c.Reference, "dvdl", "a103", "sup", "wrong department"); err != nil {
		t.Fatal(err)
	}
	search := func(f ticket.Filter) string {
		ts, n, err := e.Tickets.Search(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, x := range ts {
			refs = append(refs, x.Reference)
		}
		if n != len(ts) {
			t.Errorf("total %d, listed %d", n, len(ts))
		}
		return strings.Join(refs, " ")
	}
	checks := []struct {
		f    ticket.Filter
		want string
	}{
		{ticket.Filter{}, c.Reference + " " + b.Reference + " " + a.Reference},
		{ticket.Filter{Status: []ticket.Status{ticket.New}}, b.Reference + " " + a.Reference},
		{ticket.Filter{Department: "dvdl"}, c.Reference + " " + a.Reference},
		{ticket.Filter{Kind: ticket.Compliment}, b.Reference},
		{ticket.Filter{Reference: a.Reference}, a.Reference},
		{ticket.Filter{Phone: "345 555 0100"}, a.Reference},
		{ticket.Filter{From: tickettest.Cayman(t, "2026-03-03 00:00")}, c.Reference + " " + b.Reference},
		{ticket.Filter{To: tickettest.Cayman(t, "2026-03-03 00:00")}, a.Reference},
		{ticket.Filter{Overdue: true, Now: tickettest.Cayman(t, "2026-03-05 00:00")}, a.Reference},
		{ticket.Filter{Overdue: true, Now: tickettest.Cayman(t, "2026-03-18 00:00")}, c.Reference + " " + b.Reference + " " + a.Reference},
	}
	for i, ck := range checks {
		if got := search(ck.f); got != ck.want {
			t.Errorf("search %d %+v = %s, want %s", i, ck.f, got, ck.want)
		}
	}
	// Acknowledgement of a overdue on Thursday: escalated once.
	n1, err := e.Tickets.Escalate(ctx, tickettest.Cayman(t, "2026-03-05 00:00"))
	if err != nil || len(n1) != 1 || n1[0].Reference != a.Reference || n1[0].Recipient != "a115" || n1[0].Reason != "acknowledgement_overdue" {
		t.Fatalf("escalate: %+v %v", n1, err)
	}
	n2, err := e.Tickets.Escalate(ctx, tickettest.Cayman(t, "2026-03-05 01:00"))
	if err != nil || len(n2) != 0 {
		t.Errorf("escalated twice: %+v %v", n2, err)
	}
	// WORC's 15-day target: b is overdue only after 2026-03-24; c (dvdl, 10 days) after 2026-03-17.
	n3, err := e.Tickets.Escalate(ctx, tickettest.Cayman(t, "2026-03-18 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range n3 {
		got[n.Reference] = n.Reason
	}
	if len(got) != 2 || got[c.Reference] != "resolution_overdue" || got[b.Reference] != "acknowledgement_overdue" {
		t.Errorf("second round %+v", n3)
	}
	x, _ := e.Tickets.Find(ctx, a.Reference)
	if x.EscalatedAt.IsZero() {
		t.Error("not flagged")
	}
	h, _ := e.Tickets.History(ctx, c.Reference)
	var actions []string
	for _, ch := range h {
		actions = append(actions, ch.Action)
	}
	if strings.Join(actions, ",") != "created,status,department,officer,escalated" {
		t.Errorf("audit of c: %v", actions)
	}
	ns, err := e.Tickets.Notifications(ctx, "a115")
	if err != nil || len(ns) != 3 {
		t.Errorf("notifications %+v %v", ns, err)
	}
}

// Retention: personal fields of tickets done before the cutoff are blanked.
func TestAnonymise(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2025-01-06 10:00"))
	old := complaint()
	old.Name, old.Email, old.Phone, old.PhoneFrom, old.ContactWanted, old.ContactBy = "Ann Ebanks", "ann@example.ky", "+13455550100", "+13455550100", true, ticket.ContactByPhone
	open := complaint()
	open.Name = "Bob"
	for _, tk := range []*ticket.Ticket{old, open} {
		if err := e.Tickets.Create(ctx, tk, "public"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Tickets.Transition(ctx, old.Reference, ticket.Resolved, "o", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.Pool().Exec(ctx, `UPDATE sms_outbox SET status = 'delivered'`); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(tickettest.Cayman(t, "2026-03-01 10:00"))
	n, err := e.Tickets.Anonymise(ctx, e.Clock.Now().Add(-e.Config.Complaints.Retention))
	if err != nil || n != 1 {
		t.Fatalf("anonymised %d %v", n, err)
	}
	a, _ := e.Tickets.Find(ctx, old.Reference)
	if a.Name != "" || a.Email != "" || a.Phone != "" || a.PhoneFrom != "" || a.WhatHappened != "" || a.AnonymisedAt.IsZero() || a.Department != "dvdl" {
		t.Errorf("anonymised ticket %+v", a)
	}
	if b, _ := e.Tickets.Find(ctx, open.Reference); b.Name != "Bob" {
		t.Error("an open ticket was anonymised")
	}
	rows, _ := (&smspg.Outbox{Pool: e.DB.Pool()}).Rows(ctx)
	for _, r := range rows {
		if r.To != "" || r.Body != "" {
			t.Errorf("sms row kept personal data: %+v", r)
		}
	}
	if n, _ := e.Tickets.Anonymise(ctx, e.Clock.Now()); n != 0 {
		t.Errorf("anonymised again: %d", n)
	}
}
