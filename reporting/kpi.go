package reporting

import "fmt"

// Direction says which side of its target a KPI must be on.
type Direction int

// Directions.
const (
	AtLeast Direction = iota // met when value ≥ target (service level, satisfaction, on-time rates)
	AtMost                   // met when value ≤ target (abandonment rate)
)

// The KPIs of a department (PRODUCT.md, KPI achievement rate).
const (
	KPIServiceLevel       = "service_level"
	KPIAbandonmentRate    = "abandonment_rate"
	KPIPhoneSatisfaction  = "phone_satisfaction"
	KPIKioskSatisfaction  = "kiosk_satisfaction"
	KPIAcknowledgedOnTime = "acknowledged_on_time"
	KPIResolvedOnTime     = "resolved_on_time"
)

// KPI is one indicator with its target (a fraction, e.g. 0.8) in one period.
type KPI struct {
	Name      string    `json:"name"`
	Value     Rate      `json:"value"`
	Target    float64   `json:"target"`
	Direction Direction `json:"direction"` // 0 at least, 1 at most
	HasTarget bool      `json:"has_target"`
}

// Met reports whether the KPI meets its target; ok is false when it has no
// target or no data, and then it counts neither way.
func (k KPI) Met() (met, ok bool) {
	v, ok := k.Value.Value()
	if !ok || !k.HasTarget {
		return false, false
	}
	if k.Direction == AtMost {
		return v <= k.Target, true
	}
	return v >= k.Target, true
}

// String is "service_level 75.0% (n=8) target ≥ 80.0%: not met".
func (k KPI) String() string {
	op := "≥"
	if k.Direction == AtMost {
		op = "≤"
	}
	met, ok := k.Met()
	verdict := "no target or no data"
	if ok && met {
		verdict = "met"
	} else if ok {
		verdict = "not met"
	}
	return fmt.Sprintf("%s %s target %s %.1f%%: %s", k.Name, k.Value, op, 100*k.Target, verdict)
}

// KPIAchievementRate is KPIs meeting their target ÷ KPIs with a target and data.
func KPIAchievementRate(kpis []KPI) Rate {
	var r Rate
	for _, k := range kpis {
		if met, ok := k.Met(); ok {
			r.Den++
			if met {
				r.Num++
			}
		}
	}
	return r
}

// Target is one KPI's target.
type Target struct {
	Value     float64
	Direction Direction
}

// DefaultTargets are PRODUCT.md's defaults: 80% answered within T, at most 5%
// abandoned. Other KPIs have a target only when configured.
var DefaultTargets = map[string]Target{
	KPIServiceLevel:    {Value: 0.80, Direction: AtLeast},
	KPIAbandonmentRate: {Value: 0.05, Direction: AtMost},
}

// DepartmentFigures are a department's figures for one period.
type DepartmentFigures struct {
	Calls              Counts
	Ratings            []RatingValue // phone and kiosk (web ratings are not a department KPI)
	Phone, Kiosk       Satisfaction  // tallies already counted (rollups); added to Ratings' own
	AcknowledgedOnTime Rate
	ResolvedOnTime     Rate
}

// DepartmentKPIs lists a department's six KPIs with the targets configured
// (by KPI name; a KPI without a target is listed but not counted by
// KPIAchievementRate).
func DepartmentKPIs(f DepartmentFigures, targets map[string]Target) []KPI {
	bySource := SatisfactionBy(f.Ratings, BySource)
	values := []struct {
		name string
		rate Rate
	}{
		{KPIServiceLevel, ServiceLevel(f.Calls)},
		{KPIAbandonmentRate, AbandonmentRate(f.Calls)},
		{KPIPhoneSatisfaction, SatisfactionRate(f.Phone.Plus(bySource["phone"]))},
		{KPIKioskSatisfaction, SatisfactionRate(f.Kiosk.Plus(bySource["kiosk"]))},
		{KPIAcknowledgedOnTime, f.AcknowledgedOnTime},
		{KPIResolvedOnTime, f.ResolvedOnTime},
	}
	out := make([]KPI, 0, len(values))
	for _, v := range values {
		k := KPI{Name: v.name, Value: v.rate}
		if t, ok := targets[v.name]; ok {
			k.Target, k.Direction, k.HasTarget = t.Value, t.Direction, true
		}
		out = append(out, k)
	}
	return out
}
