package ivr_test

import (
	"testing"
	"time"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/internal/redistest"
)

// Redis restarted WITHOUT persistence (the worst case: it comes back empty)
// in the middle of traffic on three controllers: callers waiting, agents
// ringing and talking, agents paused, callers arriving while Redis is down.
// Every controller notices, puts back its calls, the agents come back in
// their last states from the journal, and every call completes answered,
// with one record; no agent ever has two calls.
func TestRedisRestartWithoutPersistenceMidTraffic(t *testing.T) {
	redisRestart(t, redistest.Start(t))
}

// The same with persistence, as scripts/services.sh runs Redis (AOF, synced
// every second): Redis comes back with its data (and a new run id), the
// rebuild finds nearly everything in place and changes only what is missing.
func TestRedisRestartWithAOFMidTraffic(t *testing.T) {
	redisRestart(t, redistest.Start(t, "--appendonly", "yes", "--appendfsync", "everysec"))
}

func redisRestart(t *testing.T, srv *redistest.Server) {
	s := newScenarioTalk(t, srv.Client(), 90000) // long talks: still talking once Redis is back
	e := s.e
	if err := e.q.Pause(e.ctx, "a3", agents.ReasonBreak, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	first := s.place(9)
	stepUntil(t, e.clk, 60*time.Second, "calls talking and callers waiting", func() bool {
		st := s.stats()
		return st.Talking >= 1 && st.Waiting >= 2
	})

	// Kill Redis with the clock held: nothing moves in simulated time while
	// it is down, except the callers placed now, who reach the queue then.
	hold := e.clk.Hold()
	e.clk.Resume()
	before := s.stats()
	srv.Kill()
	killed := time.Now()
	hold()
	during := s.place(3)
	checkFor(t, 60*time.Second, "callers queued while Redis was down", func() bool {
		n := 0
		for _, p := range during {
			for _, ev := range e.events(p.n.prefix + p.ch) {
				if ev.Data == "redis_unavailable" {
					n++
				}
			}
		}
		return n == len(during)
	})
	hold = e.clk.Hold()
	restarted := time.Now() // the new server answers PING a few ms later
	srv.Restart()
	s.waitRebuilt()
	var callers, busy, restored, queued, conflicts int
	var detect, took time.Duration
	for _, n := range s.nodes {
		rs := n.ctl.Rebuilds()
		detect = max(detect, rs[0].Started.Sub(restarted))
		for _, r := range rs {
			callers += r.Callers
			busy += r.AgentsBusy
			restored += r.AgentsRestored
			queued += r.Queued
			conflicts += r.Conflicts
			took = max(took, r.Started.Add(r.Took).Sub(rs[0].Started))
			t.Logf("%s: rebuild %+v", n.name, r)
		}
	}
	t.Logf("Redis down %v (restarted with %v); at the kill: %+v; after the restart: detected within %v, rebuilt in %v (settle included): "+
		"%d callers put back, %d queued now, %d agents busy, %d agents signed in again",
		restarted.Sub(killed), srv.Args, before, detect, took, callers, queued, busy, restored)
	a3, err := e.q.Agent(e.ctx, "a3")
	if err != nil || a3.State != agents.Paused || a3.Reason != agents.ReasonBreak {
		t.Errorf("a3 after the rebuild: %+v, %v; want paused (break) as before", a3, err)
	}
	if conflicts > 0 {
		t.Errorf("%d agents found busy with another call while their calls were put back", conflicts)
	}
	if busy == 0 && len(srv.Args) == 0 {
		t.Errorf("no agent put back busy (ringing or talking)")
	}
	if queued != len(during) {
		t.Errorf("%d callers queued after the restart, want %d", queued, len(during))
	}
	if err := e.q.SetAvailable(e.ctx, "a3", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	hold()
	for _, n := range s.nodes {
		_ = n.ctl.Dispatch(e.ctx, "general")
	}
	last := s.place(3)
	_ = first
	_ = last
	s.checkAll(s.calls, nil)
}
