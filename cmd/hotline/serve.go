package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/sms/twilio"
	"github.com/publicservice/hotline/telephony"
)

// serve runs the controller and its HTTP server against a real Asterisk.
func (m *Main) serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	addr := fs.String("addr", ":8080", "HTTP listen address")
	cfgPath := fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample)")
	host, _ := os.Hostname()
	id := fs.String("id", env("HOTLINE_ID", host), "controller id: owner of its callers in the shared queue; keep it across restarts (env HOTLINE_ID)")
	prefix := fs.String("redis-prefix", env("HOTLINE_REDIS_PREFIX", "hotline"), "Redis hash tag of the queue keys (env HOTLINE_REDIS_PREFIX)")
	callPrefix := fs.String("call-prefix", env("HOTLINE_CALL_PREFIX", ""), "prefix of call ids (channel id after it); give each Asterisk its own when several share one Redis and Postgres (env HOTLINE_CALL_PREFIX)")
	maxCalls := fs.Int("max-calls", 0, "refuse new calls (congestion) while this many are in progress, to shed load from an overloaded Asterisk; 0: no limit")
	adaptive := fs.Bool("adaptive-shed", false, "also refuse new calls beyond an adaptive limit that shrinks while Asterisk answers ARI requests slowly (90th percentile above -adaptive-target) and grows back while it is fast")
	adaptiveInitial := fs.Int("adaptive-initial", 10, "-adaptive-shed's limit at start; it grows by 2 calls a second while Asterisk stays fast and the limit is used")
	adaptiveTarget := fs.Duration("adaptive-target", 150*time.Millisecond, "ARI request time (90th percentile over 1 s) above which -adaptive-shed lowers its limit")
	adaptiveSetup := fs.Duration("adaptive-setup-target", 800*time.Millisecond, "-adaptive-shed's second signal: the setup time the controller measures (key to bridge, agent ringing left out; 90th percentile over 1 s) above which the limit is lowered; the limit grows only while setups are seen within it. 0: ARI request times only")
	alwaysOpen := fs.Bool("always-open", false, "ignore opening hours and holidays (for trying the controller by hand, not for production)")
	loginAgents := fs.Bool("login-agents", false, "sign in every configured agent at start")
	insecure := fs.Bool("insecure-cookies", env("HOTLINE_INSECURE_COOKIES", "") != "", "session cookies without Secure, for plain-HTTP try-outs on localhost only (env HOTLINE_INSECURE_COOKIES=1)")
	drain := fs.Duration("drain", 30*time.Second, "on SIGTERM, wait this long for calls to end (new calls meanwhile go to the dialplan fallback); calls still up are re-adopted by the next start")
	spoolDir := fs.String("spool-dir", env("HOTLINE_SPOOL_DIR", ""), "where call records, queue events, ratings and messages wait while Postgres is unreachable (default: hotline-spool-<id> in the temporary directory; use persistent storage in production) (env HOTLINE_SPOOL_DIR)")
	debugAddr := fs.String("debug-addr", "", "serve net/http/pprof (/debug/pprof/) and counters of ARI events and requests, Redis commands and Postgres statements (/debug/counters) on this loopback address; off by default")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof); off by default")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.checkFlags(fs, intIn("max-calls", *maxCalls, 0, 1_000_000), durationIn("drain", *drain, 0, 24*time.Hour),
		durationIn("adaptive-target", *adaptiveTarget, time.Millisecond, time.Minute),
		durationIn("adaptive-setup-target", *adaptiveSetup, 0, time.Hour), debugAddrRule(*debugAddr),
		rule{*id == "", "-id: want a controller id (env HOTLINE_ID)"},
		rule{*prefix == "", "-redis-prefix: want a name (env HOTLINE_REDIS_PREFIX)"}); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *alwaysOpen {
		cfg.AlwaysOpen()
	}
	password := os.Getenv("ARI_PASSWORD")
	if password == "" {
		return m.usageError(fs, "ARI_PASSWORD is not set (ARI_URL, ARI_USER, ARI_PASSWORD name the Asterisk ARI account)")
	}
	if *spoolDir == "" {
		*spoolDir = filepath.Join(os.TempDir(), "hotline-spool-"+safeName(*id))
	}
	clk := clock.Real()
	runCtx, stopRun := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRun()
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var counters *serviceCounters
	if *debugAddr != "" {
		counters = &serviceCounters{}
	}
	st, err := openStack(runCtx, cfg, clk, *prefix, *spoolDir, m.Logger, counters)
	if err != nil {
		return err
	}
	defer st.Close(context.Background())
	var limit *ivr.AdaptiveLimit
	var observe func(time.Duration)
	if *adaptive {
		limit = &ivr.AdaptiveLimit{Target: *adaptiveTarget, Initial: *adaptiveInitial, SetupTarget: *adaptiveSetup}
		if *maxCalls > 0 {
			limit.Max = *maxCalls
		}
		observe = func(d time.Duration) { limit.Observe(time.Now(), d) }
	}
	sw, err := telephony.NewARI(telephony.ARIOptions{URL: env("ARI_URL", "http://127.0.0.1:8088/ari"), Application: env("ARI_APP", "hotline"),
		Username: env("ARI_USER", "hotline"), Password: password, Clock: clk, Logger: m.Logger, ObserveRequest: observe})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *debugAddr != "" {
		da, stopDebug, err := startDebug(*debugAddr, func() map[string]int64 {
			rs := sw.Stats()
			c := map[string]int64{"ari_events": rs.Frames, "ari_requests": rs.Requests}
			counters.add(c)
			return c
		}, func() map[string]int64 {
			d := counters.details()
			for k, v := range sw.RequestsByKind() {
				d["ari "+k] = v
			}
			return d
		})
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		defer stopDebug()
		m.listening("debug", da)
		m.Logger.Info("debug server (pprof, counters)", "addr", da)
	}
	ctl, err := ivr.New(ivr.Options{ID: *id, CallIDPrefix: *callPrefix, MaxCalls: *maxCalls, Adaptive: limit, Config: cfg, Switch: sw, Queues: st.Queues, Writer: st.Writer, Clock: clk, Logger: m.Logger,
		AgentStates: st.Journal.Load, Tickets: ticketDesk(cfg, st.DB, clk, m.Logger)})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	tw, smsOn := twilio.FromEnv()
	api := httpAPI(cfg, st.DB, st.Redis, st.Queues, clk, m.Logger, ctl, sw, *insecure)
	sip, err := sipFromEnv()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	mountUI(api, st.DB, st.Writer, ctl, sip)
	tk, err := newTickets(cfg, st.DB, clk, m.Logger, api.Auth, tw, smsOn)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	mountReports(api, st.DB)
	api.Mount = append(api.Mount, tk.Mount)
	hs, ln, err := listenHTTP(*addr, api.Handler())
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *loginAgents {
		si := &signIns{q: st.Queues, clk: clk, log: m.Logger}
		defer si.signOutAll() // also when the start fails below
		if err := si.signInAll(runCtx, cfg); err != nil {
			_ = hs.Close()
			return fmt.Errorf("serve: sign in: %w", err)
		}
	}
	go tk.Run(runCtx)
	m.listening("http", ln.Addr().String())
	m.Logger.Info("controller started", "id", *id, "http", ln.Addr().String(), "ari", env("ARI_URL", "http://127.0.0.1:8088/ari"))

	ctlDone := make(chan error, 1)
	go func() { ctlDone <- ctl.Run(runCtx) }()
	select {
	case err := <-ctlDone:
		_ = hs.Close()
		return fmt.Errorf("serve: controller stopped: %w", err)
	case <-ctx.Done():
	}
	ctl.Drain() // new calls go to the dialplan fallback from now on
	m.Logger.Info("draining: waiting for calls to end", "calls", len(ctl.CallIDs()), "limit", *drain)
	deadline := time.Now().Add(*drain)
	for len(ctl.CallIDs()) > 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := len(ctl.CallIDs()); n > 0 {
		m.Logger.Info("calls left in Stasis for the next controller to re-adopt", "calls", n)
	}
	stopRun()
	<-ctlDone
	shCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(shCtx)
}

// safeName keeps letters, digits, '-' and '_' of s (for a directory name).
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return r
		}
		return '_'
	}, s)
}
