// Package supervisor is the supervisors' pages: /supervisor (queues, agents,
// alerts, satisfaction, intraday charts and actions on agents) and the
// large-screen wallboard /supervisor/wallboard, both live within a second,
// and the supervisors' actions (set an agent's state; listen, whisper and
// barge through ARI snoop), each written to the audit table.
//
// Routes (supervisors and admins; agents get 403):
//
//	GET  /supervisor, /supervisor/wallboard?site=<id>   the pages
//	GET  /api/v1/supervisor/board?site=<id>            the board as JSON
//	GET  /api/v1/supervisor/events?site=<id>           the board as Server-Sent Events on every change
//	POST /api/v1/supervisor/agents/{id}/state          {"action":"pause","reason":"meeting"} (audited)
//	POST /api/v1/supervisor/calls/{call}/{mode}         mode listen|whisper|barge, {"endpoint":"PJSIP/sup1"} (audited)
//	GET  /api/v1/supervisor/audit                       the last 100 audit rows
package supervisor

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/live"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/web"
)

// Board is what the pages show.
type Board struct {
	Site   string          `json:"site,omitempty"`
	Sites  []config.Site   `json:"sites"`
	Queues []QueueRow      `json:"queues"`
	Agents []web.AgentView `json:"agents"`
	Totals Totals          `json:"totals"`
	Alerts []Alert         `json:"alerts"`
	Slow   *SlowFigures    `json:"today"`
}

// QueueRow is one queue's live line.
type QueueRow struct {
	web.QueueFigures
	Name             string `json:"name"`
	BelowTarget      bool   `json:"below_target"`
	CallbacksPending int    `json:"callbacks_pending"`
	// Agents of the queue (of the site) by state; an agent counts once per
	// queue they serve here, and once in Totals.
	ByState  map[string]int `json:"by_state"`
	NotReady int            `json:"not_ready"`
}

// Totals count every agent once, whatever their number of skills.
type Totals struct {
	Agents   int            `json:"agents"`
	ByState  map[string]int `json:"by_state"`
	Busy     int            `json:"busy"` // ringing, on a call or in wrap-up
	Waiting  int            `json:"waiting"`
	Answered int            `json:"answered"`
}

// Alert is a staffing alert.
type Alert struct {
	Queue     string `json:"queue"`
	NotReady  int    `json:"not_ready"`
	Threshold int    `json:"threshold"`
	Message   string `json:"message"`
}

// Busy reports whether an agent state counts as busy.
func Busy(s agents.State) bool {
	return s == agents.Ringing || s == agents.OnCall || s == agents.WrapUp
}

// build makes the board of site ("" every site) from a frame.
func (s *Service) build(fr *live.Frame, site string) *Board {
	cfg := s.Config
	b := &Board{Site: site, Sites: cfg.Sites, Totals: Totals{ByState: map[string]int{}}, Alerts: []Alert{}, Agents: []web.AgentView{}}
	inSite := func(id string) bool {
		if site == "" {
			return true
		}
		a := cfg.Agent(id)
		return a != nil && a.Site == site
	}
	for _, st := range fr.Agents {
		if !inSite(st.Agent.ID) || st.State == agents.LoggedOut {
			continue
		}
		v := web.NewAgentView(cfg, st)
		b.Agents = append(b.Agents, v)
		b.Totals.Agents++
		b.Totals.ByState[v.State]++
		if Busy(st.State) {
			b.Totals.Busy++
		}
	}
	sort.Slice(b.Agents, func(i, j int) bool { return b.Agents[i].ID < b.Agents[j].ID })
	slow := s.slow()
	for _, q := range cfg.Queues {
		l := fr.Queues[q.ID]
		row := QueueRow{QueueFigures: web.NewQueueFigures(l, q.Department, cfg.Threshold(q.ID), cfg.Target(q.ID)),
			Name: q.Names["en"], ByState: map[string]int{}}
		if row.Name == "" {
			row.Name = q.ID
		}
		if v, ok := row.Today.ServiceLevel.Value(); ok && v < row.Target {
			row.BelowTarget = true
		}
		if slow != nil {
			row.CallbacksPending = slow.Callbacks[q.ID]
		}
		// Agents of this queue, counted from the frame (site-filtered), so
		// the per-queue busy figure matches the agents list.
		row.AgentsAvailable, row.AgentsBusy, row.AgentsPaused = 0, 0, 0
		for _, st := range fr.Agents {
			if st.State == agents.LoggedOut || !inSite(st.Agent.ID) || !hasSkill(st.Agent.Skills, q.ID) {
				continue
			}
			row.ByState[string(st.State)]++
			switch {
			case st.State == agents.Available:
				row.AgentsAvailable++
			case Busy(st.State):
				row.AgentsBusy++
			case st.State == agents.Paused:
				row.AgentsPaused++
				row.NotReady++
			}
		}
		if q.NotReadyAlert > 0 && row.NotReady >= q.NotReadyAlert {
			b.Alerts = append(b.Alerts, Alert{Queue: q.ID, NotReady: row.NotReady, Threshold: q.NotReadyAlert,
				Message: fmt.Sprintf("%s: %d agents not ready at once (alert at %d)", row.Name, row.NotReady, q.NotReadyAlert)})
		}
		b.Totals.Waiting += l.Waiting
		b.Totals.Answered += l.Today.Answered
		b.Queues = append(b.Queues, row)
	}
	b.Slow = slow
	return b
}

func hasSkill(skills []string, q string) bool {
	for _, s := range skills {
		if s == q {
			return true
		}
	}
	return false
}

// SlowFigures come from Postgres, refreshed every few seconds: today's
// satisfaction per department and source, intraday intervals, callbacks
// pending.
type SlowFigures struct {
	At           time.Time                                    `json:"at"`
	Satisfaction map[string]map[string]reporting.Satisfaction `json:"satisfaction"` // department → source (phone, kiosk, web, "" all) → tally
	Intervals    []Interval                                   `json:"intervals"`
	Target       float64                                      `json:"target"`
	Callbacks    map[string]int                               `json:"callbacks_pending"`
}

// Interval is one 15-minute interval of today, every queue together.
type Interval struct {
	Start        time.Time      `json:"start"`
	Offered      int            `json:"offered"`
	Answered     int            `json:"answered"`
	ServiceLevel reporting.Rate `json:"service_level"`
}

// IntervalLength of the intraday charts.
const IntervalLength = 15 * time.Minute

// loadSlow reads today's figures from Postgres.
func (s *Service) loadSlow(ctx context.Context, now time.Time) (*SlowFigures, error) {
	cfg := s.Config
	day := reporting.DayOf(now, cfg.Location())
	out := &SlowFigures{At: now, Satisfaction: map[string]map[string]reporting.Satisfaction{}, Intervals: []Interval{},
		Target: cfg.ServiceLevel.Target, Callbacks: map[string]int{}}
	ratings, err := s.DB.Ratings(ctx, day.From, now.Add(time.Second))
	if err != nil {
		return nil, fmt.Errorf("supervisor: ratings: %w", err)
	}
	byDept := map[string][]reporting.RatingValue{}
	for _, r := range ratings {
		d := r.Department
		if d == "" {
			d = "(none)"
		}
		byDept[d] = append(byDept[d], r.Value())
	}
	for d, rs := range byDept {
		out.Satisfaction[d] = reporting.SatisfactionBy(rs, func(v reporting.RatingValue) string { return string(v.Source) })
	}
	events, err := s.DB.QueueEvents(ctx, day.From, now.Add(time.Second), "")
	if err != nil {
		return nil, fmt.Errorf("supervisor: events: %w", err)
	}
	for _, e := range events {
		switch e.Type {
		case hotline.EvCallbackRequest:
			out.Callbacks[e.Queue]++
		case hotline.EvCallbackDone:
			out.Callbacks[e.Queue]--
		}
	}
	for q, n := range out.Callbacks {
		if n < 0 {
			out.Callbacks[q] = 0
		}
	}
	for t := day.From; t.Before(now); t = t.Add(IntervalLength) {
		p := reporting.Period{From: t, To: t.Add(IntervalLength)}
		var c reporting.Counts
		for _, qc := range reporting.CountsInPeriod(events, p, cfg.Threshold, cfg.ShortAbandon()) {
			c.Add(qc)
		}
		if c.Offered == 0 && c.Answered == 0 && len(out.Intervals) == 0 {
			continue // the quiet night before the first call
		}
		out.Intervals = append(out.Intervals, Interval{Start: t, Offered: c.Offered, Answered: c.Answered, ServiceLevel: reporting.ServiceLevel(c)})
	}
	return out, nil
}
