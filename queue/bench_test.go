package queue

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/redis/go-redis/v9"
)

// pingRate is the machine's ceiling: plain PING round trips per second from
// conns goroutines (one connection each) over d.
func pingRate(ctx context.Context, tb testing.TB, rdb *redis.Client, conns int, d time.Duration) float64 {
	var n atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Since(start) < d {
				if err := rdb.Ping(ctx).Err(); err != nil {
					tb.Error(err)
					return
				}
				n.Add(1)
			}
		}()
	}
	wg.Wait()
	return float64(n.Load()) / time.Since(start).Seconds()
}

// BenchmarkCallPath runs whole dispatched calls from conns workers sharing
// one queue and conns+1 agents: Enqueue → Dispatch → NextMatch → Connected →
// Release. It reports calls/s, Redis round trips per call (all five steps),
// Dispatch round trips per match, Dispatch latency per match, and — measured
// in the same run from the same number of connections — the PING ceiling.
func BenchmarkCallPath(b *testing.B) {
	for _, conns := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) { benchCallPath(b, conns) })
	}
}

func benchCallPath(b *testing.B, conns int) {
	ctx := context.Background()
	o := redisOptions(b)
	o.PoolSize = conns + 1
	rdb := redis.NewClient(o)
	b.Cleanup(func() { rdb.Close() })
	prefix := uniquePrefix(b, rdb)
	q := New(rdb, clock.Real(), Options{Prefix: prefix})
	if err := q.LoadScripts(ctx); err != nil {
		b.Fatal(err)
	}
	for i := 0; i <= conns; i++ {
		if err := q.Login(ctx, agents.Agent{ID: fmt.Sprintf("a%d", i), Skills: []string{"tax"}}, t0); err != nil {
			b.Fatal(err)
		}
	}
	ping := pingRate(ctx, b, rdb, conns, 300*time.Millisecond)
	rt := NewRoundTrips()
	rdb.AddHook(rt)

	var (
		next              atomic.Int64
		dispatches, match atomic.Int64
		dispatchNS        atomic.Int64
		tick              atomic.Int64
		wg                sync.WaitGroup
	)
	now := func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Millisecond) }
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprintf("w%d", w)
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				c := Caller{CallID: fmt.Sprintf("%s-%d", owner, i), Queue: "tax", Enqueued: now(), Owner: owner}
				if _, err := q.Enqueue(ctx, c); err != nil {
					b.Error(err)
					return
				}
				t := time.Now()
				ms, err := q.Dispatch(ctx, "tax", now())
				dispatchNS.Add(int64(time.Since(t)))
				dispatches.Add(1)
				match.Add(int64(len(ms)))
				if err != nil {
					b.Error(err)
					return
				}
				m, err := q.NextMatch(ctx, owner, 5*time.Second)
				if err != nil || m == nil {
					b.Errorf("no match for %s: %v", c.CallID, err)
					return
				}
				if _, err := q.Connected(ctx, *m, now()); err != nil {
					b.Error(err)
					return
				}
				if err := q.Release(ctx, m.Agent.ID, now(), 0); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if match.Load() != int64(b.N) {
		b.Fatalf("%d matches for %d calls", match.Load(), b.N)
	}
	calls := float64(b.N) / el.Seconds()
	perCall := float64(rt.Count()) / float64(b.N)
	b.ReportMetric(calls, "calls/s")
	b.ReportMetric(perCall, "redis_round_trips_per_call")
	b.ReportMetric(float64(dispatches.Load())/float64(match.Load()), "dispatch_round_trips_per_match")
	b.ReportMetric(float64(dispatchNS.Load())/float64(match.Load())/1e3, "dispatch_µs/match")
	b.ReportMetric(ping, "ping_rtt/s")
	b.ReportMetric(calls*perCall/ping, "fraction_of_ping_ceiling")
}

// BenchmarkDispatchBatch measures one Dispatch that pairs batch callers with
// batch agents (one round trip whatever the batch), next to the PING ceiling
// of one connection.
func BenchmarkDispatchBatch(b *testing.B) {
	for _, batch := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchDispatchBatch(b, batch) })
	}
}

func benchDispatchBatch(b *testing.B, batch int) {
	ctx := context.Background()
	rdb := newClient(b)
	prefix := uniquePrefix(b, rdb)
	q := New(rdb, clock.Real(), Options{Prefix: prefix})
	if err := q.LoadScripts(ctx); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < batch; i++ {
		if err := q.Login(ctx, agents.Agent{ID: fmt.Sprintf("a%03d", i), Skills: []string{"tax"}}, t0); err != nil {
			b.Fatal(err)
		}
	}
	ping := pingRate(ctx, b, rdb, 1, 300*time.Millisecond)
	rt := NewRoundTrips()
	rdb.AddHook(rt)
	var dispatchNS time.Duration
	var matches, rts int64
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		for j := 0; j < batch; j++ {
			if _, err := q.Enqueue(ctx, Caller{CallID: fmt.Sprintf("c%d-%d", i, j), Queue: "tax", Enqueued: at}); err != nil {
				b.Fatal(err)
			}
		}
		rt.Reset()
		b.StartTimer()
		t := time.Now()
		ms, err := q.Dispatch(ctx, "tax", at.Add(time.Second))
		dispatchNS += time.Since(t)
		b.StopTimer()
		rts += rt.Count()
		if err != nil || len(ms) != batch {
			b.Fatalf("%d matches, %v", len(ms), err)
		}
		matches += int64(len(ms))
		for _, m := range ms {
			if err := q.OfferCancelled(ctx, m, at.Add(2*time.Second)); err != nil {
				b.Fatal(err)
			}
			if _, ok, err := q.Leave(ctx, "tax", m.Caller.CallID, at.Add(2*time.Second), "ABANDON"); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	}
	b.ReportMetric(float64(matches)/dispatchNS.Seconds(), "matches/s")
	b.ReportMetric(float64(rts)/float64(matches), "redis_round_trips_per_match")
	b.ReportMetric(ping, "ping_rtt/s")
}
