package ivr_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// Three controllers, each with its own simulated Asterisk, share one Redis
// and one pool of three agents. Twelve callers arrive at once; every call is
// answered and recorded once, by the controller that owns it, and no agent
// ever has two calls at a time.
func TestThreeControllersShareAgents(t *testing.T) {
	e := newEnv(t, "")
	var nodes []*node
	for i := 1; i <= 3; i++ {
		n := e.newSim(fmt.Sprintf("node%d", i))
		for _, a := range []string{"a1", "a2", "a3"} {
			n.agent(a, arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 4000, TalkJitterMs: 3000})
		}
		nodes = append(nodes, n)
	}
	e.login("a1", "a2", "a3")
	for i, n := range nodes {
		n.startWith(fmt.Sprintf("ctl%d", i+1), func(o *ivr.Options) { o.CallIDPrefix = n.name + "-" })
	}
	type placed struct {
		n  *node
		ch string
	}
	var calls []placed
	hold := e.clk.Hold() // every caller arrives at the same instant
	for i := 0; i < 12; i++ {
		n := nodes[i%3]
		ch := n.call(fmt.Sprintf("34555501%02d", i), didGen, &arisim.Script{
			Presses:     []arisim.Press{{Digits: "1", AfterMs: 300 + 100*i, From: "answer"}, press("2", 2000)},
			AfterBridge: []arisim.Press{{Digits: fmt.Sprint(1 + i%4), AfterMs: 1000}}})
		calls = append(calls, placed{n, ch})
	}
	hold()
	type span struct {
		from, to time.Time
		call     string
	}
	byAgent := map[string][]span{}
	for _, c := range calls {
		rec := e.waitRecord(c.n.prefix + c.ch)
		if rec.Disposition != hotline.DispAnswered || rec.Node != c.n.name || !rec.Survey.Valid() {
			t.Errorf("record %+v", rec)
			continue
		}
		truth := c.n.truth(c.ch)
		checkAnswerTimes(t, rec, truth)
		// The agent's own leg, from the ground truth of the owning simulator.
		byAgent[rec.Agent] = append(byAgent[rec.Agent], span{rec.Answered, rec.Answered.Add(rec.Talk), rec.ID})
		evs := e.events(c.n.prefix + c.ch)
		if got := eventTypes(evs); got != "ENTERQUEUE,CONNECT,COMPLETEAGENT" {
			t.Errorf("%s events %s", c.ch, got)
		}
	}
	if len(e.records()) != 12 {
		t.Errorf("%d records, want 12", len(e.records()))
	}
	for a, spans := range byAgent {
		sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
		for i := 1; i < len(spans); i++ {
			if spans[i].from.Before(spans[i-1].to) {
				t.Errorf("agent %s had two calls at once: %+v and %+v", a, spans[i-1], spans[i])
			}
		}
		t.Logf("agent %s: %d calls", a, len(spans))
	}
	if len(e.ratings()) != 12 {
		t.Errorf("%d ratings, want 12", len(e.ratings()))
	}
}
