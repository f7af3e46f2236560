package main

import (
	"context"
	"flag"
	"fmt"
	"regexp"

	"github.com/publicservice/hotline/generate"
	"github.com/publicservice/hotline/simulation"
	"github.com/publicservice/hotline/store"
)

var schemaFlag = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// generate runs "hotline generate -calls N -presses N -tickets N -months M -seed S".
func (m *Main) generate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	var o generate.Options
	fs.IntVar(&o.Calls, "calls", 100_000, "calls (each with its queue events and call record)")
	fs.IntVar(&o.Presses, "presses", 400_000, "kiosk presses")
	fs.IntVar(&o.Tickets, "tickets", 4_000, "tickets (when the tickets table exists)")
	fs.IntVar(&o.Months, "months", 12, "whole months before the current one that the data covers")
	fs.Uint64Var(&o.Seed, "seed", 1, "random seed")
	fs.IntVar(&o.Workers, "workers", 4, "COPY connections")
	o.Progress = m.Stderr
	schema := fs.String("schema", "", "fill this Postgres schema (created if missing) instead of DATABASE_URL's own")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openGenerateDB(ctx, *schema)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg, err := loadConfig("")
	if err != nil {
		return err
	}
	db.SetRollupRules(store.RollupRules{Threshold: cfg.Threshold, ShortAbandon: cfg.ShortAbandon()})
	res, err := generate.Run(ctx, db, cfg, o)
	if err != nil {
		return err
	}
	return m.printJSON(res)
}

func openGenerateDB(ctx context.Context, schema string) (*store.DB, error) {
	dsn := env("DATABASE_URL", defaultDatabaseURL)
	if schema == "" {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		return db, nil
	}
	if !schemaFlag.MatchString(schema) {
		return nil, fmt.Errorf("-schema %q: lower-case letters, digits and _ only: %w", schema, errUsage)
	}
	return simulation.OpenSchema(ctx, dsn, schema)
}
