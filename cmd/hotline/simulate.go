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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *calls <= 0 || *agentsN <= 0 || *hours <= 0 {
		return fmt.Errorf("simulate: -calls, -agents and -hours must be positive: %w", errUsage)
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	st, err := time.ParseInLocation("2006-01-02T15:04", *start, cfg.Location())
	if err != nil {
		return fmt.Errorf("simulate: -start %q: want YYYY-MM-DDTHH:MM: %w", *start, errUsage)
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
