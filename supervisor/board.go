// Package supervisor is the supervisors' pages: /supervisor (queues, agents,
// alerts, satisfaction, intraday charts and actions on agents) and the
// large-screen wallboard /supervisor/wallboard, both live within a second,
// and the supervisors' actions (set an agent's state; listen, whisper and
// barge through ARI snoop, ringing the page's own browser phone or a typed
// phone), each written to the audit table.
//
// Sites (?site=<id>): a site's board shows its agents and the queues they
// serve (SiteQueues). Per queue, answered, ASA and service level count the
// calls the site's agents answered today, live: queue.Connected counts them
// per site in the same Redis script as the queue's own counters, and the
// live frame reads them (queue.Live.TodayBySite); service level there is
// answered within the threshold ÷ answered, as an abandoned caller belongs
// to no site. Waiting, longest wait and abandoned stay the whole queue's.
// The site's intraday intervals (from Postgres, every SlowEvery, like the
// rest of SlowFigures) count the calls offered to the queues the site
// serves, the calls its agents answered (an offer's first CONNECT: a
// transfer is not a second answer) and, per interval, the same answered-only
// service level.
//
// Routes (supervisors and admins; agents get 403):
//
//	GET  /supervisor, /supervisor/wallboard?site=<id>   the pages
//	GET  /api/v1/supervisor/board?site=<id>            the board as JSON
//	GET  /api/v1/supervisor/events?site=<id>           the board as Server-Sent Events on every change
//	POST /api/v1/supervisor/agents/{id}/state          {"action":"pause","reason":"meeting"} (audited)
//	POST /api/v1/supervisor/calls/{call}/{mode}         mode listen|whisper|barge, {"endpoint":"PJSIP/sup1"} (audited;
//	                                                    no endpoint: the account's own SIP endpoint, e.g. PJSIP/s201)
//	GET  /api/v1/supervisor/audit                       the last 100 audit rows
//	GET  /api/v1/supervisor/softphone                   the supervisor's own SIP account for the page's browser phone
package supervisor

import (
	"fmt"
	"sort"

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
	// AnsweredBySite is set on a site's board: today's answered, ASA and
	// service level count the calls answered by the site's agents (service
	// level = answered within the threshold ÷ answered, as an abandoned
	// caller belongs to no site; live, from the queue's per-site counters in
	// Redis, queue.Live.TodayBySite), while waiting, longest wait and
	// abandoned stay the queue's, every site's.
	AnsweredBySite string `json:"answered_by_site,omitempty"`
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
	bound := SiteQueues(cfg, site)
	for _, q := range cfg.Queues {
		if site != "" && !bound[q.ID] {
			continue // no agent of the site serves it
		}
		l := fr.Queues[q.ID]
		row := QueueRow{QueueFigures: web.NewQueueFigures(l, q.Department, cfg.Threshold(q.ID), cfg.Target(q.ID)),
			Name: q.Names["en"], ByState: map[string]int{}}
		if row.Name == "" {
			row.Name = q.ID
		}
		if site != "" {
			c := l.TodayBySite[site]
			c.Abandoned, c.ShortAbandoned = l.Today.Abandoned, l.Today.ShortAbandoned
			row.Today = web.PeriodFigures{Counts: c, ServiceLevel: reporting.AnsweredOnlyServiceLevel(c),
				AnsweredOnlyServiceLevel: reporting.AnsweredOnlyServiceLevel(c), ASA: reporting.ASA(c)}
			row.AnsweredBySite = site
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
		b.Totals.Answered += row.Today.Answered
		b.Queues = append(b.Queues, row)
	}
	b.Slow = slow.forSite(site)
	return b
}

// SiteQueues are the queues bound to site: those with the skill of at
// least one of the site's configured agents (nil for "", every queue).
func SiteQueues(cfg *config.Config, site string) map[string]bool {
	if site == "" {
		return nil
	}
	out := map[string]bool{}
	for _, a := range cfg.Agents {
		if a.Site == site {
			for _, sk := range a.Skills {
				out[sk] = true
			}
		}
	}
	return out
}

func hasSkill(skills []string, q string) bool {
	for _, s := range skills {
		if s == q {
			return true
		}
	}
	return false
}
