package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// newRedis is the client REDIS_URL names:
//   - redis://host:port/db: one server;
//   - redis://host:port?master_name=NAME&addr=host2:port2…: Sentinel (the
//     addresses are the sentinels'), following failovers;
//   - redis://host:port?addr=host2:port2…: a Cluster (any of its nodes).
//
// Timeouts are short unless the URL sets them (dial 1 s, read and write 1 s),
// so that a Redis that is down is noticed in about a second and API calls
// answer 503 quickly; a Cluster client reloads its slot map every second so
// that it follows a failover.
func newRedis(raw string) (redis.UniversalClient, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (sentinel): %w", err)
		}
		shortTimeouts(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout)
		return redis.NewFailoverClient(o), nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(raw)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (cluster): %w", err)
		}
		shortTimeouts(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout)
		o.ClusterStateReloadInterval = time.Second
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	shortTimeouts(q, &o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout)
	if !q.Has("max_retries") {
		o.MaxRetries = 1
	}
	return redis.NewClient(o), nil
}

// shortTimeouts sets the dial, read and write timeouts the URL's query q
// leaves unset to a second, for every kind of client (one server,
// Sentinel, Cluster).
func shortTimeouts(q url.Values, dial, read, write *time.Duration) {
	for _, t := range []struct {
		name string
		d    *time.Duration
	}{{"dial_timeout", dial}, {"read_timeout", read}, {"write_timeout", write}} {
		if !q.Has(t.name) {
			*t.d = time.Second
		}
	}
}

// openRedis connects to REDIS_URL and checks the connection.
func openRedis(ctx context.Context) (redis.UniversalClient, error) {
	rdb, err := newRedis(env("REDIS_URL", defaultRedisURL))
	if err != nil {
		return nil, err
	}
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	return rdb, nil
}
