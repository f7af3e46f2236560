package reporting

import (
	"math"
	"sort"
	"time"

	"github.com/publicservice/hotline"
)

// ErlangC is the probability that a call waits, with n agents and a traffic
// of a erlangs (arrival rate × average handling time): Erlang's C formula,
// computed through the Erlang B recursion B(k) = a·B(k−1) / (k + a·B(k−1)),
// C = n·B(n) / (n − a·(1 − B(n))). With n ≤ a the queue grows without end: 1.
func ErlangC(n int, a float64) float64 {
	if a <= 0 {
		return 0
	}
	if float64(n) <= a {
		return 1
	}
	b := 1.0
	for k := 1; k <= n; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return float64(n) * b / (float64(n) - a*(1-b))
}

// ErlangServiceLevel is the share of calls answered within t with n agents,
// a erlangs and average handling time aht: 1 − C(n, a)·e^(−(n − a)·t/aht).
func ErlangServiceLevel(n int, a float64, aht, t time.Duration) float64 {
	if a <= 0 {
		return 1
	}
	if float64(n) <= a || aht <= 0 {
		return 0
	}
	return 1 - ErlangC(n, a)*math.Exp(-(float64(n)-a)*t.Seconds()/aht.Seconds())
}

// AgentsNeeded is the fewest agents that answer target of the calls within t
// by Erlang C, when offered calls arrive evenly over interval and are handled
// in aht on average. No calls: 0.
func AgentsNeeded(offered float64, interval, aht, t time.Duration, target float64) int {
	if offered <= 0 || aht <= 0 || interval <= 0 {
		return 0
	}
	a := offered * aht.Seconds() / interval.Seconds()
	n := int(math.Floor(a)) + 1
	for ErlangServiceLevel(n, a, aht, t) < target {
		n++
	}
	return n
}

// StaffingInterval is one queue's figures for one 30-minute interval of the week.
type StaffingInterval struct {
	Queue        string  `json:"queue"`
	Weekday      string  `json:"weekday"` // local
	Start        string  `json:"start"`   // local "08:30"
	Offered      float64 `json:"offered_per_week"`
	AHTSeconds   float64 `json:"aht_seconds"`
	Erlangs      float64 `json:"erlangs"`
	Needed       int     `json:"agents_needed"`
	LoggedIn     float64 `json:"agents_logged_in"` // average over the weeks
	Understaffed bool    `json:"understaffed"`
}

// StaffingInput is what the staffing table is computed from: the last weeks'
// counts per queue and slot (30-minute slots), and per slot the agents
// logged in (by queue; "" for agents of every queue).
type StaffingInput struct {
	Counts   map[SlotKey]Counts
	LoggedIn map[SlotKey]int
	Weeks    int
	Loc      *time.Location
	// Threshold and Target of each queue's service level.
	Threshold func(queue string) time.Duration
	Target    func(queue string) float64
	// DefaultAHT when a queue answered nothing in the weeks (default 180 s).
	DefaultAHT time.Duration
}

// Staffing lists, per queue and 30-minute interval of the local week that
// had calls or agents, the agents Erlang C says the service-level target
// needs (offered calls averaged over the weeks, the cell's own AHT or else
// the queue's), beside the agents logged in; understaffed when fewer were.
func Staffing(in StaffingInput) []StaffingInterval {
	if in.Weeks <= 0 {
		in.Weeks = 1
	}
	if in.DefaultAHT <= 0 {
		in.DefaultAHT = 180 * time.Second
	}
	type cell struct {
		queue   string
		wd      time.Weekday
		minutes int
	}
	cellOf := func(k SlotKey) cell {
		t := k.Slot.In(in.Loc)
		return cell{k.Queue, t.Weekday(), t.Hour()*60 + (t.Minute()/30)*30}
	}
	counts := map[cell]Counts{}
	perQueue := map[string]Counts{}
	for k, c := range in.Counts {
		cc := counts[cellOf(k)]
		cc.Add(c)
		counts[cellOf(k)] = cc
		q := perQueue[k.Queue]
		q.Add(c)
		perQueue[k.Queue] = q
	}
	logged := map[cell]int{}
	for k, n := range in.LoggedIn {
		logged[cellOf(k)] += n
	}
	for c := range logged {
		if _, ok := counts[c]; !ok && c.queue != "" {
			counts[c] = Counts{}
		}
	}
	out := make([]StaffingInterval, 0, len(counts))
	for c, n := range counts {
		aht, ok := AHT(n).Value()
		if !ok {
			if aht, ok = AHT(perQueue[c.queue]).Value(); !ok {
				aht = in.DefaultAHT
			}
		}
		offered := float64(n.Offered) / float64(in.Weeks)
		s := StaffingInterval{Queue: c.queue, Weekday: c.wd.String(), Start: time.Date(2000, 1, 1, c.minutes/60, c.minutes%60, 0, 0, time.UTC).Format("15:04"),
			Offered: offered, AHTSeconds: math.Round(aht.Seconds()*10) / 10, Erlangs: offered * aht.Seconds() / 1800,
			Needed:   AgentsNeeded(offered, 30*time.Minute, aht, in.Threshold(c.queue), in.Target(c.queue)),
			LoggedIn: float64(logged[c]+logged[cell{"", c.wd, c.minutes}]) / float64(in.Weeks)}
		s.Understaffed = s.LoggedIn < float64(s.Needed)
		out = append(out, s)
	}
	order := map[string]int{}
	for i, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday} {
		order[d.String()] = i
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Queue != b.Queue {
			return a.Queue < b.Queue
		}
		if a.Weekday != b.Weekday {
			return order[a.Weekday] < order[b.Weekday]
		}
		return a.Start < b.Start
	})
	return out
}

// LoggedInBySlot counts, per 30-minute slot of [from, to), the agents logged
// in at some time during the slot: sessions from ADDMEMBER to REMOVEMEMBER
// (an agent already in at from, or never removed, counts from from / to to),
// and any agent with a call event in the slot. Keyed by queue "" (agents
// serve their skills' queues).
func LoggedInBySlot(events []hotline.QueueEvent, from, to time.Time) map[SlotKey]int {
	const slot = 30 * time.Minute
	agents := map[time.Time]map[string]bool{}
	mark := func(t time.Time, agent string) {
		k := t.UTC().Truncate(slot)
		if agents[k] == nil {
			agents[k] = map[string]bool{}
		}
		agents[k][agent] = true
	}
	sorted := make([]hotline.QueueEvent, len(events))
	copy(sorted, events)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Time.Before(sorted[j].Time) })
	since := map[string]time.Time{}
	span := func(agent string, a, b time.Time) {
		for t := a.UTC().Truncate(slot); t.Before(b); t = t.Add(slot) {
			mark(t, agent)
		}
	}
	for _, e := range sorted {
		if e.Agent == "" {
			continue
		}
		switch e.Type {
		case hotline.EvAddMember:
			if _, in := since[e.Agent]; !in {
				since[e.Agent] = e.Time
			}
		case hotline.EvRemoveMember:
			start, in := since[e.Agent]
			if !in {
				start = from
			}
			span(e.Agent, start, e.Time)
			mark(e.Time, e.Agent)
			delete(since, e.Agent)
		default:
			mark(e.Time, e.Agent)
		}
	}
	for a, start := range since {
		span(a, start, to)
	}
	out := map[SlotKey]int{}
	for t, as := range agents {
		if !t.Before(from.UTC().Truncate(slot)) && t.Before(to) {
			out[SlotKey{Slot: t}] = len(as)
		}
	}
	return out
}
