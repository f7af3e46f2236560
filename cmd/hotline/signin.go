package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
)

// signIns are the agents one process signed in (serve -login-agents), so that
// it signs exactly those out again when it stops, whether it ran or failed to
// start. An agent already signed in (a previous run that was killed, or a
// person) is left as it is: signing in again is not an error, and this
// process does not sign them out.
type signIns struct {
	q   *queue.Queues
	clk clock.Clock
	log *slog.Logger
	ids []string
}

// signInAll signs in every configured agent.
func (s *signIns) signInAll(ctx context.Context, cfg *config.Config) error {
	for _, a := range cfg.Agents {
		err := s.q.Login(ctx, agents.Agent{ID: a.ID, Name: a.Name, Endpoint: a.Endpoint, Skills: a.Skills}, s.clk.Now())
		switch {
		case err == nil:
			s.ids = append(s.ids, a.ID)
		case hotline.ErrorCode(err) == hotline.ECONFLICT:
			s.log.Info("agent already signed in: left as it is", "agent", a.ID)
		default:
			return err
		}
	}
	return nil
}

// signOutAll signs out the agents this process signed in. One on a call
// (the drain ended) is left signed in and logged.
func (s *signIns) signOutAll() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	for _, id := range s.ids {
		if err := s.q.Logout(ctx, id, s.clk.Now()); err != nil {
			s.log.Warn("sign out at exit", "agent", id, "err", err)
			continue
		}
		n++
	}
	if len(s.ids) > 0 {
		s.log.Info("signed out the agents this process signed in", "agents", n, "of", len(s.ids))
	}
	s.ids = nil
}
