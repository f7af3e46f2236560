package tickethttp_test

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/ticket"
	"github.com/publicservice/hotline/ticket/tickettest"
)

// Complaints resolved on time, late and not at all, in two departments; a
// compliment; the monthly rate and the annual report count them by hand.
func TestReports(t *testing.T) {
	srv, e, tok := newServer(t)
	ctx := t.Context()
	mk := func(kind ticket.Kind, dept string, ch ticket.Channel) string {
		tk := &ticket.Ticket{Kind: kind, Channel: ch, WhatHappened: "x", Department: dept, PrivacyAccepted: true}
		if err := e.Tickets.Create(ctx, tk, "staff"); err != nil {
			t.Fatal(err)
		}
		return tk.Reference
	}
	// Created Monday 2 March 2026 10:00: dvdl resolution due Monday 16 March (10 working days).
	onTime := mk(ticket.Complaint, "dvdl", ticket.ByOnline)
	late := mk(ticket.Complaint, "dvdl", ticket.ByPhone)
	open := mk(ticket.Complaint, "registry", ticket.ByLetter)
	mk(ticket.Compliment, "dvdl", ticket.ByOnline)
	move := func(ref string, at string, sts ...ticket.Status) {
		e.Clock.Set(tickettest.Cayman(t, at))
		for _, st := range sts {
			if _, err := e.Tickets.Transition(ctx, ref, st, "o", ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	move(onTime, "2026-03-03 09:00", ticket.Acknowledged, ticket.Resolved)
	move(late, "2026-03-20 09:00", ticket.InProgress, ticket.Resolved)
	e.Clock.Set(tickettest.Cayman(t, "2026-04-10 12:00"))
	_ = open
	r := do(t, "GET", srv.URL+"/api/v1/reports/complaints?year=2026", "", "", tok.agent)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	months := r.json["months"].([]any)
	if len(months) != 4 {
		t.Fatalf("%d months up to April", len(months))
	}
	march := months[2].(map[string]any)
	res := march["resolution_on_time"].(map[string]any)
	if res["num"] != float64(1) || res["n"] != float64(3) {
		t.Errorf("March resolution %v, want 1 of 3", res)
	}
	ack := march["acknowledged_on_time"].(map[string]any)
	if ack["num"] != float64(1) || ack["n"] != float64(3) {
		t.Errorf("March acknowledgement %v, want 1 of 3 (deadline 2026-03-04)", ack)
	}
	dvdl := march["departments"].(map[string]any)["dvdl"].(map[string]any)["resolution_on_time"].(map[string]any)
	if dvdl["num"] != float64(1) || dvdl["n"] != float64(2) {
		t.Errorf("dvdl %v", dvdl)
	}
	if feb := months[1].(map[string]any)["resolution_on_time"].(map[string]any); feb["value"] != nil || feb["n"] != float64(0) {
		t.Errorf("February: %v, want no data", feb)
	}
	page := do(t, "GET", srv.URL+"/reports/complaints?year=2026", "", "", tok.agent)
	if !strings.Contains(page.body, "33.3% (n=3)") || !strings.Contains(page.body, "no data") {
		t.Errorf("page: %s", page.body)
	}
	c := do(t, "GET", srv.URL+"/reports/feedback/annual.csv?year=2026", "", "", tok.agent)
	recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, rec := range recs[1:] {
		got[rec[0]+"/"+rec[1]] = strings.Join(rec[2:], " ")
	}
	want := map[string]string{
		"department/dvdl":     "2 1 0 1 2 0.5000",
		"department/registry": "1 0 0 0 1 0.0000",
		"channel/letter":      "1 0 0 0 1 0.0000",
		"outcome/resolved":    "2 0 0 1 2 0.5000",
		"outcome/open":        "1 1 0 0 1 0.0000",
		"all/":                "3 1 0 1 3 0.3333",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if a := do(t, "GET", srv.URL+"/reports/feedback/annual?year=2026", "", "", tok.agent); a.status != 200 || !strings.Contains(a.body, "33.3% (n=3)") {
		t.Errorf("annual page %d", a.status)
	}
	if b := do(t, "GET", srv.URL+"/reports/complaints?year=20x6", "", "", tok.agent); b.status != 400 {
		t.Errorf("bad year %d", b.status)
	}
	_ = time.Second
}
