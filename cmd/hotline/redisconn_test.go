package main

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Every kind of REDIS_URL gets the same short timeouts unless the URL sets
// them.
func TestRedisURLTimeouts(t *testing.T) {
	for _, tc := range []struct {
		url               string
		dial, read, write time.Duration
	}{
		{"redis://127.0.0.1:6379/0", time.Second, time.Second, time.Second},
		{"redis://127.0.0.1:6379/0?read_timeout=3s", time.Second, 3 * time.Second, time.Second},
		{"redis://127.0.0.1:26379?master_name=m&addr=127.0.0.1:26380", time.Second, time.Second, time.Second},
		{"redis://127.0.0.1:26379?master_name=m&dial_timeout=2s", 2 * time.Second, time.Second, time.Second},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001", time.Second, time.Second, time.Second},
		{"redis://127.0.0.1:7000?addr=127.0.0.1:7001&write_timeout=4s", time.Second, time.Second, 4 * time.Second},
	} {
		rdb, err := newRedis(tc.url)
		if err != nil {
			t.Fatalf("%s: %v", tc.url, err)
		}
		var dial, read, write time.Duration
		switch c := rdb.(type) {
		case *redis.Client:
			o := c.Options()
			dial, read, write = o.DialTimeout, o.ReadTimeout, o.WriteTimeout
			if !strings.Contains(tc.url, "master_name") && o.MaxRetries != 1 {
				t.Errorf("%s: max retries %d", tc.url, o.MaxRetries)
			}
		case *redis.ClusterClient:
			o := c.Options()
			dial, read, write = o.DialTimeout, o.ReadTimeout, o.WriteTimeout
			if o.ClusterStateReloadInterval != time.Second {
				t.Errorf("%s: reload %v", tc.url, o.ClusterStateReloadInterval)
			}
		default:
			t.Fatalf("%s: client %T", tc.url, rdb)
		}
		if dial != tc.dial || read != tc.read || write != tc.write {
			t.Errorf("%s: dial %v read %v write %v, want %v %v %v", tc.url, dial, read, write, tc.dial, tc.read, tc.write)
		}
		_ = rdb.Close()
	}
}
