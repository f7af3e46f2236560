package supervisor_test

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/internal/uitest"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/supervisor"
)

func board(t *testing.T, c *webtest.Client, q string) supervisor.Board {
	t.Helper()
	var b supervisor.Board
	if st := c.Do(t, "GET", "/api/v1/supervisor/board"+q, nil, &b); st != 200 {
		t.Fatalf("board: %d", st)
	}
	return b
}

func TestSupervisorRefusesAgents(t *testing.T) {
	s := uitest.Start(t)
	ag := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	anon := webtest.Anonymous(s.URL)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/supervisor/board"}, {"GET", "/api/v1/supervisor/events"}, {"GET", "/api/v1/supervisor/audit"},
		{"POST", "/api/v1/supervisor/agents/a101/state"}, {"POST", "/api/v1/supervisor/calls/x/listen"},
	} {
		var e webtest.ErrorCode
		if st := ag.Do(t, r.method, r.path, map[string]string{}, &e); st != 403 || e.Error.Code != "forbidden" {
			t.Errorf("agent %s %s: %d %+v, want 403", r.method, r.path, st, e)
		}
		if st := anon.Do(t, r.method, r.path, map[string]string{}, &e); st != 401 || e.Error.Code != "unauthorized" {
			t.Errorf("anonymous %s %s: %d %+v, want 401", r.method, r.path, st, e)
		}
	}
	for _, p := range []string{"/supervisor", "/supervisor/wallboard"} {
		resp := ag.Raw(t, "GET", p, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("agent GET %s: %d", p, resp.StatusCode)
		}
	}
	sup := webtest.SignIn(t, s.URL, "supervisor1", uitest.Password)
	var e webtest.ErrorCode
	if st := sup.Do(t, "GET", "/api/v1/supervisor/board?site=mars", nil, &e); st != 400 {
		t.Fatalf("unknown site: %d", st)
	}
	if st := sup.Do(t, "POST", "/api/v1/supervisor/agents/a101/state", []byte(`{"action":`), &e); st != 400 {
		t.Fatalf("malformed: %d", st)
	}
	if st := sup.Do(t, "POST", "/api/v1/supervisor/agents/zz/state", map[string]string{"action": "login"}, &e); st != 404 {
		t.Fatalf("unknown agent: %d", st)
	}
	if st := sup.Do(t, "POST", "/api/v1/supervisor/calls/nope/listen", map[string]string{}, &e); st != 404 {
		t.Fatalf("listen to no call: %d %+v", st, e)
	}
	resp := sup.Raw(t, "POST", "/api/v1/supervisor/agents/a101/state", map[string]string{"action": "login"}, map[string]string{"X-CSRF-Token": "-"})
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("no CSRF token: %d", resp.StatusCode)
	}
	for _, p := range []string{"/supervisor", "/supervisor/wallboard?site=westbay"} {
		resp := sup.Raw(t, "GET", p, nil, nil)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, resp.StatusCode)
		}
	}
}

// Agents with several skills count once; sites filter; the staffing alert.
func TestBoardCountsSitesAndAlert(t *testing.T) {
	s := uitest.Start(t)
	sup := webtest.SignIn(t, s.URL, "supervisor1", uitest.Password)
	set := func(id, action, reason string) {
		t.Helper()
		if st := sup.Do(t, "POST", "/api/v1/supervisor/agents/"+id+"/state", map[string]string{"action": action, "reason": reason}, nil); st != 200 {
			t.Fatalf("%s %s: %d", action, id, st)
		}
	}
	// a101, a102, a103, a111, a113 all serve general (alert at 3 not ready); a113 is at West Bay.
	for _, id := range []string{"a101", "a102", "a103", "a111", "a113"} {
		set(id, "login", "")
	}
	b := board(t, sup, "")
	if b.Totals.Agents != 5 {
		t.Fatalf("totals %+v, want 5 agents counted once", b.Totals)
	}
	sum := 0
	for _, q := range b.Queues {
		sum += q.AgentsAvailable
	}
	if sum <= 5 {
		t.Fatalf("per-queue available sum %d: the agents serve several queues, so it exceeds the staff", sum)
	}
	if w := board(t, sup, "?site=westbay"); w.Totals.Agents != 1 || len(w.Agents) != 1 || w.Agents[0].ID != "a113" {
		t.Fatalf("west bay: %+v", w.Agents)
	}
	set("a101", "pause", "lunch")
	set("a102", "pause", "lunch")
	if b := board(t, sup, ""); len(b.Alerts) != 0 {
		t.Fatalf("alert with 2 not ready: %+v", b.Alerts)
	}
	set("a103", "pause", "lunch")
	b = board(t, sup, "")
	if len(b.Alerts) != 1 || b.Alerts[0].Queue != "general" || b.Alerts[0].NotReady != 3 {
		t.Fatalf("alerts %+v", b.Alerts)
	}
	var audit struct{ Audit []supervisor.AuditRow }
	sup.Do(t, "GET", "/api/v1/supervisor/audit", nil, &audit)
	if len(audit.Audit) != 8 || audit.Audit[0].Action != "set_state" || audit.Audit[0].Agent != "a103" || audit.Audit[0].Actor != "supervisor1" {
		t.Fatalf("audit %+v", audit.Audit)
	}
}

// Listen and whisper against the simulator: the supervisor's phone is
// bridged with a snoop channel on the agent's leg (spy both; whisper out
// only for whisper); barge joins the call's bridge.
func TestListenWhisperBarge(t *testing.T) {
	s := uitest.Start(t)
	sup := webtest.SignIn(t, s.URL, "supervisor1", uitest.Password)
	ag := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	ag.Do(t, "POST", "/api/v1/agent/state", map[string]string{"action": "login"}, nil)
	s.Call(t, "+13455550199", "10")
	var st agentpanel.State
	uitest.CheckFor(t, 15*time.Second, "ringing", func() bool { ag.Do(t, "GET", "/api/v1/agent/state", nil, &st); return st.Call != nil })
	callID := st.Call.CallID
	ag.Do(t, "POST", "/api/v1/agent/call/answer", map[string]string{"call_id": callID}, nil)
	uitest.CheckFor(t, 5*time.Second, "on call", func() bool { return board(t, sup, "").Agents[0].State == "on_call" })
	agentLeg := ""
	uitest.CheckFor(t, 5*time.Second, "the agent leg in the simulator", func() bool {
		for _, c := range s.Rig.Sim.Calls() {
			if c.Direction == "outbound" && c.Endpoint == "PJSIP/a101" && !c.Answered.IsZero() && c.HungUp.IsZero() {
				agentLeg = c.ChannelID
				return true
			}
		}
		return false
	})
	for _, m := range []struct{ mode, whisper string }{{"listen", "none"}, {"whisper", "out"}} {
		var out map[string]string
		if code := sup.Do(t, "POST", "/api/v1/supervisor/calls/"+callID+"/"+m.mode, map[string]string{"endpoint": "PJSIP/supervisor1"}, &out); code != 200 {
			t.Fatalf("%s: %d", m.mode, code)
		}
		supCh := out["channel"]
		uitest.CheckFor(t, 5*time.Second, m.mode+": the supervisor's phone bridged with a snoop on the agent", func() bool {
			for _, sn := range s.Rig.Sim.Snoops(agentLeg) {
				if sn.Spy == "both" && sn.Whisper == m.whisper && len(sn.BridgedWith) == 1 && sn.BridgedWith[0] == supCh {
					return true
				}
			}
			return false
		})
		if err := s.Rig.Sim.Hangup(context.Background(), supCh, 16); err != nil {
			t.Fatal(err)
		}
		// The supervisor gone, so is the snoop (on Asterisk it would last as
		// long as the agent's leg); the call goes on.
		uitest.CheckFor(t, 5*time.Second, m.mode+": the snoop channel hung up after the supervisor", func() bool {
			for _, sn := range s.Rig.Sim.Snoops(agentLeg) {
				if !sn.Gone {
					return false
				}
			}
			return true
		})
		if c, ok := s.Rig.Sim.CallOf(agentLeg); !ok || !c.HungUp.IsZero() {
			t.Fatalf("%s: the agent's leg after the supervisor left: %+v", m.mode, c)
		}
	}
	// A supervisor with a browser phone (SIP endpoint s201) barges without
	// naming a phone: the controller rings their own endpoint.
	webtest.MustAddUser(t, s.Auth, "supervisor2", uitest.Password, auth.Supervisor, "s201")
	s.Rig.Sim.SetEndpoint("PJSIP", "s201", arisim.EndpointBehaviour{})
	sup2 := webtest.SignIn(t, s.URL, "supervisor2", uitest.Password)
	var out map[string]string
	if code := sup2.Do(t, "POST", "/api/v1/supervisor/calls/"+callID+"/barge", map[string]string{}, &out); code != 200 {
		t.Fatalf("barge: %d", code)
	}
	uitest.CheckFor(t, 5*time.Second, "barge: the supervisor's own phone PJSIP/s201 in the call's bridge", func() bool {
		c, ok := s.Rig.Sim.CallOf(out["channel"])
		return ok && c.Endpoint == "PJSIP/s201" && len(c.Bridges) > 0 && len(c.Bridges[len(c.Bridges)-1].With) == 2
	})
	// The call ends (the agent hangs up): the barging supervisor's phone is hung up too.
	ag.Do(t, "POST", "/api/v1/agent/call/hangup", map[string]string{"call_id": callID}, nil)
	uitest.CheckFor(t, 5*time.Second, "the supervisor's phone hung up with the call", func() bool {
		c, ok := s.Rig.Sim.CallOf(out["channel"])
		return ok && !c.HungUp.IsZero()
	})
	var audit struct{ Audit []supervisor.AuditRow }
	sup.Do(t, "GET", "/api/v1/supervisor/audit", nil, &audit)
	if len(audit.Audit) != 3 || audit.Audit[0].Action != "barge" || audit.Audit[2].Action != "listen" || audit.Audit[1].CallID != callID {
		t.Fatalf("audit %+v", audit.Audit)
	}
	_ = arisim.Snoop{}
}
