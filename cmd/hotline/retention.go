package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/store"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
)

// retention anonymises the personal fields of tickets resolved or closed
// longer ago than complaints.retention (or -older-than), and prints
// {"anonymised": n, "cutoff": ...}. Run it daily (cron or a systemd timer).
func (m *Main) retention(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("retention", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	cfgPath := fs.String("config", "", "configuration file (default HOTLINE_CONFIG or the shipped sample)")
	older := fs.Duration("older-than", 0, "override complaints.retention (e.g. 8760h)")
	if err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.checkFlags(fs, durationIn("older-than", *older, 0, 100*365*24*time.Hour)); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	keep := cfg.Complaints.Retention
	if *older > 0 {
		keep = *older
	}
	if keep < 0 {
		return m.printJSON(map[string]any{"anonymised": 0, "note": "complaints.retention is negative: personal data is kept"})
	}
	db, err := store.Open(ctx, env("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return fmt.Errorf("retention: postgres: %w", err)
	}
	defer db.Close()
	svc := &ticketpg.Service{Pool: db.Pool(), Config: cfg, Clock: clock.Real(), Logger: m.Logger}
	cutoff := time.Now().Add(-keep)
	n, err := svc.Anonymise(ctx, cutoff)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	m.Logger.Info("retention: personal fields anonymised", "tickets", n, "cutoff", cutoff.Format(time.RFC3339))
	return m.printJSON(map[string]any{"anonymised": n, "cutoff": cutoff.In(cfg.Location()).Format(time.RFC3339)})
}
