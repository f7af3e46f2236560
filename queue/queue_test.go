package queue

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
)

func TestEnqueueOrderAndPosition(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	// c1 normal at t0, c2 normal at t0+1s, c3 priority 5 at t0+2s, c4 normal at t0+1.5s (after c2), c5 priority 5 at t0+3s.
	cases := []struct {
		id   string
		prio int
		at   time.Duration
		pos  int
	}{
		{"c1", 0, 0, 1}, {"c2", 0, time.Second, 2}, {"c3", 5, 2 * time.Second, 1},
		{"c4", 0, 1500 * time.Millisecond, 4}, {"c5", 5, 3 * time.Second, 2},
	}
	for _, c := range cases {
		pos, err := f.q.Enqueue(f.ctx, Caller{CallID: c.id, Queue: "tax", Priority: c.prio, Enqueued: t0.Add(c.at), Owner: "ctl-1"})
		if err != nil || pos != c.pos {
			t.Fatalf("enqueue %s: position %d, %v; want %d", c.id, pos, err, c.pos)
		}
	}
	order := []string{"c3", "c5", "c1", "c2", "c4"}
	for i, id := range order {
		pos, waiting, err := f.q.Position(f.ctx, "tax", id)
		if err != nil || pos != i+1 || waiting != 5 {
			t.Errorf("position %s = %d of %d (%v), want %d of 5", id, pos, waiting, err, i+1)
		}
	}
	if pos, waiting, err := f.q.Position(f.ctx, "tax", "nobody"); err != nil || pos != 0 || waiting != 5 {
		t.Errorf("position of nobody = %d of %d (%v)", pos, waiting, err)
	}
	_, err := f.q.Enqueue(f.ctx, Caller{CallID: "c1", Queue: "health", Enqueued: t0})
	wantCode(t, err, hotline.ECONFLICT)
	_, err = f.q.Enqueue(f.ctx, Caller{CallID: "x", Queue: "tax"})
	wantCode(t, err, hotline.EINVALID)

	// Dispatch serves them in that order to one agent at a time.
	a := f.login(t, "a1", t0, "tax")
	for i, id := range order {
		ms := f.dispatch(t, "tax", t0.Add(sec(10+i)))
		if len(ms) != 1 || ms[0].Caller.CallID != id || ms[0].Agent.ID != "a1" {
			t.Fatalf("dispatch %d: %s, want %s→a1", i, pairs(ms), id)
		}
		if _, err := f.q.Connected(f.ctx, ms[0], t0.Add(sec(10+i))); err != nil {
			t.Fatal(err)
		}
		if err := f.q.Release(f.ctx, a.ID, t0.Add(sec(10+i)), 0); err != nil {
			t.Fatal(err)
		}
	}
	qs, err := f.q.Queues(f.ctx)
	if err != nil || !reflect.DeepEqual(qs, []string{"tax"}) {
		t.Errorf("queues %v %v", qs, err)
	}
}

func TestPriorityClamp(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	f.enqueue(t, "hi", "q", 1000, t0.Add(sec(5)))
	f.enqueue(t, "max", "q", MaxPriority, t0)
	f.enqueue(t, "lo", "q", -1000, t0)
	// hi is clamped to MaxPriority and so comes after the earlier "max".
	for i, id := range []string{"max", "hi", "lo"} {
		if pos, _, _ := f.q.Position(f.ctx, "q", id); pos != i+1 {
			t.Errorf("%s at %d, want %d", id, pos, i+1)
		}
	}
}

func TestDispatchLongestIdleAndSkills(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	f.login(t, "a-tax-new", t0.Add(sec(30)), "tax")
	f.login(t, "a-both-old", t0.Add(sec(10)), "tax", "health")
	f.login(t, "a-health", t0, "health")
	f.login(t, "a-tax-mid", t0.Add(sec(20)), "tax")

	// No callers: nothing.
	if ms := f.dispatch(t, "tax", t0.Add(sec(40))); len(ms) != 0 {
		t.Fatalf("matches with no callers: %s", pairs(ms))
	}
	c1 := f.enqueue(t, "t1", "tax", 0, t0.Add(sec(41)))
	c1.Callback = ""
	f.enqueue(t, "t2", "tax", 0, t0.Add(sec(42)))
	f.enqueue(t, "h1", "health", 0, t0.Add(sec(43)))
	f.enqueue(t, "h2", "health", 0, t0.Add(sec(44)))

	now := t0.Add(sec(50))
	ms := f.dispatch(t, "tax", now)
	if got := pairs(ms); got != "t1→a-both-old t2→a-tax-mid" {
		t.Fatalf("tax: %s", got)
	}
	// a-both-old is taken: health gets a-health only; h2 waits.
	ms2 := f.dispatch(t, "health", now)
	if got := pairs(ms2); got != "h1→a-health" {
		t.Fatalf("health: %s", got)
	}
	if pos, waiting, _ := f.q.Position(f.ctx, "health", "h2"); pos != 1 || waiting != 1 {
		t.Errorf("h2 at %d of %d", pos, waiting)
	}
	// Offered callers are not waiting.
	if pos, waiting, _ := f.q.Position(f.ctx, "tax", "t1"); pos != 0 || waiting != 0 {
		t.Errorf("t1 offered at %d of %d", pos, waiting)
	}
	// The match carries the caller and agent exactly.
	m := ms[0]
	if !m.Caller.Enqueued.Equal(c1.Enqueued) || m.Caller.Owner != "ctl-1" || m.Caller.Language != "en" || m.Caller.Queue != "tax" {
		t.Errorf("match caller %+v", m.Caller)
	}
	if m.Agent.Endpoint != "PJSIP/a-both-old" || !reflect.DeepEqual(m.Agent.Skills, []string{"tax", "health"}) || !m.At.Equal(now) {
		t.Errorf("match agent %+v at %v", m.Agent, m.At)
	}
	s := f.state(t, "a-both-old")
	if s.State != agents.Ringing || s.CallID != "t1" || s.Queue != "tax" || !s.Since.Equal(now) {
		t.Errorf("a-both-old %+v", s)
	}
	if _, _, inflight := f.clk.Pending(); inflight != 3 {
		t.Errorf("in flight %d after 3 matches pushed", inflight)
	}
	// The three matches are in ctl-1's inbox, oldest first.
	for _, want := range []string{"t1", "t2", "h1"} {
		got, err := f.q.NextMatch(f.ctx, "ctl-1", time.Second)
		if err != nil || got == nil || got.Caller.CallID != want {
			t.Fatalf("next match: %+v %v, want %s", got, err, want)
		}
	}
	got, err := f.q.NextMatch(f.ctx, "ctl-1", time.Second)
	if err != nil || got != nil {
		t.Fatalf("empty inbox: %+v %v", got, err)
	}
	if _, _, inflight := f.clk.Pending(); inflight != 0 {
		t.Errorf("in flight %d after taking every match", inflight)
	}
}

func TestNoAnswerRestoresPlace(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	f.login(t, "a1", t0, "tax")
	f.enqueue(t, "c1", "tax", 0, t0.Add(sec(1)))
	f.enqueue(t, "c2", "tax", 0, t0.Add(sec(2)))
	f.enqueue(t, "c3", "tax", 2, t0.Add(sec(3)))
	ms := f.dispatch(t, "tax", t0.Add(sec(4)))
	if pairs(ms) != "c3→a1" {
		t.Fatalf("%s", pairs(ms))
	}
	f.enqueue(t, "c4", "tax", 2, t0.Add(sec(5))) // would be first if c3 lost its place
	if err := f.q.NoAnswer(f.ctx, ms[0], t0.Add(sec(19)), true); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"c3", "c4", "c1", "c2"} {
		if pos, _, _ := f.q.Position(f.ctx, "tax", id); pos != i+1 {
			t.Errorf("%s at %d, want %d", id, pos, i+1)
		}
	}
	s := f.state(t, "a1")
	if s.State != agents.Paused || s.Reason != agents.ReasonAuto || !s.Since.Equal(t0.Add(sec(19))) || s.CallID != "" {
		t.Errorf("a1 after no answer: %+v", s)
	}
	// Longest wait still counts from c1's original Enqueued.
	l, err := f.q.Live(f.ctx, "tax", t0.Add(sec(20)))
	if err != nil || l.Waiting != 4 || l.LongestWait != sec(19) || l.AgentsPaused != 1 {
		t.Errorf("live %+v %v", l, err)
	}
	// A second NoAnswer for the same offer is a conflict and changes nothing.
	wantCode(t, f.q.NoAnswer(f.ctx, ms[0], t0.Add(sec(21)), false), hotline.ECONFLICT)

	// Without pause: the agent is available again, idle since at, so a longer-idle agent goes first.
	if err := f.q.SetAvailable(f.ctx, "a1", t0.Add(sec(22))); err != nil {
		t.Fatal(err)
	}
	f.login(t, "a2", t0.Add(sec(23)), "tax")
	ms = f.dispatch(t, "tax", t0.Add(sec(24)))
	if pairs(ms) != "c3→a1 c4→a2" {
		t.Fatalf("%s", pairs(ms))
	}
	if err := f.q.NoAnswer(f.ctx, ms[0], t0.Add(sec(30)), false); err != nil {
		t.Fatal(err)
	}
	s = f.state(t, "a1")
	if s.State != agents.Available || !s.IdleSince.Equal(t0.Add(sec(30))) {
		t.Errorf("a1 %+v", s)
	}
	if pos, _, _ := f.q.Position(f.ctx, "tax", "c3"); pos != 1 {
		t.Errorf("c3 at %d", pos)
	}
	// NoAnswer after the caller left: the agent is freed, nobody comes back.
	ms = f.dispatch(t, "tax", t0.Add(sec(31)))
	if pairs(ms) != "c3→a1" {
		t.Fatalf("%s", pairs(ms))
	}
	if _, ok, err := f.q.Leave(f.ctx, "tax", "c3", t0.Add(sec(32)), hotline.EvAbandon); !ok || err != nil {
		t.Fatalf("leave %v %v", ok, err)
	}
	if err := f.q.NoAnswer(f.ctx, ms[0], t0.Add(sec(33)), false); err != nil {
		t.Fatal(err)
	}
	if pos, waiting, _ := f.q.Position(f.ctx, "tax", "c3"); pos != 0 || waiting != 2 {
		t.Errorf("c3 came back: %d of %d", pos, waiting)
	}
}

func TestConnectedAndOfferCancelled(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	f.login(t, "a1", t0, "tax")
	f.login(t, "a2", t0.Add(sec(1)), "tax")
	f.enqueue(t, "c1", "tax", 0, t0.Add(sec(10)))
	f.enqueue(t, "c2", "tax", 0, t0.Add(sec(11)))
	ms := f.dispatch(t, "tax", t0.Add(sec(12)))
	if pairs(ms) != "c1→a1 c2→a2" {
		t.Fatalf("%s", pairs(ms))
	}
	wait, err := f.q.Connected(f.ctx, ms[0], t0.Add(sec(17)))
	if err != nil || wait != sec(7) {
		t.Fatalf("connected: %v %v", wait, err)
	}
	if s := f.state(t, "a1"); s.State != agents.OnCall || s.CallID != "c1" || !s.Since.Equal(t0.Add(sec(17))) {
		t.Errorf("a1 %+v", s)
	}
	// Connected twice, or Leave after Connected: nothing changes.
	_, err = f.q.Connected(f.ctx, ms[0], t0.Add(sec(18)))
	wantCode(t, err, hotline.ECONFLICT)
	if _, ok, _ := f.q.Leave(f.ctx, "tax", "c1", t0.Add(sec(18)), hotline.EvAbandon); ok {
		t.Error("left after being answered")
	}
	// c2 hangs up while a2 rings: Connected fails, OfferCancelled frees a2 with its idle time unchanged.
	if _, ok, err := f.q.Leave(f.ctx, "tax", "c2", t0.Add(sec(14)), hotline.EvAbandon); !ok || err != nil {
		t.Fatal(ok, err)
	}
	_, err = f.q.Connected(f.ctx, ms[1], t0.Add(sec(15)))
	wantCode(t, err, hotline.ECONFLICT)
	if s := f.state(t, "a2"); s.State != agents.Ringing {
		t.Errorf("a2 %+v", s)
	}
	if err := f.q.OfferCancelled(f.ctx, ms[1], t0.Add(sec(15))); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "a2"); s.State != agents.Available || !s.IdleSince.Equal(t0.Add(sec(1))) || s.CallID != "" {
		t.Errorf("a2 %+v", s)
	}
	// OfferCancelled is idempotent.
	if err := f.q.OfferCancelled(f.ctx, ms[1], t0.Add(sec(16))); err != nil {
		t.Fatal(err)
	}
	// OfferCancelled before Leave does not lose the caller: it is back in its place.
	f.enqueue(t, "c3", "tax", 0, t0.Add(sec(20)))
	ms = f.dispatch(t, "tax", t0.Add(sec(21)))
	if pairs(ms) != "c3→a2" {
		t.Fatalf("%s", pairs(ms))
	}
	if err := f.q.OfferCancelled(f.ctx, ms[0], t0.Add(sec(22))); err != nil {
		t.Fatal(err)
	}
	if pos, _, _ := f.q.Position(f.ctx, "tax", "c3"); pos != 1 {
		t.Errorf("c3 at %d", pos)
	}
	l, _ := f.q.Live(f.ctx, "tax", t0.Add(sec(22)))
	want := l.Today
	want.Offered, want.Answered, want.AnsweredWithinT, want.Abandoned, want.ShortAbandoned, want.AbandonedWithinT = 3, 1, 1, 1, 1, 1
	want.WaitSum, want.MaxWait = sec(7), sec(7)
	if l.Today != want || l.Today.MaxWait != sec(7) || l.Today.WaitSum != sec(7) {
		t.Errorf("today %+v", l.Today)
	}
}

func TestAgentStates(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	a := f.login(t, "a1", t0, "tax", "health")
	wantCode(t, f.q.Login(f.ctx, a, t0.Add(sec(1))), hotline.ECONFLICT)
	wantCode(t, f.q.Login(f.ctx, agents.Agent{}, t0), hotline.EINVALID)
	if err := f.q.Pause(f.ctx, "a1", agents.ReasonBreak, t0.Add(sec(2))); err != nil {
		t.Fatal(err)
	}
	s := f.state(t, "a1")
	if s.State != agents.Paused || s.Reason != "break" || !s.Since.Equal(t0.Add(sec(2))) || !reflect.DeepEqual(s.Agent, a) {
		t.Errorf("%+v", s)
	}
	f.enqueue(t, "c1", "tax", 0, t0.Add(sec(3)))
	if ms := f.dispatch(t, "tax", t0.Add(sec(4))); len(ms) != 0 {
		t.Fatalf("paused agent dispatched: %s", pairs(ms))
	}
	if err := f.q.Pause(f.ctx, "a1", "", t0.Add(sec(5))); err != nil { // reason change
		t.Fatal(err)
	}
	if s := f.state(t, "a1"); s.Reason != agents.ReasonManual {
		t.Errorf("%+v", s)
	}
	if err := f.q.SetAvailable(f.ctx, "a1", t0.Add(sec(6))); err != nil {
		t.Fatal(err)
	}
	if err := f.q.SetAvailable(f.ctx, "a1", t0.Add(sec(7))); err != nil { // already available: no-op
		t.Fatal(err)
	}
	if s := f.state(t, "a1"); s.State != agents.Available || !s.IdleSince.Equal(t0.Add(sec(6))) {
		t.Errorf("%+v", s)
	}
	ms := f.dispatch(t, "tax", t0.Add(sec(8)))
	if pairs(ms) != "c1→a1" {
		t.Fatal(pairs(ms))
	}
	// Ringing: no logout, no pause, no release, no set-available.
	wantCode(t, f.q.Logout(f.ctx, "a1", t0.Add(sec(9))), hotline.ECONFLICT)
	wantCode(t, f.q.Pause(f.ctx, "a1", "break", t0.Add(sec(9))), hotline.ECONFLICT)
	wantCode(t, f.q.Release(f.ctx, "a1", t0.Add(sec(9)), 0), hotline.ECONFLICT)
	wantCode(t, f.q.SetAvailable(f.ctx, "a1", t0.Add(sec(9))), hotline.ECONFLICT)
	if _, err := f.q.Connected(f.ctx, ms[0], t0.Add(sec(10))); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.q.Logout(f.ctx, "a1", t0.Add(sec(11))), hotline.ECONFLICT)
	if err := f.q.Release(f.ctx, "a1", t0.Add(sec(40)), sec(30)); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "a1"); s.State != agents.WrapUp || !s.WrapUntil.Equal(t0.Add(sec(70))) {
		t.Errorf("%+v", s)
	}
	if err := f.q.Logout(f.ctx, "a1", t0.Add(sec(50))); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "a1"); s.State != agents.LoggedOut {
		t.Errorf("%+v", s)
	}
	l, _ := f.q.Live(f.ctx, "health", t0.Add(sec(51)))
	if l.AgentsAvailable+l.AgentsBusy+l.AgentsPaused != 0 {
		t.Errorf("logged-out agent still counted: %+v", l)
	}
	wantCode(t, f.q.Logout(f.ctx, "a1", t0.Add(sec(52))), hotline.ECONFLICT)
	wantCode(t, f.q.Pause(f.ctx, "a1", "x", t0.Add(sec(52))), hotline.ECONFLICT)
	wantCode(t, f.q.SetAvailable(f.ctx, "a1", t0.Add(sec(52))), hotline.ECONFLICT)
	_, err := f.q.Agent(f.ctx, "nobody")
	wantCode(t, err, hotline.ENOTFOUND)

	// Login again with other skills.
	f.login(t, "a1", t0.Add(sec(60)), "roads")
	f.login(t, "a0", t0.Add(sec(61)))
	all, err := f.q.Agents(f.ctx)
	if err != nil || len(all) != 2 || all[0].Agent.ID != "a0" || all[1].Agent.ID != "a1" ||
		!reflect.DeepEqual(all[1].Agent.Skills, []string{"roads"}) || all[1].State != agents.Available {
		t.Fatalf("agents %+v %v", all, err)
	}
	qs, _ := f.q.Queues(f.ctx)
	if !reflect.DeepEqual(qs, []string{"health", "roads", "tax"}) {
		t.Errorf("queues %v", qs)
	}
}

func TestWrapUpEndsByItself(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	a := f.login(t, "a1", t0, "tax")
	f.login(t, "a2", t0.Add(sec(20)), "tax")
	f.enqueue(t, "c1", "tax", 0, t0.Add(sec(1)))
	ms := f.dispatch(t, "tax", t0.Add(sec(2)))
	if pairs(ms) != "c1→a1" {
		t.Fatal(pairs(ms))
	}
	if _, err := f.q.Connected(f.ctx, ms[0], t0.Add(sec(5))); err != nil {
		t.Fatal(err)
	}
	if err := f.q.Release(f.ctx, a.ID, t0.Add(sec(25)), sec(10)); err != nil {
		t.Fatal(err)
	}
	// At 30 s a1 wraps up (busy); a2 is available.
	l, _ := f.q.Live(f.ctx, "tax", t0.Add(sec(30)))
	if l.AgentsBusy != 1 || l.AgentsAvailable != 1 {
		t.Errorf("live at 30 s: %+v", l)
	}
	f.enqueue(t, "c2", "tax", 0, t0.Add(sec(31)))
	f.enqueue(t, "c3", "tax", 0, t0.Add(sec(32)))
	// At 34 s only a2 may take a call.
	ms = f.dispatch(t, "tax", t0.Add(sec(34)))
	if pairs(ms) != "c2→a2" {
		t.Fatal(pairs(ms))
	}
	f.clk.Advance(sec(100))
	if s := f.state(t, "a1"); s.State != agents.Available || !s.IdleSince.Equal(t0.Add(sec(35))) {
		t.Errorf("a1 read after its wrap-up: %+v", s)
	}
	// At 35 s (wrap-up over, nobody called SetAvailable) a1 takes c3.
	ms = f.dispatch(t, "tax", t0.Add(sec(35)))
	if pairs(ms) != "c3→a1" {
		t.Fatal(pairs(ms))
	}
	// Release without wrap-up: available at once, idle since then.
	if _, err := f.q.Connected(f.ctx, ms[0], t0.Add(sec(36))); err != nil {
		t.Fatal(err)
	}
	if err := f.q.Release(f.ctx, a.ID, t0.Add(sec(50)), 0); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "a1"); s.State != agents.Available || !s.IdleSince.Equal(t0.Add(sec(50))) {
		t.Errorf("%+v", s)
	}
	// Ended wrap-up order: an agent whose wrap-up ended earlier is longer idle.
	f.login(t, "b1", t0.Add(sec(60)), "roads")
	f.login(t, "b2", t0.Add(sec(60)), "roads")
	f.enqueue(t, "r1", "roads", 0, t0.Add(sec(61)))
	f.enqueue(t, "r2", "roads", 0, t0.Add(sec(61)))
	ms = f.dispatch(t, "roads", t0.Add(sec(62)))
	for i, m := range ms {
		if _, err := f.q.Connected(f.ctx, m, t0.Add(sec(63))); err != nil {
			t.Fatal(err)
		}
		// b1 wraps until 80+20=100 s, b2 until 80+10=90 s.
		if err := f.q.Release(f.ctx, m.Agent.ID, t0.Add(sec(80)), sec(20-10*i)); err != nil {
			t.Fatal(err)
		}
	}
	f.enqueue(t, "r3", "roads", 0, t0.Add(sec(81)))
	// At 95 s only b2 (wrap-up over at 90 s) may take r3; b1 wraps up until 100 s.
	if ms := f.dispatch(t, "roads", t0.Add(sec(95))); pairs(ms) != "r3→b2" {
		t.Fatalf("at 95 s: %s", pairs(ms))
	}
	// Both ended: the one that ended first is the longer idle.
	if err := f.q.OfferCancelled(f.ctx, Match{Caller: Caller{CallID: "r3"}, Agent: agents.Agent{ID: "b2"}}, t0.Add(sec(96))); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "b2"); !s.IdleSince.Equal(t0.Add(sec(90))) {
		t.Errorf("b2 idle since %v", s.IdleSince)
	}
	if ms := f.dispatch(t, "roads", t0.Add(sec(101))); pairs(ms) != "r3→b2" {
		t.Fatalf("at 101 s: %s", pairs(ms))
	}
}

func TestSaveCalls(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	if err := f.q.SaveCall(f.ctx, "ctl-1", "c1", []byte(`{"step":"queue"}`)); err != nil {
		t.Fatal(err)
	}
	if err := f.q.SaveCall(f.ctx, "ctl-1", "c2", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if err := f.q.SaveCall(f.ctx, "ctl-2", "c3", []byte("y")); err != nil {
		t.Fatal(err)
	}
	if err := f.q.SaveCall(f.ctx, "ctl-1", "c2", []byte("z")); err != nil {
		t.Fatal(err)
	}
	if err := f.q.DeleteCall(f.ctx, "ctl-1", "c1"); err != nil {
		t.Fatal(err)
	}
	if err := f.q.DeleteCall(f.ctx, "ctl-1", "c1"); err != nil {
		t.Fatal(err)
	}
	got, err := f.q.Calls(f.ctx, "ctl-1")
	if err != nil || !reflect.DeepEqual(got, map[string][]byte{"c2": []byte("z")}) {
		t.Errorf("%v %v", got, err)
	}
	got, _ = f.q.Calls(f.ctx, "ctl-9")
	if len(got) != 0 {
		t.Errorf("%v", got)
	}
}

func TestDispatchMoreThanOneBatch(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	const n = dispatchBatchMax + 44
	for i := 0; i < n; i++ {
		f.login(t, fmt.Sprintf("a%03d", i), t0.Add(time.Duration(i)*time.Millisecond), "tax")
		f.enqueue(t, fmt.Sprintf("c%03d", i), "tax", 0, t0.Add(sec(1)+time.Duration(i)*time.Millisecond))
	}
	rt := NewRoundTrips()
	f.rdb.AddHook(rt)
	ms := f.dispatch(t, "tax", t0.Add(sec(2)))
	if len(ms) != n || rt.Count() > 4 { // two script runs (+ one EVAL each if not yet cached)
		t.Fatalf("%d matches in %d round trips", len(ms), rt.Count())
	}
	for i, m := range ms {
		if m.Caller.CallID != fmt.Sprintf("c%03d", i) || m.Agent.ID != fmt.Sprintf("a%03d", i) {
			t.Fatalf("match %d: %s→%s", i, m.Caller.CallID, m.Agent.ID)
		}
	}
	if _, _, inflight := f.clk.Pending(); inflight != n {
		t.Errorf("in flight %d, want %d", inflight, n)
	}
}

// TestConfirmMatchAndFreeStale: a match made before a rebuild's cutoff that
// its call did not know yet. Unconfirmed, FreeStale frees its agent and puts
// the caller back; ConfirmMatch then calls it void, and also once the agent
// was matched again to the same caller. Confirmed at or after the cutoff,
// FreeStale leaves the agent ringing.
func TestConfirmMatchAndFreeStale(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	f.login(t, "a1", t0, "tax")
	f.enqueue(t, "c1", "tax", 0, t0)
	live := []string{"c1"}

	// Confirmed after the cutoff: left alone.
	m1 := f.dispatch(t, "tax", t0.Add(sec(1)))
	if len(m1) != 1 {
		t.Fatalf("dispatch: %s", pairs(m1))
	}
	cutoff := t0.Add(sec(2))
	if ok, err := f.q.ConfirmMatch(f.ctx, m1[0], cutoff); err != nil || !ok {
		t.Fatalf("confirm a standing match: %v, %v", ok, err)
	}
	if n, err := f.q.FreeStale(f.ctx, "ctl-1", nil, live, cutoff, cutoff); err != nil || n != 0 {
		t.Fatalf("FreeStale after a confirmation at the cutoff: freed %d (%v), want 0", n, err)
	}
	if st := f.state(t, "a1"); st.State != agents.Ringing || st.CallID != "c1" {
		t.Fatalf("a1 %s for %q, want ringing for c1", st.State, st.CallID)
	}
	// Confirmed before the next cutoff: freed, the match void.
	cutoff = t0.Add(sec(3))
	if n, err := f.q.FreeStale(f.ctx, "ctl-1", nil, live, cutoff, cutoff); err != nil || n != 1 {
		t.Fatalf("FreeStale: freed %d (%v), want 1", n, err)
	}
	if st := f.state(t, "a1"); st.State != agents.Available {
		t.Fatalf("a1 %s, want available", st.State)
	}
	if ok, err := f.q.ConfirmMatch(f.ctx, m1[0], cutoff); err != nil || ok {
		t.Fatalf("confirm a match whose agent was freed: %v, %v; want void", ok, err)
	}
	// Matched again, the same pair: the old match is still void, the new one stands.
	m2 := f.dispatch(t, "tax", t0.Add(sec(4)))
	if len(m2) != 1 || m2[0].Caller.CallID != "c1" || m2[0].Agent.ID != "a1" {
		t.Fatalf("dispatch again: %s", pairs(m2))
	}
	if ok, err := f.q.ConfirmMatch(f.ctx, m1[0], t0.Add(sec(5))); err != nil || ok {
		t.Fatalf("confirm the older match of the same pair: %v, %v; want void", ok, err)
	}
	if ok, err := f.q.ConfirmMatch(f.ctx, m2[0], t0.Add(sec(5))); err != nil || !ok {
		t.Fatalf("confirm the new match: %v, %v", ok, err)
	}
	if n, err := f.q.FreeStale(f.ctx, "ctl-1", nil, live, t0.Add(sec(5)), t0.Add(sec(5))); err != nil || n != 0 {
		t.Fatalf("FreeStale after the new match's confirmation: freed %d (%v), want 0", n, err)
	}
}
