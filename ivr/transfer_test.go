package ivr_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// talkingAt10s places a call answered by a1 (whose phone talks for an hour)
// and stops the clock 10 s in, the call talking.
func talkingAt10s(t *testing.T, e *env, n *node) string {
	t.Helper()
	hold := e.clk.Hold()
	e.clk.AfterFunc(10*time.Second, e.clk.Pause)
	ch := n.call("3455550091", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	hold()
	checkFor(t, 20*time.Second, "the call talking with a1 at 10 s", func() bool {
		c, err := n.ctl.AgentCall(e.ctx, "a1", ch)
		return err == nil && c.State == "talking" && e.clk.Now().Sub(testStart) == 10*time.Second
	})
	return ch
}

// runFor lets the paused clock run for d, then stops it again.
func runFor(e *env, d time.Duration) {
	e.clk.AfterFunc(d, e.clk.Pause)
	e.clk.Resume()
}

// A controller killed during an attended transfer's consultation: the
// controller with the same id re-adopts the call, ends the consultation
// (leg hung up, a2 available again) and gives the caller back to a1, off
// hold; the record shows the consultation lost.
func TestRestartDuringConsultation(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	n.agent("a2", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	e.login("a1")
	n.start("ctl1")
	ch := talkingAt10s(t, e, n)
	e.login("a2")
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActAttended, "agent:a2"); err != nil {
		t.Fatal(err)
	}
	runFor(e, 3*time.Second) // a2's phone answers the consultation
	checkFor(t, 10*time.Second, "a2 consulting", func() bool {
		c, err := n.ctl.AgentCall(e.ctx, "a2", ch)
		return err == nil && c.State == "consulting"
	})
	n.kill()
	n.start("ctl1")
	checkFor(t, 10*time.Second, "the call re-adopted, back with a1 off hold, a2 available", func() bool {
		c, err := n.ctl.AgentCall(e.ctx, "a1", ch)
		a2, err2 := e.q.Agent(e.ctx, "a2")
		return err == nil && err2 == nil && c.State == "talking" && !c.Held && c.Transfer == nil && a2.State == "available"
	})
	leg, _ := n.sim.CallOf(ch + "-t2")
	if leg.HungUp.IsZero() {
		t.Errorf("the consultation leg is still up")
	}
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActHangup, ""); err != nil {
		t.Fatal(err)
	}
	e.clk.Resume()
	rec := e.waitRecord(ch)
	if rec.Agent != "a1" || len(rec.Offers) != 2 || rec.Offers[1].Agent != "a2" || rec.Offers[1].Outcome != "consulted" {
		t.Errorf("record %+v", rec)
	}
	got := eventTypes(e.events(ch))
	if got != "ENTERQUEUE,CONNECT,HOLD,UNHOLD,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
}

// Two controllers on their own simulators share Redis: the second acts on
// a call the first owns (hold, an attended transfer answered and
// completed) through the first's command list; once the first is killed
// the second's command fails as unavailable, naming it.
func TestControlFromAnotherController(t *testing.T) {
	e := newEnv(t, "")
	n1, n2 := e.newSim("node1"), e.newSim("node2")
	for _, n := range []*node{n1, n2} {
		n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
		n.agent("a2", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	}
	e.login("a1")
	n1.start("ctl1")
	n2.start("ctl2")
	ch := talkingAt10s(t, e, n1)
	other := n2.ctl
	if err := other.Control(e.ctx, "a1", ch, ivr.ActHold, ""); err != nil {
		t.Fatal(err)
	}
	c, err := other.AgentCall(e.ctx, "a1", ch)
	if err != nil || !c.Held || c.Number != "3455550091" {
		t.Fatalf("through ctl2: %+v %v", c, err)
	}
	if err := other.Control(e.ctx, "a1", ch, ivr.ActHold, ""); hotline.ErrorCode(err) != hotline.ECONFLICT {
		t.Fatalf("hold twice: %v", err)
	}
	if err := other.Control(e.ctx, "a2", ch, ivr.ActHold, ""); hotline.ErrorCode(err) != hotline.ENOTFOUND {
		t.Fatalf("another agent's call: %v", err)
	}
	e.login("a2")
	if err := other.Control(e.ctx, "a1", ch, ivr.ActAttended, "agent:a2"); err != nil {
		t.Fatal(err)
	}
	runFor(e, 3*time.Second)
	checkFor(t, 10*time.Second, "a2 consulting", func() bool {
		c, err := other.AgentCall(e.ctx, "a2", ch)
		return err == nil && c.State == "consulting"
	})
	if err := other.Control(e.ctx, "a1", ch, ivr.ActComplete, ""); err != nil {
		t.Fatal(err)
	}
	c, err = other.AgentCall(e.ctx, "a2", ch)
	if err != nil || c.State != "talking" {
		t.Fatalf("a2 after complete: %+v %v", c, err)
	}
	// On hold the caller left the bridge (a1 stayed); back in it with t2.
	if truth := n1.truth(ch); len(truth.Bridges) != 2 || truth.Bridges[0].BridgeID != truth.Bridges[1].BridgeID ||
		fmt.Sprint(truth.Bridges[0].With) != fmt.Sprint([]string{ch + "-a1"}) ||
		fmt.Sprint(truth.Bridges[1].With) != fmt.Sprint([]string{ch + "-t2"}) {
		t.Errorf("the caller's bridges %+v", truth.Bridges)
	}
	n1.kill()
	err = other.Control(e.ctx, "a2", ch, ivr.ActHold, "")
	if hotline.ErrorCode(err) != hotline.EUNAVAILABLE {
		t.Fatalf("with the owner killed: %v", err)
	}
	t.Logf("with the owner killed: %s", hotline.ErrorMessage(err))
}
