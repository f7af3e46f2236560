package redistest

import (
	"context"
	"testing"
	"time"
)

func TestServerRestartLosesDataAndRunID(t *testing.T) {
	s := Start(t)
	c := s.Client()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	id1, err := RunID(ctx, c)
	if err != nil || id1 == "" {
		t.Fatalf("run id %q: %v", id1, err)
	}
	s.Kill()
	if err := c.Ping(ctx).Err(); err == nil {
		t.Fatal("PING answered by a killed server")
	}
	s.Restart()
	id2, _ := RunID(ctx, c)
	if id2 == "" || id2 == id1 {
		t.Fatalf("run id after restart %q (before %q)", id2, id1)
	}
	if n, _ := c.Exists(ctx, "k").Result(); n != 0 {
		t.Fatal("data survived a restart without persistence")
	}
}

func TestClusterAndSentinelFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	ctx := context.Background()
	t.Run("cluster", func(t *testing.T) {
		cl := StartCluster(t, 3, 1)
		c := cl.Client()
		if err := c.Set(ctx, "{x}:k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		m := cl.MasterOf("{x}:k")
		m.Kill()
		waitFor(t, 30*time.Second, "write after failover", func() bool {
			return c.Set(ctx, "{x}:k2", "v", 0).Err() == nil
		})
		if nm := cl.MasterOf("{x}:k"); nm == m {
			t.Fatal("slot still served by the killed master")
		}
	})
	t.Run("sentinel", func(t *testing.T) {
		st := StartSentinel(t)
		c := st.Client()
		if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		old := st.MasterAddr()
		st.ServerAt(old).Kill()
		now := st.WaitFailover(old, 30*time.Second)
		waitFor(t, 30*time.Second, "write after failover", func() bool { return c.Set(ctx, "k2", "v", 0).Err() == nil })
		t.Logf("failover %s -> %s", old, now)
	})
}
