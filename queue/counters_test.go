package queue

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/reporting"
)

// TestCountersHandComputed: S = 5 s, T = 20 s, every caller enqueued at t0.
func TestCountersHandComputed(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{ShortAbandon: 5 * time.Second, Threshold: func(q string) time.Duration {
		if q != "tax" {
			t.Errorf("threshold asked for %q", q)
		}
		return 20 * time.Second
	}})
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} {
		f.enqueue(t, id, "tax", 0, t0)
	}
	leave := func(id string, at time.Duration, why hotline.QueueEventType) {
		t.Helper()
		c, ok, err := f.q.Leave(f.ctx, "tax", id, t0.Add(at), why)
		if err != nil || !ok || c.CallID != id || !c.Enqueued.Equal(t0) {
			t.Fatalf("leave %s: %+v %v %v", id, c, ok, err)
		}
	}
	leave("a", 3*time.Second, hotline.EvAbandon)          // short, within T
	leave("b", 5*time.Second, hotline.EvAbandon)          // not short (wait = S), within T
	leave("c", 20*time.Second, hotline.EvAbandon)         // within T (wait = T)
	leave("d", 21*time.Second, hotline.EvAbandon)         // beyond T
	leave("e", 60*time.Second, hotline.EvExitWithTimeout) // timed out, the longest wait
	if err := f.q.RequestCallback(f.ctx, "tax", "h", "+15550100", t0.Add(sec(8))); err != nil {
		t.Fatal(err)
	}
	if err := f.q.RequestCallback(f.ctx, "tax", "h", "+15550100", t0.Add(sec(9))); err != nil { // counted once
		t.Fatal(err)
	}
	leave("h", 30*time.Second, hotline.EvCallbackRequest) // already counted
	leave("i", 31*time.Second, hotline.EvCallbackRequest) // counted here
	// f answered at exactly T, g one millisecond later.
	f.login(t, "a1", t0, "tax")
	f.login(t, "a2", t0.Add(sec(1)), "tax")
	ms := f.dispatch(t, "tax", t0.Add(sec(19)))
	if pairs(ms) != "f→a1 g→a2" {
		t.Fatal(pairs(ms))
	}
	if w, err := f.q.Connected(f.ctx, ms[0], t0.Add(20*time.Second)); err != nil || w != sec(20) {
		t.Fatal(w, err)
	}
	if w, err := f.q.Connected(f.ctx, ms[1], t0.Add(20*time.Second+time.Millisecond)); err != nil || w != sec(20)+time.Millisecond {
		t.Fatal(w, err)
	}
	// Idempotence: none of these counts anything.
	for _, id := range []string{"a", "e", "h", "f", "zz"} {
		for _, why := range []hotline.QueueEventType{hotline.EvAbandon, hotline.EvExitWithTimeout, hotline.EvCallbackRequest} {
			if _, ok, err := f.q.Leave(f.ctx, "tax", id, t0.Add(sec(90)), why); ok || err != nil {
				t.Errorf("second leave of %s: %v %v", id, ok, err)
			}
		}
	}
	_, _, err := f.q.Leave(f.ctx, "tax", "x", t0, hotline.EvConnect)
	wantCode(t, err, hotline.EINVALID)
	wantCode(t, f.q.RequestCallback(f.ctx, "tax", "a", "+1555", t0), hotline.ENOTFOUND)
	wantCode(t, f.q.RequestCallback(f.ctx, "tax", "a", "", t0), hotline.EINVALID)

	want := reporting.Counts{
		Offered: 9, Answered: 2, AnsweredWithinT: 1, Abandoned: 4, ShortAbandoned: 1, AbandonedWithinT: 3,
		TimedOut: 1, CallbacksRequested: 2, WaitSum: 40*time.Second + time.Millisecond, MaxWait: 60 * time.Second,
	}
	l, err := f.q.Live(f.ctx, "tax", t0.Add(sec(100)))
	if err != nil {
		t.Fatal(err)
	}
	if l.Today != want {
		t.Errorf("today\n got %+v\nwant %+v", l.Today, want)
	}
	if l.Interval != want || !l.IntervalStart.Equal(t0) {
		t.Errorf("interval from %v\n got %+v\nwant %+v", l.IntervalStart, l.Interval, want)
	}
	if l.Waiting != 0 || l.LongestWait != 0 || l.AgentsBusy != 2 || l.AgentsAvailable != 0 {
		t.Errorf("live %+v", l)
	}
	// An other queue has its own counters.
	if l, _ := f.q.Live(f.ctx, "health", t0.Add(sec(100))); l.Today != (reporting.Counts{}) {
		t.Errorf("health %+v", l.Today)
	}
}

func TestCallbackKeepsPlace(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	f.enqueue(t, "c1", "tax", 0, t0)
	f.enqueue(t, "c2", "tax", 0, t0.Add(sec(1)))
	if err := f.q.RequestCallback(f.ctx, "tax", "c1", "+15550199", t0.Add(sec(30))); err != nil {
		t.Fatal(err)
	}
	if pos, waiting, _ := f.q.Position(f.ctx, "tax", "c1"); pos != 1 || waiting != 2 {
		t.Errorf("c1 at %d of %d", pos, waiting)
	}
	f.login(t, "a1", t0, "tax")
	ms := f.dispatch(t, "tax", t0.Add(sec(40)))
	if len(ms) != 1 || ms[0].Caller.Callback != "+15550199" || ms[0].Caller.CallID != "c1" || !ms[0].Caller.Enqueued.Equal(t0) {
		t.Fatalf("%+v", ms)
	}
	m, err := f.q.NextMatch(f.ctx, "ctl-1", time.Second)
	if err != nil || m == nil || m.Caller.Callback != "+15550199" {
		t.Fatalf("%+v %v", m, err)
	}
	l, _ := f.q.Live(f.ctx, "tax", t0.Add(sec(41)))
	if l.Today.CallbacksRequested != 1 || l.Today.Offered != 2 || l.Waiting != 1 || l.LongestWait != sec(40) {
		t.Errorf("%+v", l)
	}
}

func TestDayAndIntervalRollover(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("EST", -5*3600)
	f := setup(t, Options{Location: est})
	local := func(d, h, m, s int) time.Time { return time.Date(2026, 11, d, h, m, s, 0, est) }
	live := func(now time.Time) Live {
		t.Helper()
		l, err := f.q.Live(f.ctx, "tax", now)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	f.login(t, "a1", local(30, 0, 0, 0), "tax")
	f.enqueue(t, "x", "tax", 0, local(30, 23, 50, 0))
	if _, ok, _ := f.q.Leave(f.ctx, "tax", "x", local(30, 23, 59, 58), hotline.EvAbandon); !ok {
		t.Fatal("x")
	}
	f.enqueue(t, "y", "tax", 0, local(30, 23, 59, 55))
	// 23:59:59 on the 30th (04:59:59 UTC on 1 December): x and y offered, x abandoned.
	l := live(local(30, 23, 59, 59))
	day1 := reporting.Counts{Offered: 2, Abandoned: 1, MaxWait: 9*time.Minute + 58*time.Second}
	if l.Today != day1 || l.Interval != day1 || !l.IntervalStart.Equal(local(30, 23, 45, 0)) {
		t.Errorf("23:59:59: %+v", l)
	}
	if l.Waiting != 1 || l.LongestWait != 4*time.Second {
		t.Errorf("23:59:59: waiting %d, longest %v", l.Waiting, l.LongestWait)
	}
	if _, ok, _ := f.q.Leave(f.ctx, "tax", "y", local(30, 24, 0, 2), hotline.EvAbandon); !ok {
		t.Fatal("y")
	}
	// 00:00:03 on the 1st (local(31, …) is 1 December): only y's abandon (7 s: not short, within T).
	l = live(local(31, 0, 0, 3))
	day2 := reporting.Counts{Abandoned: 1, AbandonedWithinT: 1, MaxWait: 7 * time.Second}
	if l.Today != day2 || l.Interval != day2 || !l.IntervalStart.Equal(local(31, 0, 0, 0)) {
		t.Errorf("00:00:03: %+v", l)
	}
	// The 30th's figures are still there, read at its last second.
	if l := live(local(30, 23, 59, 59)); l.Today != day1 {
		t.Errorf("30th re-read: %+v", l.Today)
	}
	f.enqueue(t, "z", "tax", 0, local(31, 0, 14, 59))
	ms := f.dispatch(t, "tax", local(31, 0, 15, 0))
	if _, err := f.q.Connected(f.ctx, ms[0], local(31, 0, 15, 10)); err != nil {
		t.Fatal(err)
	}
	// 00:15:30: z offered in the 00:00 interval, answered in the 00:15 one.
	l = live(local(31, 0, 15, 30))
	today := reporting.Counts{Offered: 1, Abandoned: 1, AbandonedWithinT: 1, Answered: 1, AnsweredWithinT: 1, WaitSum: 11 * time.Second, MaxWait: 11 * time.Second}
	interval := reporting.Counts{Answered: 1, AnsweredWithinT: 1, WaitSum: 11 * time.Second, MaxWait: 11 * time.Second}
	if l.Today != today || l.Interval != interval || !l.IntervalStart.Equal(local(31, 0, 15, 0)) {
		t.Errorf("00:15:30: %+v", l)
	}
	// Release at 00:30:10 after 15 min of talk, 30 s wrap-up: talk and wrap in the 00:30 interval.
	if err := f.q.Release(f.ctx, "a1", local(31, 0, 30, 10), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	l = live(local(31, 0, 30, 20))
	today.TalkSum, today.WrapSum = 15*time.Minute, 30*time.Second
	if l.Today != today || l.Interval != (reporting.Counts{TalkSum: 15 * time.Minute, WrapSum: 30 * time.Second}) || l.AgentsBusy != 1 {
		t.Errorf("00:30:20: %+v", l)
	}
	// Counter hashes expire.
	ck := f.q.counterKeys("tax", local(31, 0, 15, 30))
	for _, k := range ck.keys() {
		if ttl := f.rdb.TTL(f.ctx, k).Val(); ttl <= 0 {
			t.Errorf("%s has ttl %v", k, ttl)
		}
	}
}

func TestIntervalStart(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("EST", -5*3600)
	q := New(nil, nil, Options{Location: est, Interval: time.Hour})
	at := time.Date(2026, 12, 1, 3, 59, 59, 0, time.UTC) // 22:59:59 EST on 30 November
	if got, want := q.IntervalStart(at), time.Date(2026, 11, 30, 22, 0, 0, 0, est); !got.Equal(want) {
		t.Errorf("interval start %v, want %v", got, want)
	}
	if got, want := q.DayStart(at), time.Date(2026, 11, 30, 0, 0, 0, 0, est); !got.Equal(want) {
		t.Errorf("day start %v, want %v", got, want)
	}
	q = New(nil, nil, Options{})
	if got := q.IntervalStart(time.Date(2026, 12, 1, 3, 44, 59, 999, time.UTC)); !got.Equal(time.Date(2026, 12, 1, 3, 30, 0, 0, time.UTC)) {
		t.Errorf("default 15 min interval: %v", got)
	}
}

func TestEstimatedWait(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	ewt := func(pos int, now time.Time) time.Duration {
		t.Helper()
		d, err := f.q.EstimatedWait(f.ctx, "tax", pos, now)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	f.login(t, "a1", t0, "tax")
	f.login(t, "a2", t0.Add(sec(1)), "tax")
	f.login(t, "a3", t0.Add(sec(2)), "tax")
	if err := f.q.Pause(f.ctx, "a3", "break", t0.Add(sec(3))); err != nil {
		t.Fatal(err)
	}
	if d := ewt(3, t0.Add(sec(4))); d != 0 {
		t.Errorf("no data: %v", d)
	}
	// c1 waits 12 s, c2 waits 20 s: today's ASA is 16 s; nothing released yet.
	f.enqueue(t, "c1", "tax", 0, t0.Add(sec(10)))
	f.enqueue(t, "c2", "tax", 0, t0.Add(sec(10)))
	ms := f.dispatch(t, "tax", t0.Add(sec(11)))
	if pairs(ms) != "c1→a1 c2→a2" {
		t.Fatal(pairs(ms))
	}
	if _, err := f.q.Connected(f.ctx, ms[0], t0.Add(sec(22))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Connected(f.ctx, ms[1], t0.Add(sec(30))); err != nil {
		t.Fatal(err)
	}
	if d := ewt(5, t0.Add(sec(31))); d != 16*time.Second {
		t.Errorf("ASA fallback: %v, want 16s", d)
	}
	// a1: talk 100 s + wrap-up 20 s = 120 s; a2: talk 60 s, no wrap-up = 60 s. AHT = 90 s.
	if err := f.q.Release(f.ctx, "a1", t0.Add(sec(122)), sec(20)); err != nil {
		t.Fatal(err)
	}
	if err := f.q.Release(f.ctx, "a2", t0.Add(sec(90)), 0); err != nil {
		t.Fatal(err)
	}
	// At 130 s: a1 wraps up (staffed, busy), a2 available, a3 paused: staff 2, available 1.
	now := t0.Add(sec(130))
	for pos, want := range map[int]time.Duration{1: 0, 2: 45 * time.Second, 3: 90 * time.Second, 5: 180 * time.Second} {
		if d := ewt(pos, now); d != want {
			t.Errorf("position %d: %v, want %v", pos, d, want)
		}
	}
	// a2 pauses: staff 1 (a1), available 0: position 2 → 2 × 90 s.
	if err := f.q.Pause(f.ctx, "a2", "break", now); err != nil {
		t.Fatal(err)
	}
	if d := ewt(2, now); d != 180*time.Second {
		t.Errorf("one agent: %v", d)
	}
	// At 142 s a1's wrap-up is over: available 1, staff 1 → position 2: 1 × 90 s.
	if d := ewt(2, t0.Add(sec(142))); d != 90*time.Second {
		t.Errorf("after wrap-up: %v", d)
	}
	if d := ewt(0, now); d != 0 {
		t.Errorf("position 0: %v", d)
	}
}

func TestRoundTripsPerOperation(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	rt := NewRoundTrips()
	f.rdb.AddHook(rt)
	ctx := context.Background()
	// Load every script once (else the first run of a script is EVALSHA + EVAL).
	if err := f.q.LoadScripts(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		f.login(t, "a"+string(rune('1'+i)), t0, "tax")
	}
	rt.Reset()
	for _, id := range []string{"c1", "c2", "c3"} {
		f.enqueue(t, id, "tax", 0, t0.Add(sec(1)))
	}
	if n := rt.Count(); n != 3 {
		t.Errorf("3 enqueues: %d round trips", n)
	}
	rt.Reset()
	ms := f.dispatch(t, "tax", t0.Add(sec(2)))
	if len(ms) != 3 || rt.Count() != 1 {
		t.Errorf("dispatch of %d: %d round trips", len(ms), rt.Count())
	}
	rt.Reset()
	m, _ := f.q.NextMatch(ctx, "ctl-1", time.Second)
	_, err := f.q.Connected(ctx, *m, t0.Add(sec(3)))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.q.Release(ctx, m.Agent.ID, t0.Add(sec(9)), 0); err != nil {
		t.Fatal(err)
	}
	f.q.Position(ctx, "tax", "c1")
	f.q.Live(ctx, "tax", t0)
	if n, c := rt.Count(), rt.Commands(); n != 5 || c != 6 {
		t.Errorf("next match, connected, release, position, live: %d round trips, %d commands", n, c)
	}
	_ = agents.Available
}
