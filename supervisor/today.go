package supervisor

import (
	"context"
	"fmt"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reporting"
)

// SlowFigures come from Postgres, refreshed every few seconds: today's
// satisfaction per department and source, intraday intervals, callbacks
// pending.
type SlowFigures struct {
	At           time.Time                                    `json:"at"`
	Satisfaction map[string]map[string]reporting.Satisfaction `json:"satisfaction"` // department → source (phone, kiosk, web, "" all) → tally
	// Intervals of the whole hotline, or on a site's board the site's (see
	// siteEvents): offered to the queues the site serves, answered by its
	// agents, service level answered within the threshold ÷ answered.
	Intervals []Interval     `json:"intervals"`
	Site      string         `json:"site,omitempty"` // the site the intervals count; "" every site
	Target    float64        `json:"target"`
	Callbacks map[string]int `json:"callbacks_pending"`
	// siteIntervals: each configured site's intervals.
	siteIntervals map[string][]Interval
}

// forSite is f with the intervals of site (f itself for "" or nil).
func (f *SlowFigures) forSite(site string) *SlowFigures {
	if f == nil || site == "" {
		return f
	}
	cp := *f
	cp.Site = site
	cp.Intervals = f.siteIntervals[site]
	if cp.Intervals == nil {
		cp.Intervals = []Interval{}
	}
	return &cp
}

// Interval is one 15-minute interval of today: every queue together, or a
// site's figures (SlowFigures.Intervals).
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
	out := &SlowFigures{At: now, Satisfaction: map[string]map[string]reporting.Satisfaction{},
		Target: cfg.ServiceLevel.Target, Callbacks: map[string]int{}, siteIntervals: map[string][]Interval{}}
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
	out.Intervals = s.intervals(events, day.From, now, reporting.ServiceLevel)
	for _, st := range cfg.Sites {
		out.siteIntervals[st.ID] = s.intervals(siteEvents(cfg, events, st.ID), day.From, now, reporting.AnsweredOnlyServiceLevel)
	}
	return out, nil
}

// intervals are the 15-minute intervals from the day's start (from) to now
// of events, from the first with a call (the quiet night before it left
// out); sl is the service level of an interval.
func (s *Service) intervals(events []hotline.QueueEvent, from, now time.Time, sl func(reporting.Counts) reporting.Rate) []Interval {
	by := reporting.CountsByInterval(events, from, IntervalLength, s.Config.Threshold, s.Config.ShortAbandon())
	out := []Interval{}
	for t := from; t.Before(now); t = t.Add(IntervalLength) {
		c := by[t]
		if c.Offered == 0 && c.Answered == 0 && len(out) == 0 {
			continue
		}
		out = append(out, Interval{Start: t, Offered: c.Offered, Answered: c.Answered, ServiceLevel: sl(c)})
	}
	return out
}

// siteEvents are the queue events a site's intraday charts count: those of
// the queues the site serves (SiteQueues), so that offered is the calls
// offered to them, with the answers of other sites' agents left out, so that
// answered (and answered within the threshold) is the calls the site's
// agents answered. Only an offer's first CONNECT is an answer (as reporting
// counts it, and as the live counters count queue.Connected); later ones
// (a transfer to a named agent or an attended transfer) are left out too.
// Events come in the store's order (each call's in the order they happened).
func siteEvents(cfg *config.Config, events []hotline.QueueEvent, site string) []hotline.QueueEvent {
	bound := SiteQueues(cfg, site)
	type offer struct{ call, queue string }
	answered := map[offer]bool{}
	out := make([]hotline.QueueEvent, 0, len(events))
	for _, e := range events {
		if e.Queue != "" && !bound[e.Queue] {
			continue
		}
		k := offer{e.CallID, e.Queue}
		switch e.Type {
		case hotline.EvEnterQueue:
			delete(answered, k)
		case hotline.EvConnect:
			first := !answered[k]
			answered[k] = true
			if !first || cfg.AgentSite(e.Agent) != site {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}
