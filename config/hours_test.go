package config

import (
	"testing"
	"time"
)

// cay is a local time in the Cayman Islands (UTC-5 all year).
func cay(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/Cayman")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestIsOpen(t *testing.T) {
	c := mustParse(t)
	// December 2026: Mon 21 … Fri 25 (Christmas Day, a holiday in the test config), Sat 26, Sun 27, Mon 28.
	tests := []struct {
		name, dept, at string
		open           bool
		next           string // "" for zero
	}{
		{"just before opening", "lic", "2026-12-21 08:29", false, "2026-12-21 08:30"},
		{"at opening", "lic", "2026-12-21 08:30", true, "2026-12-21 16:30"},
		{"last minute", "lic", "2026-12-21 16:29", true, "2026-12-21 16:30"},
		{"at closing", "lic", "2026-12-21 16:30", false, "2026-12-22 08:30"},
		{"evening before a holiday", "lic", "2026-12-24 17:00", false, "2026-12-26 09:00"},
		{"on a holiday", "lic", "2026-12-25 10:00", false, "2026-12-26 09:00"},
		{"saturday morning", "lic", "2026-12-26 11:59", true, "2026-12-26 12:00"},
		{"saturday noon", "lic", "2026-12-26 12:00", false, "2026-12-28 08:30"},
		{"sunday", "lic", "2026-12-27 10:00", false, "2026-12-28 08:30"},
		{"overnight, first night", "night", "2026-12-21 23:00", true, "2026-12-22 06:00"},
		{"overnight, next morning", "night", "2026-12-22 05:59", true, "2026-12-22 06:00"},
		{"overnight ends", "night", "2026-12-22 06:00", false, "2026-12-22 22:00"},
		{"overnight from a holiday, open on holidays", "night", "2026-12-26 03:00", true, "2026-12-26 06:00"},
		{"closed weekend after overnight", "night", "2026-12-26 07:00", false, "2026-12-28 22:00"},
		{"monday early, sunday closed", "night", "2026-12-21 03:00", false, "2026-12-21 22:00"},
		{"hotline on a holiday", "", "2026-12-25 10:00", false, "2026-12-28 08:00"},
		{"hotline open", "", "2026-12-23 16:59", true, "2026-12-23 17:00"},
		{"unknown department", "tax", "2026-12-23 10:00", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			open, next := c.IsOpen(tt.dept, cay(t, tt.at))
			var want time.Time
			if tt.next != "" {
				want = cay(t, tt.next)
			}
			if open != tt.open || !next.Equal(want) {
				t.Errorf("IsOpen(%q, %s) = %v, %v; want %v, %v", tt.dept, tt.at, open, next, tt.open, want)
			}
		})
	}
}

func TestIsOpenZoneAndQueues(t *testing.T) {
	c := mustParse(t, "{id: lic, department: lic,", "{id: lic, department: lic, hours: [\"mon-sun 10:00-11:00\"],")
	// 13:30 UTC is 08:30 in the Cayman Islands.
	if open, _ := c.IsOpen("lic", time.Date(2026, 12, 21, 13, 30, 0, 0, time.UTC)); !open {
		t.Error("a UTC time was not read in the configured zone")
	}
	if open, next := c.IsOpen("lic", time.Date(2026, 12, 21, 13, 29, 0, 0, time.UTC)); open || next.Location() != c.Location() {
		t.Errorf("IsOpen just before opening: %v, next in %v", open, next.Location())
	}
	if open, next := c.QueueOpen("lic", cay(t, "2026-12-21 09:00")); open || !next.Equal(cay(t, "2026-12-21 10:00")) {
		t.Errorf("QueueOpen with its own hours: %v %v", open, next)
	}
	if open, _ := c.QueueOpen("lic", cay(t, "2026-12-25 10:30")); open {
		t.Error("QueueOpen on a holiday: open")
	}
	if open, next := c.QueueOpen("general", cay(t, "2026-12-21 23:00")); !open || !next.Equal(cay(t, "2026-12-22 06:00")) {
		t.Errorf("QueueOpen of the department's hours: %v %v", open, next)
	}
	if open, _ := c.QueueOpen("nope", cay(t, "2026-12-21 23:00")); open {
		t.Error("unknown queue open")
	}
}

func TestHoursShapes(t *testing.T) {
	tests := []struct {
		name  string
		hours string
		at    string
		open  bool
		next  string
	}{
		{"always", `["always"]`, "2026-12-25 03:00", true, ""},
		{"all week all day", `["mon-sun 00:00-24:00"]`, "2026-12-22 12:00", true, ""},
		{"weekdays all day merge into one period", `["mon-fri 00:00-24:00"]`, "2026-12-23 12:00", true, "2026-12-26 00:00"},
		{"never open", `["mon-sun closed"]`, "2026-12-23 12:00", false, ""},
		{"lunch break", `["mon-fri 08:30-12:00,13:00-16:30"]`, "2026-12-23 12:30", false, "2026-12-23 13:00"},
		{"wrapping day range", `["fri-mon 10:00-11:00"]`, "2026-12-27 10:30", true, "2026-12-27 11:00"},
		{"day list", `["tue,thu 10:00-11:00"]`, "2026-12-23 10:30", false, "2026-12-24 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, `hours: ["mon-fri 08:30-16:30", "sat 09:00-12:00"]`, "hours: "+tt.hours, "queue: lic\n    menu:", "queue: lic\n    open_on_holidays: true\n    menu:")
			open, next := c.IsOpen("lic", cay(t, tt.at))
			var want time.Time
			if tt.next != "" {
				want = cay(t, tt.next)
			}
			if open != tt.open || !next.Equal(want) {
				t.Errorf("IsOpen at %s = %v, %v; want %v, %v", tt.at, open, next, tt.open, want)
			}
		})
	}
}

func TestAlwaysOpen(t *testing.T) {
	c := Sample()
	sat := time.Date(2026, 11, 28, 23, 0, 0, 0, c.Location()) // a Saturday night
	if open, _ := c.IsOpen(c.Departments[0].ID, sat); open {
		t.Fatalf("sample department open on a Saturday night")
	}
	c.AlwaysOpen()
	for _, d := range c.Departments {
		if open, next := c.IsOpen(d.ID, sat); !open || !next.IsZero() {
			t.Fatalf("AlwaysOpen: %s open=%v next=%v", d.ID, open, next)
		}
	}
	for _, q := range c.Queues {
		if open, _ := c.QueueOpen(q.ID, sat); !open {
			t.Fatalf("AlwaysOpen: queue %s closed", q.ID)
		}
	}
}
