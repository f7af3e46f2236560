package reporting

import (
	"slices"
	"testing"
	"time"

	"github.com/publicservice/hotline"
)

var t0 = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)

func ev(call, queue string, at time.Duration, typ hotline.QueueEventType, wait, talk time.Duration) hotline.QueueEvent {
	return hotline.QueueEvent{Time: t0.Add(at), CallID: call, Queue: queue, Type: typ, Wait: wait, Talk: talk}
}

const s = time.Second

// scenarioEvents: T = 20 s, S = 5 s. What each call does, and how it counts:
//
//	c1 tax       enters 0 s, answered after 10 s, talks 120 s     answered, within T
//	c2 tax       enters 5 s, answered after 30 s, talks 60 s      answered, not within T
//	c3 tax       enters 10 s, hangs up after 3 s (ABANDON twice)  abandoned once, short (3 < 5), within T
//	c4 tax       enters 20 s, hangs up after 25 s                 abandoned, not short, not within T
//	c5 tax       enters 30 s, timed out after 300 s               timed out; the longest wait
//	c6 tax       enters 40 s, callback after 60 s, done at 1000 s callback requested and completed
//	c7 licences  enters 0 s, one ring no answer, CONNECT at 20 s without Wait: wait from the times = 20 s (≤ T)
//	c8 licences  enters 50 s, hangs up after exactly 5 s          abandoned, not short (5 is not < 5), within T
//	c0 tax       CONNECT without ENTERQUEUE (offered before the log starts): not counted
//	agent PAUSE  no call: not counted
func scenarioEvents() []hotline.QueueEvent {
	return []hotline.QueueEvent{
		ev("c0", "tax", 1*s, hotline.EvConnect, 50*s, 0),
		ev("c1", "tax", 0, hotline.EvEnterQueue, 0, 0),
		ev("c7", "licences", 0, hotline.EvEnterQueue, 0, 0),
		ev("c2", "tax", 5*s, hotline.EvEnterQueue, 0, 0),
		ev("c1", "tax", 10*s, hotline.EvConnect, 10*s, 0),
		ev("c3", "tax", 10*s, hotline.EvEnterQueue, 0, 0),
		ev("c3", "tax", 13*s, hotline.EvAbandon, 3*s, 0),
		ev("c3", "tax", 14*s, hotline.EvAbandon, 4*s, 0),
		{Time: t0.Add(14 * s), Queue: "tax", Agent: "a2", Type: hotline.EvPause, Data: "lunch"},
		{Time: t0.Add(15 * s), CallID: "c7", Queue: "licences", Agent: "a1", Type: hotline.EvRingNoAnswer, Data: "15000"},
		ev("c4", "tax", 20*s, hotline.EvEnterQueue, 0, 0),
		ev("c7", "licences", 20*s, hotline.EvConnect, 0, 0),
		ev("c5", "tax", 30*s, hotline.EvEnterQueue, 0, 0),
		ev("c2", "tax", 35*s, hotline.EvConnect, 30*s, 0),
		ev("c6", "tax", 40*s, hotline.EvEnterQueue, 0, 0),
		ev("c4", "tax", 45*s, hotline.EvAbandon, 25*s, 0),
		ev("c8", "licences", 50*s, hotline.EvEnterQueue, 0, 0),
		ev("c8", "licences", 55*s, hotline.EvAbandon, 5*s, 0),
		ev("c7", "licences", 80*s, hotline.EvCompleteCaller, 20*s, 60*s),
		ev("c2", "tax", 95*s, hotline.EvCompleteAgent, 30*s, 60*s),
		ev("c6", "tax", 100*s, hotline.EvCallbackRequest, 60*s, 0),
		ev("c1", "tax", 130*s, hotline.EvCompleteCaller, 10*s, 120*s),
		ev("c5", "tax", 330*s, hotline.EvExitWithTimeout, 300*s, 0),
		ev("c6", "tax", 1000*s, hotline.EvCallbackDone, 0, 0),
	}
}

func TestCountsFromEvents(t *testing.T) {
	want := map[string]Counts{
		// offered c1..c6; answered c1 (10 s) c2 (30 s): wait sum 40 s, 1 within T; abandoned c3 (short, within T) c4;
		// timed out c5 (300 s, the longest); callback c6 requested and completed; talk 120 s + 60 s.
		"tax": {Offered: 6, Answered: 2, AnsweredWithinT: 1, Abandoned: 2, ShortAbandoned: 1, AbandonedWithinT: 1,
			TimedOut: 1, CallbacksRequested: 1, CallbacksCompleted: 1, WaitSum: 40 * s, MaxWait: 300 * s, TalkSum: 180 * s},
		// offered c7, c8; c7 answered at exactly T (20 s); c8 abandoned at 5 s: not short, within T; talk 60 s.
		"licences": {Offered: 2, Answered: 1, AnsweredWithinT: 1, Abandoned: 1, AbandonedWithinT: 1,
			WaitSum: 20 * s, MaxWait: 20 * s, TalkSum: 60 * s},
		// the sum of both; the longest wait of both.
		"": {Offered: 8, Answered: 3, AnsweredWithinT: 2, Abandoned: 3, ShortAbandoned: 1, AbandonedWithinT: 2,
			TimedOut: 1, CallbacksRequested: 1, CallbacksCompleted: 1, WaitSum: 60 * s, MaxWait: 300 * s, TalkSum: 240 * s},
	}
	events := scenarioEvents()
	reversed := slices.Clone(events)
	slices.Reverse(reversed)
	for name, in := range map[string][]hotline.QueueEvent{"in order": events, "reversed": reversed} {
		t.Run(name, func(t *testing.T) {
			got := CountsFromEvents(in, SameThreshold(20*s), 5*s)
			if len(got) != len(want) {
				t.Errorf("got queues %v, want %v", keys(got), keys(want))
			}
			for q, w := range want {
				if got[q] != w {
					t.Errorf("queue %q:\n got %+v\nwant %+v", q, got[q], w)
				}
			}
		})
	}
	// The metrics over the counted log: SL = 2 ÷ (3 + 3 − 1 + 1); abandonment = (3 − 1) ÷ (8 − 1).
	all := CountsFromEvents(events, SameThreshold(20*s), 5*s)[""]
	if got := ServiceLevel(all); got != (Rate{2, 6}) {
		t.Errorf("ServiceLevel = %+v, want {2 6}", got)
	}
	if got := AbandonmentRate(all); got != (Rate{2, 7}) {
		t.Errorf("AbandonmentRate = %+v, want {2 7}", got)
	}
	if got := CountsFromEvents(events, SameThreshold(20*s), 5*s); !slices.Equal(keys(got), []string{"", "licences", "tax"}) {
		t.Errorf("queues = %v", keys(got))
	}
}

func TestCountsInPeriod(t *testing.T) {
	// Only calls entering in [10 s, 60 s) are offered in the period: c3, c4, c5, c6 (tax) and c8 (licences).
	// c1, c2 and c7 entered before it; their CONNECTs and COMPLETEs are not counted.
	p := Period{From: t0.Add(10 * s), To: t0.Add(60 * s)}
	got := CountsInPeriod(scenarioEvents(), p, SameThreshold(20*s), 5*s)
	want := map[string]Counts{
		"tax": {Offered: 4, Abandoned: 2, ShortAbandoned: 1, AbandonedWithinT: 1, TimedOut: 1, CallbacksRequested: 1,
			CallbacksCompleted: 1, MaxWait: 300 * s},
		"licences": {Offered: 1, Abandoned: 1, AbandonedWithinT: 1, MaxWait: 5 * s},
		"": {Offered: 5, Abandoned: 3, ShortAbandoned: 1, AbandonedWithinT: 2, TimedOut: 1, CallbacksRequested: 1,
			CallbacksCompleted: 1, MaxWait: 300 * s},
	}
	for q, w := range want {
		if got[q] != w {
			t.Errorf("queue %q:\n got %+v\nwant %+v", q, got[q], w)
		}
	}
}

// CountsByInterval gives each interval CountsInPeriod's figures, every queue together.
func TestCountsByInterval(t *testing.T) {
	from, d := t0.Add(10*s), 25*s
	got := CountsByInterval(scenarioEvents(), from, d, SameThreshold(20*s), 5*s)
	for start := from; start.Before(t0.Add(400 * s)); start = start.Add(d) {
		want := CountsInPeriod(scenarioEvents(), Period{From: start, To: start.Add(d)}, SameThreshold(20*s), 5*s)[""]
		if got[start] != want {
			t.Errorf("interval %v:\n got %+v\nwant %+v", start.Sub(t0), got[start], want)
		}
		delete(got, start)
	}
	if len(got) != 0 {
		t.Errorf("intervals outside: %+v", got)
	}
}

func TestCountsFromEventsReentry(t *testing.T) {
	// One call enters tax, times out after 60 s (overflow), enters tax again and is answered after 5 s:
	// two offers, one timed out and one answered within T; the second wait (5 s) is the one in WaitSum.
	events := []hotline.QueueEvent{
		ev("c1", "tax", 0, hotline.EvEnterQueue, 0, 0),
		ev("c1", "tax", 60*s, hotline.EvExitWithTimeout, 60*s, 0),
		ev("c1", "tax", 61*s, hotline.EvEnterQueue, 0, 0),
		ev("c1", "tax", 66*s, hotline.EvConnect, 5*s, 0),
	}
	want := Counts{Offered: 2, Answered: 1, AnsweredWithinT: 1, TimedOut: 1, WaitSum: 5 * s, MaxWait: 60 * s}
	if got := CountsFromEvents(events, SameThreshold(20*s), 5*s)["tax"]; got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := CountsFromEvents(nil, SameThreshold(20*s), 5*s); len(got) != 1 || got[""] != (Counts{}) {
		t.Errorf("no events: got %+v, want only an empty total", got)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestCountsFromEventsSameInstant(t *testing.T) {
	// An ABANDON logged at the same instant as its ENTERQUEUE, listed first: still one offered, one short abandon.
	events := []hotline.QueueEvent{
		ev("c1", "tax", 0, hotline.EvAbandon, 0, 0),
		ev("c1", "tax", 0, hotline.EvEnterQueue, 0, 0),
	}
	want := Counts{Offered: 1, Abandoned: 1, ShortAbandoned: 1, AbandonedWithinT: 1}
	if got := CountsFromEvents(events, SameThreshold(20*s), 5*s)["tax"]; got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// Each queue is judged against its own threshold: a 25 s answer is within
// T in a queue with T = 30 s and outside it in one with T = 20 s.
func TestCountsFromEventsPerQueueThreshold(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var events []hotline.QueueEvent
	for _, q := range []string{"fast", "slow"} {
		events = append(events,
			hotline.QueueEvent{Time: t0, CallID: "c-" + q, Queue: q, Type: hotline.EvEnterQueue},
			hotline.QueueEvent{Time: t0.Add(25 * time.Second), CallID: "c-" + q, Queue: q, Type: hotline.EvConnect, Wait: 25 * time.Second})
	}
	thr := func(q string) time.Duration {
		if q == "slow" {
			return 30 * time.Second
		}
		return 20 * time.Second
	}
	got := CountsFromEvents(events, thr, 5*time.Second)
	if got["fast"].AnsweredWithinT != 0 || got["slow"].AnsweredWithinT != 1 || got[""].AnsweredWithinT != 1 || got[""].Answered != 2 {
		t.Fatalf("fast %+v slow %+v all %+v", got["fast"], got["slow"], got[""])
	}
}
