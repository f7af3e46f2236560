package kiosk

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline"
)

// Row is one kiosk press as stored in the ratings table (source kiosk).
type Row struct {
	Time         time.Time // corrected to the server's clock
	KioskTime    time.Time // as the kiosk's clock said
	Rating       hotline.Rating
	KioskID      string
	Department   string
	ServicePoint string
	Seq          int64  // the kiosk's sequence number (HasSeq)
	HasSeq       bool   // false for imports keyed by ExternalID
	ExternalID   string // e.g. "hon:<feedbackId>"; "" for kiosk presses
	// Misuse given by the source (a HappyOrNot export); nil: the misuse rule decides.
	Misuse *bool
	// FollowUp is the answer to the department's follow-up question ("" none).
	FollowUp string
}

// Stored is what Store did with a set of rows.
type Stored struct {
	Accepted   int // new presses stored
	Duplicated int // already stored (same kiosk and seq, or same external id)
	Misuse     int // of the accepted, flagged as misuse
	Reflagged  int // presses stored earlier that a late press made misuse
}

var ratingColumns = []string{"time", "kiosk_time", "rating", "source", "department", "kiosk_id", "service_point",
	"kiosk_seq", "external_id", "follow_up", "misuse"}

// Store writes rows to the ratings table in one transaction. Presses of one
// kiosk are serialised by an advisory lock per kiosk. Under it: presses
// already stored (same kiosk and seq, same external id) are left out as
// duplicates; the misuse rule (a press less than interval after the previous
// press on its kiosk) is applied to the new presses merged with the stored
// presses around them, which also finds stored presses that a late,
// out-of-order press now precedes too closely (they are re-flagged); the new
// presses go in by COPY. The rating_rollup table follows by trigger.
func Store(ctx context.Context, pool *pgxpool.Pool, rows []Row, interval time.Duration) (Stored, error) {
	var out Stored
	if len(rows) == 0 {
		return out, nil
	}
	if interval <= 0 {
		interval = DefaultMisuseInterval
	}
	byKiosk := map[string][]int{}
	for i := range rows {
		byKiosk[rows[i].KioskID] = append(byKiosk[rows[i].KioskID], i)
	}
	ids := make([]string, 0, len(byKiosk))
	for k := range byKiosk {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		out = Stored{}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('hotline.kiosk:' || k)) FROM unnest($1::text[]) AS k ORDER BY k`, ids); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		// Duplicates and neighbours, one round trip for every kiosk.
		b := &pgx.Batch{}
		for _, k := range ids {
			var seqs []int64
			var exts []string
			lo, hi := rows[byKiosk[k][0]].Time, rows[byKiosk[k][0]].Time
			for _, i := range byKiosk[k] {
				r := &rows[i]
				if r.HasSeq {
					seqs = append(seqs, r.Seq)
				}
				if r.ExternalID != "" {
					exts = append(exts, r.ExternalID)
				}
				lo, hi = minTime(lo, r.Time), maxTime(hi, r.Time)
			}
			b.Queue(`SELECT kiosk_seq, external_id FROM ratings WHERE (kiosk_id = $1 AND kiosk_seq = ANY($2)) OR external_id = ANY($3)`, k, seqs, exts)
			b.Queue(`SELECT id, time, misuse FROM ratings WHERE kiosk_id = $1 AND time > $2 AND time < $3 ORDER BY time, id`,
				k, lo.Add(-interval), hi.Add(interval))
		}
		br := tx.SendBatch(ctx, b)
		dupSeq := map[string]map[int64]bool{}
		dupExt := map[string]bool{}
		near := map[string][]neighbour{}
		for _, k := range ids {
			drows, err := br.Query()
			if err != nil {
				br.Close()
				return fmt.Errorf("duplicates: %w", err)
			}
			dupSeq[k] = map[int64]bool{}
			for drows.Next() {
				var seq *int64
				var ext *string
				if err := drows.Scan(&seq, &ext); err != nil {
					br.Close()
					return fmt.Errorf("duplicates: %w", err)
				}
				if seq != nil {
					dupSeq[k][*seq] = true
				}
				if ext != nil {
					dupExt[*ext] = true
				}
			}
			drows.Close()
			nrows, err := br.Query()
			if err != nil {
				br.Close()
				return fmt.Errorf("neighbours: %w", err)
			}
			for nrows.Next() {
				var n neighbour
				if err := nrows.Scan(&n.id, &n.time, &n.misuse); err != nil {
					br.Close()
					return fmt.Errorf("neighbours: %w", err)
				}
				near[k] = append(near[k], n)
			}
			nrows.Close()
		}
		if err := br.Close(); err != nil {
			return fmt.Errorf("lookups: %w", err)
		}

		misuse := make([]bool, len(rows))
		keep := make([]bool, len(rows))
		var reflag []int64
		for _, k := range ids {
			var fresh []int
			for _, i := range byKiosk[k] {
				r := &rows[i]
				if (r.HasSeq && dupSeq[k][r.Seq]) || (r.ExternalID != "" && dupExt[r.ExternalID]) {
					continue
				}
				if r.HasSeq {
					dupSeq[k][r.Seq] = true // a second copy in the same batch
				}
				if r.ExternalID != "" {
					dupExt[r.ExternalID] = true
				}
				keep[i] = true
				fresh = append(fresh, i)
			}
			reflag = append(reflag, applyRule(rows, fresh, near[k], interval, misuse)...)
		}
		var newRows []int
		for i := range rows {
			if keep[i] {
				newRows = append(newRows, i)
				if misuse[i] {
					out.Misuse++
				}
			}
		}
		out.Accepted = len(newRows)
		out.Duplicated = len(rows) - len(newRows)
		if len(newRows) > 0 {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ratings"}, ratingColumns, pgx.CopyFromSlice(len(newRows), func(j int) ([]any, error) {
				i := newRows[j]
				r := &rows[i]
				var seq *int64
				if r.HasSeq {
					seq = &r.Seq
				}
				kt := r.KioskTime
				if kt.IsZero() {
					kt = r.Time
				}
				return []any{r.Time, kt, int16(r.Rating), "kiosk", r.Department, r.KioskID, r.ServicePoint, seq,
					nullIfEmpty(r.ExternalID), nullIfEmpty(r.FollowUp), misuse[i]}, nil
			})); err != nil {
				return fmt.Errorf("copy: %w", err)
			}
		}
		if len(reflag) > 0 {
			tag, err := tx.Exec(ctx, `UPDATE ratings SET misuse = true WHERE id = ANY($1) AND NOT misuse`, reflag)
			if err != nil {
				return fmt.Errorf("reflag: %w", err)
			}
			out.Reflagged = int(tag.RowsAffected())
		}
		return nil
	})
	if err != nil {
		return Stored{}, fmt.Errorf("kiosk: store presses: %w", err)
	}
	return out, nil
}

type neighbour struct {
	id     int64
	time   time.Time
	misuse bool
}

// applyRule sets misuse[i] for the new presses fresh (indexes into rows, one
// kiosk) merged in time order with the stored presses near them (stored
// first at equal times), and returns the ids of stored presses that the rule
// now makes misuse. A row whose Misuse the source gave keeps it.
func applyRule(rows []Row, fresh []int, near []neighbour, interval time.Duration, misuse []bool) []int64 {
	type item struct {
		t      time.Time
		row    int // -1: stored
		stored *neighbour
	}
	items := make([]item, 0, len(fresh)+len(near))
	for i := range near {
		items = append(items, item{t: near[i].time, row: -1, stored: &near[i]})
	}
	for _, i := range fresh {
		items = append(items, item{t: rows[i].Time, row: i})
	}
	sort.SliceStable(items, func(a, b int) bool {
		if !items[a].t.Equal(items[b].t) {
			return items[a].t.Before(items[b].t)
		}
		return items[a].row < items[b].row // stored (-1) first, then batch order
	})
	var reflag []int64
	for j, it := range items {
		m := j > 0 && it.t.Sub(items[j-1].t) < interval
		if it.row >= 0 {
			if given := rows[it.row].Misuse; given != nil {
				m = *given
			}
			misuse[it.row] = m
		} else if m && !it.stored.misuse && j > 0 && items[j-1].row >= 0 {
			reflag = append(reflag, it.stored.id)
		}
	}
	return reflag
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
