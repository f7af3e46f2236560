package agentpanel_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/internal/uitest"
	"github.com/publicservice/hotline/internal/webtest"
)

// talkingAt signs agent1 in, places a call that rings at agent1 and answers
// it; it returns the call id and the caller's channel.
func talkingAt(t *testing.T, s *uitest.Stack, a1 *webtest.Client, number string) (string, string) {
	t.Helper()
	post(t, a1, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	ch := s.Call(t, number, "10")
	var cur agentpanel.State
	uitest.CheckFor(t, 15*time.Second, "ringing at agent1", func() bool { cur = state(t, a1); return cur.Call != nil })
	id := cur.Call.CallID
	post(t, a1, "/api/v1/agent/call/answer", map[string]string{"call_id": id}, 200)
	uitest.CheckFor(t, 5*time.Second, "agent1 talking", func() bool {
		cur = state(t, a1)
		return cur.Call != nil && cur.Call.State == "talking"
	})
	return id, ch
}

// queueEvents are the call's events as "TYPE/agent/data", in order.
func queueEvents(t *testing.T, s *uitest.Stack, callID string) []string {
	t.Helper()
	evs, err := s.DB.QueueEvents(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Minute), "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.CallID == callID {
			out = append(out, fmt.Sprintf("%s/%s/%s", e.Type, e.Agent, e.Data))
		}
	}
	return out
}

// hasEvents reports whether want (prefixes of "TYPE/agent/data") occur in
// order in the call's events.
func hasEvents(t *testing.T, s *uitest.Stack, callID string, want ...string) bool {
	t.Helper()
	i := 0
	for _, e := range queueEvents(t, s, callID) {
		if i < len(want) && strings.HasPrefix(e, want[i]) {
			i++
		}
	}
	return i == len(want)
}

func callRecord(t *testing.T, s *uitest.Stack, callID string) *hotline.CallRecord {
	t.Helper()
	var rec *hotline.CallRecord
	uitest.CheckFor(t, 30*time.Second, "the call record of "+callID, func() bool {
		recs, err := s.DB.Calls(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			if recs[i].ID == callID {
				rec = &recs[i]
			}
		}
		return rec != nil
	})
	return rec
}

// Blind transfer to a named agent: refused (409, nothing changes) while the
// agent is signed out; once they are available their phone rings with the
// caller, the first agent is freed into wrap-up.
func TestBlindTransferToAgent(t *testing.T) {
	s := uitest.Start(t)
	a1 := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	a2 := webtest.SignIn(t, s.URL, "agent2", uitest.Password)
	id, ch := talkingAt(t, s, a1, "+13455550181")
	body := map[string]string{"call_id": id, "agent": "a102"}
	post(t, a1, "/api/v1/agent/call/transfer", body, 409) // agent2 is signed out
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "agent": "a101"}, 400)
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "agent": "nobody"}, 400)
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "agent": "a102", "queue": "cbc"}, 400)
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "agent": "a102", "mode": "sideways"}, 400)
	post(t, a1, "/api/v1/agent/call/hold", map[string]string{"call_id": id, "agent": "a102"}, 400)
	// The caller lost nothing: still talking with agent1.
	if st := state(t, a1); st.Call == nil || st.Call.State != "talking" || st.Agent.State != "on_call" {
		t.Fatalf("after the refused transfer: %+v", st)
	}
	post(t, a2, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "target": "agent:a102"}, 200)
	var cur agentpanel.State
	uitest.CheckFor(t, 10*time.Second, "the call ringing at agent2", func() bool {
		cur = state(t, a2)
		return cur.Call != nil && cur.Call.CallID == id && cur.Call.State == "ringing"
	})
	uitest.CheckFor(t, 5*time.Second, "agent1 free of the call, its wrap-up pending", func() bool {
		st := state(t, a1)
		return st.Call == nil && st.Wrapup != nil && st.Wrapup.CallID == id && st.Agent.State == "wrap_up"
	})
	post(t, a2, "/api/v1/agent/call/answer", map[string]string{"call_id": id}, 200)
	uitest.CheckFor(t, 5*time.Second, "agent2 talking with the caller", func() bool {
		cur = state(t, a2)
		return cur.Call != nil && cur.Call.State == "talking" && cur.Agent.State == "on_call"
	})
	uitest.CheckFor(t, 5*time.Second, "BLINDTRANSFER, COMPLETEAGENT and CONNECT of agent2", func() bool {
		return hasEvents(t, s, id, "CONNECT/a101/", "BLINDTRANSFER/a101/agent:a102", "COMPLETEAGENT/a101/transfer",
			"CONNECT/a102/transfer")
	})
	// The simulator's ground truth: the caller was bridged with agent2's leg.
	post(t, a2, "/api/v1/agent/call/hangup", map[string]string{"call_id": id}, 200)
	call, _ := s.Rig.Sim.CallOf(ch)
	if !talkedWith(call, id+"-a2") {
		t.Fatalf("the caller never talked with agent2's leg: %+v", call.Bridges)
	}
	rec := callRecord(t, s, id)
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a102" || len(rec.Offers) != 2 || rec.Offers[1].Outcome != "answered" ||
		!slices.Contains(rec.IVRPath, "transfer:agent:a102") {
		t.Fatalf("record %+v", rec)
	}
}

func talkedWith(c arisim.Call, ch string) bool {
	for _, b := range c.Bridges {
		if slices.Contains(b.With, ch) {
			return true
		}
	}
	return false
}

// consultStarted has agent1 on a call start an attended transfer to agent2
// (signed in now) and waits for agent2's phone to ring.
func consultStarted(t *testing.T, s *uitest.Stack, number string, target map[string]string) (id, ch string, a1, a2 *webtest.Client) {
	t.Helper()
	a1 = webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	a2 = webtest.SignIn(t, s.URL, "agent2", uitest.Password)
	id, ch = talkingAt(t, s, a1, number)
	post(t, a2, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	body := map[string]string{"call_id": id, "mode": "attended"}
	for k, v := range target {
		body[k] = v
	}
	got := post(t, a1, "/api/v1/agent/call/transfer", body, 200)
	if got.Call == nil || !got.Call.Held || got.Call.Transfer == nil || got.Call.Transfer.State != "ringing" {
		t.Fatalf("after starting the consultation: %+v", got.Call)
	}
	uitest.CheckFor(t, 10*time.Second, "the consultation ringing at agent2", func() bool {
		c := state(t, a2).Call
		return c != nil && c.CallID == id && c.State == "consult_ringing" && c.Transfer != nil && c.Transfer.From == "a101"
	})
	return id, ch, a1, a2
}

func consultAnswered(t *testing.T, id string, a1, a2 *webtest.Client) {
	t.Helper()
	post(t, a2, "/api/v1/agent/call/answer", map[string]string{"call_id": id}, 200)
	uitest.CheckFor(t, 5*time.Second, "the agents talking", func() bool {
		c1, c2 := state(t, a1).Call, state(t, a2).Call
		return c2 != nil && c2.State == "consulting" && c1 != nil && c1.Transfer != nil && c1.Transfer.State == "talking"
	})
}

// Attended transfer completed: the caller, on hold meanwhile, ends up
// bridged with agent2; agent1 goes to wrap-up; ATTENDEDTRANSFER is logged.
func TestAttendedTransferComplete(t *testing.T) {
	s := uitest.Start(t)
	id, ch, a1, a2 := consultStarted(t, s, "+13455550182", map[string]string{"agent": "a102"})
	post(t, a1, "/api/v1/agent/call/transfer/complete", map[string]string{"call_id": id}, 409) // not answered yet
	post(t, a1, "/api/v1/agent/call/hold", map[string]string{"call_id": id}, 409)              // consulting
	post(t, a1, "/api/v1/agent/call/transfer/sideways", map[string]string{"call_id": id}, 400)
	consultAnswered(t, id, a1, a2)
	post(t, a2, "/api/v1/agent/call/transfer/complete", map[string]string{"call_id": id}, 409) // only the first agent completes
	post(t, a1, "/api/v1/agent/call/transfer/complete", map[string]string{"call_id": id}, 200)
	uitest.CheckFor(t, 5*time.Second, "agent2 talking with the caller, agent1 in wrap-up", func() bool {
		c2, st1 := state(t, a2).Call, state(t, a1)
		return c2 != nil && c2.State == "talking" && !c2.Held && st1.Call == nil && st1.Wrapup != nil && st1.Wrapup.CallID == id
	})
	uitest.CheckFor(t, 5*time.Second, "HOLD, ATTENDEDTRANSFER, COMPLETEAGENT, UNHOLD, CONNECT in the log", func() bool {
		return hasEvents(t, s, id, "CONNECT/a101/", "HOLD/a101/consult", "ATTENDEDTRANSFER/a101/agent:a102",
			"COMPLETEAGENT/a101/transfer", "CONNECT/a102/attended_transfer")
	})
	if !hasEvents(t, s, id, "UNHOLD/a101/transfer") {
		t.Errorf("no UNHOLD closing agent1's hold: %v", queueEvents(t, s, id))
	}
	post(t, a2, "/api/v1/agent/call/hangup", map[string]string{"call_id": id}, 200)
	call, _ := s.Rig.Sim.CallOf(ch)
	if !talkedWith(call, id+"-t2") || call.FirstMOH.IsZero() {
		t.Fatalf("ground truth: the caller was not on hold, then bridged with the consultation leg: %+v", call)
	}
	rec := callRecord(t, s, id)
	if rec.Agent != "a102" || len(rec.Offers) != 2 || rec.Offers[1].Agent != "a102" || rec.Offers[1].Outcome != "answered" ||
		!slices.Contains(rec.IVRPath, "attended:agent:a102") {
		t.Fatalf("record %+v", rec)
	}
	uitest.CheckFor(t, 5*time.Second, "agent2's wrap-up pending", func() bool {
		w := state(t, a2).Wrapup
		return w != nil && w.CallID == id
	})
}

// Attended transfer cancelled after the agents talked: the caller is back
// with agent1, off hold; agent2 is available again at once.
func TestAttendedTransferCancel(t *testing.T) {
	s := uitest.Start(t)
	id, ch, a1, a2 := consultStarted(t, s, "+13455550183", map[string]string{"target": "agent:a102"})
	consultAnswered(t, id, a1, a2)
	got := post(t, a1, "/api/v1/agent/call/transfer/cancel", map[string]string{"call_id": id}, 200)
	if got.Call == nil || got.Call.State != "talking" || got.Call.Held || got.Call.Transfer != nil {
		t.Fatalf("after cancel: %+v", got.Call)
	}
	post(t, a1, "/api/v1/agent/call/transfer/cancel", map[string]string{"call_id": id}, 409)
	uitest.CheckFor(t, 5*time.Second, "agent2 available, without the call", func() bool {
		st := state(t, a2)
		return st.Call == nil && st.Agent.State == "available" && st.Wrapup == nil
	})
	uitest.CheckFor(t, 5*time.Second, "UNHOLD consult_cancelled", func() bool {
		return hasEvents(t, s, id, "HOLD/a101/consult", "UNHOLD/a101/consult_cancelled")
	})
	// Ground truth: agent1's leg went from the caller's bridge to the
	// agents' and back; the caller never talked with agent2's leg.
	call, _ := s.Rig.Sim.CallOf(ch)
	leg, _ := s.Rig.Sim.CallOf(id + "-a1")
	if n := len(leg.Bridges); n < 3 || leg.Bridges[n-1].BridgeID != "br-"+id || leg.Bridges[n-2].BridgeID != "cbr-"+id {
		t.Fatalf("agent1's bridges %+v", leg.Bridges)
	}
	if st := state(t, a1); st.Call == nil || st.Call.State != "talking" || talkedWith(call, id+"-t2") {
		t.Fatalf("after cancel: %+v, bridges %+v", st.Call, call.Bridges)
	}
	post(t, a1, "/api/v1/agent/call/hangup", map[string]string{"call_id": id}, 200)
	if evs := queueEvents(t, s, id); slices.ContainsFunc(evs, func(e string) bool { return strings.HasPrefix(e, "ATTENDEDTRANSFER") }) {
		t.Fatalf("ATTENDEDTRANSFER after a cancel: %v", evs)
	}
}

// The consulted agent refuses (panel), or their phone gives up (no answer):
// the caller stays on hold with agent1, who sees why.
func TestAttendedTransferRefused(t *testing.T) {
	s := uitest.Start(t)
	id, _, a1, a2 := consultStarted(t, s, "+13455550184", map[string]string{"agent": "a102"})
	post(t, a2, "/api/v1/agent/call/hold", map[string]string{"call_id": id}, 409) // the consulted agent may not hold the caller
	post(t, a2, "/api/v1/agent/call/reject", map[string]string{"call_id": id}, 200)
	var cur agentpanel.State
	uitest.CheckFor(t, 5*time.Second, "agent1 told the consultation was refused", func() bool {
		cur = state(t, a1)
		return cur.Call != nil && cur.Call.Transfer != nil && cur.Call.Transfer.State == "failed"
	})
	if c := cur.Call; c.State != "talking" || !c.Held || c.Transfer.Outcome != "rejected" {
		t.Fatalf("after the refusal: %+v %+v", c, c.Transfer)
	}
	// agent3's phone does not answer (the simulated phone gives up with
	// cause 19): the failure reaches agent1 the same way.
	s.Rig.Sim.SetEndpoint("PJSIP", "a103", arisim.EndpointBehaviour{RejectCause: 19})
	a3 := webtest.SignIn(t, s.URL, "agent3", uitest.Password)
	post(t, a3, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "queue": "registry", "mode": "attended"}, 200)
	uitest.CheckFor(t, 10*time.Second, "agent1 told agent3 did not answer", func() bool {
		cur = state(t, a1)
		return cur.Call != nil && cur.Call.Transfer != nil && cur.Call.Transfer.State == "failed" && cur.Call.Transfer.Agent == "a103"
	})
	if c := cur.Call; !c.Held || c.Transfer.Outcome != "no_answer" || c.Transfer.Target != "queue:registry" {
		t.Fatalf("after no answer: %+v %+v", c, c.Transfer)
	}
	// Still on hold with agent1, who resumes.
	post(t, a1, "/api/v1/agent/call/resume", map[string]string{"call_id": id}, 200)
	uitest.CheckFor(t, 5*time.Second, "RINGNOANSWER of both", func() bool {
		return hasEvents(t, s, id, "RINGNOANSWER/a102/consult rejected", "RINGNOANSWER/a103/consult no_answer", "UNHOLD/a101/")
	})
	post(t, a1, "/api/v1/agent/call/hangup", map[string]string{"call_id": id}, 200)
	rec := callRecord(t, s, id)
	if len(rec.Offers) != 3 || rec.Offers[1].Outcome != "rejected" || rec.Offers[2].Outcome != "no_answer" || rec.Agent != "a101" {
		t.Fatalf("record %+v", rec)
	}
}

// The caller hangs up during the consultation: the consultation leg is
// hung up, agent2 is available again, agent1 goes to wrap-up, and the
// record says the caller hung up an answered call.
func TestAttendedTransferCallerGone(t *testing.T) {
	s := uitest.Start(t)
	id, ch, a1, a2 := consultStarted(t, s, "+13455550185", map[string]string{"agent": "a102"})
	consultAnswered(t, id, a1, a2)
	if err := s.Rig.Sim.Hangup(context.Background(), ch, 16); err != nil {
		t.Fatal(err)
	}
	uitest.CheckFor(t, 5*time.Second, "agent1 in wrap-up, agent2 available", func() bool {
		st1, st2 := state(t, a1), state(t, a2)
		return st1.Call == nil && st1.Wrapup != nil && st1.Wrapup.CallID == id && st2.Call == nil && st2.Agent.State == "available"
	})
	rec := callRecord(t, s, id)
	if rec.Disposition != hotline.DispAnswered || rec.HungUpBy != "caller" || rec.Agent != "a101" || len(rec.Offers) != 2 ||
		rec.Offers[1].Outcome != "consulted" {
		t.Fatalf("record %+v", rec)
	}
	if !hasEvents(t, s, id, "HOLD/a101/consult", "COMPLETECALLER/a101/consult") {
		t.Fatalf("events %v", queueEvents(t, s, id))
	}
	leg, _ := s.Rig.Sim.CallOf(id + "-t2")
	if leg.HungUp.IsZero() {
		t.Fatalf("the consultation leg is still up: %+v", leg)
	}
}
