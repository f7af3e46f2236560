package reporting

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/publicservice/hotline"
)

func rv(src hotline.RatingSource, dept string, r hotline.Rating, at time.Time, misuse bool) RatingValue {
	return RatingValue{Time: at, Rating: r, Source: src, Department: dept, Misuse: misuse}
}

// Cayman: UTC−5 all year.
var cayman = time.FixedZone("EST", -5*3600)

// satisfactionRatings (times in UTC; Monday 2 March 2026):
//
//	phone  immigration  very_happy 14:10, happy 14:20, unhappy 15:05, very_unhappy 15:30, happy 20:00
//	kiosk  immigration  very_happy 14:00, very_happy 14:00:01 (misuse: excluded), unhappy 16:00
//	web    licensing    happy 14:00 Tuesday
//	phone  licensing    rating 0 (not on the scale): excluded
func satisfactionRatings() []RatingValue {
	d := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	at := func(h, m, sec int) time.Time {
		return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sec)*time.Second)
	}
	return []RatingValue{
		rv(hotline.SourcePhone, "immigration", hotline.VeryHappy, at(14, 10, 0), false),
		rv(hotline.SourcePhone, "immigration", hotline.Happy, at(14, 20, 0), false),
		rv(hotline.SourcePhone, "immigration", hotline.Unhappy, at(15, 5, 0), false),
		rv(hotline.SourcePhone, "immigration", hotline.VeryUnhappy, at(15, 30, 0), false),
		rv(hotline.SourcePhone, "immigration", hotline.Happy, at(20, 0, 0), false),
		rv(hotline.SourceKiosk, "immigration", hotline.VeryHappy, at(14, 0, 0), false),
		rv(hotline.SourceKiosk, "immigration", hotline.VeryHappy, at(14, 0, 1), true),
		rv(hotline.SourceKiosk, "immigration", hotline.Unhappy, at(16, 0, 0), false),
		rv(hotline.SourceWeb, "licensing", hotline.Happy, at(24+14, 0, 0), false),
		rv(hotline.SourcePhone, "licensing", 0, at(14, 0, 0), false),
	}
}

func TestSatisfaction(t *testing.T) {
	rs := satisfactionRatings()
	// Valid: very_unhappy 1 (phone); unhappy 2 (phone, kiosk); happy 3 (phone ×2, web); very_happy 2 (phone, kiosk).
	all := Tally(rs)
	if want := (Satisfaction{VeryUnhappy: 1, Unhappy: 2, Happy: 3, VeryHappy: 2}); all != want {
		t.Fatalf("Tally = %+v, want %+v", all, want)
	}
	// (3 + 2) ÷ 8.
	if got := SatisfactionRate(all); got != (Rate{5, 8}) {
		t.Errorf("SatisfactionRate = %+v, want {5 8}", got)
	}
	if got, want := all.String(), "62.5% (n=8): 1 very unhappy, 2 unhappy, 3 happy, 2 very happy"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	b, _ := json.Marshal(all)
	if want := `{"very_unhappy":1,"unhappy":2,"happy":3,"very_happy":2,"n":8,"rate":{"value":0.625,"num":5,"n":8}}`; string(b) != want {
		t.Errorf("json = %s\nwant %s", b, want)
	}
	if got := SatisfactionRate(Satisfaction{}).String(); got != "no data" {
		t.Errorf("empty = %q, want no data", got)
	}

	tests := []struct {
		name string
		key  func(RatingValue) string
		want map[string]Rate
	}{
		// phone: very_happy, happy ×2, unhappy, very_unhappy → 3 ÷ 5; kiosk: very_happy, unhappy → 1 ÷ 2; web: happy → 1 ÷ 1.
		{"source", BySource, map[string]Rate{"": {5, 8}, "phone": {3, 5}, "kiosk": {1, 2}, "web": {1, 1}}},
		// immigration: the 7 valid phone and kiosk ratings, 4 happy or very happy; licensing: the web one.
		{"department", ByDepartment, map[string]Rate{"": {5, 8}, "immigration": {4, 7}, "licensing": {1, 1}}},
		// local (UTC−5) hours: 09:00 kiosk vh + web h, 09:10 vh, 09:20 h → "09" 4 ÷ 4; 10:05 u, 10:30 vu → "10" 0 ÷ 2;
		// 11:00 kiosk u → "11" 0 ÷ 1; 15:00 h → "15" 1 ÷ 1.
		{"hour", ByHour(cayman), map[string]Rate{"": {5, 8}, "09": {4, 4}, "10": {0, 2}, "11": {0, 1}, "15": {1, 1}}},
		// Monday: all but the web rating (4 ÷ 7); Tuesday: the web rating.
		{"weekday", ByWeekday(cayman), map[string]Rate{"": {5, 8}, "Monday": {4, 7}, "Tuesday": {1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SatisfactionBy(rs, tt.key)
			if len(got) != len(tt.want) {
				t.Errorf("keys %v, want %d keys", keys(got), len(tt.want))
			}
			for k, w := range tt.want {
				if r := SatisfactionRate(got[k]); r != w {
					t.Errorf("%q: %+v, want %+v", k, r, w)
				}
			}
		})
	}
}

func TestTrend(t *testing.T) {
	tests := []struct {
		name              string
		current, baseline Rate
		pp                float64
		ok                bool
	}{
		{"62.5% vs 50%: +12.5 points", Rate{5, 8}, Rate{1, 2}, 12.5, true},
		{"50% vs 75%: −25 points", Rate{2, 4}, Rate{3, 4}, -25, true},
		{"no baseline data", Rate{5, 8}, Rate{0, 0}, 0, false},
		{"no current data", Rate{0, 0}, Rate{1, 2}, 0, false},
	}
	for _, tt := range tests {
		pp, ok := Trend(tt.current, tt.baseline)
		if pp != tt.pp || ok != tt.ok {
			t.Errorf("%s: got %v, %v", tt.name, pp, ok)
		}
	}
}
