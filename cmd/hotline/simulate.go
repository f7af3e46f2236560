package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/simulation"
)

// simulate runs a simulated day on the virtual clock and prints one JSON
// object: the controller's figures and the simulator's ground truth.
func (m *Main) simulate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	calls := fs.Int("calls", 2000, "callers over the day")
	agentsN := fs.Int("agents", 15, "agents signed in")
	hours := fs.Float64("hours", 8, "hours over which callers arrive")
	seed := fs.Int64("seed", 1, "random seed (same seed, same day)")
	start := fs.String("start", "2026-11-30T08:30", "start of the day, local time of the configuration (YYYY-MM-DDTHH:MM)")
	talk := fs.Duration("talk", 150*time.Second, "mean talk time")
	patience := fs.Duration("patience", 180*time.Second, "mean patience of a waiting caller")
	cfgPath := fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample)")
	keep := fs.Bool("keep", false, "keep the Postgres schema with the day's records (default: drop it)")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.checkFlags(fs, intIn("calls", *calls, 1, 1_000_000), intIn("agents", *agentsN, 1, 10_000),
		floatIn("hours", *hours, 0, 24*31), durationIn("talk", *talk, time.Second, 24*time.Hour),
		durationIn("patience", *patience, time.Second, 24*time.Hour)); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	st, err := time.ParseInLocation("2006-01-02T15:04", *start, cfg.Location())
	if err != nil {
		return m.usageError(fs, "-start %q: want a local time as YYYY-MM-DDTHH:MM, e.g. 2026-11-30T08:30", *start)
	}
	schema := fmt.Sprintf("sim_%d_%d", time.Now().Unix(), *seed)
	if *seed < 0 {
		schema = fmt.Sprintf("sim_%d_n%d", time.Now().Unix(), -*seed)
	}
	deps, closeDeps, err := scratchDeps(ctx, schema, *keep)
	if err != nil {
		return err
	}
	defer closeDeps()
	o := simulation.Options{Calls: *calls, Agents: *agentsN, Hours: *hours, Seed: *seed, Start: st, Config: cfg,
		TalkMean: *talk, PatienceMean: *patience, SoundsDir: soundsDir(), Logger: m.Logger}
	if !*quiet {
		o.Progress = m.Stderr
	}
	res, err := simulation.Run(ctx, deps, o)
	if err != nil {
		return err
	}
	if *keep {
		res.Schema = schema
	}
	return m.printJSON(res)
}
