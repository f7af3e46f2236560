package config

import (
	"testing"
)

func TestAddWorkingDays(t *testing.T) {
	c := mustParse(t) // holiday: Friday 25 December 2026
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-12-21 10:00", 0, "2026-12-21 10:00"},
		{"2026-12-21 10:00", 2, "2026-12-23 10:00"},
		{"2026-12-24 10:00", 1, "2026-12-28 10:00"}, // over the holiday and the weekend
		{"2026-12-18 15:00", 5, "2026-12-28 15:00"}, // Fri + 5 skips Christmas
		{"2026-12-26 09:00", 1, "2026-12-28 09:00"}, // received on a Saturday
		{"2026-12-27 09:00", 2, "2026-12-29 09:00"}, // received on a Sunday
		{"2026-12-28 10:00", -1, "2026-12-24 10:00"},
		{"2026-12-21 10:00", 10, "2027-01-05 10:00"},
	}
	for _, tt := range tests {
		if got := c.AddWorkingDays(cay(t, tt.from), tt.n); !got.Equal(cay(t, tt.want)) {
			t.Errorf("AddWorkingDays(%s, %d) = %v, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	c := mustParse(t)
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-12-21 10:00", "2026-12-21 18:00", 0},
		{"2026-12-24 10:00", "2026-12-28 09:00", 1},
		{"2026-12-21 10:00", "2026-12-28 10:00", 4},
		{"2026-12-28 10:00", "2026-12-21 10:00", -4},
		{"2026-12-25 10:00", "2026-12-27 10:00", 0},
	}
	for _, tt := range tests {
		if got := c.WorkingDaysBetween(cay(t, tt.a), cay(t, tt.b)); got != tt.want {
			t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	// Inverse of AddWorkingDays from every day of two months.
	start := cay(t, "2026-12-01 09:00")
	for d := 0; d < 60; d++ {
		from := start.AddDate(0, 0, d)
		for n := 0; n <= 12; n++ {
			if got := c.WorkingDaysBetween(from, c.AddWorkingDays(from, n)); got != n {
				t.Fatalf("WorkingDaysBetween(%v, AddWorkingDays(%d)) = %d", from, n, got)
			}
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	c := mustParse(t)
	for at, want := range map[string]bool{
		"2026-12-24 10:00": true, "2026-12-25 10:00": false, "2026-12-26 10:00": false,
		"2026-12-27 10:00": false, "2026-12-28 10:00": true,
	} {
		if got := c.IsWorkingDay(cay(t, at)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v", at, got)
		}
	}
	if name, ok := c.Holiday(cay(t, "2026-12-25 23:59")); !ok || name != "Christmas Day" {
		t.Errorf("Holiday = %q %v", name, ok)
	}
}
