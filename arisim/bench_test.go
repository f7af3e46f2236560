package arisim

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/publicservice/hotline/clock"
)

// BenchmarkCallPath measures whole calls over real HTTP and WebSocket (real clock):
// inbound call, answer, MOH, originate an agent that answers at once, mixing bridge with
// both, hang up both, destroy the bridge. Calls run in parallel, spread over 1 or 4
// applications, each with its own WebSocket (several controllers).
func BenchmarkCallPath(b *testing.B) {
	for _, apps := range []int{1, 4} {
		b.Run(fmt.Sprintf("apps=%d", apps), func(b *testing.B) { benchCallPath(b, apps) })
	}
}

func benchCallPath(b *testing.B, apps int) {
	sim := New(Options{Clock: clock.Real(), User: "u", Password: "p", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	defer sim.Close()
	sim.SetEndpoint("PJSIP", "agent", EndpointBehaviour{})
	var frames atomic.Int64
	for a := 0; a < apps; a++ {
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+fmt.Sprintf("/ari/events?app=app%d&api_key=u:p", a), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer ws.Close()
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
				frames.Add(1)
			}
		}()
		checkFor(b, func() bool { return sim.Connected(fmt.Sprintf("app%d", a)) }, "connected")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func(method, path string) int {
		req, _ := http.NewRequest(method, srv.URL+"/ari/"+path, nil)
		req.SetBasicAuth("u", "p")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			app := fmt.Sprintf("app%d", int(i)%apps)
			id, err := sim.Inbound(bg(), app, "+1555", "1000", nil)
			if err != nil {
				b.Error(err)
				return
			}
			ag, br := fmt.Sprintf("ag-%d", i), fmt.Sprintf("br-%d", i)
			post("POST", "channels/"+id+"/answer")
			post("POST", "channels/"+id+"/moh")
			post("POST", "channels?endpoint=PJSIP/agent&app="+app+"&channelId="+ag)
			for !func() bool { // the agent answers at once (real clock): poll finely
				sim.mu.Lock()
				defer sim.mu.Unlock()
				c := sim.channels[ag]
				return c != nil && c.stasisApp != ""
			}() {
				time.Sleep(20 * time.Microsecond)
			}
			post("POST", "bridges?type=mixing&bridgeId="+br)
			if st := post("POST", "bridges/"+br+"/addChannel?channel="+id+","+ag); st != 204 {
				b.Errorf("addChannel %d", st)
			}
			post("DELETE", "channels/"+ag)
			post("DELETE", "channels/"+id)
			post("DELETE", "bridges/"+br)
		}
	})
	b.ReportMetric(float64(frames.Load())/float64(b.N), "events/call")
}

// BenchmarkThousandCallersVirtual: 1,000 concurrent simulated callers on a virtual clock
// (each answered, on MOH, pressing a digit, giving up after a seeded patience); one op is
// the whole batch until the last caller has hung up.
func BenchmarkThousandCallersVirtual(b *testing.B) {
	for i := 0; i < b.N; i++ {
		clk := clock.NewVirtual(testStart)
		sim := New(Options{Clock: clk, Seed: int64(i), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		srv := httptest.NewServer(sim.Handler())
		ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ari/events?app=hotline&api_key=:", nil)
		if err != nil {
			b.Fatal(err)
		}
		var ends atomic.Int64
		go func() {
			for {
				_, m, err := ws.ReadMessage()
				if err != nil {
					return
				}
				release := clk.Hold()
				clk.Taken(1)
				if strings.Contains(string(m[:40]), "StasisEnd") {
					ends.Add(1)
				}
				release()
			}
		}()
		checkFor(b, func() bool { return sim.Connected("hotline") }, "connected")
		hold := clk.Hold()
		rng := sim.rng
		for c := 0; c < 1000; c++ {
			sim.mu.Lock()
			sc := CallerModel{Menu: []string{"1"}, MenuGapMs: 2000, PatienceMeanMs: 120000}.Script(rng)
			sim.mu.Unlock()
			sc.PatienceMs++
			id, err := sim.Inbound(bg(), "hotline", "1", "2", sc)
			if err != nil {
				b.Fatal(err)
			}
			sim.mu.Lock()
			ch := sim.channels[id]
			sim.answerLocked(ch)
			ch.moh = true
			sim.onMOHLocked(ch)
			sim.mu.Unlock()
		}
		hold()
		checkFor(b, func() bool { return ends.Load() == 1000 }, "1000 callers gone")
		ws.Close()
		srv.Close()
		sim.Close()
		clk.Close()
	}
}

// TestThousandConcurrentCalls runs 1,000 simultaneous simulated callers on a virtual clock:
// each is answered, hears MOH and gives up after its (seeded) patience.
func TestThousandConcurrentCalls(t *testing.T) {
	ts := newTestSim(t, Options{Seed: 7})
	ws := ts.connect("hotline")
	const n = 1000
	ids := make([]string, 0, n)
	model := CallerModel{PatienceMeanMs: 60000}
	for i := 0; i < n; i++ {
		ts.sim.mu.Lock()
		sc := model.Script(ts.sim.rng)
		ts.sim.mu.Unlock()
		sc.PatienceMs += 1000
		id, err := ts.sim.Inbound(bg(), "hotline", fmt.Sprintf("+1555%04d", i), "1000", sc)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	checkFor(t, func() bool { return len(ws.snapshot()) >= n }, "1000 StasisStart")
	for _, id := range ids {
		ts.expect("POST", "channels/"+id+"/answer", nil, 204)
		ts.expect("POST", "channels/"+id+"/moh", nil, 204)
	}
	checkFor(t, func() bool {
		ended := 0
		for _, c := range ts.sim.Calls() {
			if !c.HungUp.IsZero() && c.HungUpBy == "caller" && c.Abandoned {
				ended++
			}
		}
		return ended == n
	}, "every caller abandoned")
	ends := 0
	for _, e := range ws.snapshot() {
		if e["type"] == "StasisEnd" {
			ends++
		}
	}
	if ends != n {
		t.Fatalf("%d StasisEnd, want %d", ends, n)
	}
}
