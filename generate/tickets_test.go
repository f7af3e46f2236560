package generate_test

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/generate"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/ticket"
)

// Generated tickets carry the deadlines the ticket service would set: the
// end of the working day complaints.acknowledge_days, correspondence_days or the department's
// resolution target working days after receipt, on the configured holiday
// calendar. Two months ending with Christmas and New Year's Day put some
// deadlines across public holidays; no ticket is received on a weekend or a
// holiday.
func TestGeneratedTicketDeadlinesInWorkingDays(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	cfg := config.Sample()
	end := time.Date(2027, 1, 15, 12, 0, 0, 0, cfg.Location())
	res, err := generate.Run(ctx, db, cfg, generate.Options{Tickets: 400, Months: 2, Seed: 5, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tickets != 400 {
		t.Fatalf("%d tickets", res.Tickets)
	}
	rows, err := db.Pool().Query(ctx, `SELECT reference, department, created, ack_due, reply_due, resolve_due FROM tickets`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, acrossHoliday := 0, 0
	for rows.Next() {
		var ref, dept string
		var created, ack, reply, resolve time.Time
		if err := rows.Scan(&ref, &dept, &created, &ack, &reply, &resolve); err != nil {
			t.Fatal(err)
		}
		n++
		if !cfg.IsWorkingDay(created) {
			t.Errorf("%s received on %s, not a working day", ref, created.In(cfg.Location()).Format("Mon 2006-01-02"))
		}
		want := ticket.Ticket{Created: created, Department: dept}
		ticket.SetDeadlines(cfg, &want)
		if !ack.Equal(want.AckDue) || !reply.Equal(want.ReplyDue) || !resolve.Equal(want.ResolveDue) {
			t.Errorf("%s (%s, received %s): due %s / %s / %s, want %s / %s / %s", ref, dept, created, ack, reply, resolve,
				want.AckDue, want.ReplyDue, want.ResolveDue)
		}
		if got := cfg.WorkingDaysBetween(created, ack); got != cfg.Complaints.AcknowledgeDays {
			t.Errorf("%s: acknowledgement due %d working days after receipt", ref, got)
		}
		// 5 working days (the reply) span 7 calendar days unless a public holiday falls in between.
		if reply.Sub(created) > 8*24*time.Hour {
			acrossHoliday++
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 400 || acrossHoliday == 0 {
		t.Errorf("%d tickets, %d with a holiday before the reply deadline (want some)", n, acrossHoliday)
	}
}
