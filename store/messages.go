package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
)

// Message statuses.
const (
	MessageNew       = "new"       // waiting to be read / become a ticket
	MessageTicketed  = "ticketed"  // a ticket was opened from it
	MessageDiscarded = "discarded" // empty or not actionable
)

// Message is a recorded message left by a caller outside opening hours.
type Message struct {
	ID         int64 // set by the database; ignored by SaveMessage
	Time       time.Time
	CallID     string
	Department string
	Language   string
	Recording  string // stored recording name
	Duration   time.Duration
	Status     string // "" is stored as MessageNew
}

const insertMessageSQL = `INSERT INTO messages (time, call_id, department, language, recording, duration_ms, status)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

func messageArgs(m *Message) ([]any, error) {
	if m.Time.IsZero() || m.Recording == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "message without a time or a recording")
	}
	status := m.Status
	if status == "" {
		status = MessageNew
	}
	return []any{m.Time, m.CallID, m.Department, m.Language, m.Recording, ms(m.Duration), status}, nil
}

// SaveMessage stores a recorded message (status "new" unless given).
func (db *DB) SaveMessage(ctx context.Context, m Message) error {
	args, err := messageArgs(&m)
	if err != nil {
		return err
	}
	if _, err := db.pool.Exec(ctx, insertMessageSQL, args...); err != nil {
		return fmt.Errorf("store: save message: %w", err)
	}
	return nil
}

// Messages returns the messages left in [from, to) with the given status (""
// for any), oldest first.
func (db *DB) Messages(ctx context.Context, from, to time.Time, status string) ([]Message, error) {
	rows, err := db.pool.Query(ctx, `SELECT id, time, call_id, department, language, recording, duration_ms, status
		FROM messages WHERE time >= $1 AND time < $2 AND ($3 = '' OR status = $3) ORDER BY time, id`, from, to, status)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Message, error) {
		var m Message
		var durMS int64
		err := row.Scan(&m.ID, &m.Time, &m.CallID, &m.Department, &m.Language, &m.Recording, &durMS, &m.Status)
		m.Time, m.Duration = m.Time.UTC(), fromMS(durMS)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	return out, nil
}

// insertMessageOnceSQL is insertMessageSQL with the Writer's uid: a message retried is stored once.
const insertMessageOnceSQL = `INSERT INTO messages (time, call_id, department, language, recording, duration_ms,
	status, uid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (uid) DO NOTHING`
