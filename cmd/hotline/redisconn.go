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
	set := func(name string) bool { return q.Has(name) }
	switch {
	case set("master_name"):
		o, err := redis.ParseFailoverURL(raw)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (sentinel): %w", err)
		}
		if !set("dial_timeout") {
			o.DialTimeout = time.Second
		}
		if !set("read_timeout") {
			o.ReadTimeout = time.Second
		}
		if !set("write_timeout") {
			o.WriteTimeout = time.Second
		}
		return redis.NewFailoverClient(o), nil
	case set("addr"):
		o, err := redis.ParseClusterURL(raw)
		if err != nil {
			return nil, fmt.Errorf("REDIS_URL (cluster): %w", err)
		}
		if !set("dial_timeout") {
			o.DialTimeout = time.Second
		}
		if !set("read_timeout") {
			o.ReadTimeout = time.Second
		}
		if !set("write_timeout") {
			o.WriteTimeout = time.Second
		}
		o.ClusterStateReloadInterval = time.Second
		return redis.NewClusterClient(o), nil
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if !set("dial_timeout") {
		o.DialTimeout = time.Second
	}
	if !set("read_timeout") {
		o.ReadTimeout = time.Second
	}
	if !set("write_timeout") {
		o.WriteTimeout = time.Second
	}
	if !set("max_retries") {
		o.MaxRetries = 1
	}
	return redis.NewClient(o), nil
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
