package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/ticket"
)

// overdueSQL is ticket.Ticket.Overdue in SQL ($n is now).
func overdueSQL(n int) string {
	return fmt.Sprintf(`((status = 'new' AND ack_due < $%d) OR (status NOT IN ('resolved', 'closed') AND resolve_due < $%d))`, n, n)
}

// Search implements ticket.Service.
func (s *Service) Search(ctx context.Context, f ticket.Filter) ([]*ticket.Ticket, int, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Reference != "" {
		year, seq, err := ticket.ParseReference(f.Reference, s.now().In(s.Config.Location()).Year())
		if err != nil {
			return nil, 0, err
		}
		where = append(where, "year = "+arg(year)+" AND seq = "+arg(seq))
	}
	if len(f.Status) > 0 {
		ss := make([]string, len(f.Status))
		for i, st := range f.Status {
			ss[i] = string(st)
		}
		where = append(where, "status = ANY("+arg(ss)+")")
	}
	if f.Kind != "" {
		where = append(where, "kind = "+arg(string(f.Kind)))
	}
	if f.Department != "" {
		where = append(where, "department = "+arg(f.Department))
	}
	if f.Channel != "" {
		where = append(where, "channel = "+arg(string(f.Channel)))
	}
	if f.Phone != "" {
		p := arg(numberKey(f.Phone))
		where = append(where, "("+numberKeySQL("phone")+" = "+p+" OR "+numberKeySQL("phone_from")+" = "+p+")")
	}
	if !f.From.IsZero() {
		where = append(where, "created >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "created < "+arg(f.To))
	}
	if f.Overdue {
		now := f.Now
		if now.IsZero() {
			now = s.now()
		}
		arg(now)
		where = append(where, overdueSQL(len(args)))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM tickets`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("tickets: count: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	} else if limit > 10000 {
		limit = 10000
	}
	q := `SELECT ` + columns + ` FROM tickets` + cond + ` ORDER BY created DESC, id DESC LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := s.Pool.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("tickets: search: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ticket.Ticket, error) { return scan(r, s.Config.Location()) })
	if err != nil {
		return nil, 0, fmt.Errorf("tickets: search: %w", err)
	}
	return out, total, nil
}

// Escalate implements ticket.Service. Each overdue ticket is escalated once:
// escalated_at is set, an "escalated" audit line written, and one
// notification per supervisor of its department stored (the staff panel
// lists them) and logged (reference and department only).
func (s *Service) Escalate(ctx context.Context, now time.Time) ([]ticket.Notification, error) {
	var out []ticket.Notification
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+columns+` FROM tickets WHERE escalated_at IS NULL AND `+overdueSQL(1)+
			` ORDER BY id FOR UPDATE SKIP LOCKED`, now)
		if err != nil {
			return fmt.Errorf("tickets: overdue: %w", err)
		}
		ts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*ticket.Ticket, error) { return scan(r, s.Config.Location()) })
		if err != nil {
			return fmt.Errorf("tickets: overdue: %w", err)
		}
		for _, t := range ts {
			reason := "resolution_overdue"
			if t.Status == ticket.New && now.After(t.AckDue) {
				reason = "acknowledgement_overdue"
			}
			if _, err := tx.Exec(ctx, `UPDATE tickets SET escalated_at = $2, updated = $2 WHERE id = $1`, t.ID, now); err != nil {
				return fmt.Errorf("tickets: escalate: %w", err)
			}
			sup := s.Config.SupervisorsOf(t.Department)
			if err := audit(ctx, tx, t.ID, now, "system", "escalated", "", strings.Join(sup, ","), reason); err != nil {
				return err
			}
			for _, r := range sup {
				if _, err := tx.Exec(ctx, `INSERT INTO ticket_notifications (time, ticket_id, recipient, reason) VALUES ($1, $2, $3, $4)`,
					now, t.ID, r, reason); err != nil {
					return fmt.Errorf("tickets: notify: %w", err)
				}
				out = append(out, ticket.Notification{Time: now, Recipient: r, Reference: t.Reference, Reason: reason})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, n := range out {
		s.log().Warn("ticket overdue: supervisor notified", "reference", n.Reference, "reason", n.Reason, "supervisor", n.Recipient)
	}
	return out, nil
}

// Notifications lists the notifications of a recipient ("" for all), newest
// first.
func (s *Service) Notifications(ctx context.Context, recipient string) ([]ticket.Notification, error) {
	rows, err := s.Pool.Query(ctx, `SELECT n.time, n.recipient, t.reference, n.reason FROM ticket_notifications n
		JOIN tickets t ON t.id = n.ticket_id WHERE $1 = '' OR n.recipient = $1 ORDER BY n.id DESC LIMIT 500`, recipient)
	if err != nil {
		return nil, fmt.Errorf("tickets: notifications: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticket.Notification, error) {
		var n ticket.Notification
		err := r.Scan(&n.Time, &n.Recipient, &n.Reference, &n.Reason)
		return n, err
	})
}

// Anonymise blanks the personal fields (name, e-mail, phone numbers) and the
// free text of tickets resolved or closed before cutoff, and the number and
// body of their SMS, and says how many tickets it changed. Kind, department,
// service, channel, dates and statuses stay for the reports.
func (s *Service) Anonymise(ctx context.Context, cutoff time.Time) (int, error) {
	now := s.now()
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE tickets SET name = '', email = '', phone = '', phone_from = '',
			what_happened = '', other_details = '', outcome_expected = '', counter_location = '',
			anonymised_at = $2, updated = $2
			WHERE anonymised_at IS NULL AND status IN ('resolved', 'closed') AND coalesce(closed_at, resolved_at) < $1
			RETURNING id`, cutoff, now)
		if err != nil {
			return fmt.Errorf("tickets: anonymise: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("tickets: anonymise: %w", err)
		}
		n = len(ids)
		for _, id := range ids {
			if err := audit(ctx, tx, id, now, "system", "anonymised", "", "", "retention period over"); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE sms_outbox SET to_number = '', body = '', updated = $2
			WHERE ticket_id = ANY($1) AND status NOT IN ('pending', 'sending')`, ids, now); err != nil {
			return fmt.Errorf("tickets: anonymise sms: %w", err)
		}
		return nil
	})
	return n, err
}

// Facts lists, for the reports, every ticket created in [from, to) or whose
// acknowledgement or resolution deadline falls in it.
func (s *Service) Facts(ctx context.Context, from, to time.Time) ([]ticket.Fact, error) {
	rows, err := s.Pool.Query(ctx, `SELECT kind, channel, status, department, service, created, ack_due, resolve_due,
			acknowledged_at, coalesce(resolved_at, closed_at)
		FROM tickets WHERE (created >= $1 AND created < $2) OR (ack_due >= $1 AND ack_due < $2) OR
			(resolve_due >= $1 AND resolve_due < $2) ORDER BY id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("tickets: facts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticket.Fact, error) {
		var f ticket.Fact
		var ack, done *time.Time
		err := r.Scan(&f.Kind, &f.Channel, &f.Status, &f.Department, &f.Service, &f.Complaint.Received,
			&f.Complaint.AckDeadline, &f.Complaint.ResolutionDeadline, &ack, &done)
		f.Complaint.Acknowledged, f.Complaint.Resolved = tv(ack), tv(done)
		return f, err
	})
}
