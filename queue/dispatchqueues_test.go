package queue

import (
	"testing"

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
	srv := redistest.Start(t)
	rdb := srv.Client()
	clk := clock.NewVirtual(t0, clock.Paused())
	t.Cleanup(clk.Close)
	f := &fixture{q: New(rdb, clk, Options{Prefix: "t"}), rdb: rdb, clk: clk, ctx: t.Context()}
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
