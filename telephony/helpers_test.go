package telephony

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/publicservice/hotline/clock"
)

const tracesDir = "/work/shared/ari/traces"

// checkFor polls cond until it holds; it fails the test after a generous
// wall-time bound (a hang guard, not a timing assertion).
func checkFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition never held: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// traceFrames returns the raw WebSocket frames of a recorded trace file.
func traceFrames(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(tracesDir, name))
	if err != nil {
		t.Fatalf("open trace: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for sc.Scan() {
		var l struct {
			Kind string `json:"kind"`
			Raw  string `json:"raw"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("trace line: %v", err)
		}
		if l.Kind == "event" {
			out = append(out, l.Raw)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("scan trace: %v", err)
	}
	return out
}

func frameType(t testing.TB, raw string) string {
	t.Helper()
	var m struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatalf("frame type: %v", err)
	}
	return m.Type
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// wsServer is a tiny ARI events endpoint: each connection is handed to
// serve, which writes frames (calling clk.Handoff(1) per frame like the
// simulator) and returns to close the connection.
type wsServer struct {
	*httptest.Server
	clk      clock.Clock
	mu       sync.Mutex
	conns    int
	authFail int
	serve    func(n int, send func(frame string) error)
}

func newWSServer(t testing.TB, clk clock.Clock, serve func(n int, send func(string) error)) *wsServer {
	s := &wsServer{clk: clk, serve: serve}
	up := websocket.Upgrader{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "hotline" || p != "secret" {
			s.mu.Lock()
			s.authFail++
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Authentication required"}`)
			return
		}
		if r.URL.Path == "/ari/asterisk/info" {
			_, _ = io.WriteString(w, `{"system":{"version":"22.10.1","entity_id":"02:fc:00:00:00:01"}}`)
			return
		}
		if r.URL.Path != "/ari/events" || r.URL.Query().Get("app") != "hotline" {
			http.Error(w, "missing param: [app]", http.StatusBadRequest)
			return
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		s.mu.Lock()
		s.conns++
		n := s.conns
		s.mu.Unlock()
		s.serve(n, func(frame string) error {
			s.clk.Handoff(1)
			return c.WriteMessage(websocket.TextMessage, []byte(frame))
		})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *wsServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// newTestARI is an ARI on baseURL without an event filter (these tests
// read every event), unless a modifier sets one.
func newTestARI(t testing.TB, baseURL string, clk clock.Clock, mods ...func(*ARIOptions)) *ARI {
	t.Helper()
	o := ARIOptions{
		URL:            baseURL + "/ari",
		Application:    "hotline",
		Username:       "hotline",
		Password:       "secret",
		Clock:          clk,
		Logger:         testLogger(t),
		DisallowEvents: []string{},
	}
	for _, m := range mods {
		m(&o)
	}
	a, err := NewARI(o)
	if err != nil {
		t.Fatalf("NewARI: %v", err)
	}
	return a
}

// runARI runs a.Run until the test ends and waits for it to return.
func runARI(t testing.TB, a *ARI) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = a.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// collector takes every event from Events(), calling Done unless told not
// to. A hook, if set, handles each event before it is recorded and Done, as
// the controller does: the virtual clock stands still meanwhile.
type collector struct {
	mu     sync.Mutex
	events []Event
	hook   atomic.Pointer[func(Event)]
}

func collect(a *ARI, done bool) *collector {
	c := &collector{}
	go func() {
		for ev := range a.Events() {
			if h := c.hook.Load(); h != nil {
				(*h)(ev)
			}
			c.mu.Lock()
			c.events = append(c.events, ev)
			c.mu.Unlock()
			if done {
				ev.Done()
			}
		}
	}()
	return c
}

func (c *collector) setHook(f func(Event)) { c.hook.Store(&f) }

func (c *collector) snapshot() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

func types(evs []Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ARIType
	}
	return out
}

func joinTypes(evs []Event) string { return strings.Join(types(evs), " ") }
