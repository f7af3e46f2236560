package ivr_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/web"
)

// api serves the HTTP API on the test's queues and clock; e.post acts as a
// supervisor with a bearer token.
func (e *env) api(n *node) *httptest.Server {
	svc := auth.New(e.db.Pool(), auth.Options{Logger: e.log})
	if e.apiToken == "" {
		webtest.MustAddUser(e.t, svc, "sup", "test password", auth.Supervisor, "")
		tok, err := svc.CreateToken(e.ctx, "sup", "ivr test")
		if err != nil {
			e.t.Fatal(err)
		}
		e.apiToken = tok
	}
	s := &web.Server{Queues: e.q, Config: e.cfg, Clock: e.clk, Logger: e.log, Auth: svc}
	if n != nil && n.ctl != nil {
		s.AgentsChanged = n.ctl.AgentsChanged
	}
	srv := httptest.NewServer(s.Handler())
	e.t.Cleanup(srv.Close)
	return srv
}

func (e *env) post(srv *httptest.Server, path string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.apiToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("POST %s: %s", path, resp.Status)
	}
}

func (e *env) agentState(id string) agents.State {
	st, err := e.q.Agent(e.ctx, id)
	if err != nil {
		e.t.Fatalf("agent %s: %v", id, err)
	}
	return st.State
}

// An agent made available through the API is offered the waiting caller at
// once: with the clock stopped (no announcement can run), signing a1 in and
// unpausing a2 each ring a waiting caller.
func TestAgentMadeAvailableIsOfferedAtOnce(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.agent("a2", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.agent("a3", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	e.login("a2", "a3")
	for _, id := range []string{"a2", "a3"} { // signed in, on a break: the queue is staffed
		if err := e.q.Pause(e.ctx, id, agents.ReasonBreak, e.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	n.start("ctl1")
	srv := e.api(n)
	sc := &arisim.Script{Presses: []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}}
	first := n.call("3455550151", didGen, sc)
	second := n.call("3455550152", didGen, sc)
	checkFor(t, 10*time.Second, "two callers waiting", func() bool { return n.ctl.Stats().Waiting == 2 })
	e.clk.Pause()
	e.post(srv, "/api/v1/agents/a1/login")
	checkFor(t, 10*time.Second, "a1 rung at once", func() bool { return e.agentState("a1") == agents.Ringing })
	e.post(srv, "/api/v1/agents/a2/available")
	checkFor(t, 10*time.Second, "a2 rung at once", func() bool { return e.agentState("a2") == agents.Ringing })
	e.clk.Resume()
	for ch, agent := range map[string]string{first: "a1", second: "a2"} {
		if rec := e.waitRecord(ch); rec.Disposition != hotline.DispAnswered || rec.Agent != agent {
			t.Errorf("record %+v, want answered by %s", rec, agent)
		}
	}
}

// A pending callback with nobody on the line in the queue is offered as soon
// as an agent signs in: the citizen's phone rings at once.
func TestPendingCallbackOfferedWhenAgentSignsIn(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	const number = "3455550153"
	n.agent(number, arisim.EndpointBehaviour{AnswerAfterMs: 2000})
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.agent("a2", arisim.EndpointBehaviour{})
	e.login("a2")
	if err := e.q.Pause(e.ctx, "a2", agents.ReasonBreak, e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	n.start("ctl1")
	srv := e.api(n)
	ch := callbackRequested(t, e, n, number)
	e.clk.Pause()
	e.post(srv, "/api/v1/agents/a1/login")
	checkFor(t, 10*time.Second, "the citizen called back at once", func() bool {
		_, ok := n.sim.CallOf("cb-" + ch)
		return ok
	})
	e.clk.Resume()
	if cb := e.waitRecord("cb-" + ch); cb.Disposition != hotline.DispAnswered || cb.Agent != "a1" {
		t.Fatalf("callback record %+v", cb)
	}
}
