package simulation

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"strings"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reporting"
)

// Traffic places simulated callers on a rig at random (Poisson) times, for
// the demo: a realistic pace on real time.
type Traffic struct {
	Rig      *Rig
	Config   *config.Config
	PerHour  float64 // mean arrivals per hour
	Seed     int64
	Patience time.Duration // mean patience in the queue
	Logger   *slog.Logger
}

// Run places callers until ctx ends.
func (t *Traffic) Run(ctx context.Context) error {
	gen, err := NewCallers(t.Config, t.Seed, t.Patience)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewSource(t.Seed + 3))
	mean := time.Duration(float64(time.Hour) / t.PerHour)
	var next func()
	next = func() {
		if ctx.Err() != nil {
			return
		}
		c := gen.Next()
		if _, err := t.Rig.Sim.Inbound(ctx, "hotline", c.From, c.DID, c.Script); err != nil && ctx.Err() == nil {
			t.Logger.Warn("demo caller not placed", "err", err)
		}
		t.Rig.Clock.AfterFunc(time.Duration(rng.ExpFloat64()*float64(mean)), next)
	}
	t.Rig.Clock.AfterFunc(time.Second, next)
	<-ctx.Done()
	return nil
}

// StaffAgents signs in n agents (the configuration's first) and makes their
// simulated phones answer after 2–6 s and talk for talk ± 50%.
func StaffAgents(ctx context.Context, r *Rig, cfg *config.Config, n int, talk time.Duration, seed int64) error {
	rng := rand.New(rand.NewSource(seed + 1))
	for i := 0; i < n; i++ {
		a := agentFor(cfg, i)
		if err := r.Queues.Login(ctx, a, r.Clock.Now()); err != nil {
			return fmt.Errorf("sign in %s: %w", a.ID, err)
		}
		r.Sim.SetEndpoint("PJSIP", a.ID, arisim.EndpointBehaviour{AnswerAfterMs: 2000 + rng.Intn(4000),
			TalkMs: int(talk.Milliseconds() / 2), TalkJitterMs: int(talk.Milliseconds())})
	}
	for _, q := range cfg.Queues {
		_ = r.Controller.Dispatch(ctx, q.ID)
	}
	return nil
}

// Summary is the demo's one-line live summary.
func Summary(ctx context.Context, r *Rig, cfg *config.Config) (string, error) {
	now := r.Clock.Now()
	var today reporting.Counts
	var longest time.Duration
	waiting := 0
	for _, q := range cfg.Queues {
		l, err := r.Queues.Live(ctx, q.ID, now)
		if err != nil {
			return "", err
		}
		today.Add(l.Today)
		waiting += l.Waiting
		longest = max(longest, l.LongestWait)
	}
	s := r.Controller.Stats()
	var b strings.Builder
	fmt.Fprintf(&b, "menus %d | waiting %d | ringing %d | talking %d | survey %d | longest wait %s | ",
		s.Menu, waiting, s.Ringing, s.Talking, s.Survey, longest.Round(time.Second))
	fmt.Fprintf(&b, "today: offered %d, answered %d, abandoned %d | service level %s | ASA %s",
		today.Offered, today.Answered, today.Abandoned, reporting.ServiceLevel(today), reporting.ASA(today))
	return b.String(), nil
}
