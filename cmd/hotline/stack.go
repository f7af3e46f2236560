package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
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

// openStack connects to Postgres (migrating it) and Redis. prefix isolates
// the Redis keys (the hash tag); "" means "hotline".
func openStack(ctx context.Context, cfg *config.Config, clk clock.Clock, prefix string, log *slog.Logger) (*stack, error) {
	dbURL := env("DATABASE_URL", defaultDatabaseURL)
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	opt, err := redis.ParseURL(env("REDIS_URL", defaultRedisURL))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		db.Close()
		return nil, fmt.Errorf("redis: %w", err)
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
