package web

import (
	"context"

	"github.com/publicservice/hotline/agents"
)

// agentChanged runs after an agent's state changed through the API. An agent
// made available (login, available: unpause or the end of a wrap-up ended by
// hand) is offered the longest-waiting caller of each of its queues at once,
// live callers and pending callbacks alike: Dispatch pushes the match to the
// inbox of the controller that owns the caller, whichever process that is.
// Then AgentsChanged (when set) lets the local controller react too, e.g.
// to a queue left without any signed-in agent.
func (s *Server) agentChanged(ctx context.Context, a agents.Agent, action string) {
	if action == "login" || action == "available" {
		if _, err := s.Queues.DispatchQueues(ctx, a.Skills, s.Clock.Now()); err != nil {
			s.log().Warn("dispatch after an agent change", "agent", a.ID, "queues", a.Skills, "err", err)
		}
	}
	if s.AgentsChanged != nil {
		s.AgentsChanged(ctx, a.Skills)
	}
}
