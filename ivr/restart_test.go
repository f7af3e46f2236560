package ivr_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// A controller is killed (its Run cancelled, no cleanup) with one call
// bridged, one waiting and one in a menu; a new controller with the same id
// re-adopts them: the bridged call stays up and is recorded when it ends,
// the waiting caller keeps their place and is answered, the caller in the
// menu is prompted again. Every call is recorded once.
func TestRestartReadoption(t *testing.T) {
	e := newEnv(t, testConfigYAML(map[string]string{"info_gen": "tone:ring"})) // plays until stopped
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3600_000})
	n.agent("a2", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.agent("a3", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	e.login("a1")
	long := func(o *ivr.Options) { o.PlaybackSafety = 2 * time.Hour }
	n.startWith("ctl1", long)

	// Time stops by itself 10 s in: one call bridged, one waiting, one in a menu.
	// (Held while placing the calls so that they all arrive at 0 s.)
	hold := e.clk.Hold()
	e.clk.AfterFunc(10*time.Second, e.clk.Pause)
	talking := n.call("3455550081", didGen, &arisim.Script{
		Presses:     []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)},
		AfterBridge: []arisim.Press{{Digits: "2", AfterMs: 1000}}})
	waiting := n.call("3455550082", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 4000)}})
	inMenu := n.call("3455550083", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("1", 2000)}}) // info: never ends
	hold()
	var last string
	defer func() { t.Logf("last stats: %s", last) }()
	checkFor(t, 20*time.Second, "one call talking, one waiting, one in a menu", func() bool {
		s := n.ctl.Stats()
		last = fmt.Sprintf("%s at %v", s, e.clk.Now())
		return s.Talking == 1 && s.Waiting == 1 && s.Menu == 1 && e.clk.Now().Sub(testStart) == 10*time.Second
	})
	e.clk.Pause()
	n.kill()
	if !n.sim.Connected("hotline") == false {
		t.Fatal("application still connected after the kill")
	}
	e.login("a2", "a3")
	n.startWith("ctl1", long)
	checkFor(t, 10*time.Second, "calls re-adopted", func() bool {
		s := n.ctl.Stats()
		return s.Talking+s.Waiting+s.Menu+s.Ringing == 3
	})
	e.clk.Resume()

	recW := e.waitRecord(waiting)
	if recW.Disposition != hotline.DispAnswered || recW.Agent == "a1" || recW.Agent == "" {
		t.Errorf("waiting call %+v", recW)
	}
	checkAnswerTimes(t, recW, n.truth(waiting))
	recM := e.waitRecord(inMenu)
	if recM.Disposition != hotline.DispAnswered {
		t.Errorf("menu call %+v", recM)
	}
	t.Logf("menu call path %v", recM.IVRPath)
	recT := e.waitRecord(talking)
	if recT.Disposition != hotline.DispAnswered || recT.Agent != "a1" || recT.Survey != hotline.Happy ||
		recT.HungUpBy != "agent" || recT.Talk < time.Hour-time.Second {
		t.Errorf("bridged call %+v", recT)
	}
	checkAnswerTimes(t, recT, n.truth(talking))
	for _, ch := range []string{talking, waiting, inMenu} {
		evs := e.events(ch)
		count := map[hotline.QueueEventType]int{}
		for _, ev := range evs {
			count[ev.Type]++
		}
		if count[hotline.EvEnterQueue] != 1 || count[hotline.EvConnect] != 1 || count[hotline.EvCompleteAgent] != 1 {
			t.Errorf("%s events %s", ch, eventTypes(evs))
		}
	}
	if got := len(e.records()); got != 3 {
		t.Errorf("%d records, want 3", got)
	}
	checkFor(t, 10*time.Second, "no saved call state left", func() bool {
		m, err := e.q.Calls(e.ctx, "ctl1")
		return err == nil && len(m) == 0
	})
}

// Killed while an agent's phone rings: the new controller cannot know
// whether the old ring is still wanted, so it hangs the ringing leg up, puts
// the caller back in their place (no auto-pause) and offers the call again.
func TestRestartWhileRinging(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 6000, TalkMs: 3000})
	e.login("a1")
	n.start("ctl1")
	hold := e.clk.Hold()
	e.clk.AfterFunc(5*time.Second, e.clk.Pause)
	ch := n.call("3455550084", didGen, &arisim.Script{
		Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	hold()
	checkFor(t, 10*time.Second, "agent ringing at 5 s", func() bool {
		return n.ctl.Stats().Ringing == 1 && e.clk.Now().Sub(testStart) == 5*time.Second
	})
	n.kill()
	n.start("ctl1")
	e.clk.Resume()
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a1" || len(rec.Offers) != 2 ||
		rec.Offers[0].Outcome != "lost" || rec.Offers[1].Outcome != "answered" {
		t.Fatalf("record %+v", rec)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,RINGNOANSWER,CONNECT,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
}
