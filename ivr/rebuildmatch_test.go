package ivr_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/queue"
)

// TestRebuildVoidsMatchOnItsWay: a match still on its way to its call (in
// the inbox, or popped and not yet handled) when a rebuild runs. The call
// does not know it, so the rebuild's FreeStale frees the agent and puts the
// caller back; the rebuild's own dispatch then matches the agent again. The
// old match must not be acted on when it arrives: before the fix it rang
// the agent, and the new match, finding the caller no longer waiting, freed
// the agent in Redis while it rang — and the next caller was given the same
// agent (the double assignment once seen in
// TestRedisRestartWithoutPersistenceMidTraffic).
func TestRebuildVoidsMatchOnItsWay(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 2000})
	e.login("a1")
	if err := e.q.Pause(e.ctx, "a1", "break", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	var popped atomic.Int32
	held := make(chan queue.Match, 1)
	release := make(chan struct{})
	n.startWith("ctl1", func(o *ivr.Options) {
		o.CallIDPrefix = "node1-"
		faultOptions(o)
		o.BeforeMatch = func(m queue.Match) {
			if popped.Add(1) == 1 {
				held <- m
				<-release
			}
		}
	})
	s := &scenario{t: t, e: e, nodes: []*node{n}}
	s.place(2)
	checkFor(t, 30*time.Second, "both callers waiting", func() bool { return n.ctl.Stats().Waiting == 2 })

	if err := e.q.SetAvailable(e.ctx, "a1", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	for _, q := range e.cfg.Queues {
		if err := n.ctl.Dispatch(e.ctx, q.ID); err != nil {
			t.Fatal(err)
		}
	}
	var first queue.Match
	select {
	case first = <-held:
	case <-time.After(10 * time.Second):
		t.Fatal("no match popped")
	}
	t.Logf("holding the match of %s to %s made at %v", first.Caller.CallID, first.Agent.ID, first.At)

	// Time moves on (the held match holds the virtual clock; on a real clock
	// the rebuild's cutoff comes after the match by itself), then the epoch
	// key gone reads as data lost: the controller rebuilds.
	e.clk.Advance(100 * time.Millisecond)
	if err := e.rdb.Del(e.ctx, fmt.Sprintf("{%s}:epoch", e.prefix)).Err(); err != nil {
		t.Fatal(err)
	}
	s.waitRebuilt()
	r := n.ctl.Rebuilds()[0]
	if r.AgentsFreed != 1 {
		t.Errorf("rebuild freed %d agents, want 1 (a1, ringing for a match its call did not know yet): %+v", r.AgentsFreed, r)
	}
	close(release)

	recs := s.checkAll(s.calls, nil)
	for id, rec := range recs {
		for _, ev := range e.events(id) {
			if ev.Type == hotline.EvAbandon {
				t.Errorf("%s: an abandon event for an answered caller: %+v", id, ev)
			}
		}
		if len(rec.Offers) != 1 {
			t.Errorf("%s: offers %+v, want one (answered)", id, rec.Offers)
		}
	}
}
