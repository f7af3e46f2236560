// Package astbench is "hotline bench asterisk": the call-rate benchmark on
// the real Asterisk 22 of ../shared/asterisk. One Asterisk, started with the
// shipped asterisk-config (placeholders filled by internal/realasterisk, a
// benchmark queue and a dialplan include added), takes the same call shape
// three ways:
//
//   - minimal: a minimal ARI application (RunMinimal) written for the
//     benchmark, giving the caller the same audio as the controller;
//   - controller: the full controller, as "hotline serve" in a child process
//     (IVR, Redis queue, Postgres records, survey);
//   - queue_app: Asterisk's own Queue() from the dialplan.
//
// The call: answer, the greeting and language menu (key 1), the main menu
// (key 0), hold music while an agent is called, an agent that answers at
// once (a Local channel), about 200 ms of talk, the survey question (key 1),
// the thank-you, hang-up. Callers are Local channels placed by the Driver
// into the shipped [from-trunk] context (queue_app: the bench-queue context).
//
// For each, a step search over offered rates finds the highest rate at
// which 99% of calls are set up (from the key that leads to the agent to the
// bridge) within 1 s; CPU per call of the application's process and of
// Asterisk come from /proc/PID/stat, Asterisk's memory from /proc/PID/status.
// The overload part offers more than Asterisk can take to the controller
// with a fixed -max-calls and with -adaptive-shed.
package astbench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/publicservice/hotline/internal/realasterisk"
)

// Options configures a run.
type Options struct {
	// Script is asterisk.sh; ConfigDir the shipped asterisk-config.
	Script, ConfigDir string
	// Exe is the hotline binary run as the controller ("serve") and as the
	// minimal application ("bench asterisk-minimal-app"); ExeEnv is added to
	// its environment.
	Exe    string
	ExeEnv []string
	// DatabaseURL, RedisURL for the controller (a schema and key prefix of
	// the run's own are used).
	DatabaseURL, RedisURL string
	// Modes to run, in order (default minimal, controller, queue_app).
	Modes []string
	// Step search: offered rates RateStart, RateStart+RateStep, ... up to
	// RateMax, each for StepDuration; after the first failing rate, the rates
	// between the last passing one and it are tried one call/s apart (Fine).
	RateStart, RateStep, RateMax float64
	StepDuration                 time.Duration
	Fine                         bool
	// Warmup: before its first step, each mode is offered RateStart for
	// this long, unmeasured (connection pools, prepared statements, loaded
	// scripts, the heap's growth); 0: none.
	Warmup time.Duration
	// Agents answering (default 60); Talk is the agent's talk time.
	Agents int
	Talk   time.Duration
	// Overload: offered rate (0: no overload part), duration, and the fixed
	// limit (0: derived from the controller's measured capacity).
	OverloadRate     float64
	OverloadDuration time.Duration
	MaxCalls         int
	// AsteriskCPUs, when set (a CPU list: "0"), gives Asterisk these CPUs
	// alone and keeps this process, the applications it starts, Redis and
	// PostgreSQL on the others for the run (their threads' affinities are
	// put back at the end): Asterisk as on a host of its own.
	AsteriskCPUs string
	// CPUProfileDir, when set, receives a CPU profile of each application
	// process over its whole run (minimal-*.pprof, controller-*.pprof).
	CPUProfileDir string
	Progress      io.Writer
	Logger        *slog.Logger
}

func (o *Options) defaults() {
	if len(o.Modes) == 0 {
		o.Modes = []string{"minimal", "controller", "queue_app"}
	}
	if o.RateStart <= 0 {
		o.RateStart = 2
	}
	if o.RateStep <= 0 {
		o.RateStep = 2
	}
	if o.RateMax <= 0 {
		o.RateMax = 40
	}
	if o.StepDuration <= 0 {
		o.StepDuration = 20 * time.Second
	}
	if o.Agents <= 0 {
		o.Agents = 60
	}
	if o.Talk <= 0 {
		o.Talk = 250 * time.Millisecond
	}
	if o.OverloadDuration <= 0 {
		o.OverloadDuration = 30 * time.Second
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Mode is the figures of one way of handling the call, at the highest
// offered rate that passed.
type Mode struct {
	CallsPerSecond       float64 `json:"calls_per_second"`
	SetupP99MS           float64 `json:"setup_p99_ms"`
	CPUMSPerCall         float64 `json:"cpu_ms_per_call"`
	AsteriskCPUMSPerCall float64 `json:"asterisk_cpu_ms_per_call"`
	AsteriskRSSBytes     int64   `json:"asterisk_rss_bytes"`
	AsteriskThreadsMax   int     `json:"asterisk_threads_max"`
	SetupP50MS           float64 `json:"setup_p50_ms"`
	// PerCall is what the application asked and received per completed call
	// at that rate (see Step.PerCall).
	PerCall map[string]float64 `json:"per_call,omitempty"`
	// Warmup is the unmeasured warm-up step (Options.Warmup), if any.
	Warmup *Step `json:"warmup,omitempty"`
	// Steps is every offered rate tried, in order.
	Steps []Step `json:"steps"`
}

// Step is one offered rate with its resource use.
type Step struct {
	StepResult
	CPUMSPerCall         float64 `json:"cpu_ms_per_call"`
	AsteriskCPUMSPerCall float64 `json:"asterisk_cpu_ms_per_call"`
	AsteriskRSSBytesMax  int64   `json:"asterisk_rss_bytes_max"`
	AsteriskThreadsMax   int     `json:"asterisk_threads_max"`
	Records              *int    `json:"call_records,omitempty"`
	// PerCall is the application's own counters over the step divided by
	// the completed calls: ari_events, ari_requests (both ways), and for the
	// controller redis_commands, redis_round_trips, pg_statements,
	// pg_round_trips, go_alloc_bytes, go_mallocs, go_gc_cycles (read from
	// its loopback /debug/counters).
	PerCall map[string]float64 `json:"per_call,omitempty"`
	// Detail is the controller's Redis commands and Postgres statements per
	// completed call, by command name and start of statement.
	Detail map[string]float64 `json:"per_call_detail,omitempty"`
}

// Result is the JSON printed by hotline bench asterisk.
type Result struct {
	Minimal    *Mode `json:"minimal"`
	Controller *Mode `json:"controller"`
	QueueApp   *Mode `json:"queue_app"`
	// ControllerRateRatio is the controller's calls_per_second over the
	// minimal application's; ControllerCPURatio its cpu_ms_per_call over the
	// minimal application's (targets ≥ 0.9 and ≤ 1.5).
	ControllerRateRatio *float64  `json:"controller_rate_ratio,omitempty"`
	ControllerCPURatio  *float64  `json:"controller_cpu_ratio,omitempty"`
	Overload            *Overload `json:"overload,omitempty"`
	AsteriskVersion     string    `json:"asterisk_version"`
	Machine             string    `json:"machine"`
	// LoadAverage is the machine's 1-minute load average at the start and
	// the end of the run: above the CPU count, other work competed with it.
	LoadAverage [2]float64 `json:"load_average_1m_start_end"`
	StepSeconds float64    `json:"step_seconds"`
	// CPUs says how the CPUs were shared (Options.AsteriskCPUs); empty: all
	// processes on every CPU.
	CPUs string `json:"cpus,omitempty"`
}

// Run runs the benchmark.
func Run(ctx context.Context, o Options) (*Result, error) {
	o.defaults()
	b := &bench{o: o, log: o.Logger}
	return b.run(ctx)
}

type bench struct {
	o   Options
	log *slog.Logger
	ast *realasterisk.Asterisk
	ari *ARI
	drv *Driver
	// driver lifetime
	drvStop func()
	tmp     string
	unpin   func() // puts back the CPU affinities pinAll changed
	cpus    string // what pinAll did
}

func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.o.Progress, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// startAsterisk starts a fresh Asterisk and the caller driver.
func (b *bench) startAsterisk(ctx context.Context) error {
	conf := filepath.Join(b.tmp, fmt.Sprintf("conf%d", time.Now().UnixNano()))
	if err := ConfigCopy(b.o.ConfigDir, conf, b.o.Agents); err != nil {
		return err
	}
	ast, err := realasterisk.Start(ctx, realasterisk.Options{ConfigDir: conf, Script: b.o.Script,
		TestExtensions: Dialplan(ControllerPrompts, b.o.Talk.Seconds()),
		Log:            func(f string, a ...any) { b.log.Info(fmt.Sprintf(f, a...)) }})
	if err != nil {
		return fmt.Errorf("astbench: start Asterisk: %w", err)
	}
	b.ast = ast
	if b.o.AsteriskCPUs != "" {
		unpin, desc, err := b.pinAll(ast.PID)
		if err != nil {
			return err
		}
		b.unpin, b.cpus = unpin, desc
	}
	b.ari = NewARI(ast.ARIURL, ast.ARIUser, ast.ARIPassword)
	b.drv = NewDriver(b.ari, "benchcaller", b.log)
	dctx, cancel := context.WithCancel(ctx)
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.drv.Run(dctx, ready); err != nil && dctx.Err() == nil {
			b.log.Warn("bench caller driver stopped", "err", err)
		}
	}()
	b.drvStop = func() { cancel(); <-done }
	select {
	case <-ready:
	case <-done:
		return fmt.Errorf("astbench: the caller driver could not connect")
	case <-ctx.Done():
		return ctx.Err()
	}
	return nil
}

func (b *bench) stopAsterisk() {
	if b.drvStop != nil {
		b.drvStop()
		b.drvStop = nil
	}
	if b.ast != nil {
		if err := b.ast.Stop(); err != nil {
			b.log.Warn("stop Asterisk", "err", err)
		}
		b.ast = nil
	}
	if b.unpin != nil {
		b.unpin()
		b.unpin = nil
	}
}

func (b *bench) run(ctx context.Context) (*Result, error) {
	tmp, err := os.MkdirTemp("", "astbench-")
	if err != nil {
		return nil, fmt.Errorf("astbench: %w", err)
	}
	b.tmp = tmp
	if os.Getenv("HOTLINE_KEEP_ASTERISK") == "" {
		defer os.RemoveAll(tmp)
	} else {
		b.progress("keeping %s (HOTLINE_KEEP_ASTERISK)", tmp)
	}
	defer b.stopAsterisk()
	if err := b.startAsterisk(ctx); err != nil {
		return nil, err
	}
	res := &Result{AsteriskVersion: b.ast.Version, Machine: machine(), StepSeconds: b.o.StepDuration.Seconds(), CPUs: b.cpus}
	res.LoadAverage[0] = loadAverage()
	defer func() { res.LoadAverage[1] = loadAverage() }()
	b.progress("Asterisk %s (pid %d), %s", b.ast.Version, b.ast.PID, res.Machine)
	if b.cpus != "" {
		b.progress("%s", b.cpus)
	}
	for _, m := range b.o.Modes {
		var mr *Mode
		var err error
		switch m {
		case "minimal":
			mr, err = b.search(ctx, m, b.startMinimal, "Local/3459491000@from-trunk")
			res.Minimal = mr
		case "controller":
			mr, err = b.search(ctx, m, b.controllerStarter(0, false), "Local/3459491000@from-trunk")
			res.Controller = mr
		case "queue_app":
			mr, err = b.search(ctx, m, nil, "Local/3459491000@"+queueContext)
			res.QueueApp = mr
		default:
			return nil, fmt.Errorf("astbench: unknown mode %q", m)
		}
		if err != nil {
			return nil, err
		}
	}
	if res.Minimal != nil && res.Controller != nil && res.Minimal.CallsPerSecond > 0 {
		r := round2(res.Controller.CallsPerSecond / res.Minimal.CallsPerSecond)
		res.ControllerRateRatio = &r
		if res.Minimal.CPUMSPerCall > 0 {
			c := round2(res.Controller.CPUMSPerCall / res.Minimal.CPUMSPerCall)
			res.ControllerCPURatio = &c
		}
	}
	if b.o.OverloadRate > 0 {
		ov, err := b.overload(ctx, res)
		if err != nil {
			return nil, err
		}
		res.Overload = ov
	}
	return res, nil
}

// app is a running application under test (a child process).
type app struct {
	pid      int
	stop     func() error
	records  func(ctx context.Context) (int, error) // call records written (controller)
	counters func(ctx context.Context) (map[string]int64, error)
	detail   func(ctx context.Context) (map[string]int64, error)
}

type starter func(ctx context.Context) (*app, error)

// search runs the step search of one mode.
func (b *bench) search(ctx context.Context, name string, start starter, endpoint string) (*Mode, error) {
	var a *app
	if start != nil {
		var err error
		if a, err = start(ctx); err != nil {
			return nil, err
		}
		defer func() {
			if err := a.stop(); err != nil {
				b.log.Warn("stop application", "mode", name, "err", err)
			}
		}()
	}
	m := &Mode{Steps: []Step{}}
	if b.o.Warmup > 0 {
		b.progress("%s: warming up (%.1f calls/s for %s, not measured)", name, b.o.RateStart, b.o.Warmup)
		st, err := b.step(ctx, name+" warm-up", a, endpoint, b.o.RateStart, b.o.Warmup)
		if err != nil {
			return nil, err
		}
		m.Warmup = &st
	}
	var best *Step
	try := func(rate float64) (bool, error) {
		st, err := b.step(ctx, name, a, endpoint, rate, b.o.StepDuration)
		if err != nil {
			return false, err
		}
		m.Steps = append(m.Steps, st)
		if st.Pass {
			s := st
			best = &s
		}
		return st.Pass, nil
	}
	rate, failed := b.o.RateStart, 0.0
	for rate <= b.o.RateMax+1e-9 {
		ok, err := try(rate)
		if err != nil {
			return nil, err
		}
		if !ok {
			failed = rate
			break
		}
		rate += b.o.RateStep
	}
	if b.o.Fine && failed > 0 && b.o.RateStep > 1 {
		lo := b.o.RateStart
		if best != nil {
			lo = best.Rate
		}
		for r := lo + 1; r < failed-1e-9; r++ {
			if r < b.o.RateStart {
				continue
			}
			ok, err := try(r)
			if err != nil {
				return nil, err
			}
			if !ok {
				break
			}
		}
	}
	if best != nil {
		m.CallsPerSecond = best.Rate
		if best.SetupP99 != nil {
			m.SetupP99MS = *best.SetupP99
		}
		if best.SetupP50 != nil {
			m.SetupP50MS = *best.SetupP50
		}
		m.CPUMSPerCall, m.AsteriskCPUMSPerCall = best.CPUMSPerCall, best.AsteriskCPUMSPerCall
		m.AsteriskRSSBytes, m.AsteriskThreadsMax = best.AsteriskRSSBytesMax, best.AsteriskThreadsMax
		m.PerCall = best.PerCall
	}
	b.progress("%s: %.1f calls/s sustained (setup p99 %.0f ms, %.2f ms CPU/call, Asterisk %.2f ms CPU/call)",
		name, m.CallsPerSecond, m.SetupP99MS, m.CPUMSPerCall, m.AsteriskCPUMSPerCall)
	return m, nil
}

// sampler keeps the highest Asterisk RSS and thread count while it runs.
type sampler struct {
	mu      sync.Mutex
	rss     int64
	threads int
	stop    chan struct{}
	done    chan struct{}
}

func sample(pid int) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			if p, err := ReadProc(pid); err == nil {
				s.mu.Lock()
				s.rss, s.threads = max(s.rss, p.RSSBytes), max(s.threads, p.Threads)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) end() (int64, int) {
	close(s.stop)
	<-s.done
	return s.rss, s.threads
}

// step offers one rate and measures it.
func (b *bench) step(ctx context.Context, name string, a *app, endpoint string, rate float64, dur time.Duration) (Step, error) {
	if err := b.waitIdle(ctx, 60*time.Second); err != nil {
		b.progress("%s: %v; hanging them up", name, err)
		b.hangupAll(ctx)
	}
	var recs0 int
	if a != nil && a.records != nil {
		recs0, _ = a.records(ctx)
	}
	astPID := b.ast.PID
	a0, err := ReadProc(astPID)
	if err != nil {
		return Step{}, err
	}
	var c0 ProcSample
	var k0, d0 map[string]int64
	if a != nil {
		if c0, err = ReadProc(a.pid); err != nil {
			return Step{}, err
		}
		if a.counters != nil {
			k0, _ = a.counters(ctx)
		}
		if a.detail != nil {
			d0, _ = a.detail(ctx)
		}
	}
	smp := sample(astPID)
	calls := b.drv.Offer(ctx, endpoint, rate, dur, 60*time.Second)
	rss, threads := smp.end()
	a1, err := ReadProc(astPID)
	if err != nil {
		return Step{}, err
	}
	st := Step{StepResult: b.drv.Summarise(rate, calls), AsteriskRSSBytesMax: rss, AsteriskThreadsMax: threads}
	per := float64(max(st.Completed, 1))
	st.AsteriskCPUMSPerCall = round2(float64(a1.CPU-a0.CPU) / float64(time.Millisecond) / per)
	if a != nil {
		c1, err := ReadProc(a.pid)
		if err != nil {
			return Step{}, fmt.Errorf("astbench: %s process: %w", name, err)
		}
		st.CPUMSPerCall = round2(float64(c1.CPU-c0.CPU) / float64(time.Millisecond) / per)
		if a.counters != nil && k0 != nil {
			if k1, err := a.counters(ctx); err == nil {
				st.PerCall = map[string]float64{}
				for k, v := range k1 {
					if k != "goroutines" {
						st.PerCall[k] = round2(float64(v-k0[k]) / per)
					}
				}
			}
		}
		if a.detail != nil && d0 != nil {
			if d1, err := a.detail(ctx); err == nil {
				st.Detail = map[string]float64{}
				for k, v := range d1 {
					if v > d0[k] {
						st.Detail[k] = round2(float64(v-d0[k]) / per)
					}
				}
			}
		}
		if a.records != nil {
			// records are written asynchronously: wait for them briefly
			deadline := time.Now().Add(10 * time.Second)
			for {
				n, err := a.records(ctx)
				if err == nil && (n-recs0 >= st.Offered || time.Now().After(deadline)) {
					d := n - recs0
					st.Records = &d
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	}
	p99 := "none"
	if st.SetupP99 != nil {
		p99 = fmt.Sprintf("%.0f ms", *st.SetupP99)
	}
	failed := fmt.Sprint(st.Failed)
	if len(st.Failures) > 0 {
		failed += fmt.Sprint(" ", st.Failures)
	}
	b.progress("%s %5.1f calls/s: offered %d, set up %d (%d within 1 s), completed %d, failed %s, setup p99 %s, CPU/call %.2f ms, Asterisk %.2f ms, RSS %d MB, threads %d, pass %v, per call %v",
		name, rate, st.Offered, st.SetUp, st.SetUp1s, st.Completed, failed, p99, st.CPUMSPerCall, st.AsteriskCPUMSPerCall, rss>>20, threads, st.Pass, st.PerCall)
	return st, nil
}

// waitIdle waits until Asterisk has no channel left.
func (b *bench) waitIdle(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		n, err := b.ari.ChannelCount(cctx)
		cancel()
		if err == nil && n == 0 {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("astbench: Asterisk still has %d channels after %v (err %v)", n, limit, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// hangupAll hangs up every channel left (a step that did not drain).
func (b *bench) hangupAll(ctx context.Context) {
	var chans []struct {
		ID string `json:"id"`
	}
	if err := b.ari.Do(ctx, http.MethodGet, "/channels", nil, &chans); err != nil {
		return
	}
	for _, c := range chans {
		_ = b.ari.Do(ctx, http.MethodDelete, "/channels/"+c.ID, nil, nil)
	}
	_ = b.waitIdle(ctx, 30*time.Second)
}

// loadAverage is the machine's 1-minute load average (other work on the
// machine shows here).
func loadAverage() float64 {
	var v float64
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Sscan(string(b), &v)
	}
	return v
}

// startChild runs the hotline binary with args and env; ready tells when
// it is up.
func (b *bench) startChild(ctx context.Context, name string, args, env []string, ready func(ctx context.Context, stdout *lineWatch) bool) (*app, error) {
	cmd := exec.Command(b.o.Exe, args...)
	cmd.Env = append(append(os.Environ(), b.o.ExeEnv...), env...)
	lw := &lineWatch{}
	cmd.Stdout = lw
	logf, err := os.Create(filepath.Join(b.tmp, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("astbench: %w", err)
	}
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("astbench: start %s: %w", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	stop := func() error {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			return err
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			return <-exited
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for !ready(ctx, lw) {
		select {
		case err := <-exited:
			tail, _ := os.ReadFile(logf.Name())
			if len(tail) > 3000 {
				tail = tail[len(tail)-3000:]
			}
			return nil, fmt.Errorf("astbench: %s exited at start: %v\n%s", name, err, tail)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = stop()
			tail, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("astbench: %s not ready within 30 s\n%s", name, tail)
		}
	}
	return &app{pid: cmd.Process.Pid, stop: stop}, nil
}

// lineWatch collects a child's stdout.
type lineWatch struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lineWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lineWatch) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.b.String(), s)
}

// startMinimal runs the minimal application as a child process.
func (b *bench) startMinimal(ctx context.Context) (*app, error) {
	dbg, err := freeLoopback()
	if err != nil {
		return nil, err
	}
	args := []string{"bench", "asterisk-minimal-app", "-ari-url", b.ast.ARIURL, "-ari-user", b.ast.ARIUser, "-debug-addr", dbg}
	args = append(args, b.profileArgs("minimal")...)
	a, err := b.startChild(ctx, "minimal", args, []string{"ARI_PASSWORD=" + b.ast.ARIPassword},
		func(_ context.Context, out *lineWatch) bool { return out.has("ready") })
	if err != nil {
		return nil, err
	}
	a.counters = debugCounters(dbg, "/debug/counters")
	return a, nil
}

// profileArgs is -cpuprofile FILE for an application process when
// Options.CPUProfileDir is set.
func (b *bench) profileArgs(name string) []string {
	if b.o.CPUProfileDir == "" {
		return nil
	}
	return []string{"-cpuprofile", filepath.Join(b.o.CPUProfileDir, fmt.Sprintf("%s-%d.pprof", name, time.Now().UnixNano()))}
}

// freeLoopback is a free loopback address (host:port).
func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("astbench: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// debugCounters reads an application's /debug/counters (path
// "/debug/counters") or its detail ("/debug/counters/detail").
func debugCounters(addr, path string) func(ctx context.Context) (map[string]int64, error) {
	hc := &http.Client{Timeout: 5 * time.Second}
	return func(ctx context.Context) (map[string]int64, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		if err != nil {
			return nil, fmt.Errorf("astbench: %w", err)
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, fmt.Errorf("astbench: counters: %w", err)
		}
		defer resp.Body.Close()
		var m map[string]int64
		if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
			return nil, fmt.Errorf("astbench: counters: %w", err)
		}
		return m, nil
	}
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// machine describes the machine: CPUs, model, memory, OS.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				var kb int64
				fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "MemTotal:"), "kB")), &kb)
				mem = fmt.Sprintf("%.0f GiB", float64(kb)/(1<<20))
			}
		}
	}
	osName := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				osName = strings.Trim(v, `"`)
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s, %s, %s, GOMAXPROCS=%d", runtime.NumCPU(), model, mem, osName, runtime.Version(), runtime.GOMAXPROCS(0))
}
