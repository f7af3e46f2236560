package kiosk

import (
	"context"
	"fmt"
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

var stageColumns = []string{"ord", "time", "kiosk_time", "rating", "kiosk_id", "department", "service_point", "kiosk_seq", "external_id", "misuse_given", "follow_up"}

// Store writes rows to the ratings table in one transaction: COPY into a
// staging table, then one INSERT … ON CONFLICT DO NOTHING that applies the
// misuse rule against the presses already stored and those of the same
// batch (a press less than interval after the previous press on its kiosk is
// misuse), then re-flags stored presses that a late, out-of-order press now
// precedes too closely. Presses of one kiosk are serialised by an advisory
// lock per kiosk. The rating_rollup table follows by trigger.
func Store(ctx context.Context, pool *pgxpool.Pool, rows []Row, interval time.Duration) (Stored, error) {
	var out Stored
	if len(rows) == 0 {
		return out, nil
	}
	if interval <= 0 {
		interval = DefaultMisuseInterval
	}
	kiosks := map[string]bool{}
	for _, r := range rows {
		kiosks[r.KioskID] = true
	}
	ids := make([]string, 0, len(kiosks))
	for k := range kiosks {
		ids = append(ids, k)
	}
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('hotline.kiosk:' || k)) FROM unnest($1::text[]) AS k ORDER BY k`, ids); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS kiosk_stage (ord int, time timestamptz, kiosk_time timestamptz,
			rating smallint, kiosk_id text, department text, service_point text, kiosk_seq bigint, external_id text,
			misuse_given boolean, follow_up text) ON COMMIT DELETE ROWS`); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"kiosk_stage"}, stageColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			var seq *int64
			if r.HasSeq {
				seq = &r.Seq
			}
			var ext *string
			if r.ExternalID != "" {
				ext = &r.ExternalID
			}
			kt := r.KioskTime
			if kt.IsZero() {
				kt = r.Time
			}
			return []any{int32(i), r.Time, kt, int16(r.Rating), r.KioskID, r.Department, r.ServicePoint, seq, ext, r.Misuse, nullIfEmpty(r.FollowUp)}, nil
		})); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		iv := interval
		var firstID *int64
		err := tx.QueryRow(ctx, `WITH ins AS (
			INSERT INTO ratings (time, kiosk_time, rating, source, department, kiosk_id, service_point, kiosk_seq, external_id, follow_up, misuse)
			SELECT s.time, s.kiosk_time, s.rating, 'kiosk', s.department, s.kiosk_id, s.service_point, s.kiosk_seq, s.external_id, s.follow_up,
				coalesce(s.misuse_given,
					EXISTS (SELECT 1 FROM ratings p WHERE p.kiosk_id = s.kiosk_id
						AND p.time > s.time - $1::interval AND p.time <= s.time)
					OR EXISTS (SELECT 1 FROM kiosk_stage q WHERE q.kiosk_id = s.kiosk_id
						AND q.time > s.time - $1::interval
						AND (q.time < s.time OR (q.time = s.time AND q.ord < s.ord))))
			FROM kiosk_stage s ORDER BY s.ord
			ON CONFLICT DO NOTHING
			RETURNING id, misuse)
			SELECT count(*), count(*) FILTER (WHERE misuse), min(id) FROM ins`, iv).Scan(&out.Accepted, &out.Misuse, &firstID)
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		out.Duplicated = len(rows) - out.Accepted
		if firstID == nil {
			return nil
		}
		// Presses stored before this batch that now have a press less than
		// interval before them (a late batch filled a gap): misuse too.
		tag, err := tx.Exec(ctx, `UPDATE ratings r SET misuse = true
			FROM (SELECT kiosk_id, min(time) AS lo, max(time) AS hi FROM kiosk_stage GROUP BY kiosk_id) w
			WHERE r.kiosk_id = w.kiosk_id AND r.id < $2 AND NOT r.misuse AND r.external_id IS NULL
				AND r.time > w.lo AND r.time < w.hi + $1::interval
				AND EXISTS (SELECT 1 FROM ratings p WHERE p.kiosk_id = r.kiosk_id AND p.id >= $2
					AND p.time > r.time - $1::interval AND p.time < r.time)`, iv, *firstID)
		if err != nil {
			return fmt.Errorf("reflag: %w", err)
		}
		out.Reflagged = int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return Stored{}, fmt.Errorf("kiosk: store presses: %w", err)
	}
	return out, nil
}

func nullIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
