package kiosk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

var now0 = time.Date(2026, 3, 10, 15, 0, 0, 0, time.UTC)

type rig struct {
	db    *store.DB
	reg   *kiosk.Registry
	in    *kiosk.Ingester
	srv   *httptest.Server
	now   time.Time
	k     kiosk.Kiosk
	token string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	db := storetest.MustOpenDB(t)
	r := &rig{db: db, reg: kiosk.NewRegistry(db.Pool()), now: now0}
	r.in = &kiosk.Ingester{Pool: db.Pool(), MaxBatch: 10}
	var err error
	r.k, r.token, err = r.reg.Add(context.Background(), "dvdl", "Front counter", now0)
	if err != nil {
		t.Fatal(err)
	}
	s := &kiosk.Server{Registry: r.reg, Ingester: r.in, Limiter: &kiosk.Limiter{Rate: 1, Burst: 3}, Config: config.Sample(),
		Now: func() time.Time { return r.now }}
	r.srv = httptest.NewServer(s.Handler())
	t.Cleanup(r.srv.Close)
	return r
}

func (r *rig) post(t *testing.T, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", r.srv.URL+"/api/v1/kiosk/presses", strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func batch(sent time.Time, presses ...string) string {
	return fmt.Sprintf(`{"sent_at": %q, "presses": [%s]}`, sent.Format(time.RFC3339), strings.Join(presses, ","))
}

func press(seq int, button string, at time.Time) string {
	return fmt.Sprintf(`{"seq": %d, "button": %s, "at": %q}`, seq, button, at.Format(time.RFC3339Nano))
}

type storedPress struct {
	seq    int64
	rating int
	time   time.Time
	misuse bool
}

func (r *rig) stored(t *testing.T) []storedPress {
	t.Helper()
	rows, err := r.db.Pool().Query(context.Background(), `SELECT kiosk_seq, rating, time, misuse FROM ratings WHERE source = 'kiosk' ORDER BY kiosk_seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedPress
	for rows.Next() {
		var p storedPress
		var rating int16
		if err := rows.Scan(&p.seq, &rating, &p.time, &p.misuse); err != nil {
			t.Fatal(err)
		}
		p.rating = int(rating)
		p.time = p.time.UTC()
		out = append(out, p)
	}
	return out
}

func num(m map[string]any, k string) int {
	f, _ := m[k].(float64)
	return int(f)
}

func TestIngestIdempotentAndButtons(t *testing.T) {
	r := newRig(t)
	b := batch(now0, press(1, `"very_happy"`, now0.Add(-time.Hour)), press(2, `4`, now0.Add(-50*time.Minute)),
		press(3, `"unhappy"`, now0.Add(-40*time.Minute)), press(4, `"1"`, now0.Add(-30*time.Minute)))
	code, out := r.post(t, r.token, b)
	if code != 200 || num(out, "accepted") != 4 || num(out, "duplicated") != 0 || num(out, "rejected") != 0 {
		t.Fatalf("first send: %d %v", code, out)
	}
	r.now = r.now.Add(10 * time.Second) // past the rate limit's refill of one token
	code, out = r.post(t, r.token, b)
	if code != 200 || num(out, "accepted") != 0 || num(out, "duplicated") != 4 {
		t.Fatalf("resend: %d %v", code, out)
	}
	got := r.stored(t)
	// 4 on the kiosk's buttons is very unhappy (1 very happy … 4 very unhappy, the kiosk's order).
	want := []int{int(hotline.VeryHappy), int(hotline.VeryUnhappy), int(hotline.Unhappy), int(hotline.VeryHappy)}
	if len(got) != 4 {
		t.Fatalf("stored %d presses, want 4", len(got))
	}
	for i, p := range got {
		if p.rating != want[i] || p.misuse {
			t.Errorf("press %d: rating %d misuse %v, want %d false", p.seq, p.rating, p.misuse, want[i])
		}
	}
}

func TestIngestRejectsBadItemsKeepsGoodOnes(t *testing.T) {
	r := newRig(t)
	b := batch(now0,
		press(1, `"happy"`, now0.Add(-time.Minute)),
		press(2, `"ecstatic"`, now0.Add(-time.Minute)),
		press(3, `7`, now0.Add(-time.Minute)),
		press(4, `"happy"`, now0.Add(time.Hour)),
		`{"button": "happy", "at": "2026-03-10T14:00:00Z"}`,
		`{"seq": 6, "button": "happy", "at": "yesterday"}`)
	code, out := r.post(t, r.token, b)
	if code != 422 || num(out, "accepted") != 1 || num(out, "rejected") != 5 {
		t.Fatalf("status %d %v; want 422 with 1 accepted, 5 rejected", code, out)
	}
	reasons := fmt.Sprint(out["rejections"])
	for _, want := range []string{"unknown button \"ecstatic\"", "button 7 out of range", "in the future", "seq missing", "not an RFC 3339 time"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("rejections %s do not say %q", reasons, want)
		}
	}
	if e, _ := out["error"].(map[string]any); e["code"] != "invalid" {
		t.Errorf("error %v", out["error"])
	}
	if got := r.stored(t); len(got) != 1 || got[0].seq != 1 {
		t.Errorf("stored %+v, want only seq 1", got)
	}
}

func TestIngestBatchErrors(t *testing.T) {
	r := newRig(t)
	var many []string
	for i := range 11 {
		many = append(many, press(i, `"happy"`, now0.Add(-time.Duration(i+1)*time.Minute)))
	}
	_, other, err := r.reg.Add(context.Background(), "cbc", "Airport", now0)
	if err != nil {
		t.Fatal(err)
	}
	revokedK, revokedToken, _ := r.reg.Add(context.Background(), "cbc", "Port", now0)
	if err := r.reg.Revoke(context.Background(), revokedK.ID, now0); err != nil {
		t.Fatal(err)
	}
	secret := r.token[strings.Index(r.token, ".")+1:]
	tests := []struct {
		name, token, body string
		status            int
		msg               string
	}{
		{"no token", "", batch(now0), 401, "missing Authorization"},
		{"unknown kiosk", "knope." + secret, batch(now0), 401, `unknown kiosk "knope"`},
		{"bad token", r.k.ID + ".wrong", batch(now0), 401, "bad token for kiosk"},
		{"another kiosk's secret", r.k.ID + other[strings.Index(other, "."):], batch(now0), 401, "bad token"},
		{"revoked", revokedToken, batch(now0), 401, "revoked"},
		{"oversized", other, batch(now0, many...), 413, "batch of 11 presses: at most 10"},
		{"not JSON", other, `{"sent_at": `, 400, "not a batch of presses"},
		{"unknown field", other, `{"sent_at": "2026-03-10T15:00:00Z", "presses": [], "extra": 1}`, 400, "unknown field"},
		{"no sent_at", other, `{"presses": []}`, 400, "sent_at missing"},
	}
	for _, tt := range tests {
		r.now = r.now.Add(10 * time.Second) // clear of the rate limit
		code, out := r.post(t, tt.token, tt.body)
		e, _ := out["error"].(map[string]any)
		if code != tt.status || !strings.Contains(fmt.Sprint(e["message"]), tt.msg) {
			t.Errorf("%s: %d %v; want %d containing %q", tt.name, code, out, tt.status, tt.msg)
		}
	}
	var n int
	_ = r.db.Pool().QueryRow(context.Background(), `SELECT count(*) FROM ratings`).Scan(&n)
	if n != 0 {
		t.Errorf("%d ratings stored by rejected batches", n)
	}
}

func TestIngestRateLimited(t *testing.T) {
	r := newRig(t) // burst 3, 1 a second, on the rig's own clock
	for i := range 3 {
		if code, out := r.post(t, r.token, batch(now0)); code != 200 {
			t.Fatalf("request %d: %d %v", i, code, out)
		}
	}
	code, out := r.post(t, r.token, batch(now0))
	if code != 429 {
		t.Fatalf("4th request in the same instant: %d %v, want 429", code, out)
	}
	r.now = r.now.Add(time.Second)
	if code, _ := r.post(t, r.token, batch(r.now)); code != 200 {
		t.Errorf("a second later: %d, want 200", code)
	}
}

func TestIngestClockCorrectionAndLateBatches(t *testing.T) {
	r := newRig(t)
	// The kiosk's clock is 1 hour slow: it says 14:00 when the server says 15:00.
	kioskNow := now0.Add(-time.Hour)
	code, out := r.post(t, r.token, batch(kioskNow, press(1, `"happy"`, kioskNow.Add(-10*time.Minute))))
	if code != 200 || out["clock_offset_seconds"].(float64) != 3600 {
		t.Fatalf("%d %v", code, out)
	}
	// A day offline: yesterday's presses arrive late and out of order, the clock right.
	r.now = now0.Add(24 * time.Hour)
	y := now0.Add(-2 * time.Hour)
	code, out = r.post(t, r.token, batch(r.now, press(3, `"very_happy"`, y.Add(5*time.Second)), press(2, `"unhappy"`, y)))
	if code != 200 || num(out, "accepted") != 2 || out["clock_offset_seconds"].(float64) != 0 {
		t.Fatalf("late batch: %d %v", code, out)
	}
	got := r.stored(t)
	if !got[0].time.Equal(now0.Add(-10 * time.Minute)) {
		t.Errorf("corrected time %s, want %s (kiosk time + 1 h)", got[0].time, now0.Add(-10*time.Minute))
	}
	if !got[1].time.Equal(y) || !got[2].time.Equal(y.Add(5*time.Second)) {
		t.Errorf("late presses at %s, %s", got[1].time, got[2].time)
	}
	k, _ := r.reg.Get(context.Background(), r.k.ID)
	if !k.LastSeen.Equal(r.now) {
		t.Errorf("last seen %s", k.LastSeen)
	}
}

func TestIngestMisuse(t *testing.T) {
	r := newRig(t)
	base := now0.Add(-time.Hour)
	at := func(ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }
	// Batch 1: presses at 0, 1.5 s (misuse), 10 s.
	code, out := r.post(t, r.token, batch(now0, press(1, `"happy"`, at(0)), press(2, `"happy"`, at(1500)), press(3, `"happy"`, at(10000))))
	if code != 200 || num(out, "misuse") != 1 {
		t.Fatalf("%d %v", code, out)
	}
	// Batch 2, late and out of order: a press at 9 s makes the stored 10 s press misuse;
	// one at 20 s is 10 s after the latest: valid.
	r.now = r.now.Add(5 * time.Second)
	code, out = r.post(t, r.token, batch(r.now, press(5, `"happy"`, at(20000)), press(4, `"happy"`, at(9000))))
	if code != 200 || num(out, "misuse") != 0 {
		t.Fatalf("%d %v", code, out)
	}
	want := map[int64]bool{1: false, 2: true, 3: true, 4: false, 5: false}
	for _, p := range r.stored(t) {
		if p.misuse != want[p.seq] {
			t.Errorf("seq %d misuse %v, want %v", p.seq, p.misuse, want[p.seq])
		}
	}
	// The rollup follows the reflag: 3 valid happy presses, 2 misuse.
	var happy, misuse int
	if err := r.db.Pool().QueryRow(context.Background(), `SELECT sum(happy), sum(misuse) FROM rating_rollup WHERE kiosk_id = $1`, r.k.ID).Scan(&happy, &misuse); err != nil {
		t.Fatal(err)
	}
	if happy != 3 || misuse != 2 {
		t.Errorf("rollup happy %d misuse %d, want 3 and 2", happy, misuse)
	}
}

func TestRegistryRotate(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.reg.Authenticate(ctx, r.token); err != nil {
		t.Fatal(err)
	}
	newToken, err := r.reg.Rotate(ctx, r.k.ID, now0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.reg.Authenticate(ctx, r.token); hotline.ErrorCode(err) != hotline.EUNAUTHORIZED {
		t.Errorf("old token after rotation: %v", err)
	}
	if k, err := r.reg.Authenticate(ctx, newToken); err != nil || k.ID != r.k.ID {
		t.Errorf("new token: %v %v", k, err)
	}
	var hash []byte
	_ = r.db.Pool().QueryRow(ctx, `SELECT token_hash FROM kiosks WHERE id = $1`, r.k.ID).Scan(&hash)
	if bytes.Contains([]byte(newToken), hash) || len(hash) != 32 {
		t.Errorf("token not stored hashed: %x", hash)
	}
	if _, err := r.reg.Rotate(ctx, "nope", now0); hotline.ErrorCode(err) != hotline.ENOTFOUND {
		t.Errorf("rotate unknown: %v", err)
	}
}
