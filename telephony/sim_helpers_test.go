package telephony

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
)

// simEnv is the ARI switch connected to an arisim simulator (real HTTP and
// WebSocket on 127.0.0.1, one virtual clock shared by both).
type simEnv struct {
	t   *testing.T
	clk *clock.Virtual
	sim *arisim.Sim
	srv *httptest.Server
	sw  *ARI
	evs *collector

	mu    sync.Mutex
	conns []net.Conn // hijacked (WebSocket) connections, to drop them
}

func newSimEnv(t *testing.T, mods ...func(*ARIOptions)) *simEnv {
	t.Helper()
	clk := clock.NewVirtual(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), clock.WithStallAfter(time.Second),
		clock.WithLogger(testLogger(t)))
	sim := arisim.New(arisim.Options{Clock: clk, User: "hotline", Password: "secret", Apps: []string{"hotline"},
		Logger: testLogger(t), Seed: 1})
	e := &simEnv{t: t, clk: clk, sim: sim}
	h := sim.Handler()
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(hijackTracker{ResponseWriter: w, track: e.track}, r)
	}))
	e.sw = newTestARI(t, e.srv.URL, clk, mods...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.sw.Run(ctx)
	}()
	e.evs = collect(e.sw, true)
	t.Cleanup(func() {
		cancel()
		<-done
		_ = sim.Close()
		e.srv.Close()
		clk.Close()
	})
	e.waitConnected(1)
	return e
}

type hijackTracker struct {
	http.ResponseWriter
	track func(net.Conn)
}

func (w hijackTracker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("not a hijacker")
	}
	c, rw, err := hj.Hijack()
	if err == nil {
		w.track(c)
	}
	return c, rw, err
}

func (e *simEnv) track(c net.Conn) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.conns = append(e.conns, c)
}

// dropSockets closes every WebSocket connection from the server side.
func (e *simEnv) dropSockets() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range e.conns {
		_ = c.Close()
	}
	e.conns = nil
}

func (e *simEnv) waitConnected(n int) {
	e.t.Helper()
	checkFor(e.t, fmt.Sprintf("%d Connected events and the app connected", n), func() bool {
		return e.count(func(ev Event) bool { return ev.Type == Connected }) >= n && e.sim.Connected("hotline")
	})
}

func (e *simEnv) count(pred func(Event) bool) int {
	n := 0
	for _, ev := range e.evs.snapshot() {
		if pred(ev) {
			n++
		}
	}
	return n
}

// wait returns the first event matching pred (polling until it arrives).
func (e *simEnv) wait(what string, pred func(Event) bool) Event {
	e.t.Helper()
	var found Event
	checkFor(e.t, what, func() bool {
		for _, ev := range e.evs.snapshot() {
			if pred(ev) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

// on lists, in order, the ARI types of the events about a channel.
func (e *simEnv) on(channel string) []string {
	var out []string
	for _, ev := range e.evs.snapshot() {
		if ev.Channel.ID == channel && ev.Type != Other {
			out = append(out, ev.ARIType)
		}
	}
	return out
}

func is(typ EventType, channel string) func(Event) bool {
	return func(ev Event) bool { return ev.Type == typ && ev.Channel.ID == channel }
}

// inbound starts a simulated caller and waits for its StasisStart.
func (e *simEnv) inbound(from, to string, sc *arisim.Script) (string, Event) {
	e.t.Helper()
	id, err := e.sim.Inbound(context.Background(), "hotline", from, to, sc)
	if err != nil {
		e.t.Fatalf("inbound: %v", err)
	}
	return id, e.wait("StasisStart of "+id, is(StasisStart, id))
}

func (e *simEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// postSim sends a control request to the simulator (/_sim/...).
func (e *simEnv) postSim(path, body string) {
	e.t.Helper()
	resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		e.t.Fatalf("POST %s: %s", path, resp.Status)
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}
