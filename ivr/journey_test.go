package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// A citizen chooses Spanish, the general department, an officer; the officer
// answers, talks, hangs up; the citizen rates the call 1 (very happy).
func TestAnsweredCallWithSurvey(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 2000, TalkMs: 20000})
	e.login("a1")
	n.start("ctl1")

	ch := n.call("3455550001", didMain, &arisim.Script{
		Presses: []arisim.Press{
			{Digits: "2", AfterMs: 500, From: "answer"}, // during the greeting: stops it
			press("1", 2500), press("2", 2500),
		},
		AfterBridge:         []arisim.Press{{Digits: "1", AfterMs: 2500}},
		HangupAfterBridgeMs: 20000,
	})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a1" || rec.Survey != hotline.VeryHappy {
		t.Fatalf("record: %+v", rec)
	}
	if rec.Language != "es" || rec.Queue != "general" || rec.Department != "gen" || rec.HungUpBy != "agent" {
		t.Errorf("record: %+v", rec)
	}
	if len(rec.Offers) != 1 || rec.Offers[0].Outcome != "answered" {
		t.Errorf("offers: %+v", rec.Offers)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,CONNECT,COMPLETEAGENT" {
		t.Errorf("queue events %s", got)
	}
	rs := e.ratings()
	if len(rs) != 1 || rs[0].Rating != hotline.VeryHappy || rs[0].Source != hotline.SourcePhone || rs[0].CallID != ch ||
		rs[0].Agent != "a1" || rs[0].Queue != "general" || rs[0].Department != "gen" {
		t.Errorf("ratings: %+v", rs)
	}
	// The agent's wrap-up (3 s on queue general) ends with WRAPUPEND: AHT = talk + hold + wrap-up.
	var complete, wrapEnd time.Time
	checkFor(t, 30*time.Second, "WRAPUPEND", func() bool {
		for _, ev := range e.events(ch) {
			switch ev.Type {
			case hotline.EvCompleteAgent:
				complete = ev.Time
			case hotline.EvWrapupEnd:
				wrapEnd = ev.Time
			}
		}
		return !wrapEnd.IsZero()
	})
	if got := wrapEnd.Sub(complete); got != 3*time.Second {
		t.Errorf("wrap-up recorded as %v, want 3s", got)
	}
	t.Logf("path %v wait %v talk %v", rec.IVRPath, rec.Wait, rec.Talk)
	if r := n.ctl.Reaction().Summary(); r.N < 5 {
		t.Errorf("reaction times: %+v", r)
	} else {
		t.Logf("reaction (event in → first ARI command out, wall): n=%d p50=%v p90=%v p99=%v max=%v", r.N, r.P50, r.P90, r.P99, r.Max)
	}
	if s := n.ctl.Stats(); s != (ivr.Stats{}) {
		t.Errorf("stats after the call: %s", s)
	}
}

// Two callers give up while waiting (no agent logged in): one after 30 s (an
// abandon), one after 2 s (a short abandon, under S = 5 s).
func TestAbandonAndShortAbandon(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.start("ctl1")
	toOfficer := []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("1", 2000), press("2", 2000)}
	hold := e.clk.Hold()
	long := n.call("3455550011", didMain, &arisim.Script{Presses: toOfficer, PatienceMs: 30000})
	short := n.call("3455550012", didMain, &arisim.Script{Presses: toOfficer, PatienceMs: 2000})
	hold()
	for _, c := range []struct {
		ch    string
		wait  time.Duration
		short bool
	}{{long, 30 * time.Second, false}, {short, 2 * time.Second, true}} {
		rec := e.waitRecord(c.ch)
		if rec.Disposition != hotline.DispAbandoned || rec.HungUpBy != "caller" || rec.Answered.IsZero() == false {
			t.Errorf("record %+v", rec)
		}
		truth := n.truth(c.ch)
		if !near(rec.Enqueued, truth.FirstMOH, 50*time.Millisecond) {
			t.Errorf("enqueued %v, first MOH %v", rec.Enqueued, truth.FirstMOH)
		}
		if d := rec.Wait - c.wait; d > 50*time.Millisecond || d < -50*time.Millisecond {
			t.Errorf("wait %v, want %v", rec.Wait, c.wait)
		}
		evs := e.events(c.ch)
		if eventTypes(evs) != "ENTERQUEUE,ABANDON" {
			t.Fatalf("events %s", eventTypes(evs))
		}
		if got := evs[1].Data == "short"; got != c.short {
			t.Errorf("abandon data %q, short %v", evs[1].Data, c.short)
		}
	}
	live, err := e.q.Live(e.ctx, "general", e.clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if live.Waiting != 0 {
		t.Errorf("still waiting: %+v", live)
	}
}

// The longest-idle agent does not answer: after ring_timeout the caller keeps
// their place, the agent is auto-paused, and the next agent gets the call.
// A third agent whose softphone is offline fails at once (500) and is paused too.
func TestRingNoAnswerReoffer(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{NoAnswer: true})
	n.agent("a2", arisim.EndpointBehaviour{Offline: true})
	n.agent("a3", arisim.EndpointBehaviour{AnswerAfterMs: 1500, TalkMs: 10000})
	e.login("a1", "a2", "a3")
	n.start("ctl1")
	ch := n.call("3455550021", didGen, &arisim.Script{Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)},
		AfterBridge: []arisim.Press{{Digits: "3", AfterMs: 1000}}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a3" || rec.Survey != hotline.Unhappy {
		t.Fatalf("record %+v", rec)
	}
	if len(rec.Offers) != 3 || rec.Offers[0].Agent != "a1" || rec.Offers[0].Outcome != "no_answer" ||
		rec.Offers[1].Agent != "a2" || rec.Offers[1].Outcome != "failed" || rec.Offers[2].Outcome != "answered" {
		t.Fatalf("offers %+v", rec.Offers)
	}
	if d := rec.Offers[0].Ring - 8*time.Second; d > 50*time.Millisecond || d < -50*time.Millisecond {
		t.Errorf("ring of a1 %v, want the 8 s ring timeout", rec.Offers[0].Ring)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,RINGNOANSWER,PAUSE,RINGNOANSWER,PAUSE,CONNECT,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
	for _, id := range []string{"a1", "a2"} {
		st, err := e.q.Agent(e.ctx, id)
		if err != nil || st.State != agents.Paused || st.Reason != agents.ReasonAuto {
			t.Errorf("agent %s: %+v %v", id, st, err)
		}
	}
}

// After hours: the caller hears the hours, presses 2, leaves a message ended
// by #; the message is stored, linked to the call record.
func TestAfterHoursMessage(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550031", didNight, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, // English
		press("2", 2000),  // officer → closed
		press("2", 5000),  // leave a message
		press("#", 12000), // end of the message
	}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispMessage || rec.Recording == "" || !rec.Enqueued.IsZero() || rec.Department != "night" {
		t.Fatalf("record %+v", rec)
	}
	_ = e.w.Flush(e.ctx)
	msgs, err := e.db.Messages(e.ctx, time.Time{}, far, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].CallID != ch || msgs[0].Recording != rec.Recording || msgs[0].Department != "night" || msgs[0].Language != "en" {
		t.Fatalf("messages %+v", msgs)
	}
	t.Logf("path %v, message %v", rec.IVRPath, msgs[0].Duration)
}

// After hours, 1: a callback request stored for follow-up.
func TestAfterHoursCallbackRequest(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550032", didNight, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), press("1", 5000)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAfterHours || !rec.Callback || rec.HungUpBy != "system" {
		t.Fatalf("record %+v", rec)
	}
	evs := e.events(ch)
	if eventTypes(evs) != "CALLBACKREQUESTED" || evs[0].Data != "after_hours" || evs[0].Queue != "nightq" {
		t.Fatalf("events %+v", evs)
	}
}

// While waiting, the caller presses 2 at the announcement: they hang up and
// keep their place; when an agent is free the hotline calls them back,
// announces the callback and bridges them with the agent.
func TestCallbackKeepsPlace(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	const number = "3455550041"
	n.agent(number, arisim.EndpointBehaviour{AnswerAfterMs: 3000}) // the citizen's phone, called back
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.start("ctl1")
	ch := n.call(number, didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), press("2", 22000)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispCallback || !rec.Callback || !rec.Answered.IsZero() {
		t.Fatalf("record %+v", rec)
	}
	pos, _, err := e.q.Position(e.ctx, "general", ch)
	if err != nil || pos != 1 {
		t.Fatalf("place in the queue after hanging up: %d %v", pos, err)
	}
	// A second caller arrives later and waits behind the callback.
	ch2 := n.call("3455550042", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}, PatienceMs: 600000})
	checkFor(t, 10*time.Second, "second caller waiting", func() bool {
		p, _, _ := e.q.Position(e.ctx, "general", ch2)
		return p == 2
	})
	e.login("a1")
	if err := n.ctl.Dispatch(e.ctx, "general"); err != nil {
		t.Fatal(err)
	}
	cb := e.waitRecord("cb-" + ch)
	if cb.Disposition != hotline.DispAnswered || cb.Agent != "a1" || !cb.Callback {
		t.Fatalf("callback record %+v", cb)
	}
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,CALLBACKREQUESTED,CONNECT,CALLBACKCOMPLETED,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
	// The second caller is answered after the callback.
	rec2 := e.waitRecord(ch2)
	if rec2.Disposition != hotline.DispAnswered || !rec2.Answered.After(cb.Answered) {
		t.Errorf("second caller %+v", rec2)
	}
}

// Nothing pressed anywhere: default language, the main menu is repeated
// (2 retries), then the caller goes to the default queue and is answered.
func TestNoInputGoesToDefaultQueue(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550051", didMain, nil)
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Queue != "general" || rec.Language != "en" || rec.Survey != 0 {
		t.Fatalf("record %+v", rec)
	}
	want := "lang:en:default,default,queue:general"
	if got := strings.Join(rec.IVRPath, ","); got != want {
		t.Errorf("path %s, want %s", got, want)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
}

// Invalid keys: the menu is repeated, then the default queue.
func TestInvalidInputRetries(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550052", didMain, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("9", 2000), press("8", 3000), press("7", 3000)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Queue != "general" {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); got != "lang:en,default,queue:general" {
		t.Errorf("path %s", got)
	}
}
