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
	key       SlotKey
	enter     time.Time
	left      bool // the caller left the queue (answered, abandoned, timed out, callback)
	answered  bool
	completed time.Time // COMPLETE* time of an answered offer (zero: still talking)
	holdFrom  time.Time // HOLD time while on hold
	wrapped   bool
	callback  bool
}

// SlotKey is one queue and one interval of entry.
type SlotKey struct {
	Queue string
	Slot  time.Time // start of the interval the calls entered in (UTC)
}

// CountsBySlot is CountsFromEvents per queue and per interval of length slot
// (aligned on UTC multiples of slot, e.g. 30 minutes) of the calls' entry:
// the rollup's counting. Adding the counts of the slots in a period gives
// CountsInPeriod's figures for that period (for periods aligned on slots).
func CountsBySlot(events []hotline.QueueEvent, slot time.Duration, threshold func(queue string) time.Duration, shortAbandon time.Duration) map[SlotKey]Counts {
	per := map[SlotKey]*Counts{}
	countInto(events, func(time.Time) bool { return true }, func(q string, t time.Time) SlotKey {
		return SlotKey{Queue: q, Slot: t.UTC().Truncate(slot)}
	}, threshold, shortAbandon, per)
	out := make(map[SlotKey]Counts, len(per))
	for k, c := range per {
		out[k] = *c
	}
	return out
}

// CountsByInterval is CountsFromEvents, every queue together, per interval
// of length d from from (the intervals from, from+d, …) of the calls' entry;
// calls entering before from are not counted. The intraday charts' counting:
// each interval's figures equal CountsInPeriod's for that interval, in one
// pass over the events.
func CountsByInterval(events []hotline.QueueEvent, from time.Time, d time.Duration, threshold func(queue string) time.Duration, shortAbandon time.Duration) map[time.Time]Counts {
	per := map[SlotKey]*Counts{}
	countInto(events, func(t time.Time) bool { return !t.Before(from) }, func(_ string, t time.Time) SlotKey {
		return SlotKey{Slot: from.Add(t.Sub(from) / d * d)}
	}, threshold, shortAbandon, per)
	out := make(map[time.Time]Counts, len(per))
	for k, c := range per {
		out[k.Slot] = *c
	}
	return out
}

func countEvents(events []hotline.QueueEvent, include func(time.Time) bool, threshold func(string) time.Duration, shortAbandon time.Duration) map[string]Counts {
	per := map[SlotKey]*Counts{}
	countInto(events, include, func(q string, _ time.Time) SlotKey { return SlotKey{Queue: q} }, threshold, shortAbandon, per)
	out := make(map[string]Counts, len(per)+1)
	var all Counts
	for k, c := range per {
		out[k.Queue] = *c
		all.Add(*c)
	}
	out[""] = all
	return out
}

// countInto is the one counting of the queue event log. Every offer's
// figures go to key(queue, entry time). Handling beyond talk: HOLD … UNHOLD
// of an answered offer adds to HoldSum, WRAPUPEND adds the time since the
// offer's COMPLETE* to WrapSum (once). HOLD, UNHOLD and WRAPUPEND may name no
// queue: they go to the call's latest offer.
func countInto(events []hotline.QueueEvent, include func(time.Time) bool, key func(string, time.Time) SlotKey,
	threshold func(string) time.Duration, shortAbandon time.Duration, per map[SlotKey]*Counts) {
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

	open := map[offerKey]*offer{}
	latest := map[string]*offer{} // by call: its latest offer (for events without a queue)
	for _, e := range sorted {
		if e.CallID == "" {
			continue // agent events (PAUSE, ADDMEMBER, …)
		}
		var o *offer
		switch e.Type {
		case hotline.EvHold, hotline.EvUnhold, hotline.EvWrapupEnd:
			if e.Queue == "" {
				o = latest[e.CallID]
			} else {
				o = open[offerKey{e.CallID, e.Queue}]
			}
			if o == nil || !o.answered {
				continue
			}
			c := countsOf(per, o.key)
			switch e.Type {
			case hotline.EvHold:
				if o.holdFrom.IsZero() {
					o.holdFrom = e.Time
				}
			case hotline.EvUnhold:
				if !o.holdFrom.IsZero() {
					c.HoldSum += e.Time.Sub(o.holdFrom)
					o.holdFrom = time.Time{}
				}
			case hotline.EvWrapupEnd:
				if !o.completed.IsZero() && !o.wrapped {
					c.WrapSum += e.Time.Sub(o.completed)
					o.wrapped = true
				}
			}
			continue
		}
		if e.Queue == "" {
			continue
		}
		k := offerKey{e.CallID, e.Queue}
		if e.Type == hotline.EvEnterQueue {
			delete(open, k)
			if include(e.Time) {
				o := &offer{enter: e.Time, key: key(e.Queue, e.Time)}
				open[k] = o
				latest[e.CallID] = o
				countsOf(per, o.key).Offered++
			}
			continue
		}
		o = open[k]
		if o == nil {
			if e.Type == hotline.EvExitEmpty && include(e.Time) {
				countsOf(per, key(e.Queue, e.Time)).Unstaffed++ // could not join: nobody serves the queue
			}
			continue
		}
		c := countsOf(per, o.key)
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
			if o.answered && o.completed.IsZero() { // one completion per answered offer
				c.TalkSum += e.Talk
				o.completed = e.Time
				if !o.holdFrom.IsZero() { // hung up on hold
					c.HoldSum += e.Time.Sub(o.holdFrom)
					o.holdFrom = time.Time{}
				}
			}
		case hotline.EvCallbackDone:
			if o.callback {
				c.CallbacksCompleted++
				o.callback = false
			}
		}
	}
}

func countsOf(per map[SlotKey]*Counts, k SlotKey) *Counts {
	c := per[k]
	if c == nil {
		c = &Counts{}
		per[k] = c
	}
	return c
}
