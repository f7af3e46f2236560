package reporting

import (
	"sort"
	"time"
)

// Complaint is what the complaint metrics need of a complaint. Deadlines are
// the last instant that is still on time (the end of the deadline's working
// day, computed by whoever knows the calendar). Zero times: not yet.
type Complaint struct {
	Received           time.Time
	AckDeadline        time.Time
	Acknowledged       time.Time
	ResolutionDeadline time.Time
	Resolved           time.Time
}

// ResolvedOnTimeRate is the complaints resolution rate (on time): complaints
// resolved on or before their resolution deadline ÷ complaints whose resolution
// deadline fell in p. A deadline falls once it has passed (before now); an
// open complaint whose deadline fell counts against the rate, one resolved
// early whose deadline is still to come in p counts for it.
func ResolvedOnTimeRate(cs []Complaint, p Period, now time.Time) Rate {
	return onTimeRate(cs, p, now, func(c Complaint) (deadline, done time.Time) { return c.ResolutionDeadline, c.Resolved })
}

// AcknowledgedOnTimeRate is the same rule for the acknowledgement deadline.
func AcknowledgedOnTimeRate(cs []Complaint, p Period, now time.Time) Rate {
	return onTimeRate(cs, p, now, func(c Complaint) (deadline, done time.Time) { return c.AckDeadline, c.Acknowledged })
}

func onTimeRate(cs []Complaint, p Period, now time.Time, get func(Complaint) (deadline, done time.Time)) Rate {
	var r Rate
	for _, c := range cs {
		deadline, done := get(c)
		if deadline.IsZero() || !p.Contains(deadline) {
			continue
		}
		onTime := !done.IsZero() && !done.After(deadline)
		if !onTime && !deadline.Before(now) {
			continue // still open, deadline not yet passed: not yet counted
		}
		r.Den++
		if onTime {
			r.Num++
		}
	}
	return r
}

// MedianDaysToResolve is the median of (resolved − received) in calendar days
// over the complaints resolved in p; ok is false when none were.
func MedianDaysToResolve(cs []Complaint, p Period) (days float64, n int, ok bool) {
	var ds []float64
	for _, c := range cs {
		if !c.Resolved.IsZero() && p.Contains(c.Resolved) {
			ds = append(ds, c.Resolved.Sub(c.Received).Hours()/24)
		}
	}
	if len(ds) == 0 {
		return 0, 0, false
	}
	sort.Float64s(ds)
	m := len(ds) / 2
	if len(ds)%2 == 1 {
		return ds[m], len(ds), true
	}
	return (ds[m-1] + ds[m]) / 2, len(ds), true
}

// StaffMember is what the training metric needs of a member of staff.
type StaffMember struct {
	CustomerFacing bool
	LastTrained    time.Time // last customer-service training recorded; zero if none
}

// StaffTrained is customer-facing staff with customer-service training recorded
// in the last months months (on or after now − months) ÷ customer-facing staff.
func StaffTrained(staff []StaffMember, now time.Time, months int) Rate {
	since := now.AddDate(0, -months, 0)
	var r Rate
	for _, s := range staff {
		if !s.CustomerFacing {
			continue
		}
		r.Den++
		if !s.LastTrained.IsZero() && !s.LastTrained.Before(since) && !s.LastTrained.After(now) {
			r.Num++
		}
	}
	return r
}

// Service is what the e-government metric needs of the service inventory.
type Service struct {
	Name   string
	Online bool // can be completed online
}

// EGovernmentServices is services that can be completed online ÷ services in the inventory.
func EGovernmentServices(services []Service) Rate {
	r := Rate{Den: len(services)}
	for _, s := range services {
		if s.Online {
			r.Num++
		}
	}
	return r
}
