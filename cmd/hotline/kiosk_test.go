package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out syncBuffer
	err := NewMain(&out, io.Discard).Run(context.Background(), args)
	return out.String(), err
}

// TestKioskCommands: add prints the kiosk id and its token once; list, rotate,
// revoke; import; export; generate and bench report at a small scale.
func TestKioskCommands(t *testing.T) {
	useTestDB(t)
	out, err := run(t, "kiosk", "add", "-department", "dvdl", "-location", "Front counter")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^kiosk (k[0-9a-f]{10})\ntoken (k[0-9a-f]{10})\.(\S{20,})\n$`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] {
		t.Fatalf("kiosk add printed %q", out)
	}
	id := m[1]
	if out, err = run(t, "kiosk", "list"); err != nil || !strings.Contains(out, id) || !strings.Contains(out, "active") {
		t.Errorf("list: %q %v", out, err)
	}
	if out, err = run(t, "kiosk", "rotate", "-id", id); err != nil || !strings.HasPrefix(out, "kiosk "+id+"\ntoken "+id+".") {
		t.Errorf("rotate: %q %v", out, err)
	}
	if _, err = run(t, "kiosk", "revoke", "-id", id); err != nil {
		t.Error(err)
	}
	if out, _ = run(t, "kiosk", "list"); !strings.Contains(out, "revoked") {
		t.Errorf("list after revoke: %q", out)
	}
	if _, err = run(t, "kiosk", "add", "-department", "dvdl"); err == nil {
		t.Error("add without -location succeeded")
	}
	f := filepath.Join(t.TempDir(), "hon.csv")
	_ = os.WriteFile(f, []byte("feedbackId,smileyId,localTime,buttonIndex,misuse\n1,x,2026-03-05T09:00:00,3,false\n"), 0o644)
	out, err = run(t, "kiosk", "import", "-file", f, "-kiosk", id)
	var imp struct{ Accepted int }
	if err != nil || json.Unmarshal([]byte(out), &imp) != nil || imp.Accepted != 1 {
		t.Errorf("import: %q %v", out, err)
	}
	out, err = run(t, "export", "ratings", "-from", "2026-03-01", "-to", "2026-03-31")
	if err != nil || !strings.HasPrefix(out, "source,department,kiosk_or_call,local_time,rating,misuse\nkiosk,dvdl,"+id+",2026-03-05T09:00:00-05:00,very_happy,false\n") {
		t.Errorf("export: %q %v", out, err)
	}
	if out, err = run(t, "staff", "set", "-agent", "a101", "-department", "dvdl", "-trained", "2026-01-15"); err != nil || out != "staff a101 saved\n" {
		t.Errorf("staff set: %q %v", out, err)
	}
	if _, err = run(t, "staff", "set", "-agent", "a101", "-trained", "January"); err == nil {
		t.Error("staff set with a bad date succeeded")
	}
	if _, err = run(t, "export", "tickets", "-from", "2026-03-01"); err == nil {
		t.Error("export without -to succeeded")
	}
}

// TestGenerateAndBenchReport runs both at a tiny scale: generate fills the
// test's schema; bench report generates into a scratch schema of its own,
// prints both timings and finds the same figures from rollups and raw rows.
func TestGenerateAndBenchReport(t *testing.T) {
	useTestDB(t)
	out, err := run(t, "generate", "-calls", "3000", "-presses", "6000", "-tickets", "10", "-months", "3", "-seed", "7")
	var g struct {
		QueueEvents   int `json:"queue_events"`
		PressesMisuse int `json:"presses_misuse"`
		Tickets       int `json:"tickets"`
	}
	if err != nil || json.Unmarshal([]byte(out), &g) != nil || g.QueueEvents < 3*3000 || g.PressesMisuse == 0 || g.Tickets != 10 {
		t.Fatalf("generate: %q %v", out, err)
	}
	out, err = run(t, "bench", "report", "-calls", "3000", "-presses", "6000", "-months", "3", "-runs", "1")
	var b struct {
		ReportMS    float64 `json:"report_ms"`
		RawReportMS float64 `json:"raw_report_ms"`
		Same        bool    `json:"same_figures"`
	}
	if err != nil || json.Unmarshal([]byte(out), &b) != nil || b.ReportMS <= 0 || b.RawReportMS <= 0 || !b.Same {
		t.Fatalf("bench report: %q %v", out, err)
	}
}

// TestBenchKiosk runs "hotline bench kiosk" at a tiny scale: every press is
// stored once through the ingestion path, and both rates are printed.
func TestBenchKiosk(t *testing.T) {
	useTestDB(t)
	out, err := run(t, "bench", "kiosk", "-presses", "3000", "-kiosks", "3", "-batch", "100", "-workers", "2")
	var b struct {
		Presses           int     `json:"presses"`
		Stored            int     `json:"stored"`
		PressesPerSecond  float64 `json:"presses_per_second"`
		CopyRowsPerSecond float64 `json:"copy_rows_per_second"`
		Ratio             float64 `json:"ratio"`
	}
	if err != nil || json.Unmarshal([]byte(out), &b) != nil {
		t.Fatalf("bench kiosk: %q %v", out, err)
	}
	if b.Presses != 3000 || b.Stored != 3000 || b.PressesPerSecond <= 0 || b.CopyRowsPerSecond <= 0 || b.Ratio <= 0 {
		t.Errorf("bench kiosk: %+v", b)
	}
}
