package generate

import (
	"testing"
	"time"
)

// TestDayJobs: calls spread over the working days, in order, ids contiguous,
// the remainder on the first days.
func TestDayJobs(t *testing.T) {
	got := dayJobs(10, 4)
	want := []dayJob{{0, 0, 3}, {1, 3, 3}, {2, 6, 2}, {3, 8, 2}}
	if len(got) != len(want) {
		t.Fatalf("dayJobs(10, 4) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("dayJobs(10, 4)[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	if got := dayJobs(2, 5); len(got) != 2 || got[0] != (dayJob{0, 0, 1}) || got[1] != (dayJob{1, 1, 1}) {
		t.Errorf("dayJobs(2, 5) = %v: days without calls are left out", got)
	}
}

// TestProgressLine: 500 of 1,000 rows in 10 s is 50 rows/s, 10 s left.
func TestProgressLine(t *testing.T) {
	for _, tt := range []struct {
		rows    int64
		total   float64
		elapsed time.Duration
		want    string
	}{
		{500, 1000, 10 * time.Second, "generate: 500 rows (50%) in 10s, 50 rows/s, about 10s left"},
		{1200, 1000, 4 * time.Second, "generate: 1200 rows (100%) in 4s, 300 rows/s, about 0s left"},
		{0, 1000, time.Second, "generate: 0 rows (0%) in 1s, 0 rows/s, about ? left"},
	} {
		if got := progressLine(tt.rows, tt.total, tt.elapsed); got != tt.want {
			t.Errorf("progressLine(%d, %v, %v) = %q, want %q", tt.rows, tt.total, tt.elapsed, got, tt.want)
		}
	}
}
