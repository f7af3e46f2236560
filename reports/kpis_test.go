package reports_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

var cayman, _ = time.LoadLocation("America/Cayman") // UTC−5, no daylight saving

func local(mo time.Month, d, h, m, s int) time.Time {
	return time.Date(2026, mo, d, h, m, s, 0, cayman)
}

const sec = time.Second

func qe(call string, typ hotline.QueueEventType, at time.Time, wait, talk time.Duration) hotline.QueueEvent {
	return hotline.QueueEvent{Time: at, CallID: call, Queue: "dvdl", Agent: "a101", Type: typ, Wait: wait, Talk: talk}
}

// fixture writes the scenario the expected values below are computed from by hand.
//
// Queue dvdl (T 20 s, S 5 s), local time America/Cayman:
//
//	c1 enters 10 Mar 09:00:00, answered after 10 s, on hold 30 s (HOLD/UNHOLD name no queue),
//	   talks 180 s, wrap-up ends 60 s after the call                          answered within T
//	c2 enters 10 Mar 09:10:00, hangs up after 3 s                            short abandon
//	c3 enters 10 Mar 09:20:00, hangs up after 40 s                           abandoned
//	c4 enters 31 Mar 23:59:50, answered 1 Apr 00:00:30 (40 s), talks 120 s   March: counted by entry, across midnight and month end
//	c5 enters 1 Apr 00:00:10, still waiting                                  April
//	c6 enters 5 May 09:00:00, leaves after 20 s: nobody serves dvdl (EXITEMPTY)   unstaffed, offered
//	c7 could not join dvdl on 5 May 09:40:00 (EXITEMPTY "join")              unstaffed, not offered
//
// Ratings: c1's phone survey very happy (10 Mar 09:05); the dvdl kiosk: happy 10 Mar 10:00:00, very unhappy
// 1 s later (misuse), unhappy 14:00; the "lands" kiosk (a department with only kiosks, not in the
// configuration): very happy 31 Mar 22:30 local (1 Apr 03:30 UTC: March locally), unhappy 1 Apr 00:30 local.
func fixture(t *testing.T) *reports.Service {
	t.Helper()
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	cfg := config.Sample()
	db.SetRollupRules(store.RollupRules{Threshold: cfg.Threshold, ShortAbandon: cfg.ShortAbandon()})
	c1 := local(3, 10, 9, 0, 0)
	batches := [][]hotline.QueueEvent{
		{qe("c1", hotline.EvEnterQueue, c1, 0, 0), qe("c1", hotline.EvConnect, c1.Add(10*sec), 10*sec, 0)},
		{{Time: c1.Add(60 * sec), CallID: "c1", Agent: "a101", Type: hotline.EvHold},
			{Time: c1.Add(90 * sec), CallID: "c1", Agent: "a101", Type: hotline.EvUnhold}},
		{qe("c1", hotline.EvCompleteAgent, c1.Add(190*sec), 10*sec, 180*sec)},
		{qe("c1", hotline.EvWrapupEnd, c1.Add(250*sec), 0, 0), qe("c2", hotline.EvEnterQueue, local(3, 10, 9, 10, 0), 0, 0),
			qe("c2", hotline.EvAbandon, local(3, 10, 9, 10, 3), 3*sec, 0), qe("c3", hotline.EvEnterQueue, local(3, 10, 9, 20, 0), 0, 0)},
		{qe("c3", hotline.EvAbandon, local(3, 10, 9, 20, 40), 40*sec, 0)},
		{qe("c4", hotline.EvEnterQueue, local(3, 31, 23, 59, 50), 0, 0), qe("c5", hotline.EvEnterQueue, local(4, 1, 0, 0, 10), 0, 0)},
		{qe("c4", hotline.EvConnect, local(4, 1, 0, 0, 30), 40*sec, 0)},
		{qe("c4", hotline.EvCompleteCaller, local(4, 1, 0, 2, 30), 40*sec, 120*sec)},
		{qe("c6", hotline.EvEnterQueue, local(5, 5, 9, 0, 0), 0, 0)},
		{{Time: local(5, 5, 9, 0, 20), CallID: "c6", Queue: "dvdl", Type: hotline.EvExitEmpty, Wait: 20 * sec, Data: "leave"},
			{Time: local(5, 5, 9, 40, 0), CallID: "c7", Queue: "dvdl", Type: hotline.EvExitEmpty, Data: "join"}},
	}
	for _, b := range batches { // one batch at a time, as the writer would: the rollup follows each
		if err := db.AppendQueueEvents(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveRating(ctx, store.Rating{Time: local(3, 10, 9, 5, 0), Rating: hotline.VeryHappy, Source: hotline.SourcePhone,
		CallID: "c1", Queue: "dvdl", Department: "dvdl"}); err != nil {
		t.Fatal(err)
	}
	reg := kiosk.NewRegistry(db.Pool())
	kd, _, err := reg.Add(ctx, "dvdl", "Front counter", c1)
	if err != nil {
		t.Fatal(err)
	}
	kl, _, err := reg.Add(ctx, "lands", "Survey office", c1)
	if err != nil {
		t.Fatal(err)
	}
	row := func(k kiosk.Kiosk, seq int64, at time.Time, r hotline.Rating) kiosk.Row {
		return kiosk.Row{Time: at, Rating: r, KioskID: k.ID, Department: k.Department, ServicePoint: k.Location, Seq: seq, HasSeq: true}
	}
	if _, err := kiosk.Store(ctx, db.Pool(), []kiosk.Row{
		row(kd, 1, local(3, 10, 10, 0, 0), hotline.Happy), row(kd, 2, local(3, 10, 10, 0, 1), hotline.VeryUnhappy),
		row(kd, 3, local(3, 10, 14, 0, 0), hotline.Unhappy),
		row(kl, 1, local(3, 31, 22, 30, 0), hotline.VeryHappy), row(kl, 2, local(4, 1, 0, 30, 0), hotline.Unhappy),
	}, 2*sec); err != nil {
		t.Fatal(err)
	}
	if err := reports.SaveStaff(ctx, db,
		reports.StaffRecord{AgentID: "a101", Department: "dvdl", CustomerFacing: true, LastTrained: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)},
		reports.StaffRecord{AgentID: "a102", Department: "dvdl", CustomerFacing: true, LastTrained: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)},
		reports.StaffRecord{AgentID: "a103", Department: "cbc", CustomerFacing: true},
		reports.StaffRecord{AgentID: "a104", Department: "cbc", CustomerFacing: false, LastTrained: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
	); err != nil {
		t.Fatal(err)
	}
	return &reports.Service{DB: db, Config: cfg, Now: func() time.Time { return local(4, 5, 12, 0, 0) }}
}

func rate(num, den int) reporting.Rate { return reporting.Rate{Num: num, Den: den} }

func sat(vu, u, h, vh int) reporting.Satisfaction {
	return reporting.Satisfaction{VeryUnhappy: vu, Unhappy: u, Happy: h, VeryHappy: vh}
}

func TestKPIs(t *testing.T) {
	s := fixture(t)
	ctx := context.Background()
	pp := func(f float64) *float64 { return &f }
	tests := []struct {
		name, from, to, dept string

		offered, answered         int
		unstaffed                 int
		serviceLevel, abandonment reporting.Rate
		asa, aht                  reporting.Average
		longestWait               float64
		phone, kiosk, combined    reporting.Satisfaction
		byDept                    map[string]reporting.Satisfaction // combined
		byHour                    map[string]reporting.Satisfaction // combined
		byPoint                   map[string]reporting.Satisfaction // kiosks' service points
		byWeekday                 map[string]reporting.Satisfaction // combined, local weekday
		misuse                    map[string]int                    // by kiosk location's department (checked by count)
		trend                     *float64
		achievement               reporting.Rate
		staffTrained              reporting.Rate
	}{
		{name: "March: midnight and month end by entry, local hours, misuse left out", from: "2026-03-01", to: "2026-03-31",
			// c1..c4; answered c1 (10 s ≤ T), c4 (40 s); abandoned c2 (short), c3.
			offered: 4, answered: 2, serviceLevel: rate(1, 3) /* 1 ÷ (2 + 2 − 1) */, abandonment: rate(1, 3), /* (2−1) ÷ (4−1) */
			asa: reporting.Average{Sum: 50 * sec, N: 2}, aht: reporting.Average{Sum: (180 + 120 + 30 + 60) * sec, N: 2}, longestWait: 40,
			phone: sat(0, 0, 0, 1), kiosk: sat(0, 1, 1, 1), combined: sat(0, 1, 1, 2),
			byDept: map[string]reporting.Satisfaction{"dvdl": sat(0, 1, 1, 1), "lands": sat(0, 0, 0, 1)},
			byHour: map[string]reporting.Satisfaction{"09": sat(0, 0, 0, 1), "10": sat(0, 0, 1, 0), "14": sat(0, 1, 0, 0), "22": sat(0, 0, 0, 1)},
			// Kiosk presses only; the misuse press left out. 10 and 31 March 2026 are Tuesdays.
			byPoint:   map[string]reporting.Satisfaction{"Front counter": sat(0, 1, 1, 0), "Survey office": sat(0, 0, 0, 1)},
			byWeekday: map[string]reporting.Satisfaction{"Tuesday": sat(0, 1, 1, 2)},
			misuse:    map[string]int{"dvdl": 1}, trend: pp(0), // March is the baseline month
			// dvdl: SL 33% < 80% no, abandonment 33% > 5% no, phone 100% ≥ 80% yes, kiosk 50% no; lands: kiosk 100% yes.
			achievement: rate(2, 5),
			// a101 trained 15 Jan 2026 (within 12 months of 5 Apr 2026); a102 in 2024; a103 never; a104 not customer-facing.
			staffTrained: rate(1, 3)},
		{name: "April: a call still waiting, a department with only kiosks", from: "2026-04-01", to: "2026-04-30",
			offered: 1, serviceLevel: rate(0, 0), abandonment: rate(0, 1),
			kiosk: sat(0, 1, 0, 0), combined: sat(0, 1, 0, 0), byDept: map[string]reporting.Satisfaction{"lands": sat(0, 1, 0, 0)},
			byHour:  map[string]reporting.Satisfaction{"00": sat(0, 1, 0, 0)},
			byPoint: map[string]reporting.Satisfaction{"Survey office": sat(0, 1, 0, 0)}, byWeekday: map[string]reporting.Satisfaction{"Wednesday": sat(0, 1, 0, 0)},
			trend: pp(-75), // 0 of 1 against 3 of 4 in March
			// lands: kiosk 0% < 80%; dvdl abandonment 0 of 1 ≤ 5%: met.
			achievement: rate(1, 2), staffTrained: rate(1, 3)},
		{name: "only the kiosk department", from: "2026-03-01", to: "2026-04-30", dept: "lands",
			kiosk: sat(0, 1, 0, 1), combined: sat(0, 1, 0, 1), byDept: map[string]reporting.Satisfaction{"lands": sat(0, 1, 0, 1)},
			byHour:    map[string]reporting.Satisfaction{"22": sat(0, 0, 0, 1), "00": sat(0, 1, 0, 0)},
			byPoint:   map[string]reporting.Satisfaction{"Survey office": sat(0, 1, 0, 1)},
			byWeekday: map[string]reporting.Satisfaction{"Tuesday": sat(0, 0, 0, 1), "Wednesday": sat(0, 1, 0, 0)},
			trend:     pp(-50), achievement: rate(0, 1), staffTrained: rate(0, 0)},
		{name: "May: callers nobody could serve (EXITEMPTY), from rollups as from raw rows", from: "2026-05-01", to: "2026-05-31",
			// c6 offered and left unstaffed after 20 s; c7 never joined. No answer, no abandon.
			offered: 1, unstaffed: 2, serviceLevel: rate(0, 0), abandonment: rate(0, 1), longestWait: 20,
			// dvdl: service level no data; abandonment 0 of 1 ≤ 5%: met. No ratings: no trend.
			achievement: rate(1, 1), staffTrained: rate(1, 3)},
		{name: "an empty period: no data, never 0%", from: "2026-06-01", to: "2026-06-30",
			trend: nil, staffTrained: rate(1, 3)},
	}
	for _, tt := range tests {
		for _, raw := range []bool{false, true} {
			from, to, err := reports.ParseDays(tt.from, tt.to, cayman)
			if err != nil {
				t.Fatal(err)
			}
			r, err := s.KPIs(ctx, from, to, reports.Options{Department: tt.dept, Raw: raw})
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			name := tt.name + " (" + r.Source + ")"
			tel := r.Telephone.Total
			if tel.Offered != tt.offered || tel.Answered != tt.answered || tel.Unstaffed != tt.unstaffed || tel.ServiceLevel != tt.serviceLevel ||
				tel.AbandonmentRate != tt.abandonment || tel.ASA != tt.asa || tel.AHT != tt.aht || tel.LongestWaitSeconds != tt.longestWait {
				t.Errorf("%s: telephone %+v", name, tel)
			}
			st := r.Satisfaction
			if st.Phone != tt.phone || st.Kiosk != tt.kiosk || st.Combined != tt.combined {
				t.Errorf("%s: satisfaction phone %v kiosk %v combined %v", name, st.Phone, st.Kiosk, st.Combined)
			}
			if len(st.ByDepartment) != len(tt.byDept) {
				t.Errorf("%s: departments %v", name, st.ByDepartment)
			}
			for d, want := range tt.byDept {
				if st.ByDepartment[d].Combined != want {
					t.Errorf("%s: department %s %v, want %v", name, d, st.ByDepartment[d].Combined, want)
				}
			}
			if len(st.ByHour) != len(tt.byHour) {
				t.Errorf("%s: hours %v", name, st.ByHour)
			}
			for h, want := range tt.byHour {
				if st.ByHour[h].Combined != want {
					t.Errorf("%s: hour %s %v, want %v", name, h, st.ByHour[h].Combined, want)
				}
			}
			if len(st.ByServicePoint) != len(tt.byPoint) {
				t.Errorf("%s: service points %v", name, st.ByServicePoint)
			}
			for p, want := range tt.byPoint {
				if st.ByServicePoint[p] != want {
					t.Errorf("%s: service point %s %v, want %v", name, p, st.ByServicePoint[p], want)
				}
			}
			if len(st.ByWeekday) != len(tt.byWeekday) {
				t.Errorf("%s: weekdays %v", name, st.ByWeekday)
			}
			for d, want := range tt.byWeekday {
				if st.ByWeekday[d].Combined != want {
					t.Errorf("%s: %s %v, want %v", name, d, st.ByWeekday[d].Combined, want)
				}
			}
			if n := len(st.MisuseByKiosk); n != len(tt.misuse) {
				t.Errorf("%s: misuse by kiosk %v", name, st.MisuseByKiosk)
			}
			if (st.Trend.Points == nil) != (tt.trend == nil) || (tt.trend != nil && math.Abs(*st.Trend.Points-*tt.trend) > 1e-9) {
				t.Errorf("%s: trend %v, want %v", name, st.Trend.Points, tt.trend)
			}
			if r.KPIAchievement.Overall != tt.achievement {
				t.Errorf("%s: KPI achievement %v, want %v (%+v)", name, r.KPIAchievement.Overall, tt.achievement, r.KPIAchievement.Departments)
			}
			if r.StaffTrained != tt.staffTrained {
				t.Errorf("%s: staff trained %v, want %v", name, r.StaffTrained, tt.staffTrained)
			}
			if r.Complaints.Note == "" || r.Complaints.ResolvedOnTime.Den != 0 {
				t.Errorf("%s: complaints %+v, want no data with a note", name, r.Complaints)
			}
		}
	}
}

func TestKPIsJSONSaysNoData(t *testing.T) {
	s := fixture(t)
	from, to, _ := reports.ParseDays("2026-06-01", "2026-06-30", cayman)
	r, err := s.KPIs(context.Background(), from, to, reports.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(r)
	var m struct {
		Telephone struct {
			Total struct {
				ServiceLevel struct {
					Value *float64 `json:"value"`
					Num   int      `json:"num"`
					N     int      `json:"n"`
				} `json:"service_level"`
			} `json:"total"`
		} `json:"telephone"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Telephone.Total.ServiceLevel.Value != nil || m.Telephone.Total.ServiceLevel.N != 0 {
		t.Errorf("empty period service level %+v, want value null, n 0", m.Telephone.Total.ServiceLevel)
	}
}

// TestEGovernmentServicesInKPIs: the e-government KPI in the report counts the
// configured service inventory (config.Sample: cbc 2 of 3 online, passports 0
// of 2, dvdl 3 of 3, registry 2 of 2, worc 2 of 2, pocs 3 of 3).
func TestEGovernmentServicesInKPIs(t *testing.T) {
	s := fixture(t)
	from, to, err := reports.ParseDays("2026-03-01", "2026-03-31", cayman)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		dept string
		want reporting.Rate
	}{
		{"", rate(12, 15)},
		{"dvdl", rate(3, 3)},
		{"passports", rate(0, 2)},
		{"cbc", rate(2, 3)},
	} {
		for _, raw := range []bool{false, true} {
			r, err := s.KPIs(context.Background(), from, to, reports.Options{Department: tt.dept, Raw: raw})
			if err != nil {
				t.Fatal(err)
			}
			if r.EGovernmentServices != tt.want {
				t.Errorf("department %q (raw %v): e-government services %v, want %v", tt.dept, raw, r.EGovernmentServices, tt.want)
			}
		}
	}
}
