package reporting

import (
	"math"
	"testing"
	"time"

	"github.com/publicservice/hotline"
)

func TestErlangC(t *testing.T) {
	tests := []struct {
		n      int
		a      float64
		c, sl  float64 // sl with AHT 180 s (100 s for M/M/1), T 20 s
		aht    time.Duration
		reason string
	}{
		// M/M/1 at 50% load: P(wait) = ρ = 0.5; SL = 1 − 0.5·e^(−0.5·20/100) = 0.547581.
		{1, 0.5, 0.5, 1 - 0.5*math.Exp(-0.1), 100 * s, "M/M/1: P(wait) is the load"},
		// C(3, 2): (8/6 · 3) / (1 + 2 + 2 + 8/6 · 3) = 4/(1+2+2+4) = 4/9; SL = 1 − 4/9 · e^(−20/180).
		{3, 2, 4.0 / 9, 1 - 4.0/9*math.Exp(-20.0/180), 180 * s, "by hand"},
		// The textbook case: 10 erlangs (100 calls in 30 min at 180 s), 13 agents: 79.6%, 14: 88.8%.
		{13, 10, 0.285270453, 0.795594788, 180 * s, "textbook, factorial form"},
		{14, 10, 0.174131934, 0.888350019, 180 * s, "textbook, factorial form"},
		{10, 10, 1, 0, 180 * s, "as many agents as erlangs: the queue never empties"},
		{5, 0, 0, 1, 180 * s, "no traffic"},
	}
	for _, tt := range tests {
		if got := ErlangC(tt.n, tt.a); math.Abs(got-tt.c) > 1e-8 {
			t.Errorf("ErlangC(%d, %g) = %.9f, want %.9f (%s)", tt.n, tt.a, got, tt.c, tt.reason)
		}
		if got := ErlangServiceLevel(tt.n, tt.a, tt.aht, 20*s); math.Abs(got-tt.sl) > 1e-8 {
			t.Errorf("ErlangServiceLevel(%d, %g) = %.9f, want %.9f (%s)", tt.n, tt.a, got, tt.sl, tt.reason)
		}
	}
	needed := []struct {
		offered float64
		aht     time.Duration
		target  float64
		want    int
	}{
		{100, 180 * s, 0.80, 14}, // 13 agents give 79.6%
		{100, 180 * s, 0.79, 13},
		{0, 180 * s, 0.80, 0},   // no calls, nobody needed
		{1, 180 * s, 0.80, 1},   // 0.1 erlang
		{100, 180 * s, 0.0, 11}, // any target needs more agents than erlangs
	}
	for _, tt := range needed {
		if got := AgentsNeeded(tt.offered, 30*time.Minute, tt.aht, 20*s, tt.target); got != tt.want {
			t.Errorf("AgentsNeeded(%g calls, %v, %.2f) = %d, want %d", tt.offered, tt.aht, tt.target, got, tt.want)
		}
	}
}

func TestStaffing(t *testing.T) {
	loc, _ := time.LoadLocation("America/Cayman")
	mon := time.Date(2026, 3, 2, 9, 0, 0, 0, loc) // a Monday, 09:00 local = 14:00 UTC
	slot := func(week int, at time.Time) time.Time { return at.AddDate(0, 0, 7*week).UTC() }
	counts := map[SlotKey]Counts{
		// Two weeks of Monday 09:00: 100 + 100 calls, 180 s handled on average → 100 a week, 10 erlangs, 14 agents.
		{Queue: "tax", Slot: slot(0, mon)}: {Offered: 100, Answered: 100, TalkSum: 100 * 150 * s, WrapSum: 100 * 30 * s},
		{Queue: "tax", Slot: slot(1, mon)}: {Offered: 100, Answered: 100, TalkSum: 100 * 180 * s},
		// Monday 09:30, week 1 only: 10 calls, none answered: the queue's AHT (180 s) → 5 a week, 0.5 erlang.
		{Queue: "tax", Slot: slot(1, mon.Add(30*time.Minute))}: {Offered: 10, Abandoned: 10},
	}
	logged := map[SlotKey]int{{Slot: slot(0, mon)}: 15, {Slot: slot(1, mon)}: 13, {Slot: slot(1, mon.Add(30*time.Minute))}: 4}
	got := Staffing(StaffingInput{Counts: counts, LoggedIn: logged, Weeks: 2, Loc: loc,
		Threshold: SameThreshold(20 * s), Target: func(string) float64 { return 0.8 }})
	want := []StaffingInterval{
		{Queue: "tax", Weekday: "Monday", Start: "09:00", Offered: 100, AHTSeconds: 180, Erlangs: 10, Needed: 14, LoggedIn: 14, Understaffed: false},
		{Queue: "tax", Weekday: "Monday", Start: "09:30", Offered: 5, AHTSeconds: 180, Erlangs: 0.5, Needed: 2, LoggedIn: 2, Understaffed: false},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("interval %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	// One agent fewer on average at 09:00: understaffed.
	logged[SlotKey{Slot: slot(1, mon)}] = 12
	got = Staffing(StaffingInput{Counts: counts, LoggedIn: logged, Weeks: 2, Loc: loc,
		Threshold: SameThreshold(20 * s), Target: func(string) float64 { return 0.8 }})
	if !got[0].Understaffed || got[0].LoggedIn != 13.5 {
		t.Errorf("with 13.5 agents for 14 needed: %+v", got[0])
	}
}

func TestLoggedInBySlot(t *testing.T) {
	base := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return base.Add(time.Duration(min) * time.Minute) }
	events := []hotline.QueueEvent{
		{Time: at(10), Agent: "a1", Type: hotline.EvAddMember},
		{Time: at(75), Agent: "a1", Type: hotline.EvRemoveMember},                        // 14:10–15:15: slots 14:00, 14:30, 15:00
		{Time: at(40), Agent: "a2", Type: hotline.EvConnect, CallID: "c1", Queue: "tax"}, // a call: 14:30
		{Time: at(100), Agent: "a3", Type: hotline.EvAddMember},                          // 15:40 until the end (16:00): 15:30
	}
	got := LoggedInBySlot(events, base, at(120))
	want := map[time.Time]int{at(0): 1, at(30): 2, at(60): 1, at(90): 1}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
	for slot, n := range want {
		if got[SlotKey{Slot: slot}] != n {
			t.Errorf("slot %s: %d agents, want %d", slot.Format("15:04"), got[SlotKey{Slot: slot}], n)
		}
	}
}

func TestCountsBySlotHoldWrapAndMidnight(t *testing.T) {
	// c1 enters 23:50 UTC, answered after 15 s, holds 20 s twice (one HOLD repeated), talks 300 s,
	// wrap-up ends 45 s after; c2 enters 00:05 the next day and abandons after 10 s.
	d := time.Date(2026, 3, 31, 23, 50, 0, 0, time.UTC)
	at := func(sec int) time.Time { return d.Add(time.Duration(sec) * time.Second) }
	events := []hotline.QueueEvent{
		{Time: at(0), CallID: "c1", Queue: "tax", Type: hotline.EvEnterQueue},
		{Time: at(15), CallID: "c1", Queue: "tax", Type: hotline.EvConnect, Wait: 15 * s},
		{Time: at(100), CallID: "c1", Type: hotline.EvHold},
		{Time: at(110), CallID: "c1", Type: hotline.EvHold}, // repeated: the hold began at 100
		{Time: at(120), CallID: "c1", Type: hotline.EvUnhold},
		{Time: at(200), CallID: "c1", Queue: "tax", Type: hotline.EvHold},
		{Time: at(220), CallID: "c1", Queue: "tax", Type: hotline.EvUnhold},
		{Time: at(315), CallID: "c1", Queue: "tax", Type: hotline.EvCompleteAgent, Wait: 15 * s, Talk: 300 * s},
		{Time: at(360), CallID: "c1", Type: hotline.EvWrapupEnd},
		{Time: at(400), CallID: "c1", Type: hotline.EvWrapupEnd}, // a second one does not count
		{Time: at(900), CallID: "c2", Queue: "tax", Type: hotline.EvEnterQueue},
		{Time: at(910), CallID: "c2", Queue: "tax", Type: hotline.EvAbandon, Wait: 10 * s},
	}
	got := CountsBySlot(events, 30*time.Minute, SameThreshold(20*s), 5*s)
	want := map[SlotKey]Counts{
		{Queue: "tax", Slot: time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)}: {Offered: 1, Answered: 1, AnsweredWithinT: 1,
			WaitSum: 15 * s, MaxWait: 15 * s, TalkSum: 300 * s, HoldSum: 40 * s, WrapSum: 45 * s},
		{Queue: "tax", Slot: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}: {Offered: 1, Abandoned: 1, AbandonedWithinT: 1, MaxWait: 10 * s},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%v: %+v, want %+v", k, got[k], w)
		}
	}
	// AHT = (300 + 40 + 45) ÷ 1.
	if a := AHT(CountsFromEvents(events, SameThreshold(20*s), 5*s)["tax"]); a != (Average{Sum: 385 * s, N: 1}) {
		t.Errorf("AHT %v, want 385 s", a)
	}
}
