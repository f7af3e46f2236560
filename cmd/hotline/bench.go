package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/simulation"
)

// bench runs a benchmark and prints one JSON object of figures.
func (m *Main) bench(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "asterisk" {
		return m.benchAsterisk(ctx, args[1:])
	}
	if len(args) > 0 && args[0] == minimalAppCommand {
		return m.benchMinimalApp(ctx, args[1:])
	}
	if len(args) == 0 || args[0] != "calls" {
		if len(args) > 0 {
			fmt.Fprintf(m.Stderr, "hotline bench: unknown benchmark %q\n", args[0])
		} else {
			fmt.Fprintln(m.Stderr, "hotline bench: which benchmark?")
		}
		fmt.Fprintln(m.Stderr, "usage: hotline bench calls [-calls N] [-concurrent N] [-arrival-window D]\n       hotline bench asterisk [-asterisk PATH] [flags]")
		return errUsage
	}
	fs := flag.NewFlagSet("bench calls", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	calls := fs.Int("calls", 2000, "complete calls timed for calls_per_second")
	concurrent := fs.Int("concurrent", 1000, "calls in progress at once for reaction times and heap per call")
	cfgPath := fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample)")
	window := fs.Duration("arrival-window", 20*time.Second, "wall time over which the concurrent callers arrive")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := m.parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := m.checkFlags(fs, intIn("calls", *calls, 1, 1_000_000), intIn("concurrent", *concurrent, 1, 100_000),
		durationIn("arrival-window", *window, time.Millisecond, time.Hour)); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	// Schemas of benchmarks killed before they dropped their own (an hour is far longer than a run).
	if dropped, err := simulation.DropStaleSchemas(ctx, env("DATABASE_URL", scratchDatabaseURL), "bench", time.Hour); err != nil {
		return err
	} else if len(dropped) > 0 {
		m.Logger.Info("bench: dropped the schemas of killed benchmarks", "schemas", len(dropped))
	}
	deps, closeDeps, err := scratchDeps(ctx, fmt.Sprintf("bench_%d", time.Now().UnixNano()), false)
	if err != nil {
		return err
	}
	defer closeDeps()
	side, err := openRedis(ctx) // key expiries, outside the benchmark's round-trip count
	if err != nil {
		return err
	}
	defer side.Close()
	deps.Side = side
	o := simulation.BenchOptions{Calls: *calls, Concurrent: *concurrent, ArrivalWindow: *window, Config: cfg, SoundsDir: soundsDir(), Logger: m.Logger}
	if !*quiet {
		o.Progress = m.Stderr
	}
	res, err := simulation.Bench(ctx, deps, o)
	if err != nil {
		return err
	}
	return m.printJSON(res)
}
