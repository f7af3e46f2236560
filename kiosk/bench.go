package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchOptions size the ingestion benchmark.
type BenchOptions struct {
	Presses int // total presses (default 200,000)
	Kiosks  int // kiosks sending (default 30, the seeds' pilot)
	Batch   int // presses per request (default 1,000)
	Workers int // requests in flight (default 16)
	Seed    uint64
}

// BenchResult is what `hotline bench kiosk` prints.
type BenchResult struct {
	Presses           int     `json:"presses"`
	Kiosks            int     `json:"kiosks"`
	Batch             int     `json:"batch"`
	Workers           int     `json:"workers"`
	IngestSeconds     float64 `json:"ingest_seconds"`
	PressesPerSecond  float64 `json:"presses_per_second"`
	CopySeconds       float64 `json:"copy_seconds"`
	CopyRowsPerSecond float64 `json:"copy_rows_per_second"`
	Ratio             float64 `json:"ratio"` // presses_per_second ÷ copy_rows_per_second
	Stored            int     `json:"stored"`
	Misuse            int     `json:"misuse"`
}

// Bench ingests generated batches through Ingester.Ingest (validation, clock
// check, COPY to a staging table, INSERT … ON CONFLICT with the misuse rule,
// rollup trigger) from Workers goroutines, then COPYs the same rows straight
// into a bare table shaped like ratings (no index, no trigger: the ceiling),
// in the same database and run. pool must be a scratch schema.
func Bench(ctx context.Context, pool *pgxpool.Pool, o BenchOptions) (BenchResult, error) {
	if o.Presses <= 0 {
		o.Presses = 200_000
	}
	if o.Kiosks <= 0 {
		o.Kiosks = 30
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	reg := NewRegistry(pool)
	now := time.Now()
	kiosks := make([]Kiosk, o.Kiosks)
	for i := range kiosks {
		k, _, err := reg.Add(ctx, fmt.Sprintf("dept%d", i%10), fmt.Sprintf("counter %d", i), now)
		if err != nil {
			return BenchResult{}, err
		}
		kiosks[i] = k
	}
	// Batches: each kiosk's presses in seq order, about 30 s apart over the last days.
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	type job struct {
		k Kiosk
		b Batch
	}
	var jobs []job
	per := o.Presses / o.Kiosks
	names := []string{"very_unhappy", "unhappy", "happy", "very_happy"}
	var rows []Row
	for ki, k := range kiosks {
		n := per
		if ki < o.Presses%o.Kiosks {
			n++
		}
		t := now.Add(-time.Duration(n) * 30 * time.Second)
		var b Batch
		for s := range n {
			t = t.Add(time.Duration(1+rng.IntN(59)) * time.Second)
			if t.After(now) {
				t = now
			}
			seq := int64(s)
			r := rng.IntN(4)
			b.Presses = append(b.Presses, PressIn{Seq: &seq, Button: json.RawMessage(`"` + names[r] + `"`), At: t.Format(time.RFC3339Nano)})
			rows = append(rows, Row{Time: t, KioskTime: t, KioskID: k.ID, Department: k.Department, ServicePoint: k.Location, Seq: seq, HasSeq: true})
			if len(b.Presses) == o.Batch || s == n-1 {
				b.SentAt = now.Format(time.RFC3339Nano)
				jobs = append(jobs, job{k, b})
				b = Batch{}
			}
		}
	}
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	in := &Ingester{Pool: pool, MaxBatch: o.Batch}
	ch := make(chan job)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		stored   int
		misuse   int
	)
	start := time.Now()
	for range o.Workers {
		wg.Go(func() {
			for j := range ch {
				res, err := in.Ingest(ctx, j.k, j.b, now)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				stored += res.Accepted
				misuse += res.Misuse
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	ingest := time.Since(start)
	if firstErr != nil {
		return BenchResult{}, firstErr
	}

	if _, err := pool.Exec(ctx, `CREATE TABLE ratings_copy_bench (LIKE ratings INCLUDING DEFAULTS)`); err != nil {
		return BenchResult{}, fmt.Errorf("kiosk bench: %w", err)
	}
	for i := range rows {
		rows[i].Rating = 3
	}
	start = time.Now()
	chunks := (len(rows) + o.Batch - 1) / o.Batch
	cch := make(chan []Row)
	for range o.Workers {
		wg.Go(func() {
			for c := range cch {
				_, err := pool.CopyFrom(ctx, pgx.Identifier{"ratings_copy_bench"},
					[]string{"time", "kiosk_time", "rating", "source", "department", "kiosk_id", "service_point", "kiosk_seq", "misuse"},
					pgx.CopyFromSlice(len(c), func(i int) ([]any, error) {
						r := &c[i]
						return []any{r.Time, r.KioskTime, int16(r.Rating), "kiosk", r.Department, r.KioskID, r.ServicePoint, r.Seq, false}, nil
					}))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
			}
		})
	}
	for i := range chunks {
		cch <- rows[i*o.Batch : min(len(rows), (i+1)*o.Batch)]
	}
	close(cch)
	wg.Wait()
	cp := time.Since(start)
	if firstErr != nil {
		return BenchResult{}, fmt.Errorf("kiosk bench: copy: %w", firstErr)
	}
	res := BenchResult{Presses: len(rows), Kiosks: o.Kiosks, Batch: o.Batch, Workers: o.Workers, Stored: stored, Misuse: misuse,
		IngestSeconds: ingest.Seconds(), CopySeconds: cp.Seconds(),
		PressesPerSecond: float64(len(rows)) / ingest.Seconds(), CopyRowsPerSecond: float64(len(rows)) / cp.Seconds()}
	res.Ratio = res.PressesPerSecond / res.CopyRowsPerSecond
	return res, nil
}
