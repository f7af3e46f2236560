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
		fmt.Fprintln(m.Stderr, "usage: hotline bench calls [-calls N] [-concurrent N]\n       hotline bench asterisk [-asterisk PATH] [flags]")
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
	deps, closeDeps, err := scratchDeps(ctx, fmt.Sprintf("bench_%d", time.Now().UnixNano()), false)
	if err != nil {
		return err
	}
	defer closeDeps()
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
