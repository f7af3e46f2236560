package reporting

import (
	"testing"
)

func TestKPIMet(t *testing.T) {
	tests := []struct {
		name    string
		k       KPI
		met, ok bool
	}{
		{"SL 64/93 = 68.8% < 80%", KPI{Value: Rate{64, 93}, Target: 0.8, HasTarget: true}, false, true},
		{"SL exactly 80% meets ≥ 80%", KPI{Value: Rate{8, 10}, Target: 0.8, HasTarget: true}, true, true},
		{"abandonment 1/20 = 5% meets ≤ 5%", KPI{Value: Rate{1, 20}, Target: 0.05, Direction: AtMost, HasTarget: true}, true, true},
		{"abandonment 10/95 = 10.5% > 5%", KPI{Value: Rate{10, 95}, Target: 0.05, Direction: AtMost, HasTarget: true}, false, true},
		{"no data: not counted", KPI{Value: Rate{0, 0}, Target: 0.8, HasTarget: true}, false, false},
		{"no target: not counted", KPI{Value: Rate{9, 10}}, false, false},
	}
	for _, tt := range tests {
		if met, ok := tt.k.Met(); met != tt.met || ok != tt.ok {
			t.Errorf("%s: Met = %v, %v; want %v, %v", tt.name, met, ok, tt.met, tt.ok)
		}
	}
}

func TestDepartmentKPIs(t *testing.T) {
	targets := map[string]Target{
		KPIServiceLevel:       DefaultTargets[KPIServiceLevel],    // ≥ 80%
		KPIAbandonmentRate:    DefaultTargets[KPIAbandonmentRate], // ≤ 5%
		KPIPhoneSatisfaction:  {Value: 0.6},
		KPIAcknowledgedOnTime: {Value: 0.9},
		KPIResolvedOnTime:     {Value: 0.8},
		// kiosk satisfaction: no target
	}
	f := DepartmentFigures{
		Calls:              countsA,               // SL 64/93 = 68.8%: not met; abandonment 10/95 = 10.5%: not met
		Ratings:            satisfactionRatings(), // phone 3/5 = 60%: met (≥ 60%); kiosk 1/2: no target
		AcknowledgedOnTime: Rate{9, 10},           // 90% ≥ 90%: met
		ResolvedOnTime:     Rate{0, 0},            // no complaint due: no data, not counted
	}
	kpis := DepartmentKPIs(f, targets)
	want := []struct {
		name    string
		value   Rate
		met, ok bool
	}{
		{KPIServiceLevel, Rate{64, 93}, false, true},
		{KPIAbandonmentRate, Rate{10, 95}, false, true},
		{KPIPhoneSatisfaction, Rate{3, 5}, true, true},
		{KPIKioskSatisfaction, Rate{1, 2}, false, false},
		{KPIAcknowledgedOnTime, Rate{9, 10}, true, true},
		{KPIResolvedOnTime, Rate{0, 0}, false, false},
	}
	if len(kpis) != len(want) {
		t.Fatalf("got %d KPIs, want %d", len(kpis), len(want))
	}
	for i, w := range want {
		k := kpis[i]
		met, ok := k.Met()
		if k.Name != w.name || k.Value != w.value || met != w.met || ok != w.ok {
			t.Errorf("KPI %d = %s (met %v, ok %v); want %s %+v met %v ok %v", i, k, met, ok, w.name, w.value, w.met, w.ok)
		}
	}
	// 2 met (phone satisfaction, acknowledgement) of 4 with a target and data.
	if got := KPIAchievementRate(kpis); got != (Rate{2, 4}) {
		t.Errorf("KPIAchievementRate = %+v, want {2 4}", got)
	}
	if got := KPIAchievementRate(nil); got.String() != "no data" {
		t.Errorf("no KPIs: %v, want no data", got)
	}
	if got, want := kpis[1].String(), "abandonment_rate 10.5% (n=95) target ≤ 5.0%: not met"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}
