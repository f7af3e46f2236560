package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/simulation"
	"github.com/publicservice/hotline/store/storetest"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// boot runs a command in the background; it returns the addresses it
// listens on (by name) once all of want are known, and a stop function that
// cancels it and returns its error.
func boot(t *testing.T, args []string, want ...string) (addrs map[string]string, stdout *syncBuffer, stop func() error) {
	t.Helper()
	stdout = &syncBuffer{}
	m := NewMain(stdout, io.Discard)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	var mu sync.Mutex
	addrs = map[string]string{}
	m.OnListen = func(what, addr string) { mu.Lock(); addrs[what] = addr; mu.Unlock() }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, args) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := 0
		for _, w := range want {
			if addrs[w] != "" {
				n++
			}
		}
		mu.Unlock()
		if n == len(want) {
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("%v exited early: %v", args, err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("%v: never listened on %v", args, want)
		}
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("did not stop within 30 s")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
	return addrs, stdout, stop
}

func getJSON(t *testing.T, url string, wantStatus int, out any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, wantStatus, b)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

func checkFor(t *testing.T, limit time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// useTestDB points DATABASE_URL at a schema of this test's own.
func useTestDB(t *testing.T) {
	_, dsn := storetest.MustOpenDBSchema(t)
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("REDIS_URL", testenv.RedisURL())
}

func TestArisimCommand(t *testing.T) {
	addrs, _, stop := boot(t, []string{"arisim", "-addr", "127.0.0.1:0", "-user", "u", "-password", "p"}, "ari")
	base := "http://" + addrs["ari"]
	resp, err := http.Get(base + "/ari/asterisk/info")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("without credentials: %d, want 401", resp.StatusCode)
	}
	var info map[string]any
	getJSON(t, base+"/ari/asterisk/info?api_key=u:p", 200, &info)
	if info["system"] == nil {
		t.Fatalf("asterisk info: %v", info)
	}
	var calls []any
	getJSON(t, base+"/_sim/calls", 200, &calls)
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

func TestSimulateCommand(t *testing.T) {
	t.Setenv("REDIS_URL", testenv.RedisURL())
	var out bytes.Buffer
	m := NewMain(&out, io.Discard)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background(), []string{"simulate", "-calls", "60", "-agents", "3", "-hours", "0.5", "-seed", "4", "-quiet"}); err != nil {
		t.Fatal(err)
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, out.String())
	}
	for _, k := range []string{"offered", "answered", "abandoned", "short_abandoned", "answered_within_sl", "service_level", "asa_seconds", "max_wait_seconds", "survey", "ground_truth"} {
		if _, ok := res[k]; !ok {
			t.Fatalf("field %q missing from %s", k, out.String())
		}
	}
	if res["match"] != true || res["calls_recorded"] != 60.0 {
		t.Fatalf("simulate does not match its ground truth: %s", out.String())
	}
}

func TestBenchCommand(t *testing.T) {
	useTestDB(t)
	var out bytes.Buffer
	m := NewMain(&out, io.Discard)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background(), []string{"bench", "calls", "-calls", "100", "-concurrent", "40", "-arrival-window", "1s", "-quiet"}); err != nil {
		t.Fatal(err)
	}
	var res map[string]float64
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		// heap_note is a string: decode loosely
		var loose map[string]any
		if err2 := json.Unmarshal(out.Bytes(), &loose); err2 != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err2, out.String())
		}
		res = map[string]float64{}
		for k, v := range loose {
			if f, ok := v.(float64); ok {
				res[k] = f
			}
		}
	}
	for _, k := range []string{"calls_per_second", "redis_round_trips_per_call", "reaction_p50_ms", "reaction_p99_ms", "bytes_per_active_call", "redis_roundtrips_per_second"} {
		if res[k] <= 0 {
			t.Fatalf("%s = %v, want a positive measurement: %s", k, res[k], out.String())
		}
	}
}

func TestDemoCommand(t *testing.T) {
	useTestDB(t)
	prefix := "demo-test-" + time.Now().Format("150405.000000")
	t.Cleanup(func() { simulation.DeleteKeys(context.Background(), testenv.MustRedis(t), prefix) })
	addrs, stdout, stop := boot(t, []string{"demo", "-addr", "127.0.0.1:0", "-ari-addr", "127.0.0.1:0", "-redis-prefix", prefix,
		"-calls-per-hour", "7200", "-summary-every", "200ms", "-seed", "3", "-demo-password", "demo password 1"}, "http", "ari")
	base := "http://" + addrs["http"]
	var h map[string]any
	checkFor(t, 10*time.Second, "healthz ok", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	getJSON(t, base+"/healthz", 200, &h)
	var qs struct {
		Queues []map[string]any `json:"queues"`
	}
	getJSON(t, base+"/api/v1/queues", 401, nil) // staff only
	sup := webtest.SignIn(t, base, "supervisor1", "demo password 1")
	for i := 1; i <= 5; i++ {
		webtest.SignIn(t, base, fmt.Sprintf("agent%d", i), "demo password 1")
	}
	getJSON := func(t *testing.T, url string, want int, out any) {
		t.Helper()
		if st := sup.Do(t, "GET", strings.TrimPrefix(url, base), nil, out); st != want {
			t.Fatalf("GET %s: %d", url, st)
		}
	}
	getJSON(t, base+"/api/v1/queues", 200, &qs)
	if len(qs.Queues) == 0 {
		t.Fatal("no queues")
	}
	// Simulated callers arrive (two a second) and go through the menus.
	checkFor(t, 30*time.Second, "a caller in the queue figures", func() bool {
		getJSON(t, base+"/api/v1/queues", 200, &qs)
		for _, q := range qs.Queues {
			if q["today"].(map[string]any)["offered"].(float64) > 0 {
				return true
			}
		}
		return false
	})
	if !strings.Contains(stdout.String(), "waiting") {
		t.Fatalf("no summary line: %q", stdout.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

func TestServeCommand(t *testing.T) {
	useTestDB(t)
	t.Setenv("HOTLINE_SPOOL_DIR", t.TempDir())
	sim := arisim.New(arisim.Options{Clock: clock.Real(), User: "hotline", Password: "secret", Apps: []string{"hotline"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	defer sim.Close()
	simAddrs, _, _ := func() (map[string]string, any, any) {
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		ch := make(chan string, 1)
		go func() {
			_ = serveOn(ctx, sim, ch)
		}()
		return map[string]string{"ari": <-ch}, nil, nil
	}()
	t.Setenv("ARI_URL", "http://"+simAddrs["ari"]+"/ari")
	t.Setenv("ARI_USER", "hotline")
	t.Setenv("ARI_PASSWORD", "secret")
	prefix := "serve-test-" + time.Now().Format("150405.000000")
	t.Cleanup(func() { simulation.DeleteKeys(context.Background(), testenv.MustRedis(t), prefix) })
	addrs, _, stop := boot(t, []string{"serve", "-addr", "127.0.0.1:0", "-id", "serve-test", "-redis-prefix", prefix, "-login-agents", "-drain", "0s"}, "http")
	base := "http://" + addrs["http"]
	checkFor(t, 10*time.Second, "the controller connected to ARI", func() bool { return sim.Connected("hotline") })
	// The simulator sees the WebSocket a moment before the controller marks it connected.
	var h map[string]any
	checkFor(t, 10*time.Second, "healthz ok", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&h) == nil
	})
	if h["checks"].(map[string]any)["ari"] != "ok" {
		t.Fatalf("healthz %v", h)
	}
	var ag struct{ Agents []map[string]any }
	getJSON(t, base+"/api/v1/agents", 401, nil)
	// hotline user add: the password from stdin, then a bearer token.
	um := NewMain(io.Discard, io.Discard)
	um.Stdin = strings.NewReader("sup password\n")
	if err := um.Run(context.Background(), []string{"user", "add", "-username", "boss", "-role", "supervisor"}); err != nil {
		t.Fatal(err)
	}
	if err := um.Run(context.Background(), []string{"user", "add", "-username", "x", "-role", "agent", "-agent", "a999"}); err == nil {
		t.Fatal("user add accepted an unknown agent id")
	}
	// A supervisor's own SIP endpoint (the supervisor page's browser phone); -sip only for supervisors.
	var added bytes.Buffer
	um.Stdout, um.Stdin = &added, strings.NewReader("sup password\n")
	if err := um.Run(context.Background(), []string{"user", "add", "-username", "boss2", "-role", "supervisor", "-sip", "s201"}); err != nil || added.String() != "created boss2 (supervisor, SIP endpoint s201)\n" {
		t.Fatalf("user add -sip: %v %q", err, added.String())
	}
	for _, args := range [][]string{{"-role", "agent", "-agent", "a101", "-sip", "s202"}, {"-role", "supervisor", "-sip", "S 202"}} {
		um.Stdin = strings.NewReader("sup password\n")
		if err := um.Run(context.Background(), append([]string{"user", "add", "-username", "boss3"}, args...)); err == nil {
			t.Fatalf("user add %v accepted", args)
		}
	}
	um.Stdout = io.Discard
	var tok bytes.Buffer
	um.Stdout = &tok
	if err := um.Run(context.Background(), []string{"user", "token", "-username", "boss", "-name", "test"}); err != nil {
		t.Fatal(err)
	}
	sup := webtest.Anonymous(base)
	sup.Bearer = strings.TrimSpace(tok.String())
	webtest.SignIn(t, base, "boss", "sup password")
	if st := sup.Do(t, "GET", "/api/v1/agents", nil, &ag); st != 200 {
		t.Fatalf("GET agents with the token: %d", st)
	}
	if len(ag.Agents) == 0 {
		t.Fatal("-login-agents signed nobody in")
	}
	// A call reaches the controller: it is answered (sim ground truth).
	id, err := sim.Inbound(context.Background(), "hotline", "+13455550100", "3459491000", nil)
	if err != nil {
		t.Fatal(err)
	}
	checkFor(t, 10*time.Second, "the call answered", func() bool {
		c, ok := sim.CallOf(id)
		return ok && !c.Answered.IsZero()
	})
	if err := stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	_ = sim.Hangup(context.Background(), id, 16)
}
