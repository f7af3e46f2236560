package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/store"
)

// TicketComplaints reads complaints from the tickets table (issue #9,
// migration 0005) when this database has it; nil when it has not, so that
// complaint figures say "no data" with NoComplaintsNote. A complaint counts
// where a deadline (acknowledgement or resolution) may fall in the period.
func TicketComplaints(db *store.DB) Complaints {
	var exists bool
	if err := db.Pool().QueryRow(context.Background(), `SELECT to_regclass('tickets') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return nil
	}
	return func(ctx context.Context, dept string, from, to time.Time) ([]reporting.Complaint, error) {
		rows, err := db.Pool().Query(ctx, `SELECT created, ack_due, acknowledged_at, resolve_due, resolved_at FROM tickets
			WHERE kind = 'complaint' AND ($1 = '' OR department = $1)
				AND ((ack_due >= $2 AND ack_due < $3) OR (resolve_due >= $2 AND resolve_due < $3)
					OR (resolved_at >= $2 AND resolved_at < $3))`, dept, from, to)
		if err != nil {
			return nil, fmt.Errorf("reports: complaints: %w", err)
		}
		return pgx.CollectRows(rows, func(row pgx.CollectableRow) (reporting.Complaint, error) {
			var c reporting.Complaint
			var ack, res *time.Time
			err := row.Scan(&c.Received, &c.AckDeadline, &ack, &c.ResolutionDeadline, &res)
			if ack != nil {
				c.Acknowledged = *ack
			}
			if res != nil {
				c.Resolved = *res
			}
			return c, err
		})
	}
}
