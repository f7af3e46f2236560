package astbench

import (
	"strings"
	"testing"
	"time"
)

// /proc parsing on a hand-written stat line whose command name holds a
// space and a parenthesis, and a status excerpt.
func TestProcParsing(t *testing.T) {
	stat := []byte("4242 (ast (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 60 0 123 456 789")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3250*time.Millisecond { // (250 + 75) ticks of 10 ms
		t.Fatalf("cpu %v err %v, want 3.25s", cpu, err)
	}
	rss, threads := parseStatus([]byte("Name:\tasterisk\nVmRSS:\t   73040 kB\nThreads:\t67\n"))
	if rss != 73040*1024 || threads != 67 {
		t.Fatalf("rss %d threads %d", rss, threads)
	}
}

// Setup quantiles by nearest rank; a call never set up makes the quantile
// that falls on it null.
func TestQuantiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	d := ms(50, 10, 40, 30, 20, 60, 70, 80, 90, 100)
	if q := quantileMS(d, 0.5); q == nil || *q != 50 {
		t.Fatalf("p50 %v, want 50", q)
	}
	if q := quantileMS(d, 0.99); q == nil || *q != 100 {
		t.Fatalf("p99 %v, want 100", q)
	}
	never := (&dcall{}).Setup()
	if q := quantileMS(append(d, never), 0.99); q != nil {
		t.Fatalf("p99 with a call never set up: %v, want null", *q)
	}
	if q := quantileMS(append(d, never), 0.5); q == nil || *q != 60 {
		t.Fatalf("p50 of 11 with one never set up: %v, want 60", q)
	}
}

// The Queue() dialplan plays the controller's prompts and waits for the
// keys the driver presses, and the benchmark configuration is valid.
func TestDialplanAndConfig(t *testing.T) {
	dp := Dialplan(ControllerPrompts, 0.25)
	for _, want := range []string{"[bench-agent]", "Wait(0.25)", "Playback(en/hotline/greeting&en/hotline/language_menu)", "Read(LANG,,1",
		"Read(DEPT,en/hotline/main_menu,1", "Queue(bench,c,,,60)", "Playback(en/hotline/survey_question)", "Read(RATING,,1", "Playback(en/hotline/survey_thanks)"} {
		if !strings.Contains(dp, want) {
			t.Errorf("dialplan lacks %q:\n%s", want, dp)
		}
	}
	if q := queueConf(3); strings.Count(q, "member => Local/") != 3 || !strings.Contains(q, "wrapuptime = 0") {
		t.Errorf("queue:\n%s", q)
	}
	cfg, err := ControllerConfig(3)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cfg), "Local/102@bench-agent") {
		t.Errorf("agents not Local channels:\n%s", cfg)
	}
}
