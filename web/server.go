// Package web is the controller's HTTP server: health, live queue figures,
// agent states as JSON, the embedded static assets, and the frame every UI
// package mounts its routes into. Errors are JSON {"error": {"code",
// "message"}} with statuses from hotline.HTTPStatus (package jsonhttp).
//
// Every route needs a signed-in staff account (package auth) except the
// public ones: /healthz, /login, /static/, the citizens' /feedback and POST
// /api/v1/tickets, the kiosks' POST /api/v1/kiosk/presses (kiosk tokens),
// and /public. A route added by a Mount function is therefore closed until
// it is listed in publicRoute.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/jsonhttp"
	"github.com/publicservice/hotline/queue"
)

// Server serves the HTTP API.
type Server struct {
	Queues *queue.Queues
	Config *config.Config
	Clock  clock.Clock
	Logger *slog.Logger
	// Checks are the health checks by component name (ari, redis, postgres).
	Checks map[string]func(ctx context.Context) error
	// Summary, when set, is included in /healthz (calls in menus, waiting, …).
	Summary func() any
	// Auth signs staff in (required).
	Auth *auth.Service
	// Audit, when set, records supervisors' actions on agents.
	Audit Auditor
	// Mount functions add the UI packages' routes (agent panel, supervisor
	// pages, …) to the mux.
	Mount []func(mux *http.ServeMux)
	// Unavailable, when set and returning an error, makes every API route
	// answer 503 at once (e.g. the controller's heartbeat finds Redis
	// unreachable), without waiting for Redis timeouts.
	Unavailable func() error
	// AgentsChanged, when set, is called after an agent action changed the
	// staffing of queues (the agent's skills), e.g. ivr.Controller.AgentsChanged.
	AgentsChanged func(ctx context.Context, queues []string)
}

// Auditor records a supervisor's action (package supervisor implements it).
type Auditor interface {
	Record(ctx context.Context, actor, action, agent, callID, detail string) error
}

// Handler returns the routes (roles in brackets; see package auth):
//
//	GET  /healthz                      200 {"status":"ok",...} or 503 with the failing checks (public; counts only)
//	GET  /static/...                   embedded CSS, JavaScript, JsSIP (public)
//	GET  /login, POST /login, POST /logout, /api/v1/session   sign-in (package auth)
//	GET  /api/v1/queues                live figures (any; an agent sees the queues of their skills)
//	GET  /api/v1/queues/{id}           live figures of one queue (any; agents: their skills)
//	GET  /api/v1/agents                agent states [supervisor]
//	GET  /api/v1/agents/{id}           one agent [the agent themself, supervisor]
//	POST /api/v1/agents/{id}/login     sign an agent in to their queues (available) [the agent, supervisor]
//	POST /api/v1/agents/{id}/logout
//	POST /api/v1/agents/{id}/pause?reason=lunch   a configured pause reason
//	POST /api/v1/agents/{id}/available
func (s *Server) Handler() http.Handler {
	if s.Auth == nil {
		panic("web: Server.Auth is required")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	s.Auth.Register(mux, s.serviceName())
	any := s.Auth.Require()
	sup := s.Auth.Require(auth.Supervisor)
	mux.Handle("GET /api/v1/queues", any(s.gate(s.listQueues)))
	mux.Handle("GET /api/v1/queues/{id}", any(s.gate(s.getQueue)))
	mux.Handle("GET /api/v1/agents", sup(s.gate(s.listAgents)))
	mux.Handle("GET /api/v1/agents/{id}", any(s.gate(s.getAgent)))
	mux.Handle("POST /api/v1/agents/{id}/{action}", any(s.gate(s.agentAction)))
	mux.HandleFunc("GET /{$}", s.home)
	for _, m := range s.Mount {
		m(mux)
	}
	return SecurityHeaders(s.Auth.Guard(mux, publicRoute))
}

func (s *Server) serviceName() string {
	if s.Config.Hotline.Name != "" {
		return s.Config.Hotline.Name
	}
	return "hotline"
}

// home sends a signed-in account to its page.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, auth.Home(auth.UserFrom(r.Context()).Role), http.StatusSeeOther)
}

func (s *Server) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), checkTimeout)
	defer cancel()
	out := map[string]any{"status": "ok"}
	failing := []string{}
	checks := map[string]string{}
	status := http.StatusOK
	names := make([]string, 0, len(s.Checks))
	for n := range s.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := s.Checks[n](ctx); err != nil {
			checks[n] = err.Error()
			failing = append(failing, n)
			status = http.StatusServiceUnavailable
			out["status"] = "unavailable"
		} else {
			checks[n] = "ok"
		}
	}
	out["checks"] = checks
	if len(failing) > 0 {
		out["unavailable"] = failing // which of redis, postgres, ari
	}
	if s.Summary != nil {
		out["calls"] = s.Summary()
	}
	writeJSON(w, status, out)
}

func (s *Server) listQueues(w http.ResponseWriter, r *http.Request) {
	now := s.Clock.Now()
	out := QueuesResponse{GeneratedAt: now, Queues: []QueueFigures{}}
	for i := range s.Config.Queues {
		if !s.mayView(r, &s.Config.Queues[i]) {
			continue
		}
		f, err := s.figures(r.Context(), &s.Config.Queues[i], now)
		if err != nil {
			s.error(w, r, err)
			return
		}
		out.Queues = append(out.Queues, f)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getQueue(w http.ResponseWriter, r *http.Request) {
	q := s.Config.Queue(r.PathValue("id"))
	if q == nil {
		s.error(w, r, hotline.Errorf(hotline.ENOTFOUND, "no queue %q", r.PathValue("id")))
		return
	}
	if !s.mayView(r, q) {
		s.error(w, r, hotline.Errorf(hotline.EFORBIDDEN, "queue %q is not among your skills", q.ID))
		return
	}
	f, err := s.figures(r.Context(), q, s.Clock.Now())
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

func (s *Server) figures(ctx context.Context, q *config.Queue, now time.Time) (QueueFigures, error) {
	live, err := s.Queues.Live(ctx, q.ID, now)
	if err != nil {
		return QueueFigures{}, err
	}
	return NewQueueFigures(live, q.Department, s.Config.Threshold(q.ID), s.Config.Target(q.ID)), nil
}

// error writes err as {"error": {"code", "message"}} with the status of its code.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	jsonhttp.Error(w, r, s.log(), err)
}

func writeJSON(w http.ResponseWriter, status int, v any) { jsonhttp.Write(w, status, v) }
