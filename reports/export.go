package reports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/store"
)

// Export headers: the open-data files' columns (no personal data: no
// caller numbers, names, e-mails or free text).
var (
	CallsHeader   = []string{"call_id", "queue", "department", "entered", "answered", "ended", "outcome", "wait_seconds", "talk_seconds", "agent"}
	RatingsHeader = []string{"source", "department", "kiosk_or_call", "local_time", "rating", "misuse"}
	TicketsHeader = []string{"reference", "kind", "department", "created", "acknowledged", "resolved", "acknowledge_deadline",
		"reply_deadline", "resolve_deadline", "status"}
)

// Export writes one kind of record ("calls", "ratings", "tickets") of the
// local days [from, to) as CSV with a header row; times are local RFC 3339.
func Export(ctx context.Context, db *store.DB, loc *time.Location, shortAbandon time.Duration, kind string, from, to time.Time, out io.Writer) (rows int, err error) {
	w := csv.NewWriter(out)
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format(time.RFC3339)
	}
	switch kind {
	case "calls":
		rows, err = exportCalls(ctx, db, w, ts, shortAbandon, from, to)
	case "ratings":
		rows, err = exportRatings(ctx, db, w, ts, from, to)
	case "tickets":
		rows, err = exportTickets(ctx, db, w, ts, from, to)
	default:
		return 0, hotline.Errorf(hotline.EINVALID, "export %q: want calls, ratings or tickets", kind)
	}
	if err != nil {
		return rows, err
	}
	w.Flush()
	return rows, w.Error()
}

func secs(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64) }

// Outcome is a queued call's outcome for the export: answered, abandoned,
// short_abandoned (abandoned with wait < S), timed_out, callback.
func Outcome(d hotline.Disposition, wait, shortAbandon time.Duration) string {
	switch d {
	case hotline.DispAnswered:
		return "answered"
	case hotline.DispAbandoned:
		if wait < shortAbandon {
			return "short_abandoned"
		}
		return "abandoned"
	case hotline.DispTimeout:
		return "timed_out"
	case hotline.DispCallback:
		return "callback"
	}
	return string(d)
}

func exportCalls(ctx context.Context, db *store.DB, w *csv.Writer, ts func(*time.Time) string, short time.Duration, from, to time.Time) (int, error) {
	if err := w.Write(CallsHeader); err != nil {
		return 0, err
	}
	rows, err := db.Pool().Query(ctx, `SELECT id, queue, department, enqueued, answered, ended, disposition, wait_ms, talk_ms, agent
		FROM calls WHERE enqueued IS NOT NULL AND enqueued >= $1 AND enqueued < $2 ORDER BY enqueued, id`, from, to)
	if err != nil {
		return 0, fmt.Errorf("reports: export calls: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id, q, dept, disp, agent string
			enq, ans, end            *time.Time
			waitMS, talkMS           int64
		)
		if err := rows.Scan(&id, &q, &dept, &enq, &ans, &end, &disp, &waitMS, &talkMS, &agent); err != nil {
			return n, fmt.Errorf("reports: export calls: %w", err)
		}
		out := Outcome(hotline.Disposition(disp), time.Duration(waitMS)*time.Millisecond, short)
		if err := w.Write([]string{id, q, dept, ts(enq), ts(ans), ts(end), out, secs(waitMS), secs(talkMS), agent}); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func exportRatings(ctx context.Context, db *store.DB, w *csv.Writer, ts func(*time.Time) string, from, to time.Time) (int, error) {
	if err := w.Write(RatingsHeader); err != nil {
		return 0, err
	}
	rows, err := db.Pool().Query(ctx, `SELECT source, coalesce(department, ''), coalesce(kiosk_id, call_id, ''), time, rating, misuse
		FROM ratings WHERE time >= $1 AND time < $2 ORDER BY time, id`, from, to)
	if err != nil {
		return 0, fmt.Errorf("reports: export ratings: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			src, dept, who string
			t              time.Time
			rating         int16
			misuse         bool
		)
		if err := rows.Scan(&src, &dept, &who, &t, &rating, &misuse); err != nil {
			return n, fmt.Errorf("reports: export ratings: %w", err)
		}
		if err := w.Write([]string{src, dept, who, ts(&t), hotline.Rating(rating).String(), strconv.FormatBool(misuse)}); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

func exportTickets(ctx context.Context, db *store.DB, w *csv.Writer, ts func(*time.Time) string, from, to time.Time) (int, error) {
	if err := w.Write(TicketsHeader); err != nil {
		return 0, err
	}
	rows, err := db.Pool().Query(ctx, `SELECT reference, kind, department, created, acknowledged_at, resolved_at, ack_due,
		reply_due, resolve_due, status FROM tickets WHERE created >= $1 AND created < $2 ORDER BY created, id`, from, to)
	if err != nil {
		return 0, fmt.Errorf("reports: export tickets: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			ref, kind, dept, status        string
			created, ackDue, replyDue, due time.Time
			ack, res                       *time.Time
		)
		if err := rows.Scan(&ref, &kind, &dept, &created, &ack, &res, &ackDue, &replyDue, &due, &status); err != nil {
			return n, fmt.Errorf("reports: export tickets: %w", err)
		}
		if err := w.Write([]string{ref, kind, dept, ts(&created), ts(ack), ts(res), ts(&ackDue), ts(&replyDue), ts(&due), status}); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
