package redistest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// MasterName is the name the sentinels monitor.
const MasterName = "hotline"

// Sentinel is a real Sentinel setup of the test's own: one master, one
// replica and three sentinels (quorum 2, down after 1 s).
type Sentinel struct {
	tb        testing.TB
	Master    *Server
	Replica   *Server
	Sentinels []*Server
}

// StartSentinel starts the master, its replica (waiting until it is in sync)
// and three sentinels, and waits until the sentinels agree on the master and
// know the replica and each other.
func StartSentinel(tb testing.TB) *Sentinel {
	tb.Helper()
	Need(tb)
	st := &Sentinel{tb: tb}
	st.Master = Start(tb)
	st.Replica = Start(tb, "--replicaof", "127.0.0.1", fmt.Sprint(st.Master.Port))
	waitFor(tb, 20*time.Second, "replica in sync", func() bool {
		info, err := st.Replica.Client().Info(context.Background(), "replication").Result()
		return err == nil && InfoField(info, "master_link_status") == "up"
	})
	for i := 0; i < 3; i++ {
		s := &Server{tb: tb, Port: FreePort(tb), Dir: tb.TempDir()}
		conf := filepath.Join(s.Dir, "sentinel.conf")
		body := fmt.Sprintf("port %d\nbind 127.0.0.1\nprotected-mode no\ndir %s\nlogfile %s\n"+
			"sentinel resolve-hostnames no\n"+
			"sentinel monitor %s 127.0.0.1 %d 2\n"+
			"sentinel down-after-milliseconds %s 1000\n"+
			"sentinel failover-timeout %s 5000\n"+
			"sentinel parallel-syncs %s 1\n",
			s.Port, s.Dir, filepath.Join(s.Dir, "redis.log"), MasterName, st.Master.Port, MasterName, MasterName, MasterName)
		if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
			tb.Fatal(err)
		}
		s.launchArgs([]string{conf, "--sentinel"})
		s.Args = nil
		tb.Cleanup(s.Kill)
		st.Sentinels = append(st.Sentinels, s)
	}
	waitFor(tb, 30*time.Second, "sentinels agree", func() bool {
		for _, s := range st.Sentinels {
			c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), DialTimeout: 300 * time.Millisecond})
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			m, err := c.Master(ctx, MasterName).Result()
			cancel()
			_ = c.Close()
			if err != nil || m["num-other-sentinels"] != "2" || m["num-slaves"] != "1" {
				return false
			}
		}
		return true
	})
	return st
}

// Addrs are the sentinels' addresses.
func (st *Sentinel) Addrs() []string {
	out := make([]string, len(st.Sentinels))
	for i, s := range st.Sentinels {
		out[i] = s.Addr()
	}
	return out
}

// Client is a failover client (closed in tb.Cleanup): it asks the sentinels
// for the master and follows a failover.
func (st *Sentinel) Client() *redis.Client {
	c := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: MasterName, SentinelAddrs: st.Addrs(),
		DialTimeout: 500 * time.Millisecond, ReadTimeout: time.Second, WriteTimeout: time.Second})
	st.tb.Cleanup(func() { _ = c.Close() })
	return c
}

// MasterAddr is the master's address as the first sentinel that answers sees it.
func (st *Sentinel) MasterAddr() string {
	for _, s := range st.Sentinels {
		if !s.Running() {
			continue
		}
		c := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), DialTimeout: 300 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		a, err := c.GetMasterAddrByName(ctx, MasterName).Result()
		cancel()
		_ = c.Close()
		if err == nil && len(a) == 2 {
			return a[0] + ":" + a[1]
		}
	}
	return ""
}

// WaitFailover waits until the sentinels name a master other than old and
// that master answers as a master.
func (st *Sentinel) WaitFailover(old string, limit time.Duration) string {
	st.tb.Helper()
	var now string
	waitFor(st.tb, limit, "sentinel failover", func() bool {
		now = st.MasterAddr()
		if now == "" || now == old {
			return false
		}
		c := redis.NewClient(&redis.Options{Addr: now, DialTimeout: 300 * time.Millisecond, MaxRetries: -1})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		info, err := c.Info(ctx, "replication").Result()
		return err == nil && InfoField(info, "role") == "master"
	})
	return now
}

// ServerAt is the data server (master or replica) listening on addr.
func (st *Sentinel) ServerAt(addr string) *Server {
	for _, s := range []*Server{st.Master, st.Replica} {
		if s.Addr() == addr {
			return s
		}
	}
	return nil
}

func waitFor(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("redistest: timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
