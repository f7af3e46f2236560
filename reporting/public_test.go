package reporting

import (
	"testing"
	"time"
)

func day(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, cayman) }

func TestResolvedOnTimeRate(t *testing.T) {
	march := Month(2026, time.March, cayman)
	cs := []Complaint{
		{Received: day(3, 2, 9), ResolutionDeadline: day(3, 10, 23), Resolved: day(3, 9, 12)},   // k1 on time
		{Received: day(3, 3, 9), ResolutionDeadline: day(3, 15, 23), Resolved: day(3, 16, 10)},  // k2 late
		{Received: day(3, 6, 9), ResolutionDeadline: day(3, 20, 23)},                            // k3 still open
		{Received: day(3, 20, 9), ResolutionDeadline: day(4, 2, 23), Resolved: day(3, 25, 9)},   // k4 due in April
		{Received: day(3, 17, 9), ResolutionDeadline: day(3, 31, 23), Resolved: day(3, 31, 23)}, // k5 resolved at the deadline
		{Received: day(3, 11, 9), ResolutionDeadline: day(3, 25, 23), Resolved: day(3, 12, 9)},  // k6 resolved early
	}
	tests := []struct {
		name string
		now  time.Time
		want Rate
	}{
		// after the month: due in March are k1, k2, k3, k5, k6; on time k1, k5, k6; k3 open and overdue counts against.
		{"report after the month", day(4, 5, 9), Rate{3, 5}},
		// on 18 March (k5's resolution is in the future: a test of the rule, not of realism): k1 on time and k2 late are
		// due; k3 (due 20th) and k5 (due 31st) not yet, but k5 and k6 are resolved on time, and count.
		{"report during the month", day(3, 18, 9), Rate{3, 4}},
	}
	for _, tt := range tests {
		if got := ResolvedOnTimeRate(cs, march, tt.now); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got := ResolvedOnTimeRate(nil, march, day(4, 1, 0)); got.String() != "no data" {
		t.Errorf("no complaints: %v", got)
	}
}

func TestAcknowledgedOnTimeRate(t *testing.T) {
	march := Month(2026, time.March, cayman)
	cs := []Complaint{
		{AckDeadline: day(3, 4, 23), Acknowledged: day(3, 3, 9)},  // on time
		{AckDeadline: day(3, 5, 23), Acknowledged: day(3, 6, 9)},  // late
		{AckDeadline: day(3, 6, 23)},                              // never acknowledged: against
		{AckDeadline: day(2, 27, 23), Acknowledged: day(3, 1, 9)}, // due in February: not counted
	}
	if got := AcknowledgedOnTimeRate(cs, march, day(4, 1, 9)); got != (Rate{1, 3}) {
		t.Errorf("got %+v, want {1 3}", got)
	}
}

func TestMedianDaysToResolve(t *testing.T) {
	march := Month(2026, time.March, cayman)
	cs := []Complaint{
		{Received: day(3, 1, 9), Resolved: day(3, 3, 9)},   // 2 days
		{Received: day(3, 2, 9), Resolved: day(3, 11, 9)},  // 9 days
		{Received: day(3, 10, 9), Resolved: day(3, 15, 9)}, // 5 days
		{Received: day(3, 20, 9)},                          // open: not counted
		{Received: day(3, 28, 9), Resolved: day(4, 2, 9)},  // resolved in April: not counted
	}
	if d, n, ok := MedianDaysToResolve(cs, march); d != 5 || n != 3 || !ok {
		t.Errorf("odd: %v, %d, %v; want 5, 3, true", d, n, ok)
	}
	cs = append(cs, Complaint{Received: day(3, 12, 9), Resolved: day(3, 16, 9)}) // 4 days: median of 2, 4, 5, 9 = 4.5
	if d, n, ok := MedianDaysToResolve(cs, march); d != 4.5 || n != 4 || !ok {
		t.Errorf("even: %v, %d, %v; want 4.5, 4, true", d, n, ok)
	}
	if _, _, ok := MedianDaysToResolve(nil, march); ok {
		t.Error("no complaints: ok")
	}
}

func TestStaffTrained(t *testing.T) {
	now := day(3, 31, 12)
	staff := []StaffMember{
		{CustomerFacing: true, LastTrained: day(6, 1, 9).AddDate(-1, 0, 0)},  // June 2025: within 12 months
		{CustomerFacing: true, LastTrained: now.AddDate(-1, 0, 0)},           // exactly 12 months ago: counts
		{CustomerFacing: true, LastTrained: day(12, 1, 9).AddDate(-2, 0, 0)}, // December 2024: too old
		{CustomerFacing: true},                             // never trained
		{CustomerFacing: false, LastTrained: day(3, 1, 9)}, // back office: not counted
	}
	if got := StaffTrained(staff, now, 12); got != (Rate{2, 4}) {
		t.Errorf("got %+v, want {2 4}", got)
	}
	if got := StaffTrained(staff[4:], now, 12); got.String() != "no data" {
		t.Errorf("no customer-facing staff: %v", got)
	}
}

func TestEGovernmentServices(t *testing.T) {
	services := []Service{{Name: "driving licence renewal", Online: true}, {Name: "passport"}, {Name: "work permit"}}
	if got := EGovernmentServices(services); got != (Rate{1, 3}) {
		t.Errorf("got %+v, want {1 3}", got)
	}
	if got := EGovernmentServices(nil); got.String() != "no data" {
		t.Errorf("empty inventory: %v", got)
	}
}
