// Package uitest runs the whole staff web server for tests: the ARI
// simulator and the controller (simulation.Rig, real time), the HTTP server
// with sign-in, the agent panel and the supervisor pages, on the real
// Postgres (a schema of the test's own) and Redis (a key prefix of its own),
// with the accounts agent1…agent3 (acting as the configured agents a101,
// a102, a103) and supervisor1.
package uitest

import (
	"context"
	tickethttp "github.com/publicservice/hotline/ticket/http"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/live"
	"github.com/publicservice/hotline/simulation"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/supervisor"
	"github.com/publicservice/hotline/web"
)

// Password of every test account.
const Password = "test password 1"

// Agents are the configured agents of agent1, agent2, agent3.
var Agents = []string{"a101", "a102", "a103"}

// Stack is a running server.
type Stack struct {
	URL    string
	Rig    *simulation.Rig
	Config *config.Config
	Auth   *auth.Service
	Sup    *supervisor.Service
	DB     *store.DB
	Server *httptest.Server
}

// Start boots the stack; everything stops in tb.Cleanup.
func Start(tb testing.TB) *Stack {
	tb.Helper()
	db := storetest.MustOpenDB(tb)
	rdb := testenv.MustRedis(tb)
	cfg := config.Sample()
	cfg.AlwaysOpen()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("HOTLINE_DEBUG") != "" {
		log = slog.Default()
	}
	rig, err := simulation.NewRig(context.Background(), simulation.Deps{DB: db, Redis: rdb},
		simulation.RigOptions{Clock: clock.Real(), Config: cfg, Logger: log})
	if err != nil {
		tb.Fatalf("rig: %v", err)
	}
	tb.Cleanup(rig.Close)
	svc := auth.New(db.Pool(), auth.Options{InsecureCookies: true, Logger: log})
	api := &web.Server{Queues: rig.Queues, Config: cfg, Clock: rig.Clock, Logger: log, Auth: svc}
	feed := &live.Feed{Queues: rig.Queues, Config: cfg, Clock: rig.Clock, Logger: log}
	panel := &agentpanel.Panel{Auth: svc, Feed: feed, Queues: rig.Queues, Config: cfg, Calls: rig.Controller, Events: rig.Writer,
		DB: db.Pool(), Clock: rig.Clock, Logger: log, Changed: api.AgentChanged}
	sup := &supervisor.Service{Auth: svc, Feed: feed, Config: cfg, Queues: rig.Queues, DB: db, Snooper: rig.Controller,
		Clock: rig.Clock, Logger: log, SlowEvery: 500 * time.Millisecond, Changed: api.AgentChanged}
	api.Audit = sup
	tk := &tickethttp.Handler{Tickets: &ticketpg.Service{Pool: db.Pool(), Config: cfg, Clock: rig.Clock, Logger: log},
		Config: cfg, Clock: rig.Clock, Logger: log,
		Actor: func(r *http.Request) string { return auth.UserFrom(r.Context()).Username }}
	api.Mount = []func(*http.ServeMux){panel.Mount, sup.Mount,
		func(mux *http.ServeMux) { tk.Routes(mux, svc.Require(), svc.Require(auth.Supervisor)) }}
	ts := httptest.NewServer(api.Handler())
	tb.Cleanup(ts.Close)
	for i, a := range Agents {
		webtest.MustAddUser(tb, svc, "agent"+string(rune('1'+i)), Password, auth.Agent, a)
		// The agents' phones ring until the panel answers.
		rig.Sim.SetEndpoint("PJSIP", a, arisim.EndpointBehaviour{NoAnswer: true})
	}
	webtest.MustAddUser(tb, svc, "supervisor1", Password, auth.Supervisor, "")
	rig.Sim.SetEndpoint("PJSIP", "supervisor1", arisim.EndpointBehaviour{})
	return &Stack{URL: ts.URL, Rig: rig, Config: cfg, Auth: svc, Sup: sup, DB: db, Server: ts}
}

// Call places a caller from number who chooses English, then the main
// menu's digit for dept; it returns the caller's channel id.
func (s *Stack) Call(tb testing.TB, number, digits string) string {
	tb.Helper()
	sc := &arisim.Script{Presses: []arisim.Press{{Digits: digits, AfterMs: 300, GapMs: 300}}, PatienceMs: 600_000,
		AfterBridge: []arisim.Press{{Digits: "1", AfterMs: 500}}, HangupAfterBridgeMs: 5000}
	id, err := s.Rig.Sim.Inbound(context.Background(), "hotline", number, s.Config.Hotline.Numbers[0].DID, sc)
	if err != nil {
		tb.Fatalf("inbound: %v", err)
	}
	return id
}

// CheckFor polls cond every 20 ms until it holds or d passes.
func CheckFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
