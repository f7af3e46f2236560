// Package testenv gives tests the real Redis named by REDIS_URL (default
// redis://127.0.0.1:6379/0). Postgres comes from store/storetest.
package testenv

import (
	"context"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// RedisURL is REDIS_URL or the local default.
func RedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// MustRedis connects to the real Redis and closes the client in tb.Cleanup.
func MustRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		tb.Fatalf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("redis at %s: %v (run scripts/services.sh)", RedisURL(), err)
	}
	tb.Cleanup(func() { rdb.Close() })
	return rdb
}
