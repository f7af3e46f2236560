package web

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/internal/redistest"
)

// With the test's own Redis killed, /healthz answers 503 naming redis, and
// every API route answers 503 with {"error": {"code": "unavailable", …}},
// whether the gate knows Redis is down or the route finds out itself.
func TestRedisDownAnswers503(t *testing.T) {
	srv := redistest.Start(t)
	rdb := srv.Client()
	ping := map[string]func(context.Context) error{
		"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		"postgres": func(context.Context) error { return nil },
	}
	var redisErr error
	plain := newFixtureOn(t, rdb, ping, nil)
	gated := newFixtureOn(t, rdb, ping, func() error { return redisErr })
	var h map[string]any
	plain.do(t, "GET", "/healthz", 200, &h)
	plain.do(t, "GET", "/api/v1/queues", 200, nil)

	srv.Kill()
	redisErr = hotline.Errorf(hotline.EUNAVAILABLE, "Redis is unreachable: connection refused") // as serve's gate says it
	start := time.Now()
	plain.do(t, "GET", "/healthz", 503, &h)
	un, _ := h["unavailable"].([]any)
	if h["status"] != "unavailable" || len(un) != 1 || un[0] != "redis" || h["checks"].(map[string]any)["postgres"] != "ok" {
		t.Fatalf("healthz with Redis down: %v", h)
	}
	t.Logf("/healthz with Redis down answered in %v", time.Since(start))
	routes := []struct{ method, path string }{
		{"GET", "/api/v1/queues"}, {"GET", "/api/v1/queues/general"}, {"GET", "/api/v1/agents"},
		{"POST", "/api/v1/agents/a101/login"}, {"POST", "/api/v1/agents/a101/pause?reason=lunch"},
	}
	for _, f := range []*fixture{plain, gated} {
		for _, r := range routes {
			start := time.Now()
			var e ErrorBody
			f.do(t, r.method, r.path, 503, &e)
			if e.Error.Code != "unavailable" || e.Error.Message == "" {
				t.Errorf("%s %s: %+v", r.method, r.path, e)
			}
			t.Logf("%s %s (gate %v): 503 %q in %v", r.method, r.path, f == gated, e.Error.Message, time.Since(start))
		}
	}
	srv.Restart()
	redisErr = nil
	plain.do(t, "GET", "/healthz", 200, &h)
	gated.do(t, "GET", "/api/v1/queues", 200, nil)
}
