package kiosk

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline"
)

// Batch is the body of POST /api/v1/kiosk/presses.
type Batch struct {
	SentAt  string    `json:"sent_at"` // RFC 3339, the kiosk's clock when it sent the batch
	Presses []PressIn `json:"presses"`
}

// PressIn is one press as a kiosk sends it.
type PressIn struct {
	Seq    *int64          `json:"seq"`    // per-kiosk sequence number, ≥ 0
	Button json.RawMessage `json:"button"` // "very_happy" … "very_unhappy", or 1–4 (1 very happy, the kiosk's order)
	At     string          `json:"at"`     // RFC 3339, the kiosk's clock
	// FollowUp is the answer to the department's follow-up question, if asked.
	FollowUp string `json:"follow_up,omitempty"`
}

// Rejection says why one press of a batch was not stored.
type Rejection struct {
	Index  int    `json:"index"`
	Seq    *int64 `json:"seq,omitempty"`
	Reason string `json:"reason"`
}

// Result answers a batch.
type Result struct {
	Accepted    int         `json:"accepted"`
	Duplicated  int         `json:"duplicated"`
	Rejected    int         `json:"rejected"`
	Misuse      int         `json:"misuse"` // of the accepted, flagged as misuse (kept, left out of KPIs)
	Rejections  []Rejection `json:"rejections"`
	ClockOffset float64     `json:"clock_offset_seconds"` // added to the kiosk's times (0 when its clock is right)
}

// Ingester turns kiosk batches into stored presses.
type Ingester struct {
	Pool *pgxpool.Pool
	// MisuseInterval: presses on one kiosk closer than this are misuse (default 2 s).
	MisuseInterval time.Duration
	// MaxBatch is the largest batch accepted (default 1000 presses).
	MaxBatch int
	// ClockTolerance: a kiosk clock within this of the server's is trusted
	// as it is; beyond it, times are shifted by (server − sent_at). Also the
	// allowance for "in the future" (default 5 s).
	ClockTolerance time.Duration
	// MaxAge: presses older than this are rejected (default 400 days).
	MaxAge time.Duration

	accepted, duplicated, rejected, misuse atomic.Int64
}

// Counts are the ingestion counters since start (for /metrics).
func (in *Ingester) Counts() (accepted, duplicated, rejected, misuse int64) {
	return in.accepted.Load(), in.duplicated.Load(), in.rejected.Load(), in.misuse.Load()
}

func (in *Ingester) maxBatch() int {
	if in.MaxBatch > 0 {
		return in.MaxBatch
	}
	return 1000
}

func (in *Ingester) tolerance() time.Duration {
	if in.ClockTolerance > 0 {
		return in.ClockTolerance
	}
	return 5 * time.Second
}

// ParseButton reads a button: a rating name, or 1–4 numbered as the kiosk
// shows them (1 very happy … 4 very unhappy, like the phone keypad default).
func ParseButton(raw json.RawMessage) (hotline.Rating, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, hotline.Errorf(hotline.EINVALID, "button missing")
	}
	if n, err := strconv.Atoi(s); err == nil {
		return buttonNumber(n)
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return 0, hotline.Errorf(hotline.EINVALID, "button %s is neither a name nor a number", s)
	}
	if n, err := strconv.Atoi(name); err == nil {
		return buttonNumber(n)
	}
	r, err := hotline.ParseRating(name)
	if err != nil {
		return 0, hotline.Errorf(hotline.EINVALID, "unknown button %q (want very_happy, happy, unhappy, very_unhappy or 1–4)", name)
	}
	return r, nil
}

func buttonNumber(n int) (hotline.Rating, error) {
	if n < 1 || n > 4 {
		return 0, hotline.Errorf(hotline.EINVALID, "button %d out of range (want 1–4: 1 very happy … 4 very unhappy)", n)
	}
	return DefaultKeypad()[strconv.Itoa(n)], nil
}

// Ingest validates a batch from kiosk k received at now and stores its valid
// presses. A batch-level problem (no sent_at, too many presses) is an error
// and nothing is stored; a bad press is rejected with its reason and the
// others are stored.
func (in *Ingester) Ingest(ctx context.Context, k Kiosk, b Batch, now time.Time) (Result, error) {
	res := Result{Rejections: []Rejection{}}
	if b.SentAt == "" {
		return res, hotline.Errorf(hotline.EINVALID, "sent_at missing (RFC 3339, the kiosk's clock when sending)")
	}
	sent, err := time.Parse(time.RFC3339Nano, b.SentAt)
	if err != nil {
		return res, hotline.Errorf(hotline.EINVALID, "sent_at %q is not an RFC 3339 time", b.SentAt)
	}
	if n := len(b.Presses); n > in.maxBatch() {
		return res, hotline.Errorf(hotline.ETOOLARGE, "batch of %d presses: at most %d in one request", n, in.maxBatch())
	}
	tol := in.tolerance()
	offset := now.Sub(sent)
	if offset > -tol && offset < tol {
		offset = 0
	}
	res.ClockOffset = offset.Seconds()
	maxAge := in.MaxAge
	if maxAge <= 0 {
		maxAge = 400 * 24 * time.Hour
	}
	rows := make([]Row, 0, len(b.Presses))
	seen := make(map[int64]bool, len(b.Presses))
	reject := func(i int, p PressIn, format string, args ...any) {
		res.Rejections = append(res.Rejections, Rejection{Index: i, Seq: p.Seq, Reason: fmt.Sprintf(format, args...)})
	}
	for i, p := range b.Presses {
		if p.Seq == nil {
			reject(i, p, "seq missing (the kiosk's sequence number makes a resend harmless)")
			continue
		}
		if *p.Seq < 0 {
			reject(i, p, "seq %d is negative", *p.Seq)
			continue
		}
		r, err := ParseButton(p.Button)
		if err != nil {
			reject(i, p, "%s", hotline.ErrorMessage(err))
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, p.At)
		if err != nil {
			reject(i, p, "at %q is not an RFC 3339 time", p.At)
			continue
		}
		if at.After(sent.Add(tol)) {
			reject(i, p, "at %s is after the batch's sent_at %s: in the future", p.At, b.SentAt)
			continue
		}
		t := at.Add(offset)
		if t.After(now.Add(tol)) {
			reject(i, p, "at %s is in the future", p.At)
			continue
		}
		if t.Before(now.Add(-maxAge)) {
			reject(i, p, "at %s is older than %d days", p.At, int(maxAge.Hours()/24))
			continue
		}
		if len(p.FollowUp) > 200 {
			reject(i, p, "follow_up longer than 200 characters")
			continue
		}
		if seen[*p.Seq] {
			res.Duplicated++
			continue
		}
		seen[*p.Seq] = true
		rows = append(rows, Row{Time: t.UTC(), KioskTime: at.UTC(), Rating: r, KioskID: k.ID, Department: k.Department,
			ServicePoint: k.Location, Seq: *p.Seq, HasSeq: true, FollowUp: p.FollowUp})
	}
	res.Rejected = len(res.Rejections)
	st, err := Store(ctx, in.Pool, rows, in.MisuseInterval)
	if err != nil {
		return res, err
	}
	res.Accepted, res.Misuse = st.Accepted, st.Misuse
	res.Duplicated += st.Duplicated
	if _, err := in.Pool.Exec(ctx, `UPDATE kiosks SET last_seen = $2, clock_offset_ms = $3 WHERE id = $1`,
		k.ID, now.UTC(), now.Sub(sent).Milliseconds()); err != nil {
		return res, fmt.Errorf("kiosk: last seen: %w", err)
	}
	in.accepted.Add(int64(res.Accepted))
	in.duplicated.Add(int64(res.Duplicated))
	in.rejected.Add(int64(res.Rejected))
	in.misuse.Add(int64(res.Misuse))
	return res, nil
}

// Limiter is a token bucket per kiosk: Rate requests a second, bursts of Burst.
type Limiter struct {
	Rate  float64
	Burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// Allow takes one token of kiosk's bucket at now; when there is none it
// returns false and how long until there is.
func (l *Limiter) Allow(kiosk string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b := l.buckets[kiosk]
	if b == nil {
		b = &bucket{tokens: l.Burst, last: now}
		l.buckets[kiosk] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(l.Burst, b.tokens+el*l.Rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.Rate * float64(time.Second))
}
