package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/publicservice/hotline/simulation/astbench"
	"github.com/publicservice/hotline/telephony"
)

// minimalAppCommand runs the benchmark's minimal ARI application (a child
// process of "hotline bench asterisk", so that its CPU is its own).
const minimalAppCommand = "asterisk-minimal-app"

// benchAsterisk is "hotline bench asterisk": the call-rate benchmark on the
// real Asterisk (see package simulation/astbench).
func (m *Main) benchAsterisk(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench asterisk", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	script := fs.String("asterisk", "../shared/asterisk/asterisk.sh", "the asterisk.sh that installs and starts the real Asterisk")
	confDir := fs.String("asterisk-config", "asterisk-config", "the shipped Asterisk configuration to start it with")
	modes := fs.String("modes", "minimal,controller,queue_app", "what to measure, in order (minimal, controller, queue_app)")
	start := fs.Float64("rate-start", 2, "first offered rate, new calls per second")
	step := fs.Float64("rate-step", 2, "rate increment of the step search")
	maxRate := fs.Float64("rate-max", 40, "highest offered rate tried")
	fine := fs.Bool("fine", true, "after the first failing rate, try the rates between it and the last passing one 1 call/s apart")
	dur := fs.Duration("step-duration", 20*time.Second, "how long each rate is offered")
	warm := fs.Duration("warmup", 10*time.Second, "before its first step, offer each mode the first rate for this long, not measured (0: no warm-up)")
	agents := fs.Int("agents", 60, "agents answering (Local channels)")
	talk := fs.Duration("talk", 250*time.Millisecond, "how long an agent stays on the call after answering")
	overRate := fs.Float64("overload-rate", 0, "then offer this rate (calls/s) to the controller with -max-calls and with -adaptive-shed, each on a fresh Asterisk; 0: skip")
	overDur := fs.Duration("overload-duration", 30*time.Second, "how long the overload is offered")
	maxCalls := fs.Int("max-calls", 0, "the fixed limit of the overload part (0: the controller's measured capacity)")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	astCPUs := fs.String("asterisk-cpus", "", "give Asterisk these CPUs alone (a CPU list: 0) and keep the applications, the callers' driver, Redis and PostgreSQL on the others, as if Asterisk had a host of its own; empty: everything shares every CPU")
	profDir := fs.String("cpuprofile-dir", "", "write CPU profiles of the minimal application and the controller (whole run) to this directory")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	badMode := ""
	for _, md := range strings.Split(*modes, ",") {
		if md != "minimal" && md != "controller" && md != "queue_app" {
			badMode = md
		}
	}
	if err := m.checkFlags(fs, rule{badMode != "" || *modes == "", fmt.Sprintf("-modes %q: want minimal, controller and/or queue_app, comma-separated", *modes)},
		floatIn("rate-start", *start, 0, 10_000), floatIn("rate-step", *step, 0, 10_000), floatIn("rate-max", *maxRate, 0, 10_000),
		rule{*maxRate < *start, fmt.Sprintf("-rate-max %v is below -rate-start %v", *maxRate, *start)},
		durationIn("step-duration", *dur, time.Second, 24*time.Hour), durationIn("warmup", *warm, 0, time.Hour), intIn("agents", *agents, 1, 100_000),
		durationIn("talk", *talk, 0, time.Hour), rule{math.IsNaN(*overRate) || *overRate < 0 || *overRate > 10_000, fmt.Sprintf("-overload-rate %v: want 0 to 10000", *overRate)},
		durationIn("overload-duration", *overDur, time.Second, 24*time.Hour), intIn("max-calls", *maxCalls, 0, 1_000_000)); err != nil {
		return err
	}
	if *astCPUs != "" {
		if err := astbench.CheckAsteriskCPUs(*astCPUs, runtime.NumCPU()); err != nil {
			return m.usageError(fs, "-asterisk-cpus %s: %v", *astCPUs, err)
		}
	}
	if _, err := os.Stat(*script); err != nil {
		return m.usageError(fs, "-asterisk %s: %v", *script, err)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench asterisk: %w", err)
	}
	o := astbench.Options{Script: *script, ConfigDir: *confDir, Exe: exe,
		DatabaseURL: env("DATABASE_URL", defaultDatabaseURL), RedisURL: env("REDIS_URL", defaultRedisURL),
		Modes: strings.Split(*modes, ","), RateStart: *start, RateStep: *step, RateMax: *maxRate, Fine: *fine,
		StepDuration: *dur, Warmup: *warm, Agents: *agents, Talk: *talk, OverloadRate: *overRate, OverloadDuration: *overDur,
		MaxCalls: *maxCalls, CPUProfileDir: *profDir, AsteriskCPUs: *astCPUs, Logger: m.Logger}
	if !*quiet {
		o.Progress = m.Stderr
	}
	res, err := astbench.Run(ctx, o)
	if err != nil {
		return err
	}
	return m.printJSON(res)
}

// benchMinimalApp runs the minimal application until interrupted; it prints
// "ready" once connected.
func (m *Main) benchMinimalApp(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench "+minimalAppCommand, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	url := fs.String("ari-url", env("ARI_URL", "http://127.0.0.1:8088/ari"), "ARI root")
	user := fs.String("ari-user", env("ARI_USER", "hotline"), "ARI user (password: ARI_PASSWORD)")
	app := fs.String("app", "hotline", "Stasis application")
	agents := fs.Int("agents", 60, "agents to spread calls over")
	debugAddr := fs.String("debug-addr", "", "serve pprof and counters (ARI events and requests) on this loopback address")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.checkFlags(fs, intIn("agents", *agents, 1, 100_000), debugAddrRule(*debugAddr)); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	client := astbench.NewARI(*url, *user, os.Getenv("ARI_PASSWORD"))
	if *debugAddr != "" {
		_, stopDebug, err := startDebug(*debugAddr, func() map[string]int64 {
			return map[string]int64{"ari_events": client.EventsRead(), "ari_requests": client.Requests()}
		}, nil)
		if err != nil {
			return fmt.Errorf("bench asterisk-minimal-app: %w", err)
		}
		defer stopDebug()
	}
	ready := make(chan struct{})
	go func() {
		select {
		case <-ready:
			fmt.Fprintln(m.Stdout, "ready")
		case <-ctx.Done():
		}
	}()
	p := astbench.ControllerPrompts
	err = astbench.RunMinimal(ctx, astbench.MinimalOptions{ARI: client, App: *app,
		Menus: astbench.SoundLists(p.Menus), Hold: astbench.SoundURIs(p.Hold), Ringing: astbench.SoundURIs(p.Ringing), Agents: *agents,
		Survey: astbench.SoundURIs(p.Survey), Thanks: astbench.SoundURIs(p.Thanks),
		DisallowEvents: minimalDisallowed(), Logger: m.Logger}, ready)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// minimalDisallowed is the minimal application's event filter: the
// controller's (telephony.DefaultDisallowedEvents) but ChannelLeftBridge,
// which it waits for before the survey where the controller takes the
// caller out of the bridge itself.
func minimalDisallowed() []string {
	out := []string{}
	for _, t := range telephony.DefaultDisallowedEvents {
		if t != "ChannelLeftBridge" {
			out = append(out, t)
		}
	}
	return out
}
