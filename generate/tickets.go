package generate

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/ticket"
)

// tickets writes o.Tickets tickets (60% complaints, 30% compliments, 10%
// information requests), with their deadlines in working days on the
// configuration's holiday calendar (ticket.SetDeadlines).
func (g *gen) tickets(ctx context.Context, o Options, res *Result) error {
	if o.Tickets <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(o.Seed, 77))
	cols := []string{"reference", "year", "seq", "kind", "channel", "status", "department", "created", "ack_due", "reply_due",
		"resolve_due", "acknowledged_at", "resolved_at", "updated", "privacy_accepted"}
	depts := []string{"dvdl", "cbc", "passports", "registry", "worc", "pocs"}
	kinds := []string{"complaint", "complaint", "complaint", "complaint", "complaint", "complaint", "compliment", "compliment", "compliment", "information"}
	channels := []string{"phone", "counter", "online", "email", "letter", "sms"}
	const size = 20_000
	for lo := 0; lo < o.Tickets; lo += size {
		var rows [][]any
		for i := lo; i < min(o.Tickets, lo+size); i++ {
			created := g.workingMoment(rng)
			dept := depts[rng.IntN(len(depts))]
			// Deadlines as the ticket service sets them: working days on the holiday calendar.
			due := ticket.Ticket{Created: created, Department: dept}
			ticket.SetDeadlines(g.cfg, &due)
			var ack, resolved any
			status := "new"
			if rng.IntN(10) < 9 {
				a := created.Add(time.Duration(rng.IntN(72)) * time.Hour)
				ack, status = a, "acknowledged"
				if rng.IntN(10) < 8 {
					r := a.Add(time.Duration(rng.IntN(20*24)) * time.Hour)
					resolved, status = r, "resolved"
				}
			}
			// Unique across runs in one schema: year 9000 + the seed's low bits, then the index.
			year := created.Year()
			ref := fmt.Sprintf("G%d-%d-%07d", o.Seed%1000, year, i+1)
			rows = append(rows, []any{ref, int32(year), int64(o.Seed%1000)*10_000_000 + int64(i+1), kinds[rng.IntN(len(kinds))],
				channels[rng.IntN(len(channels))], status, dept, created, due.AckDue, due.ReplyDue,
				due.ResolveDue, ack, resolved, created, true})
		}
		n, err := g.db.Pool().CopyFrom(ctx, pgx.Identifier{"tickets"}, cols, pgx.CopyFromRows(rows))
		g.rows.Add(n)
		if err != nil {
			return fmt.Errorf("generate: tickets: %w", err)
		}
		res.Tickets += len(rows)
	}
	return nil
}
