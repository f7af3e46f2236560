package simulation

import (
	"testing"

	"github.com/publicservice/hotline/config"
)

// The demo's default 8 agents and `simulate -agents 6` (and even 3) staff
// every queue of the sample: none is left with nobody to answer.
func TestFewAgentsStaffEveryQueue(t *testing.T) {
	cfg := config.Sample()
	for _, n := range []int{3, 6, 8} {
		served := map[string]bool{}
		for i := 0; i < n; i++ {
			for _, q := range agentFor(cfg, i).Skills {
				served[q] = true
			}
		}
		for _, q := range cfg.Queues {
			if !served[q.ID] {
				t.Errorf("%d agents: queue %s has nobody", n, q.ID)
			}
		}
	}
	seen := map[string]bool{}
	for i := range cfg.Agents {
		a := agentFor(cfg, i)
		if seen[a.ID] {
			t.Errorf("agent %s twice", a.ID)
		}
		seen[a.ID] = true
	}
}
