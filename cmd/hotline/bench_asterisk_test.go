package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/publicservice/hotline/internal/realasterisk"
)

// TestMain lets the test binary stand in for the hotline binary when a
// command runs it as a child process (bench asterisk runs "serve" and the
// minimal application so that their CPU is their own).
func TestMain(m *testing.M) {
	if os.Getenv("HOTLINE_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// hotline bench asterisk with tiny parameters (one rate, a few calls per
// way of handling them) prints the JSON object scripts rely on.
func TestBenchAsteriskJSON(t *testing.T) {
	script, ok := realasterisk.Script()
	if !ok {
		t.Skip("../shared/asterisk/asterisk.sh not present: no real Asterisk here")
	}
	t.Setenv("HOTLINE_TEST_MAIN", "1") // for the child processes
	out := &syncBuffer{}
	m := NewMain(out, io.Discard)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	err := m.Run(ctx, []string{"bench", "asterisk", "-asterisk", script, "-asterisk-config", filepath.Join(realasterisk.RepoRoot(), "asterisk-config"),
		"-rate-start", "1", "-rate-max", "1", "-step-duration", "2s", "-agents", "4", "-quiet"})
	if err != nil {
		t.Fatal(err)
	}
	var res map[string]map[string]any
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out.String()), &raw); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out)
	}
	res = map[string]map[string]any{}
	for _, k := range []string{"minimal", "controller", "queue_app"} {
		var v map[string]any
		if err := json.Unmarshal(raw[k], &v); err != nil || v == nil {
			t.Fatalf("%s: %v in\n%s", k, err, out)
		}
		res[k] = v
		for _, f := range []string{"calls_per_second", "setup_p99_ms", "cpu_ms_per_call", "asterisk_cpu_ms_per_call", "asterisk_rss_bytes"} {
			if _, ok := v[f].(float64); !ok {
				t.Errorf("%s.%s missing or not a number: %v", k, f, v[f])
			}
		}
		if v["calls_per_second"] != 1.0 || v["asterisk_rss_bytes"].(float64) <= 0 || v["asterisk_cpu_ms_per_call"].(float64) <= 0 {
			t.Errorf("%s: the 1 call/s step did not pass or measured nothing: %v", k, v)
		}
	}
	for _, k := range []string{"minimal", "controller"} {
		if res[k]["cpu_ms_per_call"].(float64) <= 0 {
			t.Errorf("%s: no CPU measured for its process", k)
		}
	}
	if _, ok := raw["controller_rate_ratio"]; !ok {
		t.Errorf("no controller_rate_ratio in\n%s", out)
	}
}
