package reports_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// TestLocalHoursInAnyZone: hours of the day and the day itself are the
// configured zone's, exact whatever its offset from UTC (whole hours, half
// hours, quarter hours, east and west), from the rollups as from the raw rows.
//
// In every zone the day is 10 March 2026 and the same local moments are used:
//
//	rating r1 at 08:55 (or 08:50) local, very happy      → hour 08
//	rating r2 at 09:05 (or 09:10) local, happy           → hour 09
//	rating r3 at 23:55 (or 23:50) local, unhappy         → hour 23, still 10 March
//	rating r4 at 00:05 (or 00:10) local on 11 March      → not in the day
//	rating r5 at 23:59 (or 23:55) local on 9 March       → not in the day
//	call c1 enters with r1, answered after 5 s            → interval 08:00
//	call c2 enters with r2, hangs up after 30 s           → interval 09:00
//	call c3 enters with r4                                → not in the day
//
// The UTC instants below are computed by hand from each zone's offset on that
// day. With one-hour (ratings) or half-hour (calls) UTC slots, r1 and r2 — and
// c1 and c2 at quarter-hour offsets — would fall in one slot and one local hour.
func TestLocalHoursInAnyZone(t *testing.T) {
	u := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		zone               string
		offset             string // on 10 March 2026
		r1, r2, r3, r4, r5 time.Time
	}{
		// 08:55 = 03:10 UTC; 09:05 = 03:20; 23:55 = 18:10; 11 Mar 00:05 = 10 Mar 18:20; 9 Mar 23:59 = 9 Mar 18:14.
		{"Asia/Kathmandu", "+05:45", u(10, 3, 10), u(10, 3, 20), u(10, 18, 10), u(10, 18, 20), u(9, 18, 14)},
		// 08:50 = 03:20 UTC; 09:10 = 03:40; 23:50 = 18:20; 11 Mar 00:10 = 10 Mar 18:40; 9 Mar 23:55 = 9 Mar 18:25.
		{"Asia/Kolkata", "+05:30", u(10, 3, 20), u(10, 3, 40), u(10, 18, 20), u(10, 18, 40), u(9, 18, 25)},
		// 08:55 = 9 Mar 19:10 UTC; 09:05 = 19:20; 23:55 = 10 Mar 10:10; 11 Mar 00:05 = 10:20; 9 Mar 23:59 = 9 Mar 10:14.
		{"Pacific/Chatham", "+13:45", u(9, 19, 10), u(9, 19, 20), u(10, 10, 10), u(10, 10, 20), u(9, 10, 14)},
		// 08:50 = 11:20 UTC; 09:10 = 11:40; 23:50 = 11 Mar 02:20; 11 Mar 00:10 = 02:40; 9 Mar 23:55 = 10 Mar 02:25.
		{"America/St_Johns", "-02:30", u(10, 11, 20), u(10, 11, 40), u(11, 2, 20), u(11, 2, 40), u(10, 2, 25)},
		// 08:50 = 13:50 UTC; 09:10 = 14:10; 23:50 = 11 Mar 04:50; 11 Mar 00:10 = 05:10; 9 Mar 23:55 = 10 Mar 04:55.
		{"America/Cayman", "-05:00", u(10, 13, 50), u(10, 14, 10), u(11, 4, 50), u(11, 5, 10), u(10, 4, 55)},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			cfg, err := config.Parse(bytes.Replace(config.SampleYAML(), []byte("timezone: America/Cayman"), []byte("timezone: "+tt.zone), 1), "zone")
			if err != nil {
				t.Fatal(err)
			}
			loc := cfg.Location()
			if _, off := tt.r1.In(loc).Zone(); (time.Duration(off)*time.Second).String() == "" || loc.String() != tt.zone {
				t.Fatalf("zone %s not configured", tt.zone)
			}
			db := storetest.MustOpenDB(t)
			db.SetRollupRules(store.RollupRules{Threshold: cfg.Threshold, ShortAbandon: cfg.ShortAbandon()})
			for i, r := range []struct {
				at time.Time
				r  hotline.Rating
			}{{tt.r1, hotline.VeryHappy}, {tt.r2, hotline.Happy}, {tt.r3, hotline.Unhappy}, {tt.r4, hotline.VeryUnhappy}, {tt.r5, hotline.VeryUnhappy}} {
				if err := db.SaveRating(ctx, store.Rating{Time: r.at, Rating: r.r, Source: hotline.SourcePhone,
					CallID: "r" + string(rune('1'+i)), Queue: "dvdl", Department: "dvdl"}); err != nil {
					t.Fatal(err)
				}
			}
			for _, b := range [][]hotline.QueueEvent{
				{qe("c1", hotline.EvEnterQueue, tt.r1, 0, 0), qe("c2", hotline.EvEnterQueue, tt.r2, 0, 0), qe("c3", hotline.EvEnterQueue, tt.r4, 0, 0)},
				{qe("c1", hotline.EvConnect, tt.r1.Add(5*sec), 5*sec, 0), qe("c2", hotline.EvAbandon, tt.r2.Add(30*sec), 30*sec, 0)},
			} {
				if err := db.AppendQueueEvents(ctx, b); err != nil {
					t.Fatal(err)
				}
			}
			s := &reports.Service{DB: db, Config: cfg, Now: func() time.Time { return tt.r1.AddDate(0, 1, 0) }}
			from, to, err := reports.ParseDays("2026-03-10", "2026-03-10", loc)
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range []bool{false, true} {
				r, err := s.KPIs(ctx, from, to, reports.Options{Interval: time.Hour, Raw: raw})
				if err != nil {
					t.Fatal(err)
				}
				name := tt.zone + " " + tt.offset + " (" + r.Source + ")"
				wantHours := map[string]reporting.Satisfaction{"08": sat(0, 0, 0, 1), "09": sat(0, 0, 1, 0), "23": sat(0, 1, 0, 0)}
				if len(r.Satisfaction.ByHour) != len(wantHours) {
					t.Errorf("%s: hours %v, want %v", name, r.Satisfaction.ByHour, wantHours)
				}
				for h, want := range wantHours {
					if got := r.Satisfaction.ByHour[h].Combined; got != want {
						t.Errorf("%s: hour %s %v, want %v", name, h, got, want)
					}
				}
				if got := r.Satisfaction.Combined; got != sat(0, 1, 1, 1) {
					t.Errorf("%s: the day's satisfaction %v, want r1, r2 and r3 only", name, got)
				}
				tel := r.Telephone.Total
				if tel.Offered != 2 || tel.Answered != 1 || tel.Abandoned != 1 {
					t.Errorf("%s: the day's calls %+v, want c1 and c2 only", name, tel)
				}
				got := map[string][3]int{}
				for _, iv := range r.Telephone.Intervals {
					got[iv.Start.In(loc).Format("2006-01-02 15:04")] = [3]int{iv.Offered, iv.Answered, iv.Abandoned}
				}
				want := map[string][3]int{"2026-03-10 08:00": {1, 1, 0}, "2026-03-10 09:00": {1, 0, 1}}
				if len(got) != len(want) || got["2026-03-10 08:00"] != want["2026-03-10 08:00"] || got["2026-03-10 09:00"] != want["2026-03-10 09:00"] {
					t.Errorf("%s: hourly intervals %v, want %v", name, got, want)
				}
			}
		})
	}
}
