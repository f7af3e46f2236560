package simulation

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
)

// BenchOptions configures the call-path benchmark.
type BenchOptions struct {
	// Concurrent is the number of callers in progress at once for the
	// reaction-time and memory figures (default 1000).
	Concurrent int
	// Calls is the number of complete calls (IVR → queue → agent → bridge →
	// survey) timed for the throughput figure (default 2000).
	Calls int
	// OfferedRate is phase 2's arrival rate, calls a second (default 400).
	OfferedRate float64
	// ArrivalWindow spreads the Concurrent callers' arrivals (default 20 s).
	ArrivalWindow time.Duration
	// Speedup of the throughput phase's clock (default 20).
	Speedup   float64
	Config    *config.Config
	SoundsDir string
	Logger    *slog.Logger
	Progress  io.Writer
}

// BenchResult is what `hotline bench calls` prints.
type BenchResult struct {
	// CallsPerSecond: complete calls (IVR → queue → agent → bridge →
	// survey) ended per second in phase 2's steady part.
	CallsPerSecond float64 `json:"calls_per_second"`
	// CPUMsPerCall is this process's CPU time (controller and simulator
	// together) per complete call; Redis and Postgres servers excluded.
	CPUMsPerCall           float64 `json:"cpu_ms_per_call"`
	RedisRoundTripsPerCall float64 `json:"redis_round_trips_per_call"`
	ReactionP50Ms          float64 `json:"reaction_p50_ms"`
	ReactionP99Ms          float64 `json:"reaction_p99_ms"`
	BytesPerActiveCall     int64   `json:"bytes_per_active_call"`
	// RedisRoundtripsPerSecond is the machine's ceiling measured in the same
	// run: plain PING round trips from as many connections as the
	// controller's pool.
	RedisRoundtripsPerSecond float64 `json:"redis_roundtrips_per_second"`
	RedisConnections         int     `json:"redis_connections"`
	// RedisShareOfCeiling is the Redis round trips the call path used per
	// second ÷ the ceiling.
	RedisShareOfCeiling float64 `json:"redis_share_of_ceiling"`
	Calls               int     `json:"calls"`
	ConcurrentCalls     int     `json:"concurrent_calls"`
	ReactionSamples     int64   `json:"reaction_samples"`
	ReactionMaxMs       float64 `json:"reaction_max_ms"`
	// Saturated*: reaction times during phase 2, with the machine saturated.
	SaturatedReactionP50Ms float64 `json:"saturated_reaction_p50_ms"`
	SaturatedReactionP99Ms float64 `json:"saturated_reaction_p99_ms"`
	// HeapNote says what bytes_per_active_call includes.
	HeapNote    string  `json:"heap_note"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
	WallSeconds float64 `json:"wall_seconds"`
}

// Bench runs the call-path benchmark against the simulator in this process,
// on the virtual clock (prompts, rings and talk take simulated time, so the
// wall time measured is the system's own work).
func Bench(ctx context.Context, d Deps, o BenchOptions) (*BenchResult, error) {
	if o.Concurrent <= 0 {
		o.Concurrent = 1000
	}
	if o.Calls <= 0 {
		o.Calls = 2000
	}
	if o.OfferedRate <= 0 {
		o.OfferedRate = 400
	}
	if o.ArrivalWindow <= 0 {
		o.ArrivalWindow = 20 * time.Second
	}
	if o.Config == nil {
		o.Config = config.Sample()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	progress := func(format string, args ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "bench: "+format+"\n", args...)
		}
	}
	wallStart := time.Now()
	cfg := o.Config
	cfg.AlwaysOpen() // the benchmark measures the call path, whatever the hour
	// Long menu and ring timeouts: on a saturated machine a late (not lost)
	// key must not turn into a retry in phase 1's real time. The benchmark's
	// callers press keys 0.3–3 s apart, so these never fire on the happy path.
	cfg.Hotline.MenuTimeout = 2 * time.Minute
	cfg.Survey.Timeout = 2 * time.Minute
	for i := range cfg.Queues {
		cfg.Queues[i].RingTimeout = 5 * time.Minute
		cfg.Queues[i].AnnounceEvery = 10 * time.Minute
		// Phase 1 queues callers before any agent signs in: they wait.
		cfg.Queues[i].WhenUnstaffed = config.UnstaffedWait
	}
	res := &BenchResult{Calls: o.Calls, ConcurrentCalls: o.Concurrent, GOMAXPROCS: runtime.GOMAXPROCS(0),
		HeapNote: "Go heap after GC of the controller and the simulator together (one process), per call in progress"}

	// Keys of benchmarks killed before they cleaned up get an expiry (this run's own are renewed while it runs).
	if n, err := ExpireStale(ctx, d.sideClient(), "bench-"); err != nil {
		return nil, fmt.Errorf("bench: sweep stale keys: %w", err)
	} else if n > 0 {
		progress("%d Redis keys left by killed benchmarks now expire within %s", n, KeyTTL)
	}
	rt := queue.NewRoundTrips()
	if rc, ok := d.Redis.(interface{ AddHook(redis.Hook) }); ok {
		rc.AddHook(rt)
	}
	poolSize := 10 * runtime.GOMAXPROCS(0)
	if c, ok := d.Redis.(*redis.Client); ok {
		poolSize = c.Options().PoolSize
	}
	res.RedisConnections = poolSize

	// Phase 1, on real time: Concurrent callers arrive over ArrivalWindow,
	// go through the menus and wait in the queue (no agent signed in), so up
	// to Concurrent calls are in progress at once. Reaction times are those
	// of this phase; the heap is measured once they all wait.
	rtRig, err := NewRig(ctx, d, RigOptions{Clock: clock.Real(), Config: cfg, SoundsDir: o.SoundsDir, Seed: 1, Logger: o.Logger,
		Prefix: "bench-" + randomHex(6), Expiring: true})
	if err != nil {
		return nil, err
	}
	gen, err := NewCallers(cfg, 1, 0) // infinitely patient
	if err != nil {
		rtRig.Close()
		return nil, err
	}
	gen.ShortShare, gen.SurveyShare = 0, 1
	gen.MenuGap = func(r *mrand.Rand) time.Duration { return time.Duration(1500+r.Intn(1500)) * time.Millisecond }
	var base runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&base)
	p := placeCalls(ctx, rtRig, rtRig.Clock, gen, o.Concurrent, o.ArrivalWindow)
	if err := waitUntil(ctx, rtRig, o.ArrivalWindow+5*time.Minute, func() bool { return rtRig.Controller.Stats().Waiting >= o.Concurrent }); err != nil {
		rtRig.Close()
		return nil, fmt.Errorf("bench: %d callers never all waited (stats %s): %w", o.Concurrent, rtRig.Controller.Stats(), err)
	}
	var with runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	res.BytesPerActiveCall = (int64(with.HeapAlloc) - int64(base.HeapAlloc)) / int64(o.Concurrent)
	rs := rtRig.Controller.Reaction().Summary()
	res.ReactionP50Ms, res.ReactionP99Ms, res.ReactionMaxMs, res.ReactionSamples = ms(rs.P50), ms(rs.P99), ms(rs.Max), rs.N
	progress("%d callers in progress: reaction p50 %.3f ms, p99 %.3f ms over %d events; heap %d bytes per call",
		o.Concurrent, res.ReactionP50Ms, res.ReactionP99Ms, rs.N, res.BytesPerActiveCall)
	for _, id := range p.list() {
		_ = rtRig.Sim.Hangup(ctx, id, 16)
	}
	_ = waitEnded(ctx, rtRig, p, time.Minute)
	rtRig.Close()

	// Phase 2, on real time: Calls complete calls arrive at OfferedRate a
	// second, more than the machine can take, and move through the whole
	// path. Throughput is counted in the steady part, between the tenth and
	// the ninetieth percentile of the calls' ends. Every agent is free.
	clk := clock.Real()
	rig, err := NewRig(ctx, d, RigOptions{Clock: clk, Config: cfg, SoundsDir: o.SoundsDir, Seed: 1, Logger: o.Logger,
		Prefix: "bench-" + randomHex(6), Expiring: true})
	if err != nil {
		return nil, err
	}
	defer rig.Close()
	for i := 0; i < o.Calls; i++ {
		a := benchAgent(cfg, i)
		if err := rig.Queues.Login(ctx, a, clk.Now()); err != nil {
			return nil, fmt.Errorf("bench: sign in: %w", err)
		}
		rig.Sim.SetEndpoint("PJSIP", a.ID, arisim.EndpointBehaviour{AnswerAfterMs: 500, TalkMs: 1000})
	}
	gen, _ = NewCallers(cfg, 2, 0)
	gen.ShortShare, gen.SurveyShare = 0, 1
	gen.MenuGap = func(*mrand.Rand) time.Duration { return 300 * time.Millisecond }
	rt.Reset()
	cpu0 := processCPU()
	t0 := time.Now()
	p = placeCalls(ctx, rig, clk, gen, o.Calls, time.Duration(float64(o.Calls)/o.OfferedRate*float64(time.Second)))
	if err := waitEnded(ctx, rig, p, 10*time.Minute); err != nil {
		return nil, fmt.Errorf("bench: phase 2: %w", err)
	}
	wall := time.Since(t0)
	cpu := processCPU() - cpu0
	trips := rt.Count()
	var ends []time.Time
	for _, c := range rig.Sim.Calls() {
		if p.ids[c.ChannelID] && !c.HungUp.IsZero() {
			ends = append(ends, c.HungUp)
		}
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
	if lo, hi := len(ends)/10, len(ends)*9/10; hi > lo && ends[hi].After(ends[lo]) {
		res.CallsPerSecond = math.Round(float64(hi-lo)/ends[hi].Sub(ends[lo]).Seconds()*10) / 10
	}
	res.CPUMsPerCall = math.Round(float64(cpu)/float64(o.Calls)/1e4) / 100
	sat := rig.Controller.Reaction().Summary()
	res.SaturatedReactionP50Ms, res.SaturatedReactionP99Ms = ms(sat.P50), ms(sat.P99)
	res.RedisRoundTripsPerCall = math.Round(float64(trips)/float64(o.Calls)*10) / 10
	progress("%d calls offered at %.0f/s, all ended after %s: %.1f calls/s in the steady part, %.2f ms of CPU per call (controller + simulator), %.1f Redis round trips per call",
		o.Calls, o.OfferedRate, wall.Round(time.Millisecond), res.CallsPerSecond, res.CPUMsPerCall, res.RedisRoundTripsPerCall)

	res.RedisRoundtripsPerSecond = math.Round(redisCeiling(ctx, rig.redis, res.RedisConnections, 2*time.Second))
	if res.RedisRoundtripsPerSecond > 0 {
		res.RedisShareOfCeiling = math.Round(float64(trips)/wall.Seconds()/res.RedisRoundtripsPerSecond*1000) / 1000
	}
	res.WallSeconds = math.Round(time.Since(wallStart).Seconds()*100) / 100
	return res, nil
}

// placeCalls schedules n callers spread over window of simulated time and
// returns a function listing the channel ids placed so far.
func placeCalls(ctx context.Context, rig *Rig, vclk clock.Clock, gen *Callers, n int, window time.Duration) *placed {
	p := &placed{want: n}
	release := vclk.Hold()
	defer release()
	for i := 0; i < n; i++ {
		c := gen.Next()
		at := time.Duration(int64(window) * int64(i) / int64(n))
		vclk.AfterFunc(at, func() {
			id, err := rig.Sim.Inbound(ctx, "hotline", c.From, c.DID, c.Script)
			p.add(id, err)
		})
	}
	return p
}

// placed collects the channel ids of placed calls.
type placed struct {
	mu     sync.Mutex
	want   int
	ids    map[string]bool
	failed int
}

// list returns the ids placed so far.
func (p *placed) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]string, 0, len(p.ids))
	for id := range p.ids {
		out = append(out, id)
	}
	return out
}

func (p *placed) add(id string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ids == nil {
		p.ids = map[string]bool{}
	}
	if err != nil {
		p.failed++
		return
	}
	p.ids[id] = true
}

// waitEnded waits until every call of p was placed and has hung up and the
// controller has no call left.
func waitEnded(ctx context.Context, rig *Rig, p *placed, limit time.Duration) error {
	return waitUntil(ctx, rig, limit, func() bool {
		p.mu.Lock()
		n, failed := len(p.ids), p.failed
		ids := p.ids
		p.mu.Unlock()
		if n+failed < p.want {
			return false
		}
		ended := rig.Sim.HungUp(ids)
		return ended == n && len(rig.Controller.CallIDs()) == 0
	})
}

func waitUntil(ctx context.Context, rig *Rig, limit time.Duration, f func() bool) error {
	deadline := time.Now().Add(limit)
	for !f() {
		if err := rig.Stopped(); err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// benchAgent is an agent with every skill, so that nobody waits in phase 2.
func benchAgent(cfg *config.Config, i int) agents.Agent {
	skills := make([]string, 0, len(cfg.Queues))
	for _, q := range cfg.Queues {
		skills = append(skills, q.ID)
	}
	id := fmt.Sprintf("bench%05d", i)
	return agents.Agent{ID: id, Name: id, Endpoint: "PJSIP/" + id, Skills: skills}
}

// processCPU is the user and system CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCeiling measures plain PING round trips per second from conns
// connections at once, for about dur.
func redisCeiling(ctx context.Context, rdb redis.UniversalClient, conns int, dur time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	t0 := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				if rdb.Ping(ctx).Err() != nil {
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(t0).Seconds()
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
