package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"syscall"
	"time"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/arisim"
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
	prefix := fs.String("redis-prefix", "demo", "Redis hash tag of the demo's keys (cleared at start)")
	demoPassword := fs.String("demo-password", "", "password of the demo accounts agent1…agent5 and supervisor1 (default: a random one, printed)")
	secure := fs.Bool("secure-cookies", false, "mark session cookies Secure (the demo serves plain HTTP, so by default they are not)")
	keep := fs.Int("keep-calls", 10000, "ground-truth records the ARI simulator keeps (/_sim/calls); the oldest ended calls go first (0: all)")
	hours := fs.Bool("real-hours", false, "honour the configuration's opening hours (default: open at all times, so the demo shows calls at any hour)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.checkFlags(fs, floatIn("calls-per-hour", *perHour, 0, 1_000_000), intIn("agents", *agentsN, 0, 10_000),
		durationIn("talk", *talk, time.Second, 24*time.Hour), durationIn("patience", *patience, time.Second, 24*time.Hour),
		durationIn("summary-every", *every, 100*time.Millisecond, 24*time.Hour),
		rule{*prefix == "", "-redis-prefix: want a name for the demo's keys"}, intIn("keep-calls", *keep, 0, 10_000_000)); err != nil {
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
	db, rdb, err := openServices(runCtx)
	if err != nil {
		return err
	}
	defer db.Close()
	defer rdb.Close()
	deps := simulation.Deps{DB: db, Redis: rdb}
	simulation.DeleteKeys(runCtx, rdb, *prefix) // a fresh day: no agents or callers left from a previous demo
	rigOpts := simulation.RigOptions{
		Clock: clk, Config: cfg, SoundsDir: soundsDir(), Seed: *seed, Prefix: *prefix, Addr: *ariAddr,
		Password: env("ARI_PASSWORD", "hotline"), ControllerID: "demo", Logger: m.Logger, KeepCalls: *keep}
	rig, err := simulation.NewRig(runCtx, deps, rigOpts)
	if err != nil && errors.Is(err, syscall.EADDRINUSE) && !flagSet(fs, "ari-addr") {
		// The default port is taken (a real Asterisk, or another demo): any free one will do.
		m.Logger.Info("ARI simulator: default port taken, using a free one", "wanted", *ariAddr)
		rigOpts.Addr = "127.0.0.1:0"
		rig, err = simulation.NewRig(runCtx, deps, rigOpts)
	}
	if err != nil {
		return err
	}
	defer rig.Close()
	if err := simulation.StaffAgents(runCtx, rig, cfg, *agentsN, *talk, *seed); err != nil {
		return err
	}
	api := httpAPI(cfg, db, rdb, rig.Queues, clk, m.Logger, rig.Controller, rig.Switch, !*secure)
	if *demoPassword == "" {
		*demoPassword = randomPassword()
	}
	accountAgents, err := demoAccounts(runCtx, api.Auth, cfg, *demoPassword)
	if err != nil {
		return err
	}
	for _, id := range accountAgents { // their phones ring until the panel's answer button answers
		rig.Sim.SetEndpoint("PJSIP", id, arisim.EndpointBehaviour{NoAnswer: true})
	}
	// supervisor1's phone for listen, whisper and barge answers at once.
	rig.Sim.SetEndpoint("PJSIP", "supervisor1", arisim.EndpointBehaviour{})
	mountUI(api, db, rig.Writer, rig.Controller, agentpanel.SIPConfig{})
	tk, sim, err := demoTickets(cfg, db, clk, m.Logger)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer sim.Close()
	hs, ln, err := listenHTTP(*addr, tk.Mount(api.Handler()))
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer hs.Close()
	if err := demoSMS(tk, sim, ln.Addr().String()); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	go tk.Run(runCtx)
	m.listening("twilio", sim.URL())
	fmt.Fprintf(m.Stderr, "demo: complaints form on http://%s/feedback; staff: http://%s/staff/tickets (user any, password %s); Twilio simulator on %s (/_sim/messages, POST /_sim/inbound?from=&body=)\n",
		ln.Addr(), ln.Addr(), tk.StaffToken, sim.URL())
	m.listening("ari", rig.Addr)
	m.listening("http", ln.Addr().String())
	fmt.Fprintf(m.Stderr, "demo: HTTP on http://%s (try /api/v1/queues, /healthz); ARI simulator on http://%s/ari (user hotline); %d agents; ~%.0f calls/hour; Ctrl-C stops\n",
		ln.Addr(), rig.Addr, *agentsN, *perHour)
	fmt.Fprintf(m.Stderr, "demo: sign in at http://%s/login as agent1…agent%d (agents %v) or supervisor1, password %s\n",
		ln.Addr(), len(accountAgents), accountAgents, *demoPassword)
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

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
