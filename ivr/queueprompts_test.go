package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// indexOf is the index of the first heard media containing key, or -1.
func indexOf(heard []string, key string) int {
	for i, h := range heard {
		if strings.Contains(h, key) {
			return i
		}
	}
	return -1
}

// A caller who joins a busy queue is told so (queue_entry) before the music;
// when an officer's phone rings they hear "connecting you to an officer".
// The wait still counts from joining (the first music).
func TestQueueEntryAndConnectingPrompts(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 3000, TalkMs: 5000})
	e.login("a1")
	if err := e.q.Pause(e.ctx, "a1", "break", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	n.start("ctl1")
	ch := n.call("3455550171", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	checkFor(t, 10*time.Second, "caller heard queue_entry", func() bool {
		return indexOf(n.truth(ch).Heard, "queue_entry") >= 0
	})
	if err := e.q.SetAvailable(e.ctx, "a1", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	if err := n.ctl.Dispatch(e.ctx, "general"); err != nil {
		t.Fatal(err)
	}
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a1" {
		t.Fatalf("record %+v", rec)
	}
	truth := n.truth(ch)
	checkAnswerTimes(t, rec, truth)
	qe, cn := indexOf(truth.Heard, "queue_entry"), indexOf(truth.Heard, "connecting")
	if qe < 0 || cn < qe {
		t.Errorf("heard %v: want queue_entry, then connecting", truth.Heard)
	}
}

// With an officer free, the caller is not told the officers are busy.
func TestNoQueueEntryWhenAnOfficerIsFree(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 3000, TalkMs: 5000})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550172", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	rec := e.waitRecord(ch)
	truth := n.truth(ch)
	checkAnswerTimes(t, rec, truth)
	if indexOf(truth.Heard, "queue_entry") >= 0 || indexOf(truth.Heard, "connecting") < 0 {
		t.Errorf("heard %v: want connecting and no queue_entry", truth.Heard)
	}
}
