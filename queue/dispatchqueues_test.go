package queue

import (
	"errors"
	"testing"
	"time"

	"github.com/publicservice/hotline/agents"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/internal/redistest"
)

// An agent free for several queues is offered their callers in one round
// trip, with the same matches, in the same order, as one dispatch a queue.
func TestDispatchQueuesOneRoundTrip(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	if err := f.q.LoadScripts(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.login(t, "a-both", t0, "tax", "health")
	f.login(t, "a-health", t0.Add(sec(1)), "health")
	f.enqueue(t, "t1", "tax", 0, t0.Add(sec(5)))
	f.enqueue(t, "h1", "health", 0, t0.Add(sec(6)))
	f.enqueue(t, "h2", "health", 0, t0.Add(sec(7)))
	rt := NewRoundTrips()
	f.rdb.AddHook(rt)
	ms, err := f.q.DispatchQueues(f.ctx, []string{"tax", "health", "empty"}, t0.Add(sec(10)))
	if err != nil {
		t.Fatal(err)
	}
	// a-both (idle longest) takes the tax caller first; health then has a-health only.
	if got := pairs(ms); got != "t1→a-both h1→a-health" {
		t.Errorf("matches %s", got)
	}
	if n := rt.Count(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	if _, _, inflight := f.clk.Pending(); inflight != 2 {
		t.Errorf("in flight %d after 2 matches pushed", inflight)
	}
	if pos, waiting, _ := f.q.Position(f.ctx, "health", "h2"); pos != 1 || waiting != 1 {
		t.Errorf("h2 at %d of %d", pos, waiting)
	}
}

// After a Redis restart the scripts are gone: the pipelined EVALSHA meets
// NOSCRIPT and each queue is dispatched again on its own (EVAL), losing none.
func TestDispatchQueuesAfterScriptsFlushed(t *testing.T) {
	t.Parallel()
	f := privateFixture(t)
	rdb := f.rdb
	f.login(t, "a1", t0, "tax", "health")
	f.login(t, "a2", t0.Add(sec(1)), "health")
	f.enqueue(t, "t1", "tax", 0, t0.Add(sec(5)))
	f.enqueue(t, "h1", "health", 0, t0.Add(sec(6)))
	if err := rdb.ScriptFlush(f.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	ms, err := f.q.DispatchQueues(f.ctx, []string{"tax", "health"}, t0.Add(sec(10)))
	if err != nil {
		t.Fatal(err)
	}
	if got := pairs(ms); got != "t1→a1 h1→a2" {
		t.Errorf("matches %s", got)
	}
	if _, _, inflight := f.clk.Pending(); inflight != 2 {
		t.Errorf("in flight %d after 2 matches pushed", inflight)
	}
}

// A caller who joins with an agent free is queued and matched in one round
// trip; with onlyStaffed, a queue nobody serves refuses the caller.
// enqueueFixture: a1 signed in for "tax", the scripts loaded, round trips
// counted from here, and caller c1 of ctl-1 for "tax".
func enqueueFixture(t *testing.T) (*fixture, *RoundTrips, Caller) {
	t.Helper()
	f := setup(t, Options{})
	if err := f.q.LoadScripts(f.ctx); err != nil {
		t.Fatal(err)
	}
	f.login(t, "a1", t0, "tax")
	rt := NewRoundTrips()
	f.rdb.AddHook(rt)
	return f, rt, Caller{CallID: "c1", Queue: "tax", Enqueued: t0.Add(sec(5)), Owner: "ctl-1", Language: "en"}
}

func TestEnqueueDispatch(t *testing.T) {
	t.Parallel()
	f, rt, c := enqueueFixture(t)
	pos, matched, err := f.q.EnqueueDispatch(f.ctx, c, true)
	if err != nil || pos != 1 || !matched {
		t.Fatalf("enqueue with a1 free: position %d, matched %v, %v", pos, matched, err)
	}
	if n := rt.Count(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	if s := f.state(t, "a1"); s.State != agents.Ringing || s.CallID != "c1" {
		t.Errorf("a1 %+v", s)
	}
	m, err := f.q.NextMatch(f.ctx, "ctl-1", time.Second)
	if err != nil || m == nil || m.Caller.CallID != "c1" || m.Agent.ID != "a1" {
		t.Fatalf("inbox: %+v, %v", m, err)
	}
	// a1 is busy: the next caller waits, matched by nobody.
	c2 := Caller{CallID: "c2", Queue: "tax", Enqueued: t0.Add(sec(6)), Owner: "ctl-1"}
	if pos, matched, err := f.q.EnqueueDispatch(f.ctx, c2, true); err != nil || pos != 1 || matched {
		t.Fatalf("c2: position %d, matched %v, %v", pos, matched, err)
	}
	// Nobody serves "health": refused and not queued with onlyStaffed, queued without.
	c3 := Caller{CallID: "c3", Queue: "health", Enqueued: t0.Add(sec(7)), Owner: "ctl-1"}
	if _, _, err := f.q.EnqueueDispatch(f.ctx, c3, true); !errors.Is(err, ErrUnstaffed) {
		t.Fatalf("unstaffed queue: %v", err)
	}
	if pos, waiting, _ := f.q.Position(f.ctx, "health", "c3"); pos != 0 || waiting != 0 {
		t.Errorf("refused caller at %d of %d", pos, waiting)
	}
	if pos, matched, err := f.q.EnqueueDispatch(f.ctx, c3, false); err != nil || pos != 1 || matched {
		t.Fatalf("c3 without onlyStaffed: position %d, matched %v, %v", pos, matched, err)
	}
	// The same caller again: a retry (same entry) gets the same answer; another entry is a conflict.
	if pos, _, err := f.q.EnqueueDispatch(f.ctx, c2, true); err != nil || pos != 1 {
		t.Errorf("c2 retried: position %d, %v", pos, err)
	}
	c2.Enqueued = c2.Enqueued.Add(time.Second)
	if _, _, err := f.q.EnqueueDispatch(f.ctx, c2, true); err == nil || errors.Is(err, ErrUnstaffed) {
		t.Errorf("c2 queued twice: %v", err)
	}
}

// Without the scripts in Redis (a restart) the caller is still queued and
// matched: the enqueue runs again, then the dispatch.
func TestEnqueueDispatchAfterScriptsFlushed(t *testing.T) {
	t.Parallel()
	f := privateFixture(t)
	rdb := f.rdb
	f.login(t, "a1", t0, "tax")
	if err := rdb.ScriptFlush(f.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	pos, matched, err := f.q.EnqueueDispatch(f.ctx, Caller{CallID: "c1", Queue: "tax", Enqueued: t0.Add(sec(5)), Owner: "ctl-1"}, true)
	if err != nil || pos != 1 || !matched {
		t.Fatalf("position %d, matched %v, %v", pos, matched, err)
	}
	if _, _, inflight := f.clk.Pending(); inflight != 1 {
		t.Errorf("in flight %d after 1 match pushed", inflight)
	}
}

// privateFixture is a fixture on a Redis of the test's own, for tests that
// flush its scripts.
func privateFixture(t *testing.T) *fixture {
	t.Helper()
	rdb := redistest.Start(t).Client()
	clk := clock.NewVirtual(t0, clock.Paused())
	t.Cleanup(clk.Close)
	return &fixture{q: New(rdb, clk, Options{Prefix: "t"}), rdb: rdb, clk: clk, ctx: t.Context()}
}

// EnqueueDispatchHere hands the caller's own match back instead of pushing
// it to its owner's inbox (nothing in flight for a receiver); other
// callers' matches still go to their owners' inboxes.
func TestEnqueueDispatchHere(t *testing.T) {
	t.Parallel()
	f, rt, c := enqueueFixture(t)
	pos, matched, own, err := f.q.EnqueueDispatchHere(f.ctx, c, true)
	if err != nil || pos != 1 || !matched || own == nil || own.Caller.CallID != "c1" || own.Agent.ID != "a1" {
		t.Fatalf("enqueue with a1 free: position %d, matched %v, own %+v, %v", pos, matched, own, err)
	}
	if n := rt.Count(); n != 1 {
		t.Errorf("%d round trips, want 1", n)
	}
	if s := f.state(t, "a1"); s.State != agents.Ringing || s.CallID != "c1" {
		t.Errorf("a1 %+v", s)
	}
	if n, err := f.rdb.LLen(f.ctx, f.q.key("inbox", "ctl-1")).Result(); err != nil || n != 0 {
		t.Errorf("inbox holds %d matches (%v), want 0", n, err)
	}
	if _, _, inflight := f.clk.Pending(); inflight != 0 {
		t.Errorf("in flight %d, want 0 (the match was handed back)", inflight)
	}
	// Not matched: nothing handed back.
	c2 := Caller{CallID: "c2", Queue: "tax", Enqueued: t0.Add(sec(6)), Owner: "ctl-1"}
	if pos, matched, own, err := f.q.EnqueueDispatchHere(f.ctx, c2, true); err != nil || pos != 1 || matched || own != nil {
		t.Fatalf("c2: position %d, matched %v, own %+v, %v", pos, matched, own, err)
	}
}

// After a Redis restart (scripts gone) the own match goes through the
// inbox: matched, but not handed back.
func TestEnqueueDispatchHereAfterScriptsFlushed(t *testing.T) {
	t.Parallel()
	f := privateFixture(t)
	f.login(t, "a1", t0, "tax")
	if err := f.rdb.ScriptFlush(f.ctx).Err(); err != nil {
		t.Fatal(err)
	}
	pos, matched, own, err := f.q.EnqueueDispatchHere(f.ctx, Caller{CallID: "c1", Queue: "tax", Enqueued: t0.Add(sec(5)), Owner: "ctl-1"}, true)
	if err != nil || pos != 1 || !matched || own != nil {
		t.Fatalf("position %d, matched %v, own %+v, %v", pos, matched, own, err)
	}
	m, err := f.q.NextMatch(f.ctx, "ctl-1", time.Second)
	if err != nil || m == nil || m.Caller.CallID != "c1" {
		t.Fatalf("inbox: %+v, %v", m, err)
	}
}

// NextMatchOrCommand takes a match from the inbox (with a clock hold) and a
// command from the command list in one wait, the inbox first, and nothing
// after a wait with both empty.
func TestNextMatchOrCommand(t *testing.T) {
	t.Parallel()
	f, _, c := enqueueFixture(t)
	if _, matched, err := f.q.EnqueueDispatch(f.ctx, c, true); err != nil || !matched {
		t.Fatalf("enqueue with a1 free: matched %v, %v", matched, err)
	}
	if _, err := f.q.Heartbeat(f.ctx, "ctl-1", time.Minute, t0); err != nil {
		t.Fatal(err)
	}
	if n, err := f.q.Notify(f.ctx, "other", []byte(`{"op":"staffing"}`)); err != nil || n != 1 {
		t.Fatalf("Notify: reached %d, %v", n, err)
	}
	m, release, cmd, err := f.q.NextMatchOrCommand(f.ctx, "ctl-1", time.Second)
	if err != nil || m == nil || cmd != nil || m.Caller.CallID != "c1" || m.Agent.ID != "a1" || release == nil {
		t.Fatalf("first: match %+v, command %+v, %v; want c1's match first", m, cmd, err)
	}
	release()
	m, release, cmd, err = f.q.NextMatchOrCommand(f.ctx, "ctl-1", time.Second)
	if err != nil || m != nil || release != nil || cmd == nil || string(cmd.Body) != `{"op":"staffing"}` {
		t.Fatalf("second: match %+v, command %+v, %v; want the command", m, cmd, err)
	}
	m, release, cmd, err = f.q.NextMatchOrCommand(f.ctx, "ctl-1", time.Second)
	if err != nil || m != nil || release != nil || cmd != nil {
		t.Fatalf("third, both empty: match %+v, command %+v, %v; want nothing", m, cmd, err)
	}
}
