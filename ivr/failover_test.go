package ivr_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/internal/redistest"
)

// The three-controllers journey on a real Redis Cluster (three masters, one
// replica each), then the master serving the hotline's slot is killed
// mid-traffic: after the failover every caller is answered once, no agent
// ever has two calls, and every call has one record.
func TestClusterFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a six-node Redis Cluster")
	}
	cl := redistest.StartCluster(t, 3, 1)
	var key string
	var old *redistest.Server
	runFailover(t, cl.Client(), func(s *scenario) {
		key = "{" + s.e.prefix + "}:queues"
		old = cl.MasterOf(key)
		old.Kill()
	}, func() bool {
		checkFor(t, 60*time.Second, "a replica promoted", func() bool { return cl.MasterOf(key) != old })
		cl.WaitOK(30 * time.Second)
		return true
	})
}

// The same on a real Sentinel setup (a master, a replica, three sentinels):
// the master is killed and the sentinels promote the replica.
func TestSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis master, replica and three sentinels")
	}
	st := redistest.StartSentinel(t)
	var old string
	runFailover(t, st.Client(), func(s *scenario) {
		old = st.MasterAddr()
		st.ServerAt(old).Kill()
	}, func() bool {
		st.WaitFailover(old, 60*time.Second)
		return true
	})
}

func runFailover(t *testing.T, rdb redis.UniversalClient, kill func(*scenario), recovered func() bool) {
	s := newScenarioTalk(t, rdb, 8000)
	// The three-controllers journey first.
	first := s.place(9)
	s.checkAll(first, nil)
	// Then traffic, and the master dies.
	s.place(9)
	stepUntil(t, s.e.clk, 60*time.Second, "calls talking and callers waiting", func() bool {
		st := s.stats()
		return st.Talking >= 1 && st.Waiting >= 2
	})
	at := s.stats()
	s.e.clk.Resume()
	start := time.Now()
	kill(s)
	recovered()
	failover := time.Since(start)
	s.waitRebuilt()
	var callers, busy, freed, restored int
	for _, n := range s.nodes {
		for _, r := range n.ctl.Rebuilds() {
			t.Logf("%s: rebuild (%s) after %v down: %d callers, %d agents busy, %d freed, %d signed in, %d errors",
				n.name, r.Reason, r.Outage, r.Callers, r.AgentsBusy, r.AgentsFreed, r.AgentsRestored, r.Errors)
			callers += r.Callers
			busy += r.AgentsBusy
			freed += r.AgentsFreed
			restored += r.AgentsRestored
		}
	}
	t.Logf("master killed with %+v; failover done in %v; rebuilds put back %d callers, %d busy agents, freed %d, signed in %d; %v after the kill",
		at, failover, callers, busy, freed, restored, time.Since(start))
	s.place(6)
	s.checkAll(s.calls, nil)
}
