package arisim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/publicservice/hotline/clock"
)

// testSim is a simulator on a virtual clock behind an httptest server.
type testSim struct {
	t   *testing.T
	sim *Sim
	clk *clock.Virtual
	srv *httptest.Server
}

var testStart = time.Date(2026, 11, 28, 20, 29, 58, 0, time.UTC)

func newTestSim(t *testing.T, opts Options) *testSim {
	t.Helper()
	clk := clock.NewVirtual(testStart, clock.WithStallAfter(time.Second))
	opts.Clock = clk
	if opts.User == "" {
		opts.User, opts.Password = "hotline", "hotline"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	sim := New(opts)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() {
		_ = sim.Close()
		srv.Close()
		clk.Close()
	})
	return &testSim{t: t, sim: sim, clk: clk, srv: srv}
}

// apiResp is a REST reply.
type apiResp struct {
	status int
	ctype  string
	body   []byte
}

func (r apiResp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("reply %d %q is not a JSON object: %v", r.status, r.body, err)
	}
	return m
}

// do sends an ARI request (path relative to /ari/) with the test credentials, under a hold
// so virtual time stands still while it is in flight.
func (ts *testSim) do(method, path string, body any) apiResp {
	ts.t.Helper()
	return ts.doAuth(method, path, body, "hotline:hotline")
}

func (ts *testSim) doAuth(method, path string, body any, auth string) apiResp {
	ts.t.Helper()
	release := ts.clk.Hold()
	defer release()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			ts.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, ts.srv.URL+"/ari/"+path, rd)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "none" {
		u, p, _ := strings.Cut(auth, ":")
		req.SetBasicAuth(u, p)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return apiResp{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b}
}

// expect sends a request and checks its status.
func (ts *testSim) expect(method, path string, body any, status int) apiResp {
	ts.t.Helper()
	r := ts.do(method, path, body)
	if r.status != status {
		ts.t.Fatalf("%s %s: status %d (%s), want %d", method, path, r.status, r.body, status)
	}
	return r
}

// wsClient is an application WebSocket that records every event it reads.
type wsClient struct {
	ts     *testSim
	conn   *websocket.Conn
	mu     sync.Mutex
	events []map[string]any
	raw    []string
	done   chan struct{}
}

func (ts *testSim) connect(apps string) *wsClient {
	ts.t.Helper()
	u := "ws" + strings.TrimPrefix(ts.srv.URL, "http") + "/ari/events?app=" + url.QueryEscape(apps) + "&api_key=hotline:hotline"
	release := ts.clk.Hold()
	conn, _, err := websocket.DefaultDialer.Dial(u, nil)
	release()
	if err != nil {
		ts.t.Fatalf("dial %s: %v", u, err)
	}
	c := &wsClient{ts: ts, conn: conn, done: make(chan struct{})}
	go c.read()
	ts.t.Cleanup(c.close)
	checkFor(ts.t, func() bool { return ts.sim.Connected(strings.Split(apps, ",")[0]) }, "application connected")
	return c
}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		_, b, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		release := c.ts.clk.Hold()
		c.ts.clk.Taken(1)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		c.mu.Lock()
		c.events = append(c.events, m)
		c.raw = append(c.raw, string(b))
		c.mu.Unlock()
		release()
	}
}

func (c *wsClient) close() {
	_ = c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	_ = c.conn.Close()
	<-c.done
}

// snapshot returns the events read so far.
func (c *wsClient) snapshot() []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]map[string]any(nil), c.events...)
}

// waitEvent waits for the n-th (from 1) event matching typ and pred, and returns it.
func (c *wsClient) waitEvent(typ string, pred func(map[string]any) bool) map[string]any {
	c.ts.t.Helper()
	var found map[string]any
	checkFor(c.ts.t, func() bool {
		for _, e := range c.snapshot() {
			if e["type"] == typ && (pred == nil || pred(e)) {
				found = e
				return true
			}
		}
		return false
	}, "event "+typ)
	return found
}

// types lists the event types (with a channel filter) read so far.
func (c *wsClient) types(chanID string) []string {
	var out []string
	for _, e := range c.snapshot() {
		if chanID == "" || chanOf(e) == chanID {
			out = append(out, e["type"].(string))
		}
	}
	return out
}

func chanOf(e map[string]any) string {
	for _, k := range []string{"channel", "peer"} {
		if m, ok := e[k].(map[string]any); ok {
			return m["id"].(string)
		}
	}
	return ""
}

func onChannel(id string) func(map[string]any) bool {
	return func(e map[string]any) bool { return chanOf(e) == id }
}

// checkFor polls cond (wall time, up to 60 s: a safety limit for a loaded machine, not a timing assertion) instead of sleeping for a fixed time.
func checkFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func bg() context.Context { return context.Background() }
