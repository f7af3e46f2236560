package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/simulation"
)

// demo runs everything on one machine on real time: the ARI simulator, the
// controller, simulated callers and agents, and the HTTP server.
func (m *Main) demo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	addr := fs.String("addr", ":8080", "HTTP listen address (/healthz, /api/v1/queues, /api/v1/agents)")
	ariAddr := fs.String("ari-addr", "127.0.0.1:8088", "where the ARI simulator listens (ARI at /ari, control API at /_sim)")
	cfgPath := fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample)")
	perHour := fs.Float64("calls-per-hour", 360, "mean simulated callers per hour")
	agentsN := fs.Int("agents", 8, "simulated agents signed in")
	talk := fs.Duration("talk", 60*time.Second, "mean talk time of the simulated agents")
	patience := fs.Duration("patience", 90*time.Second, "mean patience of a waiting caller")
	every := fs.Duration("summary-every", 5*time.Second, "interval of the one-line live summary")
	seed := fs.Int64("seed", time.Now().UnixNano(), "random seed")
	hours := fs.Bool("real-hours", false, "honour the configuration's opening hours (default: open at all times, so the demo shows calls at any hour)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if !*hours {
		cfg.AlwaysOpen()
	}
	clk := clock.Real()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	st, err := openStack(runCtx, cfg, clk, "demo", m.Logger)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	simulation.DeleteKeys(runCtx, st.Redis, "demo") // a fresh day: no agents or callers left from a previous demo
	rig, err := simulation.NewRig(runCtx, simulation.Deps{DB: st.DB, Redis: st.Redis}, simulation.RigOptions{
		Clock: clk, Config: cfg, SoundsDir: soundsDir(), Seed: *seed, Prefix: "demo", Addr: *ariAddr,
		Password: env("ARI_PASSWORD", "hotline"), ControllerID: "demo", Logger: m.Logger})
	if err != nil {
		return err
	}
	defer rig.Close()
	if err := simulation.StaffAgents(runCtx, rig, cfg, *agentsN, *talk, *seed); err != nil {
		return err
	}
	hs, ln, err := listenHTTP(*addr, httpAPI(st, rig.Queues, clk, m.Logger, rig.Controller, rig.Switch).Handler())
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer hs.Close()
	m.listening("ari", rig.Addr)
	m.listening("http", ln.Addr().String())
	fmt.Fprintf(m.Stderr, "demo: HTTP on http://%s (try /api/v1/queues, /healthz); ARI simulator on http://%s/ari (user hotline); %d agents; ~%.0f calls/hour; Ctrl-C stops\n",
		ln.Addr(), rig.Addr, *agentsN, *perHour)
	traffic := &simulation.Traffic{Rig: rig, Config: cfg, PerHour: *perHour, Seed: *seed, Patience: *patience, Logger: m.Logger}
	go func() { _ = traffic.Run(runCtx) }()
	tick := time.NewTicker(*every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(m.Stderr, "demo: stopping")
			return nil
		case <-tick.C:
			line, err := simulation.Summary(runCtx, rig, cfg)
			if err != nil {
				m.Logger.Warn("summary", "err", err)
				continue
			}
			fmt.Fprintln(m.Stdout, time.Now().Format("15:04:05"), line)
		}
	}
}
