package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/kiosk"
)

// benchKiosk runs "hotline bench kiosk" in a scratch schema.
func (m *Main) benchKiosk(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench kiosk", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	var o kiosk.BenchOptions
	fs.IntVar(&o.Presses, "presses", 200_000, "presses ingested (and copied)")
	fs.IntVar(&o.Kiosks, "kiosks", 30, "kiosks sending")
	fs.IntVar(&o.Batch, "batch", 1000, "presses per batch")
	fs.IntVar(&o.Workers, "workers", 16, "batches in flight")
	if err := fs.Parse(args); err != nil {
		return err
	}
	deps, closeDeps, err := scratchDeps(ctx, fmt.Sprintf("benchkiosk_%d", time.Now().UnixNano()), false)
	if err != nil {
		return err
	}
	defer closeDeps()
	res, err := kiosk.Bench(ctx, deps.DB.Pool(), o)
	if err != nil {
		return err
	}
	return m.printJSON(res)
}
