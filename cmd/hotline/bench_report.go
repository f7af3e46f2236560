package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/publicservice/hotline/generate"
	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/simulation"
	"github.com/publicservice/hotline/store"
)

// ReportBench is what "hotline bench report" prints.
type ReportBench struct {
	Month       string  `json:"month"`
	Baseline    string  `json:"baseline_month"`
	Schema      string  `json:"schema"`
	Generated   any     `json:"generated,omitempty"`
	CallsTotal  int64   `json:"calls_in_database"`
	EventsTotal int64   `json:"queue_events_in_database"`
	RatingTotal int64   `json:"ratings_in_database"`
	Runs        int     `json:"runs"`
	ReportMS    float64 `json:"report_ms"`     // median of the runs, from the rollups
	RawReportMS float64 `json:"raw_report_ms"` // the same report counted from the raw rows
	Ratio       float64 `json:"ratio"`         // raw_report_ms ÷ report_ms
	Same        bool    `json:"same_figures"`  // both gave the same KPIs
}

// benchReport runs "hotline bench report": the monthly report of the last
// whole month from the rollups and from the raw rows, same data, same run.
func (m *Main) benchReport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench report", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	schema := fs.String("schema", "", "a schema filled by hotline generate (default: generate into a scratch schema first)")
	var o generate.Options
	fs.IntVar(&o.Calls, "calls", 100_000, "calls to generate when no -schema")
	fs.IntVar(&o.Presses, "presses", 400_000, "presses to generate when no -schema")
	fs.IntVar(&o.Tickets, "tickets", 4_000, "tickets to generate when no -schema")
	fs.IntVar(&o.Months, "months", 12, "months to generate when no -schema")
	runs := fs.Int("runs", 5, "report runs (the median is printed)")
	monthFlag := fs.String("month", "", "the month to report, YYYY-MM (default: the last whole month)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *monthFlag != "" {
		if _, err := time.Parse("2006-01", *monthFlag); err != nil {
			return m.usageError(fs, "-month %q: want YYYY-MM, e.g. 2026-10", *monthFlag)
		}
	}
	cfg, err := loadConfig("")
	if err != nil {
		return err
	}
	out := ReportBench{Runs: *runs, Schema: *schema}
	var db *store.DB
	if *schema != "" {
		if db, err = openGenerateDB(ctx, *schema); err != nil {
			return err
		}
		defer db.Close()
	} else {
		name := fmt.Sprintf("benchreport_%d", time.Now().UnixNano())
		dsn := env("DATABASE_URL", defaultDatabaseURL)
		if db, err = simulation.OpenSchema(ctx, dsn, name); err != nil {
			return err
		}
		defer func() { db.Close(); _ = simulation.DropSchema(context.WithoutCancel(ctx), dsn, name) }()
		out.Schema = name + " (dropped)"
	}
	db.SetRollupRules(store.RollupRules{Threshold: cfg.Threshold, ShortAbandon: cfg.ShortAbandon()})
	if *schema == "" {
		fmt.Fprintf(m.Stderr, "bench report: generating %d calls, %d presses over %d months…\n", o.Calls, o.Presses, o.Months)
		res, err := generate.Run(ctx, db, cfg, o)
		if err != nil {
			return err
		}
		out.Generated = res
	}
	for _, c := range []struct {
		table string
		n     *int64
	}{{"calls", &out.CallsTotal}, {"queue_events", &out.EventsTotal}, {"ratings", &out.RatingTotal}} {
		if err := db.Pool().QueryRow(ctx, "SELECT count(*) FROM "+c.table).Scan(c.n); err != nil {
			return err
		}
	}
	svc := &reports.Service{DB: db, Config: cfg, Complaints: reports.TicketComplaints(db)}
	month := reports.LastMonth(time.Now(), cfg.Location())
	if *monthFlag != "" {
		month = *monthFlag
	}
	out.Month, out.Baseline = month, cfg.Reporting.BaselineMonth
	timeIt := func(raw bool) (float64, *reports.Monthly, error) {
		var ms []float64
		var last *reports.Monthly
		for range max(1, *runs) {
			start := time.Now()
			rep, err := svc.MonthlyReport(ctx, month, raw)
			if err != nil {
				return 0, nil, err
			}
			if _, err := reports.RenderMonthly(rep); err != nil {
				return 0, nil, err
			}
			ms = append(ms, float64(time.Since(start).Microseconds())/1000)
			last = rep
		}
		return median(ms), last, nil
	}
	var fast, slow *reports.Monthly
	if out.ReportMS, fast, err = timeIt(false); err != nil {
		return err
	}
	if out.RawReportMS, slow, err = timeIt(true); err != nil {
		return err
	}
	out.Ratio = out.RawReportMS / out.ReportMS
	out.Same = sameFigures(fast, slow)
	return m.printJSON(out)
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// sameFigures compares the headline figures of two reports.
func sameFigures(a, b *reports.Monthly) bool {
	for _, p := range [][2]*reports.KPIReport{{a.Current, b.Current}, {a.Base, b.Base}} {
		x, y := p[0], p[1]
		if x.Telephone.Total != y.Telephone.Total || x.Satisfaction.Combined != y.Satisfaction.Combined ||
			x.Satisfaction.Phone != y.Satisfaction.Phone || x.Satisfaction.Kiosk != y.Satisfaction.Kiosk ||
			x.KPIAchievement.Overall != y.KPIAchievement.Overall {
			return false
		}
	}
	return true
}
