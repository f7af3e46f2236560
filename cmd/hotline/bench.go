package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/simulation"
)

// bench runs a benchmark and prints one JSON object of figures.
func (m *Main) bench(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "calls" {
		fmt.Fprintln(m.Stderr, "usage: hotline bench calls [-calls N] [-concurrent N]")
		return errUsage
	}
	fs := flag.NewFlagSet("bench calls", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	calls := fs.Int("calls", 2000, "complete calls timed for calls_per_second")
	concurrent := fs.Int("concurrent", 1000, "calls in progress at once for reaction times and heap per call")
	cfgPath := fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample)")
	window := fs.Duration("arrival-window", 20*time.Second, "wall time over which the concurrent callers arrive")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *calls <= 0 || *concurrent <= 0 {
		return fmt.Errorf("bench: -calls and -concurrent must be positive: %w", errUsage)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	dsn := env("DATABASE_URL", defaultDatabaseURL)
	schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
	db, err := simulation.OpenSchema(ctx, dsn, schema)
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		_ = simulation.DropSchema(context.WithoutCancel(ctx), dsn, schema)
	}()
	opt, err := redis.ParseURL(env("REDIS_URL", defaultRedisURL))
	if err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis: %w", err)
	}
	o := simulation.BenchOptions{Calls: *calls, Concurrent: *concurrent, ArrivalWindow: *window, Config: cfg, SoundsDir: soundsDir(), Logger: m.Logger}
	if !*quiet {
		o.Progress = m.Stderr
	}
	res, err := simulation.Bench(ctx, simulation.Deps{DB: db, Redis: rdb}, o)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
