package generate

import (
	"fmt"
	"time"
)

// rowsPerCall estimates the rows one generated call writes: the call, about
// four queue events and a phone survey answer for six in ten answered calls.
const rowsPerCall = 5.53

// report prints a progress line to o.Progress every o.ProgressEvery until
// the returned stop is called.
func (g *gen) report(o Options, start time.Time) (stop func()) {
	every := o.ProgressEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	total := float64(o.Calls)*rowsPerCall + float64(o.Presses) + float64(o.Tickets)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				fmt.Fprintln(o.Progress, progressLine(g.rows.Load(), total, time.Since(start)))
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		fmt.Fprintln(o.Progress, progressLine(g.rows.Load(), total, time.Since(start)))
	}
}

// progressLine says how far generation is: rows written, the share of the
// expected total, the rate and the time left at that rate.
func progressLine(rows int64, total float64, elapsed time.Duration) string {
	rate := float64(rows) / elapsed.Seconds()
	share := 0.0
	if total > 0 {
		share = min(1, float64(rows)/total)
	}
	eta := "?"
	if rate > 0 {
		left := max(0, total-float64(rows)) / rate
		eta = (time.Duration(left) * time.Second).Round(time.Second).String()
	}
	return fmt.Sprintf("generate: %d rows (%.0f%%) in %s, %.0f rows/s, about %s left",
		rows, 100*share, elapsed.Round(time.Second), rate, eta)
}
