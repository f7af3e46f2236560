package reporting

import (
	"sort"
	"time"

	"github.com/publicservice/hotline"
)

// CountsFromEvents counts the queue event log: the period report's one
// counting. It returns Counts per queue, plus "" for all queues together.
//
// Every ENTERQUEUE in events is an offered call; the outcome events that
// follow it for the same call and queue (CONNECT, ABANDON, EXITWITHTIMEOUT,
// CALLBACKREQUESTED, COMPLETE*, CALLBACKCOMPLETED) are attributed to that
// offer. Outcomes without an ENTERQUEUE in events belong to a call offered
// earlier and are not counted. threshold gives each queue's service-level T
// (wait ≤ T; SameThreshold for one T everywhere); shortAbandon is S
// (abandoned with wait < S is short).
//
// A wait is the event's Wait field when set, else the time since the ENTERQUEUE.
// Events are taken in time order (ENTERQUEUE first among equal times, else stable).
func CountsFromEvents(events []hotline.QueueEvent, threshold func(queue string) time.Duration, shortAbandon time.Duration) map[string]Counts {
	return countEvents(events, func(time.Time) bool { return true }, threshold, shortAbandon)
}

// CountsInPeriod is CountsFromEvents counting only calls whose ENTERQUEUE is in
// p ("offered: calls that entered the queue in the period"). Pass the events
// from p.From to some time after p.To (at least the longest possible wait and
// talk) so that calls entering just before p.To have their outcomes.
func CountsInPeriod(events []hotline.QueueEvent, p Period, threshold func(queue string) time.Duration, shortAbandon time.Duration) map[string]Counts {
	return countEvents(events, p.Contains, threshold, shortAbandon)
}

// SameThreshold is a threshold function giving every queue the same T.
func SameThreshold(t time.Duration) func(queue string) time.Duration {
	return func(string) time.Duration { return t }
}

type offerKey struct{ call, queue string }

type offer struct {
	enter    time.Time
	left     bool // the caller left the queue (answered, abandoned, timed out, callback)
	answered bool
	callback bool
}

func countEvents(events []hotline.QueueEvent, include func(time.Time) bool, threshold func(string) time.Duration, shortAbandon time.Duration) map[string]Counts {
	sorted := make([]hotline.QueueEvent, len(events))
	copy(sorted, events)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		// At the same instant a call enters before it can leave.
		return a.Type == hotline.EvEnterQueue && b.Type != hotline.EvEnterQueue
	})

	per := map[string]*Counts{}
	open := map[offerKey]*offer{}
	for _, e := range sorted {
		if e.CallID == "" || e.Queue == "" {
			continue // agent events (PAUSE, ADDMEMBER, …); "" is the all-queues key
		}
		k := offerKey{e.CallID, e.Queue}
		if e.Type == hotline.EvEnterQueue {
			delete(open, k)
			if include(e.Time) {
				open[k] = &offer{enter: e.Time}
				countsOf(per, e.Queue).Offered++
			}
			continue
		}
		o := open[k]
		if o == nil {
			if e.Type == hotline.EvExitEmpty && include(e.Time) {
				countsOf(per, e.Queue).Unstaffed++ // could not join: nobody serves the queue
			}
			continue
		}
		c := countsOf(per, e.Queue)
		wait := e.Wait
		if wait == 0 {
			wait = e.Time.Sub(o.enter)
		}
		leave := func() bool {
			if o.left {
				return false // a second outcome for one offer is not counted twice
			}
			o.left = true
			c.MaxWait = max(c.MaxWait, wait)
			return true
		}
		switch e.Type {
		case hotline.EvConnect:
			if leave() {
				o.answered = true
				c.Answered++
				c.WaitSum += wait
				if wait <= threshold(e.Queue) {
					c.AnsweredWithinT++
				}
			}
		case hotline.EvAbandon:
			if leave() {
				c.Abandoned++
				if wait < shortAbandon {
					c.ShortAbandoned++
				}
				if wait <= threshold(e.Queue) {
					c.AbandonedWithinT++
				}
			}
		case hotline.EvExitWithTimeout:
			if leave() {
				c.TimedOut++
			}
		case hotline.EvExitEmpty:
			if leave() {
				c.Unstaffed++
			}
		case hotline.EvCallbackRequest:
			if leave() {
				c.CallbacksRequested++
				o.callback = true
			}
		case hotline.EvCompleteCaller, hotline.EvCompleteAgent:
			if o.answered {
				c.TalkSum += e.Talk
				o.answered = false // one completion per answered offer
			}
		case hotline.EvCallbackDone:
			if o.callback {
				c.CallbacksCompleted++
				o.callback = false
			}
		}
	}

	out := make(map[string]Counts, len(per)+1)
	var all Counts
	for q, c := range per {
		out[q] = *c
		all.Add(*c)
	}
	out[""] = all
	return out
}

func countsOf(per map[string]*Counts, queue string) *Counts {
	c := per[queue]
	if c == nil {
		c = &Counts{}
		per[queue] = c
	}
	return c
}
