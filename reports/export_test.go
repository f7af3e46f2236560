package reports_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/ticket"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
	"github.com/publicservice/hotline/ticket/tickettest"
)

func TestExport(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	calls := []hotline.CallRecord{
		{ID: "c1", Caller: "+13455550100", Queue: "dvdl", Department: "dvdl", Arrived: local(3, 10, 8, 59, 40), Enqueued: local(3, 10, 9, 0, 0),
			Answered: local(3, 10, 9, 0, 10), Ended: local(3, 10, 9, 3, 10), Agent: "a101", Wait: 10 * sec, Talk: 180 * sec, Disposition: hotline.DispAnswered},
		{ID: "c2", Caller: "+13455550101", Queue: "dvdl", Department: "dvdl", Arrived: local(3, 10, 9, 9, 50), Enqueued: local(3, 10, 9, 10, 0),
			Ended: local(3, 10, 9, 10, 3), Wait: 3 * sec, Disposition: hotline.DispAbandoned},
		{ID: "c9", Caller: "+13455550109", Department: "dvdl", Arrived: local(3, 10, 7, 0, 0), Ended: local(3, 10, 7, 1, 0), Disposition: hotline.DispAfterHours},
	}
	for i := range calls {
		if err := s.DB.SaveCall(ctx, &calls[i]); err != nil {
			t.Fatal(err)
		}
	}
	from, to, _ := reports.ParseDays("2026-03-01", "2026-03-31", cayman)
	tests := []struct {
		kind   string
		header []string
		rows   []string // first columns of each row
		n      int
	}{
		{"calls", reports.CallsHeader, []string{
			"c1,dvdl,dvdl,2026-03-10T09:00:00-05:00,2026-03-10T09:00:10-05:00,2026-03-10T09:03:10-05:00,answered,10.000,180.000,a101",
			"c2,dvdl,dvdl,2026-03-10T09:10:00-05:00,,2026-03-10T09:10:03-05:00,short_abandoned,3.000,0.000,",
		}, 2}, // c9 never queued: not a queue call
		{"ratings", reports.RatingsHeader, []string{"phone,dvdl,c1,2026-03-10T09:05:00-05:00,very_happy,false"}, 5},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		n, err := reports.Export(ctx, s.DB, cayman, 5*time.Second, tt.kind, from, to, &b)
		if err != nil || n != tt.n {
			t.Fatalf("%s: %d rows, %v", tt.kind, n, err)
		}
		recs, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(tt.header, ",") {
			t.Errorf("%s header %v", tt.kind, recs[0])
		}
		for i, want := range tt.rows {
			if got := strings.Join(recs[i+1], ","); got != want {
				t.Errorf("%s row %d:\n got %s\nwant %s", tt.kind, i+1, got, want)
			}
		}
		if bytes.Contains(b.Bytes(), []byte("+1345")) {
			t.Errorf("%s export carries caller numbers", tt.kind)
		}
	}
	clk := tickettest.NewClock(local(3, 10, 10, 0, 0))
	tks := &ticketpg.Service{Pool: s.DB.Pool(), Config: config.Sample(), Clock: clk}
	tk := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByOnline, WhatHappened: "Nobody answered",
		Department: "dvdl", PrivacyAccepted: true, Name: "Ann Example", Phone: "+13455550177"}
	if err := tks.Create(ctx, tk, "test"); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if n, err := reports.Export(ctx, s.DB, cayman, 5*time.Second, "tickets", from, to, &b); err != nil || n != 1 {
		t.Fatalf("tickets: %d rows, %v", n, err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 2 {
		t.Fatalf("tickets CSV %v %v", recs, err)
	}
	if strings.Join(recs[0], ",") != strings.Join(reports.TicketsHeader, ",") {
		t.Errorf("tickets header %v", recs[0])
	}
	if got := strings.Join(recs[1][:4], ","); got != tk.Reference+",complaint,dvdl,2026-03-10T10:00:00-05:00" {
		t.Errorf("tickets row %v", recs[1])
	}
	if strings.Contains(b.String(), "Ann") || strings.Contains(b.String(), "+1345") {
		t.Errorf("tickets export carries personal data: %s", b.String())
	}
	if _, err := reports.Export(ctx, s.DB, cayman, 5*time.Second, "people", from, to, &bytes.Buffer{}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
}
