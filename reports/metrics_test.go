package reports_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/reports"
)

// TestMetricsFromRedis: two callers waiting in dvdl and one agent signed in,
// on the real Redis under a key prefix of the test's own.
func TestMetricsFromRedis(t *testing.T) {
	ctx := context.Background()
	rdb := testenv.MustRedis(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "metricstest" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		keys, _ := rdb.Keys(ctx, "{"+prefix+"}:*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	cfg := config.Sample()
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)
	clk := clock.NewVirtual(now)
	t.Cleanup(clk.Close)
	q := queue.New(rdb, clk, queue.Options{Prefix: prefix, Location: cfg.Location()})
	for i, id := range []string{"c1", "c2"} {
		if _, err := q.Enqueue(ctx, queue.Caller{CallID: id, Queue: "dvdl", Enqueued: now.Add(-time.Duration(30*(i+1)) * time.Second), Owner: "ctl"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Login(ctx, agents.Agent{ID: "a110", Name: "A", Endpoint: "PJSIP/a110", Skills: []string{"worc"}}, now); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(reports.NewCollector(q, cfg, func() time.Time { return now }, func() (int64, int64, int64, int64) { return 10, 2, 1, 3 }))
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`hotline_calls_waiting{queue="dvdl"} 2`,
		`hotline_calls_waiting{queue="cbc"} 0`,
		`hotline_longest_wait_seconds{queue="dvdl"} 60`,
		`hotline_agents{state="available"} 1`,
		`hotline_agents{state="on_call"} 0`,
		`hotline_kiosk_presses_total{result="accepted"} 10`,
		`hotline_live_figures_up 1`,
	} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(string(body), `hotline_service_level_ratio{queue="dvdl"}`) {
		t.Error("a service level with no call answered or abandoned today: want it absent (no data), not 0")
	}
}
