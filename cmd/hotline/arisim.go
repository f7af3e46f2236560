package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
)

// arisim serves the ARI simulator on real time.
func (m *Main) arisim(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("arisim", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	addr := fs.String("addr", "127.0.0.1:8088", "listen address (ARI at http://ADDR/ari, control API at /_sim)")
	user := fs.String("user", env("ARI_USER", "hotline"), "ARI user (env ARI_USER)")
	password := fs.String("password", env("ARI_PASSWORD", ""), "ARI password (env ARI_PASSWORD; required)")
	apps := fs.String("apps", "hotline", "comma-separated Stasis applications registered from the start")
	sounds := fs.String("sounds", "asterisk-config/sounds", "sounds directory used to size prompts (missing: estimates)")
	fallback := fs.String("fallback-app", "", "application that takes a new call when its own application has no WebSocket (empty: hang up)")
	seed := fs.Int64("seed", 1, "seed for ids and random far-end behaviour")
	keep := fs.Int("keep-calls", 10000, "ground-truth records kept by /_sim/calls: beyond it the oldest ended calls are dropped (0: keep all, memory grows without bound)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.checkFlags(fs, rule{*password == "", "-password (or ARI_PASSWORD) is required"},
		rule{len(splitComma(*apps)) == 0, "-apps: want at least one application name"},
		intIn("keep-calls", *keep, 0, 10_000_000)); err != nil {
		return err
	}
	sim := arisim.New(arisim.Options{
		Clock: clock.Real(), User: *user, Password: *password, Apps: splitComma(*apps),
		SoundsDir: *sounds, FallbackApp: *fallback, Seed: *seed, Logger: m.Logger, KeepCalls: *keep,
	})
	defer sim.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("arisim: listen: %w", err)
	}
	m.listening("ari", ln.Addr().String())
	m.Logger.Info("ARI simulator listening", "ari", "http://"+ln.Addr().String()+"/ari", "control", "http://"+ln.Addr().String()+"/_sim", "user", *user)
	err = sim.Serve(ctx, ln)
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
