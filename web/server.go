// Package web is the controller's HTTP server: health, live queue figures
// and agent sign-in as JSON. Errors map from hotline.Error codes to HTTP
// statuses through hotline.HTTPStatus, the one table.
package web

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
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
	// Unavailable, when set and returning an error, makes every API route
	// answer 503 at once (e.g. the controller's heartbeat finds Redis
	// unreachable), without waiting for Redis timeouts.
	Unavailable func() error
	// AgentsChanged, when set, is called after an agent action changed the
	// staffing of queues (the agent's skills), e.g. ivr.Controller.AgentsChanged.
	AgentsChanged func(ctx context.Context, queues []string)
}

// Handler returns the routes:
//
//	GET  /healthz                      200 {"status":"ok",...} or 503 with the failing checks
//	GET  /api/v1/queues                live figures of every configured queue
//	GET  /api/v1/queues/{id}           live figures of one queue
//	GET  /api/v1/agents                agent states
//	POST /api/v1/agents/{id}/login     sign an agent in (available)
//	POST /api/v1/agents/{id}/logout
//	POST /api/v1/agents/{id}/pause?reason=break
//	POST /api/v1/agents/{id}/available
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /api/v1/queues", s.gate(s.listQueues))
	mux.HandleFunc("GET /api/v1/queues/{id}", s.gate(s.getQueue))
	mux.HandleFunc("GET /api/v1/agents", s.gate(s.listAgents))
	mux.HandleFunc("POST /api/v1/agents/{id}/{action}", s.gate(s.agentAction))
	return mux
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

// AgentView is one agent's state as JSON.
type AgentView struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since"`
	CallID string    `json:"call_id,omitempty"`
	Queue  string    `json:"queue,omitempty"`
	Skills []string  `json:"skills"`
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	st, err := s.Queues.Agents(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]AgentView, 0, len(st))
	for _, a := range st {
		out = append(out, AgentView{ID: a.Agent.ID, Name: a.Agent.Name, State: string(a.State), Reason: a.Reason,
			Since: a.Since, CallID: a.CallID, Queue: a.Queue, Skills: a.Agent.Skills})
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": out})
}

func (s *Server) agentAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	now := s.Clock.Now()
	ctx := r.Context()
	var err error
	switch action {
	case "login":
		a := s.Config.Agent(id)
		if a == nil {
			err = hotline.Errorf(hotline.ENOTFOUND, "no agent %q in the configuration", id)
			break
		}
		err = s.Queues.Login(ctx, agentOf(a), now)
	case "logout":
		err = s.Queues.Logout(ctx, id, now)
	case "pause":
		reason := r.URL.Query().Get("reason")
		if reason == "" {
			reason = "manual"
		}
		err = s.Queues.Pause(ctx, id, reason, now)
	case "available":
		err = s.Queues.SetAvailable(ctx, id, now)
	default:
		err = hotline.Errorf(hotline.ENOTFOUND, "unknown agent action %q (want login, logout, pause or available)", action)
	}
	if err != nil {
		s.error(w, r, err)
		return
	}
	st, err := s.Queues.Agent(ctx, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	s.agentChanged(ctx, st.Agent, action)
	writeJSON(w, http.StatusOK, AgentView{ID: st.Agent.ID, Name: st.Agent.Name, State: string(st.State), Reason: st.Reason,
		Since: st.Since, CallID: st.CallID, Queue: st.Queue, Skills: st.Agent.Skills})
}

// error writes err as {"error": {"code": ..., "message": ...}} with the status of its code.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := hotline.ErrorCode(err), hotline.ErrorMessage(err)
	if code == hotline.EINTERNAL && errors.Is(err, context.DeadlineExceeded) {
		code, msg = hotline.EUNAVAILABLE, "A service the request needs did not answer in time."
	}
	status, ok := hotline.HTTPStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if code == hotline.EINTERNAL {
		s.log().Error("http request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
