package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/store"
)

// export runs "hotline export calls|ratings|tickets -from YYYY-MM-DD -to YYYY-MM-DD".
func (m *Main) export(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprintln(m.Stderr, "usage: hotline export calls|ratings|tickets -from YYYY-MM-DD -to YYYY-MM-DD [-o file]")
		return errUsage
	}
	kind := args[0]
	fs := flag.NewFlagSet("export "+kind, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	from := fs.String("from", "", "first local day (YYYY-MM-DD)")
	to := fs.String("to", "", "last local day, included (YYYY-MM-DD)")
	outPath := fs.String("o", "", "write to this file instead of standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return fmt.Errorf("export needs -from and -to: %w", errUsage)
	}
	cfg, err := loadConfig("")
	if err != nil {
		return err
	}
	f, t, err := reports.ParseDays(*from, *to, cfg.Location())
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, env("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	var out io.Writer = m.Stdout
	if *outPath != "" {
		file, err := os.Create(*outPath)
		if err != nil {
			return err
		}
		defer file.Close()
		out = file
	}
	n, err := reports.Export(ctx, db, cfg.Location(), cfg.ShortAbandon(), kind, f, t, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stderr, "%d %s exported\n", n, kind)
	return nil
}
