package reports_test

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reports"
)

// TestGrafanaDashboardNamesRealMetrics checks that every metric the shipped
// dashboard queries is one the collector describes.
func TestGrafanaDashboardNamesRealMetrics(t *testing.T) {
	b, err := os.ReadFile("../deploy/grafana/hotline-live.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Targets []struct{ Expr string } `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatal(err)
	}
	c := reports.NewCollector(nil, config.Sample(), nil, func() (int64, int64, int64, int64) { return 1, 2, 3, 4 })
	ch := make(chan *prometheus.Desc, 20)
	c.Describe(ch)
	close(ch)
	known := map[string]bool{}
	name := regexp.MustCompile(`fqName: "([a-z_]+)"`)
	for d := range ch {
		if m := name.FindStringSubmatch(d.String()); m != nil {
			known[m[1]] = true
		}
	}
	used := regexp.MustCompile(`hotline_[a-z_]+`)
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			for _, m := range used.FindAllString(tg.Expr, -1) {
				n++
				if !known[m] {
					t.Errorf("dashboard queries %s, which the collector does not export (known: %v)", m, known)
				}
			}
		}
	}
	if n == 0 {
		t.Error("the dashboard queries no hotline metric")
	}
	// Without Redis the collector still answers: ingestion counts and up.
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, mf := range mfs {
		got[mf.GetName()] = true
	}
	if !got["hotline_kiosk_presses_total"] || !got["hotline_live_figures_up"] {
		t.Errorf("gathered %v", got)
	}
}
