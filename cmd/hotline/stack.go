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

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline"
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

// Defaults for a developer machine (see scripts/services.sh, which creates both
// databases): serve and demo keep their records in "hotline"; simulate and
// bench work in scratch schemas of "test", beside the tests'.
const (
	defaultDatabaseURL = "postgres://postgres:postgres@127.0.0.1:5432/hotline?sslmode=disable"
	scratchDatabaseURL = "postgres://postgres:postgres@127.0.0.1:5432/test?sslmode=disable"
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
	// Journal keeps the agents' last sign-in states in Postgres, for the
	// rebuild of a Redis that lost its data.
	Journal *store.AgentJournal
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
func openServices(ctx context.Context) (*store.DB, redis.UniversalClient, error) {
	return openCounted(ctx, nil)
}

// openCounted is openServices; with c, every Redis command and Postgres
// statement is counted (serve -debug-addr).
func openCounted(ctx context.Context, c *serviceCounters) (*store.DB, redis.UniversalClient, error) {
	var so store.OpenOptions
	if c != nil {
		so.Tracer = c
	}
	db, err := store.OpenWith(ctx, env("DATABASE_URL", defaultDatabaseURL), so)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "3D000" { // invalid_catalog_name
			return nil, nil, fmt.Errorf("postgres: %w (run scripts/services.sh, which creates it, or set DATABASE_URL)", err)
		}
		return nil, nil, fmt.Errorf("postgres: %w", err)
	}
	rdb, err := openRedis(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if c != nil {
		rdb.AddHook(c)
	}
	return db, rdb, nil
}

// openStack opens the services, the queues under the Redis hash tag prefix
// ("" means "hotline") and the records writer.
// With spoolDir the writer keeps records there while Postgres is away.
// counters, when not nil, counts Redis commands and Postgres statements.
func openStack(ctx context.Context, cfg *config.Config, clk clock.Clock, prefix, spoolDir string, log *slog.Logger, counters *serviceCounters) (*stack, error) {
	db, rdb, err := openCounted(ctx, counters)
	if err != nil {
		return nil, err
	}
	j := store.NewAgentJournal(db, log)
	q := queue.New(rdb, clk, queue.Options{
		Prefix:        prefix,
		ShortAbandon:  cfg.ShortAbandon(),
		Threshold:     cfg.Threshold,
		Location:      cfg.Location(),
		Site:          cfg.AgentSite,
		OnAgentChange: j.Record,
	})
	// Linger: a call's records trickle in one at a time; waiting up to a
	// second lets the items of several calls share one transaction (each
	// costs about five statements: begin, the rollup's reads and upsert, the
	// batch, commit).
	w, err := store.OpenWriter(db, log, store.WriterOptions{SpoolDir: spoolDir, Linger: time.Second})
	if err != nil {
		rdb.Close()
		db.Close()
		return nil, err
	}
	return &stack{Config: cfg, DB: db, Writer: w, Redis: rdb, Queues: q, Journal: j}, nil
}

// Close flushes the writer and closes the connections.
func (s *stack) Close(ctx context.Context) error {
	jctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_ = s.Journal.Close(jctx)
	cancel()
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
	dsn := env("DATABASE_URL", scratchDatabaseURL)
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

// httpAPI builds the HTTP API of a running controller with its health checks.
func httpAPI(cfg *config.Config, db *store.DB, rdb redis.UniversalClient, q *queue.Queues, clk clock.Clock, log *slog.Logger,
	ctl *ivr.Controller, sw *telephony.ARI, insecureCookies bool) *web.Server {
	return &web.Server{Queues: q, Config: cfg, Clock: clk, Logger: log, Summary: func() any { return ctl.Stats() }, AgentsChanged: ctl.AgentsChanged,
		Auth: auth.New(db.Pool(), auth.Options{InsecureCookies: insecureCookies, Logger: log}),
		// The API's routes read Redis: while the controller's heartbeat finds
		// it unreachable they answer 503 at once.
		Unavailable: func() error {
			if err := ctl.RedisErr(); err != nil {
				return hotline.Errorf(hotline.EUNAVAILABLE, "Redis is unreachable: %v", err)
			}
			return nil
		},
		Checks: map[string]func(context.Context) error{
			"redis": func(ctx context.Context) error {
				if err := ctl.RedisErr(); err != nil {
					return err
				}
				return rdb.Ping(ctx).Err()
			},
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
