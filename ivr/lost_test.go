package ivr_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
)

// Asterisk restarts while the controller is down: the controller restarted
// on the old Redis state finds none of its calls' channels. It does not
// adopt them: each is closed as ended by a system failure (failed, hung up
// by the system), the waiting caller leaves the queue, the bridged agent is
// released, and no saved call state is left.
func TestAsteriskRestartClosesLostCalls(t *testing.T) {
	e := newEnv(t, testConfigYAML(map[string]string{"info_gen": "tone:ring"}))
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	e.login("a1")
	n.start("ctl1")
	hold := e.clk.Hold()
	e.clk.AfterFunc(10*time.Second, e.clk.Pause)
	talking := n.call("3455550191", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	waiting := n.call("3455550192", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 4000)}})
	inMenu := n.call("3455550193", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("1", 2000)}})
	hold()
	var last string
	checkFor(t, 20*time.Second, "one call talking, one waiting, one in a menu", func() bool {
		s := n.ctl.Stats()
		last = fmt.Sprintf("%s at %v", s, e.clk.Now())
		return s.Talking == 1 && s.Waiting == 1 && s.Menu == 1 && e.clk.Now().Sub(testStart) == 10*time.Second
	})
	t.Logf("before the restart: %s", last)
	n.kill()
	_ = n.sim.Close() // Asterisk goes away with every channel
	n2 := e.newSim("node1")
	n2.start("ctl1") // same id, same Redis: the saved calls are found
	e.clk.Resume()
	for _, ch := range []string{talking, waiting, inMenu} {
		rec := e.waitRecord(ch)
		if rec.Disposition != hotline.DispFailed || rec.HungUpBy != "system" {
			t.Errorf("%s: record %+v, want failed, hung up by system", ch, rec)
		}
	}
	if st := e.agentState("a1"); st == agents.OnCall || st == agents.Ringing {
		t.Errorf("agent a1 still %s", st)
	}
	live, err := e.q.Live(e.ctx, "general", e.clk.Now())
	if err != nil || live.Waiting != 0 {
		t.Errorf("queue after the restart: %+v %v", live, err)
	}
	checkFor(t, 10*time.Second, "no saved call state left", func() bool {
		m, err := e.q.Calls(e.ctx, "ctl1")
		return err == nil && len(m) == 0
	})
	if s := n2.ctl.Stats(); s.Talking+s.Waiting+s.Menu+s.Ringing != 0 {
		t.Errorf("calls adopted: %s", s)
	}
}
