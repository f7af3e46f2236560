package simulation

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/store/storetest"
)

// TestSweepAfterKilledBenchmarks: what a killed benchmark leaves (keys without expiry, its schema) is cleared by
// the next run's sweep, while a running benchmark's keys (renewed) and recent schemas are left alone.
func TestSweepAfterKilledBenchmarks(t *testing.T) {
	ctx := context.Background()
	rdb := testenv.MustRedis(t)
	dead := "bench-" + randomHex(6) // hash tags of a killed run and of a live one
	live := "bench-" + randomHex(6)
	t.Cleanup(func() { DeleteKeys(ctx, rdb, dead); DeleteKeys(ctx, rdb, live) })
	for i := range 3 {
		rdb.Set(ctx, fmt.Sprintf("{%s}:k%d", dead, i), "v", 0)
	}
	rdb.Set(ctx, "{"+live+"}:k", "v", time.Hour) // a live run's keys carry an expiry already
	n, err := ExpireStale(ctx, rdb, "bench-")
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Errorf("expiry given to %d keys, want the 3 of the killed run at least", n)
	}
	if ttl := rdb.TTL(ctx, "{"+dead+"}:k0").Val(); ttl <= 0 || ttl > KeyTTL {
		t.Errorf("killed run's key TTL %v, want (0, %v]", ttl, KeyTTL)
	}
	if ttl := rdb.TTL(ctx, "{"+live+"}:k").Val(); ttl < 59*time.Minute {
		t.Errorf("live run's key TTL changed to %v", ttl)
	}
	// A running rig renews the expiry of its keys.
	kctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	rdb.Set(ctx, "{"+live+"}:k2", "v", 0)
	go func() { defer close(done); KeepExpiring(kctx, rdb, live, nil) }()
	deadline := time.Now().Add(30 * time.Second)
	for rdb.TTL(ctx, "{"+live+"}:k2").Val() <= 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if ttl := rdb.TTL(ctx, "{"+live+"}:k2").Val(); ttl <= 0 {
		t.Errorf("KeepExpiring left %v on a key of its run", ttl)
	}

	// Schemas: one of a run killed two hours ago, one of a run that started a minute ago.
	conn, err := pgx.Connect(ctx, storetest.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	old := fmt.Sprintf("bench_%d", time.Now().Add(-2*time.Hour).UnixNano())
	recent := fmt.Sprintf("bench_%d", time.Now().Add(-time.Minute).UnixNano())
	for _, s := range []string{old, recent} {
		if _, err := conn.Exec(ctx, "CREATE SCHEMA "+s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+recent+" CASCADE") })
	dropped, err := DropStaleSchemas(ctx, storetest.URL(), "bench", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range dropped {
		found = found || s == old
		if s == recent {
			t.Errorf("dropped %s, a recent run's schema", s)
		}
	}
	if !found {
		t.Errorf("dropped %v, want %s among them", dropped, old)
	}
}
