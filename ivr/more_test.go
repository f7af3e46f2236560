package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
)

// The caller hangs up while an agent's phone rings: the agent leg is hung up,
// the agent is free again (not paused), and the call is an abandon.
func TestCallerHangsUpWhileAgentRings(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{NoAnswer: true})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550091", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}, PatienceMs: 3000})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAbandoned || len(rec.Offers) != 1 || rec.Offers[0].Outcome != "caller_gone" {
		t.Fatalf("record %+v", rec)
	}
	if d := rec.Wait - 3*time.Second; d > 50*time.Millisecond || d < -50*time.Millisecond {
		t.Errorf("wait %v", rec.Wait)
	}
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,ABANDON" {
		t.Errorf("events %s", got)
	}
	st, err := e.q.Agent(e.ctx, "a1")
	if err != nil || st.State != agents.Available {
		t.Errorf("agent %+v %v", st, err)
	}
	// The agent leg was hung up by the controller.
	for _, c := range n.sim.Calls() {
		if c.Direction == "outbound" && c.HungUp.IsZero() {
			t.Errorf("agent leg still up: %+v", c)
		}
	}
}

// The caller hangs up during the conversation: COMPLETECALLER, the agent leg
// is hung up and the agent goes to wrap-up.
func TestCallerHangsUpFirst(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000}) // never hangs up
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550092", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}, MaxDurationMs: 30000})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.HungUpBy != "caller" || rec.Talk <= 0 {
		t.Fatalf("record %+v", rec)
	}
	truth := n.truth(ch)
	checkAnswerTimes(t, rec, truth)
	if want := truth.HungUp.Sub(truth.Bridges[0].Entered); rec.Talk != want {
		t.Errorf("talk %v, ground truth %v", rec.Talk, want)
	}
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,CONNECT,COMPLETECALLER" {
		t.Errorf("events %s", got)
	}
	checkFor(t, 10*time.Second, "agent leg hung up", func() bool {
		for _, c := range n.sim.Calls() {
			if c.Direction == "outbound" && c.HungUp.IsZero() {
				return false
			}
		}
		return true
	})
}

// A queue with max_wait: the caller leaves with EXITWITHTIMEOUT and is
// offered a callback or a message; they leave a message.
func TestMaxWaitThenMessage(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550093", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("6", 2000), // the slow queue
		press("2", 50000), // at the max-wait offer: a message
		press("#", 8000)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispMessage || rec.Recording == "" || rec.Queue != "slow" {
		t.Fatalf("record %+v", rec)
	}
	if d := rec.Wait - 45*time.Second; d > 50*time.Millisecond || d < -50*time.Millisecond {
		t.Errorf("wait %v", rec.Wait)
	}
	evs := e.events(ch)
	if eventTypes(evs) != "ENTERQUEUE,EXITWITHTIMEOUT" {
		t.Errorf("events %s", eventTypes(evs))
	}
	if !strings.Contains(strings.Join(rec.IVRPath, ","), "closed:message") {
		t.Errorf("path %v", rec.IVRPath)
	}
}

// Checking a ticket: the number (ending with #) is noted in the IVR path and
// the caller is queued for an officer.
func TestTicketCheck(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550094", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("5", 2000), {Digits: "40213#", AfterMs: 1000, GapMs: 300}}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Queue != "general" {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); got != "did:gen,lang:en,dept:gen:5,ticket:40213,queue:general" {
		t.Errorf("path %s", got)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
}

// The caller hangs up in the middle of a message: the recording still counts.
func TestHangupDuringMessage(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550095", didNight, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), press("2", 5000)}, MaxDurationMs: 20000})
	rec := e.waitRecord(ch)
	if rec.HungUpBy != "caller" || rec.Disposition != hotline.DispMessage || rec.Recording == "" {
		t.Fatalf("record %+v", rec)
	}
	t.Logf("disposition %s recording %q", rec.Disposition, rec.Recording)
}
