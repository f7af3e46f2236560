// Package postgres keeps the SMS outbox, opt-outs and the inbound log in
// Postgres (tables of store/migrations/0005_tickets.sql). Enqueue takes the
// caller's transaction, so a message is written with the change that causes
// it or not at all.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline/sms"
)

// Execer is a pool or a transaction.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Enqueue writes m to the outbox in q (the caller's transaction), due now.
// A second message with the same key is ignored: the key is the message's
// idempotency key. It reports whether a row was written.
func Enqueue(ctx context.Context, q Execer, m sms.Message, now time.Time) (bool, error) {
	var ticket *int64
	if m.TicketID != 0 {
		ticket = &m.TicketID
	}
	tag, err := q.Exec(ctx, `INSERT INTO sms_outbox (key, to_number, body, ticket_id, next_attempt, created, updated)
		VALUES ($1, $2, $3, $4, $5, $5, $5) ON CONFLICT (key) DO NOTHING`, m.Key, m.To, m.Body, ticket, now)
	if err != nil {
		return false, fmt.Errorf("sms outbox: enqueue %s: %w", m.Key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Outbox is the Postgres outbox the sms.Worker drains.
type Outbox struct {
	Pool *pgxpool.Pool
}

// Enqueue writes one message outside any other transaction.
func (o *Outbox) Enqueue(ctx context.Context, m sms.Message, now time.Time) (bool, error) {
	return Enqueue(ctx, o.Pool, m, now)
}

// Claim takes up to n messages due at now: pending ones whose next attempt
// has come, and ones left "sending" longer than lease (their process died
// mid-send: they are marked uncertain). Claimed rows are "sending" with one
// more attempt; concurrent workers never claim the same row.
//
// Identical messages (same number and body, different keys) go one at a
// time, in order: a row is claimed only when no earlier identical row is
// still pending or sending. So an uncertain attempt is never in flight beside
// an identical one, and each claimed message carries in Taken the provider
// ids of its identical rows already sent, which are not its copy.
func (o *Outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, n int) ([]sms.Message, error) {
	rows, err := o.Pool.Query(ctx, `
		UPDATE sms_outbox o SET status = 'sending', attempts = o.attempts + 1, attempt_started = $1, updated = $1,
			uncertain = o.uncertain OR o.status = 'sending'
		FROM (SELECT s.id FROM sms_outbox s
		      WHERE ((s.status = 'pending' AND s.next_attempt <= $1) OR (s.status = 'sending' AND s.attempt_started < $2))
		        AND NOT EXISTS (SELECT 1 FROM sms_outbox e WHERE e.to_number = s.to_number AND e.body = s.body
		                        AND e.id < s.id AND e.status IN ('pending', 'sending'))
		      ORDER BY s.id LIMIT $3 FOR UPDATE OF s SKIP LOCKED) c
		WHERE o.id = c.id
		RETURNING o.id, o.key, o.to_number, o.body, coalesce(o.ticket_id, 0), o.attempts, o.uncertain, o.created,
			ARRAY(SELECT x.sid FROM sms_outbox x WHERE x.to_number = o.to_number AND x.body = o.body
			      AND x.id <> o.id AND x.sid <> '' ORDER BY x.id)`,
		now, now.Add(-lease), n)
	if err != nil {
		return nil, fmt.Errorf("sms outbox: claim: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sms.Message, error) {
		var m sms.Message
		err := r.Scan(&m.ID, &m.Key, &m.To, &m.Body, &m.TicketID, &m.Attempts, &m.Uncertain, &m.Created, &m.Taken)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("sms outbox: claim: %w", err)
	}
	return out, nil
}

// Sent records the provider's id. A delivery callback that came first keeps
// its status.
func (o *Outbox) Sent(ctx context.Context, id int64, sid string, now time.Time) error {
	_, err := o.Pool.Exec(ctx, `UPDATE sms_outbox SET sid = $2, sent_at = coalesce(sent_at, $3), updated = $3,
		uncertain = false, attempt_started = NULL, last_error = '',
		status = CASE WHEN status = 'sending' THEN 'sent' ELSE status END WHERE id = $1`, id, sid, now)
	if err != nil {
		return fmt.Errorf("sms outbox: sent %d: %w", id, err)
	}
	return nil
}

// Retry puts a message back for another attempt at next.
func (o *Outbox) Retry(ctx context.Context, id int64, reason string, next time.Time, uncertain bool, now time.Time) error {
	_, err := o.Pool.Exec(ctx, `UPDATE sms_outbox SET status = 'pending', next_attempt = $2, last_error = $3,
		uncertain = $4, attempt_started = NULL, updated = $5 WHERE id = $1 AND status = 'sending'`, id, next, reason, uncertain, now)
	if err != nil {
		return fmt.Errorf("sms outbox: retry %d: %w", id, err)
	}
	return nil
}

// Failed gives up on a message.
func (o *Outbox) Failed(ctx context.Context, id int64, reason string, now time.Time) error {
	_, err := o.Pool.Exec(ctx, `UPDATE sms_outbox SET status = 'failed', last_error = $2, attempt_started = NULL,
		updated = $3 WHERE id = $1`, id, reason, now)
	if err != nil {
		return fmt.Errorf("sms outbox: failed %d: %w", id, err)
	}
	return nil
}

// Suppressed marks a message not sent because its number opted out.
func (o *Outbox) Suppressed(ctx context.Context, id int64, now time.Time) error {
	_, err := o.Pool.Exec(ctx, `UPDATE sms_outbox SET status = 'suppressed', attempt_started = NULL, updated = $2
		WHERE id = $1`, id, now)
	if err != nil {
		return fmt.Errorf("sms outbox: suppressed %d: %w", id, err)
	}
	return nil
}

// Delivery applies a delivery status callback (queued, sent, delivered,
// undelivered, failed, ...) to the row of that key or provider id. It
// reports whether a row matched.
func (o *Outbox) Delivery(ctx context.Context, key, sid, status, errorCode string, now time.Time) (bool, error) {
	var st string
	switch status {
	case "delivered", "read":
		st = sms.StatusDelivered
	case "undelivered":
		st = sms.StatusUndelivered
	case "failed":
		st = sms.StatusFailed
	case "queued", "accepted", "sending", "sent", "scheduled":
		st = sms.StatusSent
	default:
		st = ""
	}
	tag, err := o.Pool.Exec(ctx, `UPDATE sms_outbox SET
		sid = CASE WHEN sid = '' THEN $2 ELSE sid END,
		status = CASE WHEN $3 = '' THEN status
		              WHEN $3 = 'sent' AND status IN ('delivered', 'undelivered', 'failed') THEN status
		              ELSE $3 END,
		last_error = CASE WHEN $4 <> '' THEN 'twilio error ' || $4 ELSE last_error END,
		sent_at = coalesce(sent_at, $5), updated = $5
		WHERE ($1 <> '' AND key = $1) OR ($1 = '' AND sid = $2 AND $2 <> '')`, key, sid, st, errorCode, now)
	if err != nil {
		return false, fmt.Errorf("sms outbox: delivery: %w", err)
	}
	return tag.RowsAffected() > 0, nil
}

// Row is an outbox row as staff and tests see it.
type Row struct {
	ID        int64
	Key       string
	To        string
	Body      string
	Status    string
	Attempts  int
	Uncertain bool
	LastError string
	SID       string
	Next      time.Time
}

// Rows lists the outbox, oldest first.
func (o *Outbox) Rows(ctx context.Context) ([]Row, error) {
	rows, err := o.Pool.Query(ctx, `SELECT id, key, to_number, body, status, attempts, uncertain, last_error, sid, next_attempt
		FROM sms_outbox ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("sms outbox: list: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Row, error) {
		var x Row
		err := r.Scan(&x.ID, &x.Key, &x.To, &x.Body, &x.Status, &x.Attempts, &x.Uncertain, &x.LastError, &x.SID, &x.Next)
		return x, err
	})
}

// OptOut records a STOP from number.
func (o *Outbox) OptOut(ctx context.Context, number string, now time.Time) error {
	_, err := o.Pool.Exec(ctx, `INSERT INTO sms_optouts (number, time) VALUES ($1, $2) ON CONFLICT (number) DO UPDATE SET time = $2`, number, now)
	if err != nil {
		return fmt.Errorf("sms: opt out: %w", err)
	}
	return nil
}

// OptIn records a START from number.
func (o *Outbox) OptIn(ctx context.Context, number string) error {
	if _, err := o.Pool.Exec(ctx, `DELETE FROM sms_optouts WHERE number = $1`, number); err != nil {
		return fmt.Errorf("sms: opt in: %w", err)
	}
	return nil
}

// OptedOut reports whether number texted STOP (and not START since).
func (o *Outbox) OptedOut(ctx context.Context, number string) (bool, error) {
	var n int
	if err := o.Pool.QueryRow(ctx, `SELECT count(*) FROM sms_optouts WHERE number = $1`, number).Scan(&n); err != nil {
		return false, fmt.Errorf("sms: opted out: %w", err)
	}
	return n > 0, nil
}

// Inbound returns the reply already given to an inbound message, if any.
func (o *Outbox) Inbound(ctx context.Context, messageSID string) (reply string, seen bool, err error) {
	err = o.Pool.QueryRow(ctx, `SELECT reply FROM sms_inbound WHERE message_sid = $1`, messageSID).Scan(&reply)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	} else if err != nil {
		return "", false, fmt.Errorf("sms: inbound: %w", err)
	}
	return reply, true, nil
}

// RecordInbound notes an inbound message as handled, with the reply given.
func (o *Outbox) RecordInbound(ctx context.Context, messageSID, reply string, now time.Time) error {
	_, err := o.Pool.Exec(ctx, `INSERT INTO sms_inbound (message_sid, time, reply) VALUES ($1, $2, $3)
		ON CONFLICT (message_sid) DO NOTHING`, messageSID, now, reply)
	if err != nil {
		return fmt.Errorf("sms: record inbound: %w", err)
	}
	return nil
}
