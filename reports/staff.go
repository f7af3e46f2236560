package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/store"
)

// StaffRecord is one row of the staff table (migration 0006), keyed by agent id.
type StaffRecord struct {
	AgentID        string    `json:"agent_id"`
	Department     string    `json:"department"`
	CustomerFacing bool      `json:"customer_facing"`
	LastTrained    time.Time `json:"last_trained,omitzero"` // a date; zero: never
}

// SaveStaff inserts or replaces staff records.
func SaveStaff(ctx context.Context, db *store.DB, recs ...StaffRecord) error {
	b := &pgx.Batch{}
	for _, r := range recs {
		if r.AgentID == "" {
			return hotline.Errorf(hotline.EINVALID, "staff record without an agent id")
		}
		var trained *time.Time
		if !r.LastTrained.IsZero() {
			trained = &r.LastTrained
		}
		b.Queue(`INSERT INTO staff (agent_id, department, customer_facing, last_trained) VALUES ($1, $2, $3, $4)
			ON CONFLICT (agent_id) DO UPDATE SET department = EXCLUDED.department,
			customer_facing = EXCLUDED.customer_facing, last_trained = EXCLUDED.last_trained`,
			r.AgentID, r.Department, r.CustomerFacing, trained)
	}
	if err := db.Pool().SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("reports: save staff: %w", err)
	}
	return nil
}

// LoadStaff returns one department's staff ("" everyone) as the training metric needs them.
func LoadStaff(ctx context.Context, db *store.DB, dept string) ([]reporting.StaffMember, error) {
	rows, err := db.Pool().Query(ctx, `SELECT customer_facing, last_trained FROM staff WHERE $1 = '' OR department = $1`, dept)
	if err != nil {
		return nil, fmt.Errorf("reports: staff: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (reporting.StaffMember, error) {
		var m reporting.StaffMember
		var trained *time.Time
		err := row.Scan(&m.CustomerFacing, &trained)
		if trained != nil {
			// A training date counts for its whole day.
			m.LastTrained = *trained
		}
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("reports: staff: %w", err)
	}
	return out, nil
}

// Staffing is the Erlang C table of the weeks before now: per queue and
// 30-minute interval of the week, agents needed beside agents logged in.
func (s *Service) Staffing(ctx context.Context, weeks int) ([]reporting.StaffingInterval, error) {
	if weeks <= 0 {
		weeks = 4
	}
	loc := s.loc()
	now := s.now().In(loc)
	to := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from := to.AddDate(0, 0, -7*weeks)
	counts, err := s.DB.QueueRollup(ctx, from, to)
	if err != nil {
		return nil, err
	}
	agentEvents, err := s.agentEvents(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return reporting.Staffing(reporting.StaffingInput{Counts: counts, LoggedIn: reporting.LoggedInBySlot(agentEvents, from, to),
		Weeks: weeks, Loc: loc, Threshold: s.Config.Threshold, Target: s.Config.Target}), nil
}

// agentEvents are the events that say which agents were working: sign-in
// and sign-out, pauses, and the calls they took.
func (s *Service) agentEvents(ctx context.Context, from, to time.Time) ([]hotline.QueueEvent, error) {
	rows, err := s.DB.Pool().Query(ctx, `SELECT time, agent, event FROM queue_events
		WHERE time >= $1 AND time < $2 AND agent <> '' AND event IN ('ADDMEMBER', 'REMOVEMEMBER', 'CONNECT', 'PAUSE', 'UNPAUSE')`, from, to)
	if err != nil {
		return nil, fmt.Errorf("reports: agent events: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (hotline.QueueEvent, error) {
		var e hotline.QueueEvent
		var typ string
		err := row.Scan(&e.Time, &e.Agent, &typ)
		e.Type = hotline.QueueEventType(typ)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("reports: agent events: %w", err)
	}
	return out, nil
}
