package ivr_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/ivr"
)

// A fault scenario: three controllers, each on its own simulator, sharing
// one Redis (the test's own: a server, a Cluster or a Sentinel setup) and
// three agents; callers arrive in waves around a fault.
type scenario struct {
	t     *testing.T
	e     *env
	nodes []*node
	calls []placed
	seq   int
}

type placed struct {
	n  *node
	ch string
}

// faultOptions are the controller options of the fault tests: a fast
// heartbeat and a short lease so detection and sweeping take seconds.
func faultOptions(o *ivr.Options) {
	o.Heartbeat = 100 * time.Millisecond
	o.LeaseTTL = 2 * time.Second
	o.RebuildSettle = 500 * time.Millisecond
	o.CommandTimeout = 2 * time.Second
}

func newScenario(t *testing.T, rdb redis.UniversalClient) *scenario {
	return newScenarioTalk(t, rdb, 4000)
}

// newScenarioTalk is newScenario with agents talking talkMs (+ up to 3 s).
func newScenarioTalk(t *testing.T, rdb redis.UniversalClient, talkMs int) *scenario {
	e := newEnvOn(t, "", rdb)
	s := &scenario{t: t, e: e}
	for i := 1; i <= 3; i++ {
		n := e.newSim(fmt.Sprintf("node%d", i))
		for _, a := range []string{"a1", "a2", "a3"} {
			n.agent(a, arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: talkMs, TalkJitterMs: 3000})
		}
		s.nodes = append(s.nodes, n)
	}
	e.login("a1", "a2", "a3")
	for i, n := range s.nodes {
		n := n
		n.startWith(fmt.Sprintf("ctl%d", i+1), func(o *ivr.Options) {
			o.CallIDPrefix = n.name + "-"
			faultOptions(o)
		})
	}
	return s
}

// stepUntil runs the virtual clock in 50 ms steps, each once nothing holds
// it, until cond holds, and leaves it paused there (call Resume). Left to
// run by itself, the clock can pass a state that lasts seconds of the
// calls' time between two looks of checkFor.
func stepUntil(t *testing.T, clk *clock.Virtual, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	clk.Pause()
	checkFor(t, limit, what, func() bool {
		if _, holds, inflight := clk.Pending(); holds > 0 || inflight > 0 {
			return false
		}
		if cond() {
			return true
		}
		clk.Advance(50 * time.Millisecond)
		return false
	})
}

// place places k callers at one instant, spread over the given nodes (all
// when none), each choosing the general department's officer and rating
// the call after.
func (s *scenario) place(k int, on ...*node) []placed {
	if len(on) == 0 {
		on = s.nodes
	}
	hold := s.e.clk.Hold()
	defer hold()
	var out []placed
	for i := 0; i < k; i++ {
		s.seq++
		n := on[s.seq%len(on)]
		ch := n.call(fmt.Sprintf("34555502%02d", s.seq%100), didGen, &arisim.Script{
			Presses:     []arisim.Press{{Digits: "1", AfterMs: 300 + 100*i, From: "answer"}, press("2", 2000)},
			AfterBridge: []arisim.Press{{Digits: fmt.Sprint(1 + s.seq%4), AfterMs: 1000}}})
		p := placed{n, ch}
		out = append(out, p)
		s.calls = append(s.calls, p)
	}
	return out
}

// stats sums the controllers' live counts.
func (s *scenario) stats() ivr.Stats {
	var t ivr.Stats
	for _, n := range s.nodes {
		if n.ctl == nil || n.cancel == nil {
			continue
		}
		st := n.ctl.Stats()
		t.Menu += st.Menu
		t.Waiting += st.Waiting
		t.Ringing += st.Ringing
		t.Talking += st.Talking
		t.Survey += st.Survey
	}
	return t
}

// checkAll waits for a record of every call of calls and checks the
// accounting: one record per call placed, answered ones connected exactly
// once, no agent with two calls at a time. It returns the records.
func (s *scenario) checkAll(calls []placed, answered func(p placed) bool) map[string]hotline.CallRecord {
	t, e := s.t, s.e
	t.Helper()
	for _, c := range calls {
		e.waitRecord(c.n.prefix + c.ch)
	}
	recs := e.records()
	connects := map[string]int{}
	for _, ev := range e.events("") {
		if ev.Type == hotline.EvConnect {
			connects[ev.CallID]++
		}
	}
	type span struct {
		from, to time.Time
		call     string
	}
	byAgent := map[string][]span{}
	nAnswered := 0
	for _, c := range calls {
		id := c.n.prefix + c.ch
		rec := recs[id]
		want := answered == nil || answered(c)
		if want {
			if rec.Disposition != hotline.DispAnswered || connects[id] != 1 {
				t.Errorf("%s: disposition %s, %d CONNECT events, want answered once (record %+v)", id, rec.Disposition, connects[id], rec)
			}
		}
		if connects[id] > 1 {
			t.Errorf("%s connected %d times", id, connects[id])
		}
		if !rec.Answered.IsZero() {
			nAnswered++
			byAgent[rec.Agent] = append(byAgent[rec.Agent], span{rec.Answered, rec.Answered.Add(rec.Talk), id})
		}
	}
	if len(recs) != len(calls) {
		t.Errorf("%d call records for %d calls placed", len(recs), len(calls))
	}
	for a, spans := range byAgent {
		sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
		for i := 1; i < len(spans); i++ {
			if spans[i].from.Before(spans[i-1].to) {
				t.Errorf("agent %s had two calls at once: %+v and %+v", a, spans[i-1], spans[i])
			}
		}
	}
	t.Logf("checked: %d calls placed, %d records, %d answered, no agent with two calls", len(calls), len(recs), nAnswered)
	return recs
}

// waitRebuilt waits until every live controller rebuilt, its last rebuild
// without errors.
func (s *scenario) waitRebuilt() {
	s.t.Helper()
	checkFor(s.t, 60*time.Second, "every controller rebuilt", func() bool {
		for _, n := range s.nodes {
			if n.cancel == nil {
				continue
			}
			rs := n.ctl.Rebuilds()
			if len(rs) == 0 || rs[len(rs)-1].Errors > 0 {
				return false
			}
		}
		return true
	})
}
