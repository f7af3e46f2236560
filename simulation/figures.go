package simulation

import (
	"sort"

	"github.com/publicservice/hotline"
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
	// CallbacksRequested: callers who left a queue asking for a callback that keeps their place;
	// CallbacksCompleted: of those, the ones called back and connected to an agent.
	CallbacksRequested int `json:"callbacks_requested"`
	CallbacksCompleted int `json:"callbacks_completed"`
	Messages           int `json:"messages"` // recorded messages left (after hours)
}

// fromCounts fills the telephone figures from counts through package
// reporting (each metric is defined there, once).
func fromCounts(c reporting.Counts) Figures {
	f := Figures{
		Offered: c.Offered, Answered: c.Answered, Abandoned: c.Abandoned, ShortAbandoned: c.ShortAbandoned,
		AnsweredWithinSL: c.AnsweredWithinT, TimedOut: c.TimedOut,
		CallbacksRequested: c.CallbacksRequested, CallbacksCompleted: c.CallbacksCompleted,
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

// controllerFigures counts the controller's queue event log (through
// package reporting, the code under test), its phone ratings and its messages.
func controllerFigures(cfg *config.Config, events []hotline.QueueEvent, ratings []store.Rating, messages int) Figures {
	f := fromCounts(countQueues(cfg, events))
	f.Messages = messages
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

// sortedKeys is for stable output.
func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
