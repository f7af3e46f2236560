package ivr_test

import (
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// While draining, a new call is not taken into the menus: it is handed back
// to the dialplan fallback (the simulator's ground truth says it continued
// in hotline-fallback) and recorded as drained; the call in progress goes
// on. When the controller stops, it closes the WebSocket with a close frame.
func TestDrainHandsNewCallsToTheFallback(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 20000})
	e.login("a1")
	n.start("ctl1")
	hold := e.clk.Hold()
	e.clk.AfterFunc(10*time.Second, e.clk.Pause)
	busy := n.call("3455550221", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	hold()
	checkFor(t, 10*time.Second, "a call in progress at 10 s", func() bool {
		return n.ctl.Stats().Talking == 1 && e.clk.Now().Sub(testStart) == 10*time.Second
	})
	n.ctl.Drain()
	e.clk.Resume()
	late := n.call("3455550222", didMain, &arisim.Script{Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}}})
	rec := e.waitRecord(late)
	if rec.Disposition != hotline.DispFailed || len(rec.IVRPath) != 1 || rec.IVRPath[0] != "drained" {
		t.Fatalf("record of the late call %+v", rec)
	}
	checkFor(t, 10*time.Second, "late call continued in the fallback", func() bool {
		return n.truth(late).Continued == "hotline-fallback"
	})
	if tr := n.truth(late); !tr.Answered.IsZero() || len(tr.Heard) != 0 {
		t.Errorf("late call was served by the controller: %+v", tr)
	}
	if r := e.waitRecord(busy); r.Disposition != hotline.DispAnswered {
		t.Errorf("call in progress %+v", r)
	}
	n.kill()
	checkFor(t, 10*time.Second, "disconnected", func() bool { return !n.sim.Connected("hotline") })
	if got := n.sim.AbruptCloses(); got != 0 {
		t.Errorf("%d WebSockets closed abruptly, want a close frame", got)
	}
}
