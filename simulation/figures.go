package simulation

import (
	"sort"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/store"
)

// Figures are one side's account of the day: the controller's (from the
// Postgres queue event log and ratings) or the simulator's ground truth.
type Figures struct {
	Offered          int            `json:"offered"`
	Answered         int            `json:"answered"`
	Abandoned        int            `json:"abandoned"`
	ShortAbandoned   int            `json:"short_abandoned"`
	AnsweredWithinSL int            `json:"answered_within_sl"`
	TimedOut         int            `json:"timed_out"`
	ServiceLevel     *float64       `json:"service_level"` // null: no data
	ASASeconds       *float64       `json:"asa_seconds"`   // null: no data
	MaxWaitSeconds   float64        `json:"max_wait_seconds"`
	Survey           map[string]int `json:"survey"` // very_unhappy … very_happy
}

// fromCounts fills the telephone figures from counts through package
// reporting (each metric is defined there, once).
func fromCounts(c reporting.Counts) Figures {
	f := Figures{
		Offered: c.Offered, Answered: c.Answered, Abandoned: c.Abandoned, ShortAbandoned: c.ShortAbandoned,
		AnsweredWithinSL: c.AnsweredWithinT, TimedOut: c.TimedOut,
		MaxWaitSeconds: reporting.LongestWait(c).Seconds(),
		Survey:         map[string]int{},
	}
	if v, ok := reporting.ServiceLevel(c).Value(); ok {
		f.ServiceLevel = &v
	}
	if d, ok := reporting.ASA(c).Value(); ok {
		s := d.Seconds()
		f.ASASeconds = &s
	}
	for _, r := range hotline.Ratings {
		f.Survey[r.String()] = 0
	}
	return f
}

// controllerFigures counts the controller's queue event log and its phone
// ratings.
func controllerFigures(cfg *config.Config, events []hotline.QueueEvent, ratings []store.Rating) Figures {
	f := fromCounts(countQueues(cfg, events))
	for _, r := range ratings {
		if r.Source == hotline.SourcePhone && !r.Misuse {
			f.Survey[r.Rating.String()]++
		}
	}
	return f
}

// countQueues counts queue events through reporting, each queue with its
// own threshold, all queues together.
func countQueues(cfg *config.Config, events []hotline.QueueEvent) reporting.Counts {
	return reporting.CountsFromEvents(events, cfg.Threshold, cfg.ShortAbandon())[""]
}

// truth is the ground truth of one call, from the simulator's own record.
type truth struct {
	Queued   bool
	Answered bool
	Wait     time.Duration
	HungUpBy string
	Survey   hotline.Rating
}

// callTruth reads a simulated caller's record: queue entry is the first
// music on hold; answer is entering a bridge with another channel; the
// survey answer is the first digit pressed after leaving that bridge.
func callTruth(cfg *config.Config, c arisim.Call) truth {
	t := truth{HungUpBy: c.HungUpBy}
	if c.FirstMOH.IsZero() {
		return t
	}
	t.Queued = true
	var left time.Time
	for _, b := range c.Bridges {
		if len(b.With) > 0 {
			t.Answered = true
			t.Wait = b.Entered.Sub(c.FirstMOH)
			left = b.Left
			break
		}
	}
	if !t.Answered {
		// A caller who hung up left the queue then; one the application moved
		// out (max wait, callback) left it when its music last stopped.
		end := c.HungUp
		if c.HungUpBy != "caller" && c.LastMOHStop.After(c.FirstMOH) {
			end = c.LastMOHStop
		}
		if end.IsZero() {
			end = c.FirstMOH
		}
		t.Wait = end.Sub(c.FirstMOH)
		return t
	}
	if !left.IsZero() {
		for _, d := range c.Digits {
			if !d.At.Before(left) {
				if r, ok := cfg.Survey.Ratings[d.Digit]; ok {
					t.Survey = r
				}
				break
			}
		}
	}
	return t
}

// groundTruth computes the day's figures from the simulator's record alone:
// each caller's entry to and exit from the queue, as the simulator saw them,
// becomes the queue events a perfect controller would have logged (in the
// queue the caller meant to reach), counted by the same reporting function.
func groundTruth(cfg *config.Config, calls []arisim.Call, queueOf map[string]string) (Figures, map[string]truth) {
	var events []hotline.QueueEvent
	per := map[string]truth{}
	survey := map[hotline.Rating]int{}
	for _, call := range calls {
		if call.Direction != "inbound" {
			continue
		}
		t := callTruth(cfg, call)
		per[call.ChannelID] = t
		if t.Survey != 0 {
			survey[t.Survey]++
		}
		if !t.Queued {
			continue
		}
		q := queueOf[call.ChannelID]
		out := hotline.EvExitWithTimeout
		switch {
		case t.Answered:
			out = hotline.EvConnect
		case t.HungUpBy == "caller":
			out = hotline.EvAbandon
		}
		events = append(events,
			hotline.QueueEvent{Time: call.FirstMOH, CallID: call.ChannelID, Queue: q, Type: hotline.EvEnterQueue},
			hotline.QueueEvent{Time: call.FirstMOH.Add(t.Wait), CallID: call.ChannelID, Queue: q, Type: out, Wait: t.Wait})
	}
	f := fromCounts(countQueues(cfg, events))
	for r, n := range survey {
		f.Survey[r.String()] = n
	}
	return f, per
}

// sortedKeys is for stable output.
func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
