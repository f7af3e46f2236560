// Package postgres implements ticket.Service on Postgres (pgx/v5), in the
// tables of store/migrations/0005_tickets.sql. Every change is one
// transaction: the ticket row, its audit line and any SMS it causes (the
// outbox row of package sms) commit together or not at all.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/sms"
	smspg "github.com/publicservice/hotline/sms/postgres"
	"github.com/publicservice/hotline/ticket"
)

// Service is the Postgres ticket.Service.
type Service struct {
	Pool   *pgxpool.Pool
	Config *config.Config
	Clock  clock.Clock
	Logger *slog.Logger
}

var _ ticket.Service = (*Service)(nil)

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now()
	}
	return s.Clock.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Service) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("tickets: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("tickets: commit: %w", err)
	}
	return nil
}

const columns = `id, reference, kind, channel, status, language, what_happened, occurred_on, occurred_time, place,
	phone_from, counter_location, other_details, department, service, outcome_expected, contact_wanted, contact_by,
	name, email, phone, privacy_accepted, call_id, recording, coalesce(rating, 0), agent, officer, created_by, created,
	ack_due, reply_due, resolve_due, acknowledged_at, resolved_at, closed_at, escalated_at, anonymised_at, updated`

func scan(r pgx.Row, loc *time.Location) (*ticket.Ticket, error) {
	var t ticket.Ticket
	var rating int16
	var ack, res, clo, esc, ano *time.Time
	err := r.Scan(&t.ID, &t.Reference, &t.Kind, &t.Channel, &t.Status, &t.Language, &t.WhatHappened, &t.OccurredOn,
		&t.OccurredAt, &t.Place, &t.PhoneFrom, &t.CounterLocation, &t.OtherDetails, &t.Department, &t.Service,
		&t.OutcomeExpected, &t.ContactWanted, &t.ContactBy, &t.Name, &t.Email, &t.Phone, &t.PrivacyAccepted, &t.CallID,
		&t.Recording, &rating, &t.Agent, &t.Officer, &t.CreatedBy, &t.Created, &t.AckDue, &t.ReplyDue, &t.ResolveDue,
		&ack, &res, &clo, &esc, &ano, &t.Updated)
	if err != nil {
		return nil, err
	}
	t.Rating = hotline.Rating(rating)
	t.AcknowledgedAt, t.ResolvedAt, t.ClosedAt, t.EscalatedAt, t.AnonymisedAt = tv(ack), tv(res), tv(clo), tv(esc), tv(ano)
	for _, p := range []*time.Time{&t.Created, &t.AckDue, &t.ReplyDue, &t.ResolveDue, &t.AcknowledgedAt, &t.ResolvedAt,
		&t.ClosedAt, &t.EscalatedAt, &t.AnonymisedAt, &t.Updated} {
		if !p.IsZero() {
			*p = p.In(loc)
		}
	}
	return &t, nil
}

func tv(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Create implements ticket.Service.
func (s *Service) Create(ctx context.Context, t *ticket.Ticket, actor string) error {
	now := s.now()
	if t.Created.IsZero() {
		t.Created = now
	}
	if err := ticket.Validate(s.Config, t, now); err != nil {
		return err
	}
	t.Status, t.CreatedBy, t.Updated = ticket.New, actor, now
	ticket.SetDeadlines(s.Config, t)
	year := t.Created.In(s.Config.Location()).Year()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var seq int64
		if err := tx.QueryRow(ctx, `INSERT INTO ticket_counters (year, last) VALUES ($1, 1)
			ON CONFLICT (year) DO UPDATE SET last = ticket_counters.last + 1 RETURNING last`, year).Scan(&seq); err != nil {
			return fmt.Errorf("tickets: next reference: %w", err)
		}
		t.Reference = ticket.Reference(t.Kind, year, seq)
		var rating *int16
		if t.Rating != 0 {
			r := int16(t.Rating)
			rating = &r
		}
		if err := tx.QueryRow(ctx, `INSERT INTO tickets (reference, year, seq, kind, channel, status, language,
			what_happened, occurred_on, occurred_time, place, phone_from, counter_location, other_details, department,
			service, outcome_expected, contact_wanted, contact_by, name, email, phone, privacy_accepted, call_id,
			recording, rating, agent, officer, created_by, created, ack_due, reply_due, resolve_due, updated)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,
			$28,$29,$30,$31,$32,$33,$34) RETURNING id`,
			t.Reference, year, seq, t.Kind, t.Channel, t.Status, t.Language, t.WhatHappened, t.OccurredOn, t.OccurredAt,
			t.Place, t.PhoneFrom, t.CounterLocation, t.OtherDetails, t.Department, t.Service, t.OutcomeExpected,
			t.ContactWanted, t.ContactBy, t.Name, t.Email, t.Phone, t.PrivacyAccepted, t.CallID, t.Recording, rating,
			t.Agent, t.Officer, actor, t.Created, t.AckDue, t.ReplyDue, t.ResolveDue, now).Scan(&t.ID); err != nil {
			return fmt.Errorf("tickets: insert: %w", err)
		}
		if err := audit(ctx, tx, t.ID, now, actor, "created", "", string(ticket.New), string(t.Channel)); err != nil {
			return err
		}
		if err := s.linkCalls(ctx, tx, t); err != nil {
			return err
		}
		if wantsSMS(t) {
			body := sms.Acknowledgement(s.Config.Hotline.Name, t.Language, string(t.Kind), t.Reference, t.ReplyDue)
			if _, err := smspg.Enqueue(ctx, tx, sms.Message{Key: "ack:" + t.Reference, To: t.Phone, Body: body, TicketID: t.ID}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.log().Info("ticket created", "reference", t.Reference, "kind", t.Kind, "channel", t.Channel, "department", t.Department, "actor", actor)
	return nil
}

// wantsSMS: the person asked to be contacted by phone.
func wantsSMS(t *ticket.Ticket) bool {
	return t.ContactWanted && t.ContactBy == ticket.ContactByPhone && t.Phone != ""
}

func audit(ctx context.Context, tx pgx.Tx, id int64, at time.Time, actor, action, from, to, note string) error {
	_, err := tx.Exec(ctx, `INSERT INTO ticket_changes (ticket_id, time, actor, action, from_val, to_val, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, at, actor, action, from, to, note)
	if err != nil {
		return fmt.Errorf("tickets: audit: %w", err)
	}
	return nil
}

// lockRef loads a ticket by reference FOR UPDATE in tx.
func (s *Service) lockRef(ctx context.Context, tx pgx.Tx, ref string) (*ticket.Ticket, error) {
	year, seq, err := ticket.ParseReference(ref, s.now().In(s.Config.Location()).Year())
	if err != nil {
		return nil, err
	}
	t, err := scan(tx.QueryRow(ctx, `SELECT `+columns+` FROM tickets WHERE year = $1 AND seq = $2 FOR UPDATE`, year, seq), s.Config.Location())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "reference: no ticket %s", ref)
	} else if err != nil {
		return nil, fmt.Errorf("tickets: find: %w", err)
	}
	return t, nil
}

// Find implements ticket.Service.
func (s *Service) Find(ctx context.Context, ref string) (*ticket.Ticket, error) {
	year, seq, err := ticket.ParseReference(ref, s.now().In(s.Config.Location()).Year())
	if err != nil {
		return nil, err
	}
	t, err := scan(s.Pool.QueryRow(ctx, `SELECT `+columns+` FROM tickets WHERE year = $1 AND seq = $2`, year, seq), s.Config.Location())
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "reference: no ticket %s", ref)
	} else if err != nil {
		return nil, fmt.Errorf("tickets: find: %w", err)
	}
	return t, nil
}

// Transition implements ticket.Service.
func (s *Service) Transition(ctx context.Context, ref string, to ticket.Status, actor, note string) (*ticket.Ticket, error) {
	now := s.now()
	var t *ticket.Ticket
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if t, err = s.lockRef(ctx, tx, ref); err != nil {
			return err
		}
		if err := ticket.CheckMove(t.Status, to); err != nil {
			return err
		}
		from := t.Status
		t.Status, t.Updated = to, now
		if from == ticket.New && t.AcknowledgedAt.IsZero() {
			t.AcknowledgedAt = now
		}
		switch to {
		case ticket.Resolved:
			t.ResolvedAt = now
		case ticket.Closed:
			t.ClosedAt = now
		case ticket.Reopened:
			t.ResolvedAt, t.ClosedAt = time.Time{}, time.Time{}
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET status = $2, acknowledged_at = $3, resolved_at = $4, closed_at = $5,
			updated = $6 WHERE id = $1`, t.ID, t.Status, nt(t.AcknowledgedAt), nt(t.ResolvedAt), nt(t.ClosedAt), now); err != nil {
			return fmt.Errorf("tickets: update status: %w", err)
		}
		if err := audit(ctx, tx, t.ID, now, actor, "status", string(from), string(to), note); err != nil {
			return err
		}
		if to == ticket.Resolved && wantsSMS(t) {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM ticket_changes WHERE ticket_id = $1 AND action = 'status'
				AND to_val = 'resolved'`, t.ID).Scan(&n); err != nil {
				return fmt.Errorf("tickets: count resolutions: %w", err)
			}
			body := sms.Resolution(s.Config.Hotline.Name, t.Language, string(t.Kind), t.Reference)
			key := fmt.Sprintf("resolved:%s:%d", t.Reference, n)
			if _, err := smspg.Enqueue(ctx, tx, sms.Message{Key: key, To: t.Phone, Body: body, TicketID: t.ID}, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.log().Info("ticket status", "reference", t.Reference, "status", t.Status, "actor", actor)
	return t, nil
}

func nt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// Assign implements ticket.Service.
func (s *Service) Assign(ctx context.Context, ref, department, officer, actor, note string) (*ticket.Ticket, error) {
	now := s.now()
	var t *ticket.Ticket
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if t, err = s.lockRef(ctx, tx, ref); err != nil {
			return err
		}
		if department != "" && department != t.Department {
			if s.Config.Department(department) == nil {
				return hotline.Errorf(hotline.EINVALID, "department: %q is not a department", department)
			}
			if err := audit(ctx, tx, t.ID, now, actor, "department", t.Department, department, note); err != nil {
				return err
			}
			t.Department = department
			// The resolution target is the new department's.
			t.ResolveDue = ticket.DueBy(s.Config, t.Created, s.Config.ResolveDaysOf(department))
		}
		if officer != "" && officer != t.Officer {
			if err := audit(ctx, tx, t.ID, now, actor, "officer", t.Officer, officer, note); err != nil {
				return err
			}
			t.Officer = officer
		}
		t.Updated = now
		_, err = tx.Exec(ctx, `UPDATE tickets SET department = $2, officer = $3, resolve_due = $4, updated = $5 WHERE id = $1`,
			t.ID, t.Department, t.Officer, t.ResolveDue, now)
		if err != nil {
			return fmt.Errorf("tickets: assign: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// History implements ticket.Service.
func (s *Service) History(ctx context.Context, ref string) ([]ticket.Change, error) {
	t, err := s.Find(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, `SELECT time, actor, action, from_val, to_val, note FROM ticket_changes
		WHERE ticket_id = $1 ORDER BY id`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("tickets: history: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticket.Change, error) {
		var c ticket.Change
		err := r.Scan(&c.Time, &c.Actor, &c.Action, &c.From, &c.To, &c.Note)
		return c, err
	})
}

// numberKey is what two phone numbers written differently have in common:
// their last 10 digits (the national number in the Caribbean's +1 plan),
// so "+1 345 555 0100", "345-555-0100" and "13455550100" match.
func numberKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) > 10 {
		d = d[len(d)-10:]
	}
	return d
}

// numberKeySQL is numberKey of a column, in SQL.
func numberKeySQL(col string) string {
	return "right(regexp_replace(" + col + ", '[^0-9]', '', 'g'), 10)"
}
