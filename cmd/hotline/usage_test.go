package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/simulation"
)

// TestMisuse boots every command with bad flags: each must print what was wrong and the usage on stderr,
// return errUsage (exit status 2) before opening anything, and never panic.
func TestMisuse(t *testing.T) {
	t.Setenv("ARI_PASSWORD", "")
	t.Setenv("REDIS_URL", "redis://127.0.0.1:1/0") // nothing may be opened: a connection attempt would fail loudly
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/none?connect_timeout=1")
	cases := []struct {
		args []string
		want string // in stderr
	}{
		{[]string{}, "usage: hotline <command>"},
		{[]string{"fly"}, `unknown command "fly"`},
		{[]string{"serve", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"serve", "-max-calls", "-1"}, "-max-calls -1"},
		{[]string{"serve", "-drain", "-5s"}, "-drain -5s"},
		{[]string{"serve", "-drain", "soon"}, `invalid value "soon" for flag -drain`},
		{[]string{"serve", "-id", ""}, "-id: want a controller id"},
		{[]string{"serve", "extra"}, `unexpected argument "extra"`},
		{[]string{"serve"}, "ARI_PASSWORD is not set"},
		{[]string{"arisim"}, "-password (or ARI_PASSWORD) is required"},
		{[]string{"arisim", "-password", "p", "-apps", ","}, "-apps: want at least one"},
		{[]string{"arisim", "-seed", "x"}, `invalid value "x" for flag -seed`},
		{[]string{"arisim", "-password", "p", "-keep-calls", "-1"}, "-keep-calls -1"},
		{[]string{"demo", "-keep-calls", "-5"}, "-keep-calls -5"},
		{[]string{"demo", "-summary-every", "0"}, "-summary-every 0s"},
		{[]string{"demo", "-summary-every", "-1s"}, "-summary-every -1s"},
		{[]string{"demo", "-calls-per-hour", "0"}, "-calls-per-hour 0"},
		{[]string{"demo", "-calls-per-hour", "NaN"}, "-calls-per-hour NaN"},
		{[]string{"demo", "-calls-per-hour", "Inf"}, "-calls-per-hour +Inf"},
		{[]string{"demo", "-agents", "-3"}, "-agents -3"},
		{[]string{"demo", "-talk", "0s"}, "-talk 0s"},
		{[]string{"demo", "-patience", "-1m"}, "-patience -1m0s"},
		{[]string{"demo", "-redis-prefix", ""}, "-redis-prefix"},
		{[]string{"simulate", "-calls", "0"}, "-calls 0"},
		{[]string{"simulate", "-calls", "-10"}, "-calls -10"},
		{[]string{"simulate", "-agents", "0"}, "-agents 0"},
		{[]string{"simulate", "-hours", "0"}, "-hours 0"},
		{[]string{"simulate", "-hours", "NaN"}, "-hours NaN"},
		{[]string{"simulate", "-hours", "1e308"}, "-hours 1e+308"},
		{[]string{"simulate", "-talk", "-1s"}, "-talk -1s"},
		{[]string{"simulate", "-patience", "0s"}, "-patience 0s"},
		{[]string{"simulate", "-start", "tomorrow"}, `-start "tomorrow"`},
		{[]string{"simulate", "-calls", "ten"}, `invalid value "ten" for flag -calls`},
		{[]string{"bench"}, "which benchmark?"},
		{[]string{"bench", "fast"}, `unknown benchmark "fast"`},
		{[]string{"bench", "calls", "-calls", "0"}, "-calls 0"},
		{[]string{"bench", "calls", "-concurrent", "-1"}, "-concurrent -1"},
		{[]string{"bench", "calls", "-arrival-window", "0s"}, "-arrival-window 0s"},
		{[]string{"bench", "asterisk", "-rate-start", "0"}, "-rate-start 0"},
		{[]string{"bench", "asterisk", "-rate-max", "1", "-rate-start", "2"}, "-rate-max 1 is below -rate-start 2"},
		{[]string{"bench", "asterisk", "-modes", "fast"}, `-modes "fast"`},
		{[]string{"bench", "asterisk", "-step-duration", "0s"}, "-step-duration 0s"},
		{[]string{"bench", "asterisk", "-agents", "0"}, "-agents 0"},
		{[]string{"bench", "report", "-month", "2026-13"}, `-month "2026-13": want YYYY-MM`},
		{[]string{"bench", "asterisk", "-overload-rate", "-1"}, "-overload-rate -1"},
		{[]string{"bench", "asterisk", "-asterisk", "/nonexistent/asterisk.sh"}, "-asterisk /nonexistent/asterisk.sh"},
		{[]string{"bench", "asterisk-minimal-app", "-agents", "-2"}, "-agents -2"},
		{[]string{"retention", "-older-than", "-1h"}, "-older-than -1h0m0s"},
		{[]string{"retention", "stray"}, `unexpected argument "stray"`},
		{[]string{"serve", "-adaptive-target", "0s"}, "-adaptive-target 0s"},
		{[]string{"serve", "-adaptive-setup-target", "-1s"}, "-adaptive-setup-target -1s"},
		{[]string{"serve", "-debug-addr", "0.0.0.0:6060"}, "only a loopback address"},
		{[]string{"serve", "-debug-addr", "6060"}, `-debug-addr "6060"`},
		{[]string{"bench", "asterisk-minimal-app", "-debug-addr", "192.0.2.1:6060"}, "only a loopback address"},
	}
	for _, c := range cases {
		t.Run(strings.Join(append([]string{"hotline"}, c.args...), " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			m := NewMain(&out, &errb)
			m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panic: %v", p)
					}
				}()
				err = m.Run(ctx, c.args)
			}()
			if !errors.Is(err, errUsage) || exitCode(err) != 2 {
				t.Fatalf("err %v (exit %d), want a usage error (exit 2)", err, exitCode(err))
			}
			stderr := errb.String()
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr does not say what was wrong (%q):\n%s", c.want, stderr)
			}
			if !strings.Contains(stderr, "Usage of ") && !strings.Contains(stderr, "usage: hotline") {
				t.Errorf("stderr has no usage:\n%s", stderr)
			}
			if out.Len() != 0 {
				t.Errorf("stdout not empty: %q", out.String())
			}
		})
	}
	if exitCode(nil) != 0 || exitCode(errors.New("postgres down")) != 1 {
		t.Error("exit codes: want 0 for success, 1 for failures other than misuse")
	}
}

// TestServeTwice is README's try-out run twice: serve -login-agents, stopped, started again. The second start must
// work, and each stop signs out the agents it signed in. A start that fails (port taken) leaves nobody signed in.
func TestServeTwice(t *testing.T) {
	useTestDB(t)
	t.Setenv("HOTLINE_SPOOL_DIR", t.TempDir())
	sim := arisim.New(arisim.Options{Clock: clock.Real(), User: "hotline", Password: "secret", Apps: []string{"hotline"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer sim.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := make(chan string, 1)
	go func() { _ = serveOn(ctx, sim, ch) }()
	t.Setenv("ARI_URL", "http://"+<-ch+"/ari")
	t.Setenv("ARI_USER", "hotline")
	t.Setenv("ARI_PASSWORD", "secret")
	prefix := "serve-twice-" + time.Now().Format("150405.000000")
	rdb := testenv.MustRedis(t)
	t.Cleanup(func() { simulation.DeleteKeys(context.Background(), rdb, prefix) })
	q := queue.New(rdb, clock.Real(), queue.Options{Prefix: prefix})
	signedIn := func() int {
		as, err := q.Agents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range as {
			if a.State != agents.LoggedOut {
				n++
			}
		}
		return n
	}
	all := len(config.Sample().Agents)
	args := []string{"serve", "-addr", "127.0.0.1:0", "-id", "serve-twice", "-redis-prefix", prefix, "-login-agents", "-drain", "0s"}
	for run := 1; run <= 2; run++ {
		_, _, stop := boot(t, args, "http")
		if n := signedIn(); n != all {
			t.Fatalf("run %d: %d agents signed in, want %d", run, n, all)
		}
		if err := stop(); err != nil {
			t.Fatalf("run %d: stop: %v", run, err)
		}
		if n := signedIn(); n != 0 {
			t.Fatalf("run %d: %d agents still signed in after the stop, want 0", run, n)
		}
	}
	// An agent signed in by someone else stays signed in: serve neither fails on it nor signs it out.
	a := config.Sample().Agents[0]
	if err := q.Login(ctx, agents.Agent{ID: a.ID, Name: a.Name, Endpoint: a.Endpoint, Skills: a.Skills}, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, _, stop := boot(t, args, "http")
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := signedIn(); n != 1 {
		t.Fatalf("after a run with %s already signed in: %d signed in, want 1 (that one)", a.ID, n)
	}
	if err := q.Logout(ctx, a.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A failed start: the port is taken.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	m := NewMain(io.Discard, io.Discard)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	failArgs := append([]string{}, args...)
	failArgs[2] = ln.Addr().String()
	if err := m.Run(ctx, failArgs); err == nil || exitCode(err) != 1 {
		t.Fatalf("serve on a taken port: %v, want a failure", err)
	}
	if n := signedIn(); n != 0 {
		t.Fatalf("after a failed start: %d agents signed in, want 0", n)
	}
}
