package redistest

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster is a real Redis Cluster of the test's own: masters, each with
// replicas, on free loopback ports.
type Cluster struct {
	tb    testing.TB
	Nodes []*Server
}

// StartCluster starts masters×(1+replicas) redis-server processes with
// --cluster-enabled yes and a short node timeout (1 s, so a failover takes a
// couple of seconds), joins them with redis-cli --cluster create, and waits
// until every node reports cluster_state:ok.
func StartCluster(tb testing.TB, masters, replicas int) *Cluster {
	tb.Helper()
	Need(tb)
	c := &Cluster{tb: tb}
	n := masters * (1 + replicas)
	addrs := make([]string, 0, n)
	for i := 0; i < n; i++ {
		s := &Server{tb: tb, Port: FreePort(tb), Dir: tb.TempDir(), Args: []string{"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "1000",
			"--cluster-replica-validity-factor", "0", "--cluster-require-full-coverage", "no"}}
		s.launch()
		tb.Cleanup(s.Kill)
		c.Nodes = append(c.Nodes, s)
		addrs = append(addrs, s.Addr())
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	out, err := exec.Command("redis-cli", args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("redistest: redis-cli --cluster create: %v\n%s", err, out)
	}
	c.WaitOK(30 * time.Second)
	return c
}

// Addrs are the nodes' addresses.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		out[i] = s.Addr()
	}
	return out
}

// Client is a Cluster client of every node (closed in tb.Cleanup).
func (c *Cluster) Client() *redis.ClusterClient {
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: c.Addrs(), DialTimeout: 500 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRedirects: 8,
		ClusterStateReloadInterval: time.Second})
	c.tb.Cleanup(func() { _ = cc.Close() })
	return cc
}

// WaitOK waits until every running node reports cluster_state:ok and agrees
// that every slot is served.
func (c *Cluster) WaitOK(limit time.Duration) {
	c.tb.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok := true
		for _, s := range c.Nodes {
			if !s.Running() {
				continue
			}
			cl := redis.NewClient(&redis.Options{Addr: s.Addr(), DialTimeout: 300 * time.Millisecond, MaxRetries: -1})
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			info, err := cl.ClusterInfo(ctx).Result()
			cancel()
			_ = cl.Close()
			if err != nil || InfoField(info, "cluster_state") != "ok" || InfoField(info, "cluster_slots_ok") != "16384" {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			c.tb.Fatalf("redistest: cluster not ok after %v", limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// MasterOf is the node that serves key's slot now, as the running nodes see it.
func (c *Cluster) MasterOf(key string) *Server {
	c.tb.Helper()
	for _, s := range c.Nodes {
		if !s.Running() {
			continue
		}
		cl := redis.NewClient(&redis.Options{Addr: s.Addr(), DialTimeout: 300 * time.Millisecond, MaxRetries: -1})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		slot, err := cl.ClusterKeySlot(ctx, key).Result()
		var slots []redis.ClusterSlot
		if err == nil {
			slots, err = cl.ClusterSlots(ctx).Result()
		}
		cancel()
		_ = cl.Close()
		if err != nil {
			continue
		}
		for _, r := range slots {
			if int64(r.Start) <= slot && slot <= int64(r.End) && len(r.Nodes) > 0 {
				for _, n := range c.Nodes {
					if n.Addr() == r.Nodes[0].Addr || strings.HasSuffix(r.Nodes[0].Addr, ":"+strconv.Itoa(n.Port)) {
						return n
					}
				}
			}
		}
	}
	c.tb.Fatalf("redistest: no node serves %q", key)
	return nil
}
