package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/ticket"
)

// MatchWindow is how far either side of the approximate time given on the
// form a call from the stated number still counts as the one complained
// about. Without a time, the whole day counts; without a date, the 30 days
// before the ticket.
const MatchWindow = 2 * time.Hour

// maxLinked bounds the calls linked from a stated number.
const maxLinked = 20

// linkCalls links the call the ticket was logged in (t.CallID), and, when
// the person said which number they called from, the calls from that number
// around when they said it happened.
func (s *Service) linkCalls(ctx context.Context, tx pgx.Tx, t *ticket.Ticket) error {
	if t.CallID != "" {
		if _, err := tx.Exec(ctx, `INSERT INTO ticket_calls (ticket_id, call_id, why) VALUES ($1, $2, 'logged_during')
			ON CONFLICT DO NOTHING`, t.ID, t.CallID); err != nil {
			return fmt.Errorf("tickets: link call: %w", err)
		}
	}
	if t.PhoneFrom == "" {
		return nil
	}
	from, to := s.window(t)
	_, err := tx.Exec(ctx, `INSERT INTO ticket_calls (ticket_id, call_id, why)
		SELECT $1, id, 'called_from' FROM calls
		WHERE `+numberKeySQL("caller")+` = $2 AND arrived >= $3 AND arrived < $4
		ORDER BY arrived LIMIT $5
		ON CONFLICT DO NOTHING`, t.ID, numberKey(t.PhoneFrom), from, to, maxLinked)
	if err != nil {
		return fmt.Errorf("tickets: link calls from number: %w", err)
	}
	return nil
}

// window is when the calls complained about may have arrived.
func (s *Service) window(t *ticket.Ticket) (time.Time, time.Time) {
	loc := s.Config.Location()
	if t.OccurredOn == "" {
		return t.Created.AddDate(0, 0, -30), t.Created.Add(time.Minute)
	}
	day, err := time.ParseInLocation("2006-01-02", t.OccurredOn, loc)
	if err != nil {
		return t.Created.AddDate(0, 0, -30), t.Created.Add(time.Minute)
	}
	if at, err := time.ParseInLocation("2006-01-02 15:04", t.OccurredOn+" "+t.OccurredAt, loc); err == nil && t.OccurredAt != "" {
		return at.Add(-MatchWindow), at.Add(MatchWindow)
	}
	return day, day.AddDate(0, 0, 1)
}

// Calls implements ticket.Service: the linked calls with their queue, agent,
// wait and rating, oldest first. A linked call not yet written (the ticket
// was logged during it) is listed with what is known.
func (s *Service) Calls(ctx context.Context, ref string) ([]ticket.LinkedCall, error) {
	t, err := s.Find(ctx, ref)
	if err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, `SELECT l.call_id, l.why, c.arrived, coalesce(c.queue, ''), coalesce(c.agent, ''),
			coalesce(c.wait_ms, 0), coalesce(c.disposition, ''), c.survey
		FROM ticket_calls l LEFT JOIN calls c ON c.id = l.call_id
		WHERE l.ticket_id = $1 ORDER BY c.arrived NULLS LAST, l.call_id`, t.ID)
	if err != nil {
		return nil, fmt.Errorf("tickets: linked calls: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ticket.LinkedCall, error) {
		var c ticket.LinkedCall
		var arrived *time.Time
		var waitMS int64
		var disp string
		var survey *int16
		if err := r.Scan(&c.CallID, &c.Why, &arrived, &c.Queue, &c.Agent, &waitMS, &disp, &survey); err != nil {
			return c, err
		}
		c.Arrived = tv(arrived)
		c.Wait = time.Duration(waitMS) * time.Millisecond
		c.WaitSeconds = c.Wait.Seconds()
		c.Disposition = hotline.Disposition(disp)
		if survey != nil {
			c.Rating = hotline.Rating(*survey).String()
		}
		return c, nil
	})
}
