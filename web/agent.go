package web

import (
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/config"
)

// agentOf is the queue's view of a configured agent.
func agentOf(a *config.Agent) agents.Agent {
	return agents.Agent{ID: a.ID, Name: a.Name, Endpoint: a.Endpoint, Skills: a.Skills}
}
