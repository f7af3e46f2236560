package kiosk_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/store/storetest"
)

// TestKioskAppInChromium runs e2e/kiosk.mjs: the app served by the binary's
// handler, in headless Chromium, online then offline then online again.
func TestKioskAppInChromium(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed: the kiosk app's browser test needs node and e2e/node_modules (scripts/tools.sh)")
	}
	e2e, _ := filepath.Abs("../e2e")
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core")); err != nil {
		t.Fatalf("e2e/node_modules/playwright-core missing: run (cd e2e && npm ci): %v", err)
	}
	db := storetest.MustOpenDB(t)
	ctx := context.Background()
	reg := kiosk.NewRegistry(db.Pool())
	k, token, err := reg.Add(ctx, "dvdl", "Front counter", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := &kiosk.Server{Registry: reg, Ingester: &kiosk.Ingester{Pool: db.Pool()}, Limiter: &kiosk.Limiter{Rate: 20, Burst: 50},
		Config: config.Sample()}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	// The app's pages carry the strict CSP.
	res, err := http.Get(srv.URL + "/kiosk/")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q", csp)
	}

	cmd := exec.Command("node", filepath.Join(e2e, "kiosk.mjs"), srv.URL, token)
	cmd.Dir = e2e
	out, err := cmd.Output()
	t.Logf("kiosk.mjs: %s", out)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Logf("stderr: %s", ee.Stderr)
		}
		t.Fatalf("kiosk.mjs: %v", err)
	}
	var got struct {
		OK               bool   `json:"ok"`
		ButtonSize       int    `json:"buttonSize"`
		FollowUpQuestion string `json:"followUpQuestion"`
	}
	if err := json.Unmarshal(out, &got); err != nil || !got.OK {
		t.Fatalf("kiosk.mjs said %s (%v)", out, err)
	}
	if got.ButtonSize < 200 {
		t.Errorf("buttons %d px wide on a 1280 px tablet, want large ones (≥ 200)", got.ButtonSize)
	}
	if got.FollowUpQuestion != "What could we do better?" {
		t.Errorf("follow-up question %q", got.FollowUpQuestion)
	}
	// The server has the three presses, in order, the follow-up answer with the unhappy one.
	rows, err := db.Pool().Query(ctx, `SELECT kiosk_seq, rating, coalesce(follow_up, '') FROM ratings WHERE kiosk_id = $1 ORDER BY kiosk_seq`, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var seen []string
	for rows.Next() {
		var seq int64
		var rating int16
		var fu string
		if err := rows.Scan(&seq, &rating, &fu); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, strings.TrimSpace(strings.Join([]string{string(rune('0' + seq)), string(rune('0' + rating)), fu}, " ")))
	}
	want := []string{"1 4", "2 3", "3 2 Waiting time"}
	if strings.Join(seen, "|") != strings.Join(want, "|") {
		t.Errorf("stored presses (seq rating follow-up) %q, want %q", seen, want)
	}
}
