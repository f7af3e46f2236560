package reporting

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func TestPeriods(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name     string
		p        Period
		from, to string
	}{
		{"December in Cayman (UTC−5) ends in the next year", Month(2026, time.December, cayman), "2026-12-01T05:00:00Z", "2027-01-01T05:00:00Z"},
		{"New York's DST day is 23 hours", Day(2026, time.March, 8, ny), "2026-03-08T05:00:00Z", "2026-03-09T04:00:00Z"},
		{"New York's day back from DST is 25 hours", Day(2026, time.November, 1, ny), "2026-11-01T04:00:00Z", "2026-11-02T05:00:00Z"},
		{"04:30Z on 1 March is still February in Cayman", MonthOf(utc("2026-03-01T04:30:00Z"), cayman), "2026-02-01T05:00:00Z", "2026-03-01T05:00:00Z"},
		{"the local day of 03:00Z is the day before", DayOf(utc("2026-03-10T03:00:00Z"), cayman), "2026-03-09T05:00:00Z", "2026-03-10T05:00:00Z"},
	}
	for _, tt := range tests {
		if !tt.p.From.Equal(utc(tt.from)) || !tt.p.To.Equal(utc(tt.to)) {
			t.Errorf("%s: got %s", tt.name, tt.p)
		}
	}

	p := Day(2026, time.March, 2, cayman)
	if !p.Contains(p.From) || p.Contains(p.To) || !p.Contains(p.To.Add(-time.Nanosecond)) {
		t.Error("a period is [From, To)")
	}

	// 15 January to 1 March local: January and February (March begins at to, exclusive).
	ms := Months(time.Date(2026, 1, 15, 12, 0, 0, 0, cayman), time.Date(2026, 3, 1, 0, 0, 0, 0, cayman), cayman)
	if len(ms) != 2 || ms[0] != Month(2026, time.January, cayman) || ms[1] != Month(2026, time.February, cayman) {
		t.Errorf("Months = %v", ms)
	}
	// 7 March 12:00 to 10 March 00:00 in New York: the 7th, 8th (23 h) and 9th.
	ds := Days(time.Date(2026, 3, 7, 12, 0, 0, 0, ny), time.Date(2026, 3, 10, 0, 0, 0, 0, ny), ny)
	if len(ds) != 3 || ds[1].To.Sub(ds[1].From) != 23*time.Hour || ds[2].From.Day() != 9 {
		t.Errorf("Days = %v", ds)
	}
	for i := 1; i < len(ds); i++ {
		if !ds[i].From.Equal(ds[i-1].To) {
			t.Errorf("day %d does not start where day %d ends", i, i-1)
		}
	}
}
