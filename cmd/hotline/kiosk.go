package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/store"
)

const kioskUsage = `usage: hotline kiosk <subcommand>

  add -department D -location L   register a kiosk; prints its id and token (shown once)
  rotate -id ID                   a new token for a kiosk (the old one stops working)
  revoke -id ID                   stop a kiosk's token (its presses stay)
  list                            every kiosk
  import -file F [-format json|csv] [-kiosk ID]
                                  import a HappyOrNot export (idempotent on feedbackId)
`

// kioskCmd runs "hotline kiosk …" against DATABASE_URL.
func (m *Main) kioskCmd(ctx context.Context, args []string) error {
	var dept, loc, id, file, format, only *string
	sub, err := m.subcommand("kiosk", kioskUsage, args, func(fs *flag.FlagSet) {
		dept = fs.String("department", "", "department id (add)")
		loc = fs.String("location", "", "location: the service point (add)")
		id = fs.String("id", "", "kiosk id (rotate, revoke)")
		file = fs.String("file", "", "HappyOrNot export to import (import; - for stdin)")
		format = fs.String("format", "", "json or csv (import; default from the file name)")
		only = fs.String("kiosk", "", "import: put every row on this kiosk instead of mapping smileyId to kiosk ids")
	})
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, env("DATABASE_URL", defaultDatabaseURL))
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer db.Close()
	reg := kiosk.NewRegistry(db.Pool())
	now := time.Now()
	switch sub {
	case "add":
		if *dept == "" || *loc == "" {
			return fmt.Errorf("kiosk add needs -department and -location: %w", errUsage)
		}
		if cfg, err := loadConfig(""); err == nil && cfg.Department(*dept) == nil {
			fmt.Fprintf(m.Stderr, "warning: department %q is not in the configuration\n", *dept)
		}
		k, token, err := reg.Add(ctx, *dept, *loc, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "kiosk %s\ntoken %s\n", k.ID, token)
		fmt.Fprintln(m.Stderr, "The token is shown once: put it on the kiosk now (kiosk app: /kiosk/#token=<token>).")
		return nil
	case "rotate":
		token, err := reg.Rotate(ctx, *id, now)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "kiosk %s\ntoken %s\n", *id, token)
		return nil
	case "revoke":
		if err := reg.Revoke(ctx, *id, now); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "kiosk %s revoked\n", *id)
		return nil
	case "list":
		ks, err := reg.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(m.Stdout, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDEPARTMENT\tLOCATION\tSTATUS\tLAST SEEN\tCLOCK OFFSET")
		for _, k := range ks {
			st, seen := "active", "never"
			if !k.Active() {
				st = "revoked"
			}
			if !k.LastSeen.IsZero() {
				seen = k.LastSeen.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Department, k.Location, st, seen, k.ClockOffset.Round(time.Second))
		}
		return tw.Flush()
	case "import":
		if *file == "" {
			return fmt.Errorf("kiosk import needs -file: %w", errUsage)
		}
		in := os.Stdin
		if *file != "-" {
			f, err := os.Open(*file)
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		cfg, err := loadConfig("")
		if err != nil {
			return err
		}
		res, err := kiosk.ImportHappyOrNot(ctx, db.Pool(), reg, in, kiosk.ImportOptions{Format: kiosk.DetectFormat(*format, *file),
			Kiosk: *only, Location: cfg.Location()})
		if err != nil {
			return err
		}
		return m.printJSON(res)
	default:
		fmt.Fprint(m.Stderr, kioskUsage)
		return errUsage
	}
}
