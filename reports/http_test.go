package reports_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reports"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func get(t *testing.T, h http.Handler, path string) (*http.Response, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// stableIDs replaces the fixture's random kiosk ids by their locations.
func stableIDs(t *testing.T, s *reports.Service, b []byte) []byte {
	rows, err := s.DB.Pool().Query(context.Background(), `SELECT id, location FROM kiosks`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, loc string
		_ = rows.Scan(&id, &loc)
		b = bytes.ReplaceAll(b, []byte(id), []byte("kiosk at "+loc))
	}
	return b
}

func TestMonthlyReportGolden(t *testing.T) {
	s := fixture(t)
	h := s.Handler(nil, nil)
	res, body := get(t, h, "/reports/monthly/2026-04")
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("%d %v", res.StatusCode, res.Header)
	}
	body = stableIDs(t, s, body)
	golden := filepath.Join("testdata", "monthly_2026-04.html")
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -run Golden -update)", err)
	}
	if !bytes.Equal(body, want) {
		t.Errorf("monthly report differs from %s (go test ./reports -run Golden -update to accept):\n%s", golden, body)
	}
	for _, must := range []string{"<svg", "April 2026", "March 2026 (baseline)", "no data", "lands", "-75.0 pp", "Department of Vehicle"} {
		if !bytes.Contains(body, []byte(must)) {
			t.Errorf("report lacks %q", must)
		}
	}
}

func TestReportRoutes(t *testing.T) {
	s := fixture(t)
	h := s.Handler(nil, nil)
	res, body := get(t, h, "/api/v1/reports/kpis?from=2026-03-01&to=2026-03-31&department=dvdl")
	if res.StatusCode != 200 {
		t.Fatalf("kpis: %d %s", res.StatusCode, body)
	}
	var k struct {
		Department string `json:"department"`
		Telephone  struct {
			Total struct {
				ServiceLevel map[string]any `json:"service_level"`
				AHT          map[string]any `json:"aht"`
			} `json:"total"`
		} `json:"telephone"`
		Complaints struct {
			Note string `json:"note"`
		} `json:"complaints"`
	}
	if err := json.Unmarshal(body, &k); err != nil {
		t.Fatal(err)
	}
	sl := k.Telephone.Total.ServiceLevel
	if k.Department != "dvdl" || sl["num"] != 1.0 || sl["n"] != 3.0 || sl["value"] != 1.0/3 || k.Telephone.Total.AHT["seconds"] != 195.0 {
		t.Errorf("kpis: %s", body)
	}
	if !strings.Contains(k.Complaints.Note, "no data") {
		t.Errorf("complaints note %q", k.Complaints.Note)
	}
	errs := []struct {
		path, code string
		status     int
	}{
		{"/api/v1/reports/kpis?from=2026-03-01", hotline.EINVALID, 400},
		{"/api/v1/reports/kpis?from=2026-03-01&to=March", hotline.EINVALID, 400},
		{"/api/v1/reports/kpis?from=2026-03-31&to=2026-03-01", hotline.EINVALID, 400},
		{"/api/v1/reports/kpis?from=2026-03-01&to=2026-03-31&department=nope", hotline.ENOTFOUND, 404},
		{"/api/v1/reports/kpis?from=2026-03-01&to=2026-03-31&interval=7m", hotline.EINVALID, 400},
		{"/reports/monthly/2026-13", hotline.EINVALID, 400},
	}
	for _, e := range errs {
		res, body := get(t, h, e.path)
		var out struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(body, &out)
		if res.StatusCode != e.status || out.Error.Code != e.code || out.Error.Message == "" {
			t.Errorf("%s: %d %s", e.path, res.StatusCode, body)
		}
	}
	// Per-interval figures: c1..c3 in the 09:00 hour of 10 March, c4 at 23:30 on the 31st.
	res, body = get(t, h, "/api/v1/reports/kpis?from=2026-03-01&to=2026-03-31&interval=1h")
	var iv struct {
		Telephone struct {
			Intervals []struct {
				Queue   string    `json:"queue"`
				Start   time.Time `json:"start"`
				Offered int       `json:"offered"`
			} `json:"intervals"`
		} `json:"telephone"`
	}
	_ = json.Unmarshal(body, &iv)
	if n := len(iv.Telephone.Intervals); res.StatusCode != 200 || n != 2 || iv.Telephone.Intervals[0].Offered != 3 ||
		!iv.Telephone.Intervals[1].Start.Equal(local(3, 31, 23, 0, 0)) {
		t.Errorf("intervals: %s", body)
	}
	// The public page: last month's headline figures (now is 5 April: March).
	res, body = get(t, h, "/public")
	if res.StatusCode != 200 || !bytes.Contains(body, []byte("March 2026")) || !bytes.Contains(body, []byte("KPI targets met")) {
		t.Errorf("public: %d %s", res.StatusCode, body)
	}
	// Staffing: the four weeks before 5 April.
	res, body = get(t, h, "/api/v1/reports/staffing")
	if res.StatusCode != 200 || !bytes.Contains(body, []byte(`"intervals"`)) {
		t.Errorf("staffing: %d %s", res.StatusCode, body)
	}
}

func TestReportsBehindAuth(t *testing.T) {
	s := fixture(t)
	deny := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	}
	h := s.Handler(deny, nil)
	for path, want := range map[string]int{"/api/v1/reports/kpis?from=2026-03-01&to=2026-03-31": 401, "/api/v1/reports/staffing": 401,
		"/reports/monthly/2026-03": 200, "/public": 200, "/reports/report.css": 200} {
		if res, _ := get(t, h, path); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, res.StatusCode, want)
		}
	}
}
