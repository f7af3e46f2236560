package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/store"
)

// staffCmd runs "hotline staff set -agent A [-department D] [-trained YYYY-MM-DD] [-customer-facing=false]":
// the staff records the "staff trained" KPI counts.
func (m *Main) staffCmd(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "set" {
		fmt.Fprintln(m.Stderr, "usage: hotline staff set -agent ID [-department D] [-trained YYYY-MM-DD] [-customer-facing=true|false]")
		return errUsage
	}
	fs := flag.NewFlagSet("staff set", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	agent := fs.String("agent", "", "agent id (as in the configuration)")
	dept := fs.String("department", "", "department id")
	trained := fs.String("trained", "", "date of the last customer-service training (YYYY-MM-DD; empty: none)")
	facing := fs.Bool("customer-facing", true, "serves customers")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *agent == "" {
		return fmt.Errorf("staff set needs -agent: %w", errUsage)
	}
	rec := reports.StaffRecord{AgentID: *agent, Department: *dept, CustomerFacing: *facing}
	if *trained != "" {
		d, err := time.Parse("2006-01-02", *trained)
		if err != nil {
			return fmt.Errorf("-trained %q is not a date (YYYY-MM-DD): %w", *trained, errUsage)
		}
		rec.LastTrained = d
	}
	db, err := store.Open(ctx, env("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	if err := reports.SaveStaff(ctx, db, rec); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "staff %s saved\n", *agent)
	return nil
}
