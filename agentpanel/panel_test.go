package agentpanel_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/internal/uitest"
	"github.com/publicservice/hotline/internal/webtest"
)

func state(t *testing.T, c *webtest.Client) agentpanel.State {
	t.Helper()
	var s agentpanel.State
	if st := c.Do(t, "GET", "/api/v1/agent/state", nil, &s); st != 200 {
		t.Fatalf("GET state: %d", st)
	}
	return s
}

func post(t *testing.T, c *webtest.Client, path string, body any, want int) agentpanel.State {
	t.Helper()
	var s agentpanel.State
	var e webtest.ErrorCode
	st := c.Do(t, "POST", path, body, &s)
	if st != want {
		c.Do(t, "POST", path, body, &e)
		t.Fatalf("POST %s %v: %d, want %d (%+v)", path, body, st, want, e)
	}
	return s
}

// The whole flow against the simulator: available, a call rings with its
// context, answer, hold, resume, mute, hang up, wrap-up; the queue events
// the reports need are in the log.
func TestAgentCallFlow(t *testing.T) {
	s := uitest.Start(t)
	ag := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	if st := state(t, ag); st.Agent.State != "logged_out" || st.Agent.ID != "a101" {
		t.Fatalf("initial state %+v", st.Agent)
	}
	post(t, ag, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	// A first call from the number, answered by nobody else: it gives history.
	number := "+13455550142"
	ch := s.Call(t, number, "10")
	var cur agentpanel.State
	uitest.CheckFor(t, 15*time.Second, "the call ringing on the panel", func() bool {
		cur = state(t, ag)
		return cur.Call != nil && cur.Call.State == "ringing"
	})
	c := cur.Call
	if c.Number != number || c.Language != "en" || c.Queue != "general" || c.Department == "" || len(c.IVRPath) < 2 ||
		!strings.Contains(strings.Join(c.IVRPath, " "), "queue:general") || c.History == nil ||
		c.History.OpenTicketsURL != "/staff/tickets?phone="+url.QueryEscape(number) {
		t.Fatalf("ringing call context %+v", c)
	}
	body := map[string]string{"call_id": c.CallID}
	// Not yet answered: hold is refused.
	post(t, ag, "/api/v1/agent/call/hold", body, 409)
	post(t, ag, "/api/v1/agent/call/answer", body, 200)
	uitest.CheckFor(t, 5*time.Second, "talking", func() bool {
		cur = state(t, ag)
		return cur.Call != nil && cur.Call.State == "talking" && cur.Agent.State == "on_call"
	})
	if got := post(t, ag, "/api/v1/agent/call/hold", body, 200); !got.Call.Held {
		t.Fatalf("after hold: %+v", got.Call)
	}
	post(t, ag, "/api/v1/agent/call/hold", body, 409) // already on hold
	if got := post(t, ag, "/api/v1/agent/call/resume", body, 200); got.Call.Held {
		t.Fatalf("after resume: %+v", got.Call)
	}
	if got := post(t, ag, "/api/v1/agent/call/mute", body, 200); !got.Call.Muted {
		t.Fatalf("after mute: %+v", got.Call)
	}
	post(t, ag, "/api/v1/agent/call/unmute", body, 200)
	post(t, ag, "/api/v1/agent/call/dance", body, 400)
	post(t, ag, "/api/v1/agent/call/hangup", body, 200)
	uitest.CheckFor(t, 5*time.Second, "the wrap-up pending", func() bool {
		cur = state(t, ag)
		return cur.Call == nil && cur.Wrapup != nil && cur.Wrapup.CallID == c.CallID
	})
	if cur.Agent.State != "wrap_up" || cur.WrapUntil == nil {
		t.Fatalf("after hang-up: %+v", cur)
	}
	post(t, ag, "/api/v1/agent/wrapup", map[string]string{"call_id": c.CallID, "code": "no-such-code"}, 400)
	post(t, ag, "/api/v1/agent/wrapup", map[string]string{"call_id": "not-mine", "code": "resolved"}, 404)
	post(t, ag, "/api/v1/agent/wrapup", map[string]string{"call_id": c.CallID, "code": "resolved", "notes": strings.Repeat("x", agentpanel.MaxNotes+1)}, 400)
	if got := post(t, ag, "/api/v1/agent/wrapup", map[string]string{"call_id": c.CallID, "code": "resolved", "notes": "asked about a birth certificate"}, 200); got.Wrapup != nil {
		t.Fatalf("wrap-up still pending: %+v", got.Wrapup)
	}
	post(t, ag, "/api/v1/agent/wrapup", map[string]string{"call_id": c.CallID, "code": "resolved"}, 409)
	// The event log has what AHT needs.
	uitest.CheckFor(t, 5*time.Second, "HOLD, UNHOLD, COMPLETEAGENT and WRAPUPEND in the log", func() bool {
		evs, err := s.DB.QueueEvents(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Minute), "general")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			if e.CallID == c.CallID && e.Agent == "a101" {
				seen[string(e.Type)] = true
			}
		}
		return seen["HOLD"] && seen["UNHOLD"] && seen["COMPLETEAGENT"] && seen["WRAPUPEND"] && seen["CONNECT"]
	})
	// The simulator's ground truth: the caller was bridged with the agent's leg.
	call, ok := s.Rig.Sim.CallOf(ch)
	if !ok || call.Answered.IsZero() || len(call.Bridges) == 0 {
		t.Fatalf("ground truth %+v", call)
	}

	// A second call from the same number shows the first in its history
	// (once its record is written: after the survey).
	uitest.CheckFor(t, 20*time.Second, "the first call's record", func() bool {
		var n int
		_ = s.DB.Pool().QueryRow(context.Background(), `SELECT count(*) FROM calls WHERE id = $1`, c.CallID).Scan(&n)
		return n == 1
	})
	post(t, ag, "/api/v1/agent/state", map[string]string{"action": "available"}, 200)
	s.Call(t, number, "10")
	uitest.CheckFor(t, 20*time.Second, "the second call ringing with history", func() bool {
		cur = state(t, ag)
		return cur.Call != nil && cur.Call.State == "ringing" && cur.Call.CallID != c.CallID && len(cur.Call.History.EarlierCalls) > 0
	})
	// Reject: the caller keeps their place, the agent is paused.
	post(t, ag, "/api/v1/agent/call/reject", map[string]string{"call_id": cur.Call.CallID}, 200)
	uitest.CheckFor(t, 5*time.Second, "the agent paused after rejecting", func() bool { return state(t, ag).Agent.State == "paused" })
}

func TestBlindTransferToQueue(t *testing.T) {
	s := uitest.Start(t)
	a1 := webtest.SignIn(t, s.URL, "agent1", uitest.Password) // a101: general, complaints
	a3 := webtest.SignIn(t, s.URL, "agent3", uitest.Password) // a103: general, complaints, registry
	post(t, a1, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	s.Call(t, "+13455550177", "10")
	var cur agentpanel.State
	uitest.CheckFor(t, 15*time.Second, "ringing at agent1", func() bool { cur = state(t, a1); return cur.Call != nil })
	body := map[string]string{"call_id": cur.Call.CallID, "target": "queue:registry"}
	post(t, a1, "/api/v1/agent/call/answer", body, 200)
	uitest.CheckFor(t, 5*time.Second, "talking", func() bool { cur = state(t, a1); return cur.Call != nil && cur.Call.State == "talking" })
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": cur.Call.CallID, "target": "queue:nowhere"}, 400)
	// agent3 signs in first: a queue nobody serves sends a transferred caller
	// to its when_unstaffed rule (callback or message) instead of waiting.
	post(t, a3, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	post(t, a1, "/api/v1/agent/call/transfer", body, 200)
	uitest.CheckFor(t, 15*time.Second, "the transferred call ringing at agent3 from the registry queue", func() bool {
		c := state(t, a3).Call
		return c != nil && c.CallID == body["call_id"] && c.Queue == "registry"
	})
	uitest.CheckFor(t, 5*time.Second, "agent1 free of the call, its wrap-up pending", func() bool {
		st := state(t, a1)
		return st.Call == nil && st.Wrapup != nil && st.Wrapup.CallID == body["call_id"]
	})
}

func TestPanelRefusals(t *testing.T) {
	s := uitest.Start(t)
	anon := webtest.Anonymous(s.URL)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/agent/state"}, {"GET", "/api/v1/agent/events"}, {"POST", "/api/v1/agent/state"},
		{"POST", "/api/v1/agent/call/answer"}, {"POST", "/api/v1/agent/wrapup"},
	} {
		var e webtest.ErrorCode
		if st := anon.Do(t, r.method, r.path, map[string]string{}, &e); st != 401 || e.Error.Code != "unauthorized" {
			t.Errorf("%s %s anonymous: %d %+v", r.method, r.path, st, e)
		}
	}
	resp := anon.Raw(t, "GET", "/agent", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2Fagent" {
		t.Fatalf("GET /agent anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Supervisors have no agent to act as.
	sup := webtest.SignIn(t, s.URL, "supervisor1", uitest.Password)
	var e webtest.ErrorCode
	if st := sup.Do(t, "GET", "/api/v1/agent/state", nil, &e); st != 403 || e.Error.Code != "forbidden" {
		t.Fatalf("supervisor on the agent API: %d %+v", st, e)
	}
	ag := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	// Malformed bodies.
	for _, b := range []any{[]byte(`{"action":`), []byte(`{"action":"login","x":1}`), []byte(`[]`)} {
		if st := ag.Do(t, "POST", "/api/v1/agent/state", b, &e); st != 400 || e.Error.Code != "invalid" {
			t.Errorf("body %s: %d %+v", b, st, e)
		}
	}
	post(t, ag, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	post(t, ag, "/api/v1/agent/state", map[string]string{"action": "pause", "reason": "<script>"}, 400)
	post(t, ag, "/api/v1/agent/state", map[string]string{"action": "pause", "reason": "lunch"}, 200)
	post(t, ag, "/api/v1/agent/call/answer", map[string]string{}, 400)
	post(t, ag, "/api/v1/agent/call/answer", map[string]string{"call_id": "nope"}, 404)
	// Bad CSRF token.
	resp = ag.Raw(t, "POST", "/api/v1/agent/state", map[string]string{"action": "available"}, map[string]string{"X-CSRF-Token": "bad"})
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("bad CSRF: %d", resp.StatusCode)
	}
	// The page escapes what it shows and carries the CSRF token.
	resp = ag.Raw(t, "GET", "/agent", nil, nil)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET /agent: %d", resp.StatusCode)
	}
}
