// Package generate fills a database with realistic data for the reports and
// their benchmark: calls with their queue events and call records, phone
// survey ratings, kiosk presses (misuse bursts included), staff records and,
// when the tickets table exists, complaints. Rows go in by COPY from several
// connections; the queue rollup is computed from the generated events with
// the report's own counting (reporting.CountsBySlot) and the rating rollup
// follows by the ratings table's trigger, as for live data.
package generate

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/store"
)

// Options size the data.
type Options struct {
	Calls   int
	Presses int
	Tickets int
	Months  int // the data covers the Months whole local months before End's month
	Seed    uint64
	End     time.Time // default now
	Workers int       // COPY connections (default 4)
	Kiosks  int       // kiosks registered (default 30: the seeds' pilot)
	// Progress, when set, receives a line every ProgressEvery (default
	// 5 s): rows written, rate and the estimated time left.
	Progress      io.Writer
	ProgressEvery time.Duration
}

// Result counts what was written.
type Result struct {
	From          string  `json:"from"`
	To            string  `json:"to"`
	Calls         int     `json:"calls"`
	QueueEvents   int     `json:"queue_events"`
	PhoneRatings  int     `json:"phone_ratings"`
	Presses       int     `json:"presses"`
	Misuse        int     `json:"presses_misuse"`
	Tickets       int     `json:"tickets"`
	Staff         int     `json:"staff"`
	RollupRows    int     `json:"queue_rollup_rows"`
	Seconds       float64 `json:"seconds"`
	RowsPerSecond float64 `json:"rows_per_second"`
}

type gen struct {
	db    *store.DB
	cfg   *config.Config
	loc   *time.Location
	from  time.Time
	to    time.Time
	days  []time.Time // working days (local midnight; no weekends nor public holidays)
	rules store.RollupRules
	rows  atomic.Int64 // rows written so far, for the progress lines
}

// Run generates o's data into db.
func Run(ctx context.Context, db *store.DB, cfg *config.Config, o Options) (Result, error) {
	start := time.Now()
	if o.Months <= 0 {
		o.Months = 12
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Kiosks <= 0 {
		o.Kiosks = 30
	}
	if o.End.IsZero() {
		o.End = time.Now()
	}
	loc := cfg.Location()
	end := reporting.MonthOf(o.End, loc).From
	g := &gen{db: db, cfg: cfg, loc: loc, from: end.AddDate(0, -o.Months, 0), to: end, rules: db.RollupRules()}
	for d := g.from; d.Before(g.to); d = d.AddDate(0, 0, 1) {
		if cfg.IsWorkingDay(d) {
			g.days = append(g.days, d)
		}
	}
	res := Result{From: g.from.Format("2006-01-02"), To: g.to.AddDate(0, 0, -1).Format("2006-01-02")}
	if len(g.days) == 0 {
		return res, fmt.Errorf("generate: no working day in %s – %s", res.From, res.To)
	}
	if o.Progress != nil {
		stop := g.report(o, start)
		defer stop()
	}
	if err := g.calls(ctx, o, &res); err != nil {
		return res, err
	}
	if err := g.presses(ctx, o, &res); err != nil {
		return res, err
	}
	if err := g.staff(ctx, &res); err != nil {
		return res, err
	}
	if err := g.tickets(ctx, o, &res); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	rows := res.Calls + res.QueueEvents + res.PhoneRatings + res.Presses + res.Tickets
	res.RowsPerSecond = float64(rows) / res.Seconds
	return res, nil
}

// workingMoment is a random moment of a working day, busier mid-morning
// and after lunch (08:00–16:30 local).
func (g *gen) workingMoment(rng *rand.Rand) time.Time {
	return momentOn(rng, g.days[rng.IntN(len(g.days))])
}

// momentOn is a random moment of working day d (local midnight): two humps,
// around 10:00 and 14:00, clipped to opening hours.
func momentOn(rng *rand.Rand, d time.Time) time.Time {
	mu := 10.0
	if rng.IntN(5) >= 3 {
		mu = 14.0
	}
	h := mu + rng.NormFloat64()*1.5
	h = math.Max(8, math.Min(16.49, h))
	return d.Add(time.Duration(h * float64(time.Hour))).Add(time.Duration(rng.IntN(1e6)) * time.Microsecond).Truncate(time.Microsecond)
}

func expDur(rng *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(rng.ExpFloat64() * float64(mean)).Round(time.Millisecond)
}

// surveyRating: 45% very happy, 30% happy, 15% unhappy, 10% very unhappy.
func surveyRating(rng *rand.Rand) hotline.Rating {
	switch p := rng.IntN(100); {
	case p < 45:
		return hotline.VeryHappy
	case p < 75:
		return hotline.Happy
	case p < 90:
		return hotline.Unhappy
	}
	return hotline.VeryUnhappy
}

func (g *gen) copy(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	n, err := g.db.Pool().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	g.rows.Add(n)
	if err != nil {
		return fmt.Errorf("generate: copy %s: %w", table, err)
	}
	return nil
}

// presses registers the kiosks (three in each of ten departments, like the
// seeds' pilot) and presses spread over working hours, with bursts of
// repeated presses that the misuse rule flags.
func (g *gen) presses(ctx context.Context, o Options, res *Result) error {
	if o.Presses <= 0 {
		return nil
	}
	reg := kiosk.NewRegistry(g.db.Pool())
	depts := []string{"dvdl", "cbc", "passports", "registry", "worc", "pocs", "lands", "planning", "nau", "district"}
	points := []string{"Front counter", "Payments", "Waiting area"}
	kiosks := make([]kiosk.Kiosk, o.Kiosks)
	for i := range kiosks {
		k, _, err := reg.Add(ctx, depts[i%len(depts)], points[(i/len(depts))%len(points)], g.from)
		if err != nil {
			return err
		}
		kiosks[i] = k
	}
	interval := g.cfg.Kiosk.MisuseInterval
	jobs := make(chan int)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	cols := []string{"time", "kiosk_time", "rating", "source", "department", "kiosk_id", "service_point", "kiosk_seq", "misuse"}
	for range o.Workers {
		wg.Go(func() {
			for ki := range jobs {
				k := kiosks[ki]
				n := o.Presses / len(kiosks)
				if ki < o.Presses%len(kiosks) {
					n++
				}
				rng := rand.New(rand.NewPCG(o.Seed^0x9e3779b9, uint64(ki)+1))
				ps := make([]kiosk.Press, 0, n)
				ratings := make([]hotline.Rating, 0, n)
				// A department's satisfaction is its own: some better than others.
				bias := float64(ki%len(depts)) / float64(len(depts)) * 0.2
				for len(ps) < n {
					t := g.workingMoment(rng)
					r := kioskRating(rng, bias)
					ps = append(ps, kiosk.Press{KioskID: k.ID, Time: t})
					ratings = append(ratings, r)
					if rng.IntN(40) == 0 { // a child or an angry customer: a burst of presses
						for b := 1; b <= 3 && len(ps) < n; b++ {
							ps = append(ps, kiosk.Press{KioskID: k.ID, Time: t.Add(time.Duration(b) * 400 * time.Millisecond)})
							ratings = append(ratings, r)
						}
					}
				}
				idx := make([]int, len(ps))
				for i := range idx {
					idx[i] = i
				}
				sort.SliceStable(idx, func(a, b int) bool { return ps[idx[a]].Time.Before(ps[idx[b]].Time) })
				sorted := make([]kiosk.Press, len(ps))
				for i, j := range idx {
					sorted[i] = ps[j]
					sorted[i].Rating = ratings[j]
				}
				flagged := kiosk.FlagMisuse(sorted, interval)
				misuse := 0
				var err error
				for lo := 0; lo < len(flagged) && err == nil; lo += 100_000 {
					hi := min(len(flagged), lo+100_000)
					rows := make([][]any, 0, hi-lo)
					for i := lo; i < hi; i++ {
						p := flagged[i]
						if p.Misuse {
							misuse++
						}
						rows = append(rows, []any{p.Time, p.Time, int16(p.Rating), "kiosk", k.Department, k.ID, k.Location, int64(i + 1), p.Misuse})
					}
					err = g.copy(ctx, "ratings", cols, rows)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				res.Presses += len(flagged)
				res.Misuse += misuse
				mu.Unlock()
			}
		})
	}
	for i := range kiosks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

func kioskRating(rng *rand.Rand, bias float64) hotline.Rating {
	p := rng.Float64() - bias
	switch {
	case p < 0.08:
		return hotline.VeryUnhappy
	case p < 0.22:
		return hotline.Unhappy
	case p < 0.55:
		return hotline.Happy
	}
	return hotline.VeryHappy
}

func (g *gen) staff(ctx context.Context, res *Result) error {
	b := &pgx.Batch{}
	for i, a := range g.cfg.Agents {
		var trained any
		if i%4 != 3 { // three in four trained, at various times in the last 18 months
			trained = g.to.AddDate(0, -(i*5)%18, 0)
		}
		b.Queue(`INSERT INTO staff (agent_id, department, customer_facing, last_trained) VALUES ($1, '', true, $2)
			ON CONFLICT (agent_id) DO NOTHING`, a.ID, trained)
		res.Staff++
	}
	if err := g.db.Pool().SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("generate: staff: %w", err)
	}
	return nil
}
