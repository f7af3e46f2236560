package queue

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/redis/go-redis/v9"
)

// t0 is a Monday morning, whole seconds, UTC.
var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func redisOptions(tb testing.TB) *redis.Options {
	tb.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	o, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	return o
}

// newClient is a client of its own (as a separate controller process would have).
func newClient(tb testing.TB) *redis.Client {
	tb.Helper()
	rdb := redis.NewClient(redisOptions(tb))
	tb.Cleanup(func() { rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("redis: %v", err)
	}
	return rdb
}

// uniquePrefix is a fresh hash tag for one test; its keys are deleted at cleanup.
func uniquePrefix(tb testing.TB, rdb redis.UniversalClient) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	name := strings.NewReplacer("/", "-", " ", "-").Replace(tb.Name())
	p := "qtest-" + name + "-" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, "{"+p+"}:*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	return p
}

type fixture struct {
	q   *Queues
	rdb *redis.Client
	clk *clock.Virtual
	ctx context.Context
}

func setup(t *testing.T, opt Options) *fixture {
	t.Helper()
	rdb := newClient(t)
	opt.Prefix = uniquePrefix(t, rdb)
	clk := clock.NewVirtual(t0, clock.Paused())
	t.Cleanup(clk.Close)
	return &fixture{q: New(rdb, clk, opt), rdb: rdb, clk: clk, ctx: context.Background()}
}

func (f *fixture) login(t *testing.T, id string, at time.Time, skills ...string) agents.Agent {
	t.Helper()
	a := agents.Agent{ID: id, Name: "Agent " + id, Endpoint: "PJSIP/" + id, Skills: skills}
	if err := f.q.Login(f.ctx, a, at); err != nil {
		t.Fatalf("login %s: %v", id, err)
	}
	return a
}

func (f *fixture) enqueue(t *testing.T, id, queue string, prio int, at time.Time) Caller {
	t.Helper()
	c := Caller{CallID: id, Queue: queue, Priority: prio, Enqueued: at, Owner: "ctl-1", Language: "en"}
	if _, err := f.q.Enqueue(f.ctx, c); err != nil {
		t.Fatalf("enqueue %s: %v", id, err)
	}
	return c
}

func (f *fixture) state(t *testing.T, id string) AgentStatus {
	t.Helper()
	s, err := f.q.Agent(f.ctx, id)
	if err != nil {
		t.Fatalf("agent %s: %v", id, err)
	}
	return s
}

func (f *fixture) dispatch(t *testing.T, queue string, now time.Time) []Match {
	t.Helper()
	ms, err := f.q.Dispatch(f.ctx, queue, now)
	if err != nil {
		t.Fatalf("dispatch %s: %v", queue, err)
	}
	return ms
}

func pairs(ms []Match) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Caller.CallID+"→"+m.Agent.ID)
	}
	return strings.Join(s, " ")
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if hotline.ErrorCode(err) != code {
		t.Fatalf("got %v, want code %s", err, code)
	}
}

func sec(n int) time.Duration { return time.Duration(n) * time.Second }
