package reporting

import (
	"testing"
	"time"
)

// countsA is a month of one queue, made up so every figure is easy to check by hand:
// 100 offered = 80 answered + 15 abandoned (5 short, 7 within T) + 3 timed out + 2 callbacks;
// 64 answered within T; waits of answered sum to 80 × 15 s; talk 80 × 150 s, hold 80 × 10 s, wrap 80 × 40 s.
var countsA = Counts{
	Offered: 100, Answered: 80, AnsweredWithinT: 64, Abandoned: 15, ShortAbandoned: 5, AbandonedWithinT: 7,
	TimedOut: 3, CallbacksRequested: 2, WaitSum: 1200 * time.Second, MaxWait: 300 * time.Second,
	TalkSum: 12000 * time.Second, HoldSum: 800 * time.Second, WrapSum: 3200 * time.Second,
}

// countsShort: four callers, all hung up within 3 s (short abandons, within T).
var countsShort = Counts{Offered: 4, Abandoned: 4, ShortAbandoned: 4, AbandonedWithinT: 4, MaxWait: 3 * time.Second}

func TestServiceLevels(t *testing.T) {
	tests := []struct {
		name                  string
		c                     Counts
		sl, answeredOnly, sl2 Rate
		slText                string
	}{
		// SL = 64 ÷ (80 + 15 − 5 + 3 = 93); answered-only = 64 ÷ 80; SL2 = (64 + 7) ÷ (80 + 15).
		{"month", countsA, Rate{64, 93}, Rate{64, 80}, Rate{71, 95}, "68.8% (n=93)"},
		// SL = 0 ÷ (0 + 4 − 4 + 0) → no data; answered-only 0 ÷ 0 → no data; SL2 = (0 + 4) ÷ (0 + 4).
		{"only short abandons", countsShort, Rate{0, 0}, Rate{0, 0}, Rate{4, 4}, "no data"},
		// nothing happened: every rate is "no data", not 0%.
		{"empty", Counts{}, Rate{0, 0}, Rate{0, 0}, Rate{0, 0}, "no data"},
		// 1 answered after T, 1 timed out: SL = 0 ÷ 2 is a real 0%, not "no data".
		{"all late", Counts{Offered: 2, Answered: 1, TimedOut: 1}, Rate{0, 2}, Rate{0, 1}, Rate{0, 1}, "0.0% (n=2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ServiceLevel(tt.c); got != tt.sl {
				t.Errorf("ServiceLevel = %+v, want %+v", got, tt.sl)
			}
			if got := ServiceLevel(tt.c).String(); got != tt.slText {
				t.Errorf("ServiceLevel.String = %q, want %q", got, tt.slText)
			}
			if got := AnsweredOnlyServiceLevel(tt.c); got != tt.answeredOnly {
				t.Errorf("AnsweredOnlyServiceLevel = %+v, want %+v", got, tt.answeredOnly)
			}
			if got := AbandonNeutralServiceLevel(tt.c); got != tt.sl2 {
				t.Errorf("AbandonNeutralServiceLevel = %+v, want %+v", got, tt.sl2)
			}
		})
	}
}

func TestAbandonmentASAAHT(t *testing.T) {
	tests := []struct {
		name        string
		c           Counts
		abandonment Rate
		asa, aht    time.Duration
		hasAverages bool
		longest     time.Duration
	}{
		// abandonment = (15 − 5) ÷ (100 − 5); ASA = 1200 s ÷ 80 = 15 s; AHT = (12000 + 800 + 3200) s ÷ 80 = 200 s.
		{"month", countsA, Rate{10, 95}, 15 * time.Second, 200 * time.Second, true, 300 * time.Second},
		// abandonment = (4 − 4) ÷ (4 − 4) → no data; nobody answered → ASA and AHT no data.
		{"only short abandons", countsShort, Rate{0, 0}, 0, 0, false, 3 * time.Second},
		// 2 answered waiting 10 s and 20 s, talking 60 s and 100 s, no hold or wrap: ASA 15 s, AHT 80 s;
		// 1 of 3 offered abandoned after 40 s: 1 ÷ 3.
		{"small", Counts{Offered: 3, Answered: 2, Abandoned: 1, WaitSum: 30 * time.Second, TalkSum: 160 * time.Second,
			MaxWait: 40 * time.Second}, Rate{1, 3}, 15 * time.Second, 80 * time.Second, true, 40 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AbandonmentRate(tt.c); got != tt.abandonment {
				t.Errorf("AbandonmentRate = %+v, want %+v", got, tt.abandonment)
			}
			asa, ok := ASA(tt.c).Value()
			if ok != tt.hasAverages || asa != tt.asa {
				t.Errorf("ASA = %v, %v; want %v, %v", asa, ok, tt.asa, tt.hasAverages)
			}
			aht, ok := AHT(tt.c).Value()
			if ok != tt.hasAverages || aht != tt.aht {
				t.Errorf("AHT = %v, %v; want %v, %v", aht, ok, tt.aht, tt.hasAverages)
			}
			if got := LongestWait(tt.c); got != tt.longest {
				t.Errorf("LongestWait = %v, want %v", got, tt.longest)
			}
		})
	}
}

func TestOccupancy(t *testing.T) {
	tests := []struct {
		name           string
		handling, idle time.Duration
		want           float64
		ok             bool
		text           string
	}{
		{"6 h handling, 2 h idle: 6 ÷ 8", 6 * time.Hour, 2 * time.Hour, 0.75, true, "75.0% (of 8h0m0s)"},
		{"never idle: 1 ÷ 1", time.Hour, 0, 1, true, "100.0% (of 1h0m0s)"},
		{"idle all day: 0 ÷ 8 h", 0, 8 * time.Hour, 0, true, "0.0% (of 8h0m0s)"},
		{"not logged in: no data", 0, 0, 0, false, "no data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Occupancy(tt.handling, tt.idle)
			v, ok := o.Value()
			if v != tt.want || ok != tt.ok || o.String() != tt.text {
				t.Errorf("Occupancy = %v, %v, %q; want %v, %v, %q", v, ok, o.String(), tt.want, tt.ok, tt.text)
			}
		})
	}
}

func TestCountsAdd(t *testing.T) {
	a := Counts{Offered: 2, Answered: 1, WaitSum: time.Second, MaxWait: 9 * time.Second, TalkSum: time.Minute}
	a.Add(Counts{Offered: 3, Abandoned: 2, ShortAbandoned: 1, MaxWait: 4 * time.Second, TalkSum: time.Minute})
	want := Counts{Offered: 5, Answered: 1, Abandoned: 2, ShortAbandoned: 1, WaitSum: time.Second,
		MaxWait: 9 * time.Second, TalkSum: 2 * time.Minute}
	if a != want {
		t.Errorf("Add = %+v, want %+v", a, want)
	}
}
