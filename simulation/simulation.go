// Package simulation runs a simulated day of the hotline: the ARI simulator,
// the real controller, real Redis and Postgres, simulated callers and agents,
// all on one event-driven virtual clock, so a working day runs in seconds and
// every timing is exact in simulated time. It then sets the controller's
// figures (from its Postgres queue event log and ratings) beside the same
// figures computed independently from the simulator's own record of every
// call.
package simulation

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/store"
)

// Options of one simulated day.
type Options struct {
	Calls        int            // callers over the day (default 2000)
	Agents       int            // agents signed in all day (default 15)
	Hours        float64        // length of the arrival window (default 8)
	Seed         int64          // everything random is drawn from it
	Start        time.Time      // start of the day (default Monday 2026-11-30 08:30 in the configuration's zone)
	Config       *config.Config // default config.Sample()
	TalkMean     time.Duration  // mean talk time, uniform on [½, 1½]× (default 150 s)
	PatienceMean time.Duration  // mean patience in the queue, exponential (default 180 s)
	SoundsDir    string         // the prompt recordings: they exist, and their lengths time the prompts (none: every project prompt fails at once, as a missing file on Asterisk)
	Prefix       string         // Redis hash tag (default a fresh random one, deleted afterwards)
	Logger       *slog.Logger
	Progress     io.Writer     // a progress line every few wall seconds (nil: none)
	WallLimit    time.Duration // give up after this much wall time (default 15 min)
}

func (o *Options) defaults() {
	if o.Calls <= 0 {
		o.Calls = 2000
	}
	if o.Agents <= 0 {
		o.Agents = 15
	}
	if o.Hours <= 0 {
		o.Hours = 8
	}
	if o.Config == nil {
		o.Config = config.Sample()
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 11, 30, 8, 30, 0, 0, o.Config.Location())
	}
	if o.TalkMean <= 0 {
		o.TalkMean = 150 * time.Second
	}
	if o.PatienceMean <= 0 {
		o.PatienceMean = 180 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.WallLimit <= 0 {
		o.WallLimit = 15 * time.Minute
	}
}

// Result is what `hotline simulate` prints.
type Result struct {
	Figures
	GroundTruth Figures `json:"ground_truth"`
	// Match: every count above equals its ground truth, and ASA and the
	// longest wait agree within 50 ms (records keep whole milliseconds).
	Match bool `json:"match"`
	// Accounting: every call the simulator placed has exactly one call record.
	Placed     int      `json:"calls_placed"`
	Recorded   int      `json:"calls_recorded"`
	Missing    []string `json:"calls_missing,omitempty"`
	Unexpected []string `json:"calls_unexpected,omitempty"`
	// WaitMaxDiffMs is the largest |controller wait − ground-truth wait| of
	// any answered call, in simulated milliseconds.
	WaitMaxDiffMs  float64 `json:"wait_max_diff_ms"`
	Agents         int     `json:"agents"`
	SimulatedHours float64 `json:"simulated_hours"`
	WallSeconds    float64 `json:"wall_seconds"`
	Seed           int64   `json:"seed"`
	Schema         string  `json:"schema,omitempty"`
}

// Deps are the real services a simulation runs against.
type Deps struct {
	DB    *store.DB // where the controller's records go (use a schema of its own)
	Redis redis.UniversalClient
	// Side, if set, is a second client for housekeeping (key expiries) that must not count in a benchmark's
	// Redis round trips; default Redis.
	Side redis.UniversalClient
}

func (d Deps) sideClient() redis.UniversalClient {
	if d.Side != nil {
		return d.Side
	}
	return d.Redis
}

// Run runs one simulated day and returns the figures.
func Run(ctx context.Context, d Deps, o Options) (*Result, error) {
	o.defaults()
	cfg := o.Config
	log := o.Logger
	wallStart := time.Now()
	calls, err := plan(cfg, o)
	if err != nil {
		return nil, err
	}

	vclk := clock.NewVirtual(o.Start, clock.WithLogger(log))
	defer vclk.Close()
	rig, err := NewRig(ctx, d, RigOptions{Clock: vclk, Config: cfg, SoundsDir: o.SoundsDir, Seed: o.Seed, Prefix: o.Prefix, Logger: log})
	if err != nil {
		return nil, err
	}
	defer rig.Close()
	sim, q, w, ctl := rig.Sim, rig.Queues, rig.Writer, rig.Controller

	// Agents: the configuration's, then more with their skills in turn.
	rng := mrand.New(mrand.NewSource(o.Seed + 1))
	release := vclk.Hold()
	for i := 0; i < o.Agents; i++ {
		a := agentFor(cfg, i)
		if err := q.Login(ctx, a, vclk.Now()); err != nil {
			release()
			return nil, fmt.Errorf("simulation: sign in %s: %w", a.ID, err)
		}
		sim.SetEndpoint("PJSIP", a.ID, arisim.EndpointBehaviour{
			AnswerAfterMs: 1500 + rng.Intn(3000),
			TalkMs:        int(o.TalkMean.Milliseconds() / 2),
			TalkJitterMs:  int(o.TalkMean.Milliseconds()),
		})
	}
	// Callers who ask for a callback answer their phone when the hotline calls back (the controller dials
	// PJSIP/<number>).
	for i := range calls {
		if calls[i].Callback {
			sim.SetEndpoint("PJSIP", calls[i].From, arisim.EndpointBehaviour{AnswerAfterMs: 2000 + rng.Intn(4000)})
		}
	}
	// Callers, each at its time of day.
	var mu sync.Mutex
	placed := map[string]*plannedCall{}
	failed := 0
	for i := range calls {
		c := &calls[i]
		vclk.AfterFunc(c.At, func() {
			id, err := sim.Inbound(ctx, "hotline", c.From, c.DID, c.Script)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				if !errors.Is(err, arisim.ErrAppNotConnected) {
					log.Warn("simulated call not placed", "err", err)
				}
				return
			}
			placed[id] = c
		})
	}
	release()

	// Wait until every caller has come and gone and the controller is idle.
	last := time.Now()
	deadline := wallStart.Add(o.WallLimit)
	for {
		mu.Lock()
		n := len(placed) + failed
		ids := make(map[string]bool, len(placed))
		for id := range placed {
			ids[id] = true
		}
		mu.Unlock()
		ended := sim.HungUp(ids)
		active := len(ctl.CallIDs())
		if n == len(calls) && ended >= n-failed && active == 0 {
			break
		}
		if o.Progress != nil && time.Since(last) > 3*time.Second {
			last = time.Now()
			fmt.Fprintf(o.Progress, "simulate: %s simulated, %d/%d calls in, %d ended, %s\n",
				vclk.Now().Sub(o.Start).Round(time.Second), n, len(calls), ended, ctl.Stats())
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("simulation: not finished after %s of wall time (%d/%d calls in, %d ended, %d active)",
				o.WallLimit, n, len(calls), ended, active)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if err := rig.Stopped(); err != nil {
			return nil, fmt.Errorf("simulation: the controller stopped: %w", err)
		}
	}
	if err := w.Flush(ctx); err != nil {
		return nil, fmt.Errorf("simulation: flush records: %w", err)
	}
	res, err := account(ctx, cfg, d.DB, sim.Calls(), placed)
	if err != nil {
		return nil, err
	}
	res.Agents = o.Agents
	res.Seed = o.Seed
	res.SimulatedHours = math.Round(vclk.Now().Sub(o.Start).Hours()*100) / 100
	res.WallSeconds = math.Round(time.Since(wallStart).Seconds()*100) / 100
	return res, nil
}

// account reads the controller's records and compares them with the truth.
func account(ctx context.Context, cfg *config.Config, db *store.DB, simCalls []arisim.Call, placed map[string]*plannedCall) (*Result, error) {
	far := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	events, err := db.QueueEvents(ctx, time.Time{}, far, "")
	if err != nil {
		return nil, fmt.Errorf("simulation: read queue events: %w", err)
	}
	ratings, err := db.Ratings(ctx, time.Time{}, far)
	if err != nil {
		return nil, fmt.Errorf("simulation: read ratings: %w", err)
	}
	records, err := db.Calls(ctx, time.Time{}, far)
	if err != nil {
		return nil, fmt.Errorf("simulation: read call records: %w", err)
	}
	messages, err := db.Messages(ctx, time.Time{}, far, "")
	if err != nil {
		return nil, fmt.Errorf("simulation: read messages: %w", err)
	}
	queueOf, numberOf := map[string]string{}, map[string]string{}
	for id, c := range placed {
		queueOf[id], numberOf[id] = c.Queue, c.From
	}
	res := &Result{Figures: controllerFigures(cfg, events, ratings, len(messages)), Placed: len(placed)}
	var per map[string]truth
	res.GroundTruth, per = groundTruth(cfg, simCalls, queueOf, numberOf)

	seen := map[string]bool{}
	for _, r := range records {
		if seen[r.ID] {
			res.Unexpected = append(res.Unexpected, r.ID+" (twice)")
			continue
		}
		seen[r.ID] = true
		t, ok := per[r.ID]
		if !ok {
			if r.Callback && r.Dialled == "callback" {
				continue // the record of a callback leg (the hotline calling a citizen back)
			}
			res.Unexpected = append(res.Unexpected, r.ID)
			continue
		}
		res.Recorded++
		if t.Answered && !r.Answered.IsZero() {
			diff := math.Abs(float64(r.Wait-t.Wait)) / float64(time.Millisecond)
			res.WaitMaxDiffMs = math.Max(res.WaitMaxDiffMs, diff)
		}
	}
	for id := range placed {
		if !seen[id] {
			res.Missing = append(res.Missing, id)
		}
	}
	res.Match = equalFigures(res.Figures, res.GroundTruth) && len(res.Missing) == 0 && len(res.Unexpected) == 0
	return res, nil
}

func equalFigures(a, b Figures) bool {
	if a.Offered != b.Offered || a.Answered != b.Answered || a.Abandoned != b.Abandoned ||
		a.ShortAbandoned != b.ShortAbandoned || a.AnsweredWithinSL != b.AnsweredWithinSL || a.TimedOut != b.TimedOut ||
		a.CallbacksRequested != b.CallbacksRequested || a.CallbacksCompleted != b.CallbacksCompleted || a.Messages != b.Messages {
		return false
	}
	// Durations: the controller's are stored in whole milliseconds; the
	// issue's tolerance is 50 ms of simulated time.
	const tol = 0.05
	if math.Abs(a.MaxWaitSeconds-b.MaxWaitSeconds) > tol || (a.ASASeconds == nil) != (b.ASASeconds == nil) ||
		(a.ASASeconds != nil && math.Abs(*a.ASASeconds-*b.ASASeconds) > tol) ||
		(a.ServiceLevel == nil) != (b.ServiceLevel == nil) || (a.ServiceLevel != nil && *a.ServiceLevel != *b.ServiceLevel) {
		return false
	}
	for _, k := range sortedKeys(a.Survey) {
		if a.Survey[k] != b.Survey[k] {
			return false
		}
	}
	return len(a.Survey) == len(b.Survey)
}

// agentFor is the i-th simulated agent: the configuration's agents first,
// then generated ones that take the configured agents' skills in turn.
func agentFor(cfg *config.Config, i int) agents.Agent {
	n := len(cfg.Agents)
	if n == 0 {
		skills := make([]string, 0, len(cfg.Queues))
		for _, q := range cfg.Queues {
			skills = append(skills, q.ID)
		}
		id := fmt.Sprintf("sim%03d", i+1)
		return agents.Agent{ID: id, Name: id, Endpoint: "PJSIP/" + id, Skills: skills}
	}
	src := cfg.Agents[staffingOrder(cfg)[i%n]]
	id, name := src.ID, src.Name
	if i >= n {
		id = fmt.Sprintf("%s-%d", src.ID, i/n)
		name = fmt.Sprintf("%s (%d)", src.Name, i/n)
	}
	return agents.Agent{ID: id, Name: name, Endpoint: "PJSIP/" + id, Skills: src.Skills}
}

// staffingOrder orders the configured agents so that the first ones cover
// every queue as early as possible (each next agent is the one serving the
// most queues nobody serves yet; ties and the rest in configuration order):
// a demo or simulation with a few agents leaves no queue unstaffed.
func staffingOrder(cfg *config.Config) []int {
	n := len(cfg.Agents)
	order := make([]int, 0, n)
	taken := make([]bool, n)
	covered := map[string]bool{}
	for len(order) < n {
		best, gain := -1, 0
		for i := 0; i < n; i++ {
			if taken[i] {
				continue
			}
			g := 0
			for _, q := range cfg.Agents[i].Skills {
				if !covered[q] {
					g++
				}
			}
			if g > gain {
				best, gain = i, g
			}
		}
		if best < 0 {
			break // everything covered: the rest in configuration order
		}
		taken[best] = true
		order = append(order, best)
		for _, q := range cfg.Agents[best].Skills {
			covered[q] = true
		}
	}
	for i := 0; i < n; i++ {
		if !taken[i] {
			order = append(order, i)
		}
	}
	return order
}

func waitFor(ctx context.Context, limit time.Duration, f func() bool) error {
	deadline := time.Now().Add(limit)
	for !f() {
		if time.Now().After(deadline) {
			return errors.New("timed out")
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DeleteKeys removes a simulation's Redis keys.
func DeleteKeys(ctx context.Context, rdb redis.UniversalClient, prefix string) {
	iter := rdb.Scan(ctx, 0, "{"+prefix+"}:*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			rdb.Del(ctx, keys...)
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		rdb.Del(ctx, keys...)
	}
}
