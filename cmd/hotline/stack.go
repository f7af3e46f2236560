package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/simulation"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/telephony"
	"github.com/publicservice/hotline/web"
)

// Defaults for a developer machine (see scripts/services.sh).
const (
	defaultDatabaseURL = "postgres://postgres:postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultRedisURL    = "redis://127.0.0.1:6379/0"
)

// stack is what every command that runs calls needs: the configuration,
// Postgres with its asynchronous writer, Redis and the queues.
type stack struct {
	Config *config.Config
	DB     *store.DB
	Writer *store.Writer
	Redis  redis.UniversalClient
	Queues *queue.Queues
}

// loadConfig reads HOTLINE_CONFIG or path, or the shipped sample.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		path = env("HOTLINE_CONFIG", "")
	}
	if path == "" {
		return config.Sample(), nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	return cfg, nil
}

// openServices connects to Postgres (migrating it) and Redis.
func openServices(ctx context.Context) (*store.DB, *redis.Client, error) {
	db, err := store.Open(ctx, env("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	rdb, err := openRedis(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, rdb, nil
}

// openStack opens the services, the queues under the Redis hash tag prefix
// ("" means "hotline") and the records writer.
func openStack(ctx context.Context, cfg *config.Config, clk clock.Clock, prefix string, log *slog.Logger) (*stack, error) {
	db, rdb, err := openServices(ctx)
	if err != nil {
		return nil, err
	}
	q := queue.New(rdb, clk, queue.Options{
		Prefix:       prefix,
		ShortAbandon: cfg.ShortAbandon(),
		Threshold:    cfg.Threshold,
		Location:     cfg.Location(),
	})
	w := store.NewWriter(db, log, store.WriterOptions{})
	return &stack{Config: cfg, DB: db, Writer: w, Redis: rdb, Queues: q}, nil
}

// Close flushes the writer and closes the connections.
func (s *stack) Close(ctx context.Context) error {
	err := s.Writer.Close(ctx)
	s.Redis.Close()
	s.DB.Close()
	return err
}

// soundsDir is where the prompt recordings are (HOTLINE_SOUNDS, or
// asterisk-config/sounds when run from the repository).
func soundsDir() string {
	if d := env("HOTLINE_SOUNDS", ""); d != "" {
		return d
	}
	if fi, err := os.Stat("asterisk-config/sounds"); err == nil && fi.IsDir() {
		return "asterisk-config/sounds"
	}
	return ""
}

// scratchDeps opens a Postgres schema of its own (dropped at close unless
// keep) and a Redis client, for a simulation or a benchmark.
func scratchDeps(ctx context.Context, schema string, keep bool) (simulation.Deps, func(), error) {
	dsn := env("DATABASE_URL", defaultDatabaseURL)
	db, err := simulation.OpenSchema(ctx, dsn, schema)
	if err != nil {
		return simulation.Deps{}, nil, err
	}
	rdb, err := openRedis(ctx)
	if err != nil {
		db.Close()
		_ = simulation.DropSchema(context.WithoutCancel(ctx), dsn, schema)
		return simulation.Deps{}, nil, err
	}
	closeAll := func() {
		rdb.Close()
		db.Close()
		if !keep {
			_ = simulation.DropSchema(context.WithoutCancel(ctx), dsn, schema)
		}
	}
	return simulation.Deps{DB: db, Redis: rdb}, closeAll, nil
}

// openRedis connects to REDIS_URL and checks the connection.
func openRedis(ctx context.Context) (*redis.Client, error) {
	opt, err := redis.ParseURL(env("REDIS_URL", defaultRedisURL))
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	return rdb, nil
}

// httpAPI builds the HTTP API of a running controller with its health checks.
func httpAPI(cfg *config.Config, db *store.DB, rdb redis.UniversalClient, q *queue.Queues, clk clock.Clock, log *slog.Logger,
	ctl *ivr.Controller, sw *telephony.ARI, insecureCookies bool) *web.Server {
	return &web.Server{Queues: q, Config: cfg, Clock: clk, Logger: log, Summary: func() any { return ctl.Stats() },
		Auth: auth.New(db.Pool(), auth.Options{InsecureCookies: insecureCookies, Logger: log}),
		Checks: map[string]func(context.Context) error{
			"redis":    func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
			"postgres": func(ctx context.Context) error { return db.Pool().Ping(ctx) },
			"ari": func(context.Context) error {
				if !sw.Connected() {
					return errors.New("ARI events WebSocket not connected")
				}
				return nil
			},
		}}
}

// listenHTTP serves h on addr in the background.
func listenHTTP(addr string, h http.Handler) (*http.Server, net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return hs, ln, nil
}

// printJSON writes v indented on stdout.
func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
