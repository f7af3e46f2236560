package ivr_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// callerInBridge: the caller's last bridge stay is open, with a1.
func callerInBridge(n *node, ch string) bool {
	b := n.truth(ch).Bridges
	return len(b) > 0 && b[len(b)-1].Left.IsZero() && fmt.Sprint(b[len(b)-1].With) == fmt.Sprint([]string{ch + "-a1"})
}

// Hold takes the caller out of the agent's bridge (music on its own
// channel). A controller restarted while the call is held re-adopts it held
// (the caller out of the bridge), and the agent resumes it: the music stops,
// the caller is back with a1. The agent hanging up on hold ends the hold
// (UNHOLD "hangup").
func TestHoldResumeAndRestartWhileHeld(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	e.login("a1")
	n.start("ctl1")
	ch := talkingAt10s(t, e, n)
	if !callerInBridge(n, ch) {
		t.Fatalf("talking, the caller is not in a1's bridge: %+v", n.truth(ch).Bridges)
	}
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActHold, ""); err != nil {
		t.Fatal(err)
	}
	if callerInBridge(n, ch) {
		t.Fatalf("on hold, the caller is still in a1's bridge")
	}
	n.kill()
	n.start("ctl1")
	checkFor(t, 10*time.Second, "the held call re-adopted, held", func() bool {
		c, err := n.ctl.AgentCall(e.ctx, "a1", ch)
		return err == nil && c.State == "talking" && c.Held
	})
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActResume, ""); err != nil {
		t.Fatal(err)
	}
	// The music stopped now, 10 s in (its stop before was at the answer, 3.5 s in).
	if tr := n.truth(ch); !callerInBridge(n, ch) || len(tr.Bridges) != 2 || !tr.LastMOHStop.Equal(e.clk.Now()) {
		t.Fatalf("resumed after the restart: bridges %+v, music last stopped at %v (now %v)", tr.Bridges, tr.LastMOHStop, e.clk.Now())
	}
	if c, err := n.ctl.AgentCall(e.ctx, "a1", ch); err != nil || c.Held {
		t.Fatalf("resumed: %+v %v", c, err)
	}

	// On hold again, the agent hangs up: the hold ends with the call.
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActHold, ""); err != nil {
		t.Fatal(err)
	}
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActHangup, ""); err != nil {
		t.Fatal(err)
	}
	e.clk.Resume()
	e.waitRecord(ch)
	evs := e.events(ch)
	if got := eventTypes(evs); got != "ENTERQUEUE,CONNECT,HOLD,UNHOLD,HOLD,UNHOLD,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
	var last hotline.QueueEvent
	for _, ev := range evs {
		if ev.Type == hotline.EvUnhold {
			last = ev
		}
	}
	if last.Data != "hangup" {
		t.Errorf("the last UNHOLD's data %q, want hangup", last.Data)
	}
}

// The caller hangs up on hold, out of the agent's bridge: the call ends,
// the agent's leg is hung up.
func TestCallerHangsUpWhileHeld(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	e.login("a1")
	n.start("ctl1")
	ch := talkingAt10s(t, e, n)
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActHold, ""); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
	defer cancel()
	if err := n.sim.Hangup(ctx, ch, 16); err != nil {
		t.Fatal(err)
	}
	e.clk.Resume()
	rec := e.waitRecord(ch)
	if rec.HungUpBy != "caller" {
		t.Errorf("hung up by %q", rec.HungUpBy)
	}
	checkFor(t, 10*time.Second, "a1's leg hung up", func() bool {
		return !n.truth(ch + "-a1").HungUp.IsZero()
	})
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,CONNECT,HOLD,COMPLETECALLER" {
		t.Errorf("events %s", got)
	}
}

// Hold then resume at once: the caller is back in a1's bridge, the music
// stopped (on Asterisk, out of the bridge the commands run in order).
func TestHoldThenResumeAtOnce(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	e.login("a1")
	n.start("ctl1")
	ch := talkingAt10s(t, e, n)
	for _, a := range []string{ivr.ActHold, ivr.ActResume} {
		if err := n.ctl.Control(e.ctx, "a1", ch, a, ""); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if tr := n.truth(ch); !callerInBridge(n, ch) || len(tr.Bridges) != 2 || !tr.LastMOHStop.Equal(e.clk.Now()) {
		t.Fatalf("held and resumed at once: bridges %+v, music last stopped at %v (now %v)", tr.Bridges, tr.LastMOHStop, e.clk.Now())
	}
	if err := n.ctl.Control(e.ctx, "a1", ch, ivr.ActHangup, ""); err != nil {
		t.Fatal(err)
	}
	e.clk.Resume()
	e.waitRecord(ch)
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,CONNECT,HOLD,UNHOLD,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
}
