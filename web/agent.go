package web

import (
	"context"
	"net/http"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
)

// agentOf is the queue's view of a configured agent.
func agentOf(a *config.Agent) agents.Agent {
	return agents.Agent{ID: a.ID, Name: a.Name, Endpoint: a.Endpoint, Skills: a.Skills}
}

// AgentView is one agent's state as JSON.
type AgentView struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Site   string    `json:"site,omitempty"`
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since"`
	CallID string    `json:"call_id,omitempty"`
	Queue  string    `json:"queue,omitempty"`
	Skills []string  `json:"skills"`
}

// NewAgentView is the JSON of one agent's status.
func NewAgentView(cfg *config.Config, st queue.AgentStatus) AgentView {
	v := AgentView{ID: st.Agent.ID, Name: st.Agent.Name, State: string(st.State), Reason: st.Reason,
		Since: st.Since, CallID: st.CallID, Queue: st.Queue, Skills: st.Agent.Skills}
	if a := cfg.Agent(st.Agent.ID); a != nil {
		v.Site = a.Site
	}
	return v
}

// mayView: agents see the queues of their skills; supervisors every queue.
func (s *Server) mayView(r *http.Request, q *config.Queue) bool {
	u := auth.UserFrom(r.Context())
	if u.Is(auth.Supervisor) {
		return true
	}
	a := s.Config.Agent(u.AgentID)
	return a != nil && a.HasSkill(q.ID)
}

// MayActOn reports whether the request's account may see and change agent
// id: the agent themself, or a supervisor.
func MayActOn(r *http.Request, id string) error {
	u := auth.UserFrom(r.Context())
	if u.Is(auth.Supervisor) || (u.Role == auth.Agent && u.AgentID == id) {
		return nil
	}
	return hotline.Errorf(hotline.EFORBIDDEN, "an agent may act only on their own state")
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	st, err := s.Queues.Agents(r.Context())
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := make([]AgentView, 0, len(st))
	for _, a := range st {
		out = append(out, NewAgentView(s.Config, a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"agents": out})
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := MayActOn(r, id); err != nil {
		s.error(w, r, err)
		return
	}
	st, err := AgentStatus(r.Context(), s.Queues, s.Config, id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewAgentView(s.Config, st))
}

// AgentStatus is the agent's status; a configured agent who never signed in
// reads as logged out since the zero time.
func AgentStatus(ctx context.Context, q *queue.Queues, cfg *config.Config, id string) (queue.AgentStatus, error) {
	st, err := q.Agent(ctx, id)
	if hotline.ErrorCode(err) == hotline.ENOTFOUND {
		if a := cfg.Agent(id); a != nil {
			return queue.AgentStatus{Agent: agentOf(a), State: agents.LoggedOut}, nil
		}
	}
	return st, err
}

func (s *Server) agentAction(w http.ResponseWriter, r *http.Request) {
	id, action := r.PathValue("id"), r.PathValue("action")
	if err := MayActOn(r, id); err != nil {
		s.error(w, r, err)
		return
	}
	if s.Config.Agent(id) == nil {
		s.error(w, r, hotline.Errorf(hotline.ENOTFOUND, "no agent %q in the configuration", id))
		return
	}
	reason := r.URL.Query().Get("reason")
	if err := SetAgentState(r, s.Queues, s.Config, id, action, reason, s.Clock.Now(), s.agentChanged); err != nil {
		s.error(w, r, err)
		return
	}
	if u := auth.UserFrom(r.Context()); u.AgentID != id && s.Audit != nil {
		if err := s.Audit.Record(r.Context(), u.Username, "set_state", id, "", action+" "+reason); err != nil {
			s.log().Error("audit", "err", err)
		}
	}
	st, err := s.Queues.Agent(r.Context(), id)
	if err != nil {
		s.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewAgentView(s.Config, st))
}

// AfterChange runs after an agent's state changed (Server.AgentChanged:
// dispatch the agent's queues when they became available, tell the
// controller).
type AfterChange func(ctx context.Context, a agents.Agent, action string)

// SetAgentState applies action (login, logout, pause with a configured
// reason, available) to agent id, then runs after (may be nil). The caller
// has checked MayActOn.
func SetAgentState(r *http.Request, q *queue.Queues, cfg *config.Config, id, action, reason string, now time.Time, after AfterChange) error {
	if err := setAgentState(r.Context(), q, cfg, id, action, reason, now); err != nil {
		return err
	}
	if a := cfg.Agent(id); a != nil && after != nil {
		after(r.Context(), agentOf(a), action)
	}
	return nil
}

// AgentChanged is what the API does after an agent's state changed; the
// agent panel and the supervisor pages call it too.
func (s *Server) AgentChanged(ctx context.Context, a agents.Agent, action string) {
	s.agentChanged(ctx, a, action)
}

func setAgentState(ctx context.Context, q *queue.Queues, cfg *config.Config, id, action, reason string, now time.Time) error {
	switch action {
	case "login":
		a := cfg.Agent(id)
		if a == nil {
			return hotline.Errorf(hotline.ENOTFOUND, "no agent %q in the configuration", id)
		}
		return q.Login(ctx, agentOf(a), now)
	case "logout":
		return q.Logout(ctx, id, now)
	case "pause":
		if !cfg.PauseReason(reason) {
			return hotline.Errorf(hotline.EINVALID, "pause reason %q is not configured (want one of: %v)", reason, cfg.PauseReasons)
		}
		return q.Pause(ctx, id, reason, now)
	case "available":
		return q.SetAvailable(ctx, id, now)
	default:
		return hotline.Errorf(hotline.ENOTFOUND, "unknown agent action %q (want login, logout, pause or available)", action)
	}
}
