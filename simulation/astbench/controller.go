package astbench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/simulation"
)

// controllerStarter runs the full controller as "hotline serve" does, in a
// child process: its own Postgres schema and Redis key prefix, every
// benchmark agent signed in, opening hours ignored. maxCalls and adaptive
// are serve's -max-calls and -adaptive-shed.
func (b *bench) controllerStarter(maxCalls int, adaptive bool) starter {
	return func(ctx context.Context) (*app, error) {
		cfg, err := ControllerConfig(b.o.Agents)
		if err != nil {
			return nil, err
		}
		tok := strconv.FormatInt(time.Now().UnixNano(), 36)
		cfgPath := filepath.Join(b.tmp, "hotline-"+tok+".yaml")
		if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
			return nil, fmt.Errorf("astbench: %w", err)
		}
		schema := "astbench_" + tok
		db, err := simulation.OpenSchema(ctx, b.o.DatabaseURL, schema) // creates and migrates it
		if err != nil {
			return nil, err
		}
		db.Close()
		dsn, err := url.Parse(b.o.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("astbench: DATABASE_URL: %w", err)
		}
		q := dsn.Query()
		q.Set("search_path", schema)
		dsn.RawQuery = q.Encode()
		prefix := "astbench" + tok
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("astbench: %w", err)
		}
		addr := ln.Addr().String()
		ln.Close()
		dbg, err := freeLoopback()
		if err != nil {
			return nil, err
		}
		args := []string{"serve", "-addr", addr, "-id", "astbench", "-redis-prefix", prefix, "-always-open", "-login-agents",
			"-config", cfgPath, "-drain", "2s", "-debug-addr", dbg,
			// a spool of its own: another benchmark's controller (same -id) may run at the same time
			"-spool-dir", filepath.Join(b.tmp, "spool-"+tok)}
		args = append(args, b.profileArgs("controller")...)
		if maxCalls > 0 {
			args = append(args, "-max-calls", strconv.Itoa(maxCalls))
		}
		if adaptive {
			args = append(args, "-adaptive-shed")
		}
		env := []string{"ARI_URL=" + b.ast.ARIURL, "ARI_USER=" + b.ast.ARIUser, "ARI_PASSWORD=" + b.ast.ARIPassword,
			"ARI_APP=hotline", "DATABASE_URL=" + dsn.String(), "REDIS_URL=" + b.o.RedisURL, "HOTLINE_CONFIG="}
		hc := &http.Client{Timeout: 2 * time.Second}
		a, err := b.startChild(ctx, "controller-"+tok, args, env, func(ctx context.Context, _ *lineWatch) bool {
			resp, err := hc.Get("http://" + addr + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		cleanup := func() {
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := simulation.DropSchema(cctx, b.o.DatabaseURL, schema); err != nil {
				b.log.Warn("drop benchmark schema", "err", err)
			}
			if err := dropKeys(cctx, b.o.RedisURL, "{"+prefix+"}*"); err != nil {
				b.log.Warn("remove benchmark Redis keys", "err", err)
			}
		}
		if err != nil {
			cleanup()
			return nil, err
		}
		stop := a.stop
		a.stop = func() error { err := stop(); cleanup(); return err }
		a.counters = debugCounters(dbg, "/debug/counters")
		a.detail = debugCounters(dbg, "/debug/counters/detail")
		a.records = func(ctx context.Context) (int, error) {
			conn, err := pgx.Connect(ctx, dsn.String())
			if err != nil {
				return 0, fmt.Errorf("astbench: %w", err)
			}
			defer conn.Close(ctx)
			var n int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM calls").Scan(&n); err != nil {
				return 0, fmt.Errorf("astbench: count call records: %w", err)
			}
			return n, nil
		}
		return a, nil
	}
}

// dropKeys deletes the keys matching pattern (the run's own prefix only).
func dropKeys(ctx context.Context, redisURL, pattern string) error {
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		return fmt.Errorf("astbench: REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, pattern, 500).Result()
		if err != nil {
			return fmt.Errorf("astbench: scan: %w", err)
		}
		if len(keys) > 0 {
			if err := rdb.Unlink(ctx, keys...).Err(); err != nil {
				return fmt.Errorf("astbench: unlink: %w", err)
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
