// Package reports is the reporting service: it gathers the figures (the
// rollup tables kept as data arrives, or the raw rows for comparison) and
// computes every KPI of PRODUCT.md through package reporting's definitions,
// the same for every output: the JSON API, the monthly HTML report, the
// public transparency page, CSV exports and Prometheus metrics.
package reports

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/store"
)

// Complaints gives the complaints of one department ("" all) whose
// deadlines may fall in [from, to). h-tickets' tickets table provides it.
type Complaints func(ctx context.Context, dept string, from, to time.Time) ([]reporting.Complaint, error)

// Service builds reports.
type Service struct {
	DB     *store.DB
	Config *config.Config
	Now    func() time.Time
	// Complaints, when nil, makes every complaint KPI "no data" with NoComplaintsNote.
	Complaints Complaints
}

// NoComplaintsNote explains complaint figures when no complaints source is wired.
const NoComplaintsNote = "no data: complaints are not recorded in this installation (the tickets table of issue #9 is not available)"

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) loc() *time.Location { return s.Config.Location() }

// Telephone is a queue's (department's, or everyone's) telephone standards.
type Telephone struct {
	Offered                    int               `json:"offered"`
	Answered                   int               `json:"answered"`
	AnsweredWithinT            int               `json:"answered_within_threshold"`
	Abandoned                  int               `json:"abandoned"`
	ShortAbandoned             int               `json:"short_abandoned"`
	TimedOut                   int               `json:"timed_out"`
	CallbacksRequested         int               `json:"callbacks_requested"`
	CallbacksCompleted         int               `json:"callbacks_completed"`
	Unstaffed                  int               `json:"unstaffed"` // could not join, or left, because nobody served the queue (EXITEMPTY)
	ServiceLevel               reporting.Rate    `json:"service_level"`
	AnsweredOnlyServiceLevel   reporting.Rate    `json:"answered_only_service_level"`
	AbandonNeutralServiceLevel reporting.Rate    `json:"abandon_neutral_service_level"`
	ThresholdSeconds           float64           `json:"threshold_seconds,omitempty"`
	Target                     float64           `json:"target,omitempty"`
	ASA                        reporting.Average `json:"asa"`
	AbandonmentRate            reporting.Rate    `json:"abandonment_rate"`
	LongestWaitSeconds         float64           `json:"longest_wait_seconds"`
	AHT                        reporting.Average `json:"aht"`
}

// NewTelephone computes the telephone metrics of c.
func NewTelephone(c reporting.Counts) Telephone {
	return Telephone{Offered: c.Offered, Answered: c.Answered, AnsweredWithinT: c.AnsweredWithinT, Abandoned: c.Abandoned,
		ShortAbandoned: c.ShortAbandoned, TimedOut: c.TimedOut, CallbacksRequested: c.CallbacksRequested,
		CallbacksCompleted: c.CallbacksCompleted, Unstaffed: c.Unstaffed, ServiceLevel: reporting.ServiceLevel(c),
		AnsweredOnlyServiceLevel: reporting.AnsweredOnlyServiceLevel(c), AbandonNeutralServiceLevel: reporting.AbandonNeutralServiceLevel(c),
		ASA: reporting.ASA(c), AbandonmentRate: reporting.AbandonmentRate(c), LongestWaitSeconds: reporting.LongestWait(c).Seconds(),
		AHT: reporting.AHT(c)}
}

// Interval is one queue's telephone standards in one interval.
type Interval struct {
	Queue string    `json:"queue"`
	Start time.Time `json:"start"`
	Telephone
}

// SourceSatisfaction is satisfaction per source and combined (phone + kiosk + web).
type SourceSatisfaction struct {
	Phone    reporting.Satisfaction `json:"phone"`
	Kiosk    reporting.Satisfaction `json:"kiosk"`
	Web      reporting.Satisfaction `json:"web"`
	Combined reporting.Satisfaction `json:"combined"`
}

// Trend is a satisfaction rate against the baseline month.
type Trend struct {
	BaselineMonth string         `json:"baseline_month"`
	Baseline      reporting.Rate `json:"baseline"`
	Current       reporting.Rate `json:"current"`
	Points        *float64       `json:"points"` // percentage points; null: no data on one side
}

// Satisfaction is every satisfaction breakdown of PRODUCT.md.
type Satisfaction struct {
	SourceSatisfaction
	ByDepartment   map[string]SourceSatisfaction     `json:"by_department"`
	ByServicePoint map[string]reporting.Satisfaction `json:"by_service_point"` // kiosks' locations
	ByHour         map[string]SourceSatisfaction     `json:"by_hour"`          // local hour "08"
	ByWeekday      map[string]SourceSatisfaction     `json:"by_weekday"`
	Trend          Trend                             `json:"trend"`               // combined, against the baseline
	TrendBySource  map[string]Trend                  `json:"trend_by_source"`     // phone, kiosk
	TrendByDept    map[string]Trend                  `json:"trend_by_department"` // combined
	MisuseByKiosk  map[string]int                    `json:"misuse_by_kiosk"`     // presses flagged as misuse, left out
}

// ComplaintFigures are the complaint KPIs.
type ComplaintFigures struct {
	ResolvedOnTime      reporting.Rate `json:"resolved_on_time"`
	AcknowledgedOnTime  reporting.Rate `json:"acknowledged_on_time"`
	MedianDaysToResolve *float64       `json:"median_days_to_resolve"`
	Resolved            int            `json:"resolved"`
	Note                string         `json:"note,omitempty"`
}

// DepartmentKPIs is one department's KPIs and their achievement rate.
type DepartmentKPIs struct {
	Achievement reporting.Rate  `json:"achievement"`
	KPIs        []reporting.KPI `json:"kpis"`
}

// KPIReport is GET /api/v1/reports/kpis: every KPI of PRODUCT.md for one period.
type KPIReport struct {
	From       string `json:"from"` // local dates, to inclusive
	To         string `json:"to"`
	TimeZone   string `json:"time_zone"`
	Department string `json:"department,omitempty"`
	Source     string `json:"source"` // rollup or raw
	Telephone  struct {
		Total       Telephone            `json:"total"`
		Queues      map[string]Telephone `json:"queues"`
		Departments map[string]Telephone `json:"departments"`
		Intervals   []Interval           `json:"intervals,omitempty"`
	} `json:"telephone"`
	Satisfaction   Satisfaction     `json:"satisfaction"`
	Complaints     ComplaintFigures `json:"complaints"`
	KPIAchievement struct {
		Overall     reporting.Rate            `json:"overall"`
		Departments map[string]DepartmentKPIs `json:"departments"`
	} `json:"kpi_achievement"`
	StaffTrained        reporting.Rate `json:"staff_trained"`
	TrainingMonths      int            `json:"training_months"`
	EGovernmentServices reporting.Rate `json:"e_government_services"`
}

// Options choose a report's data and breakdowns.
type Options struct {
	Department string        // "" every department
	Raw        bool          // count the raw rows instead of the rollups (for the benchmark and tests)
	Interval   time.Duration // > 0: per-queue telephone figures per interval (a multiple of 30 minutes)

	cache map[[2]time.Time]Figures // gathered figures shared by the reports of one page
}

// gather is Gather through o's cache.
func (s *Service) gather(ctx context.Context, from, to time.Time, o Options) (Figures, error) {
	k := [2]time.Time{from, to}
	if f, ok := o.cache[k]; ok {
		return f, nil
	}
	f, err := s.Gather(ctx, from, to, o.Raw)
	if err == nil && o.cache != nil {
		o.cache[k] = f
	}
	return f, err
}

// Figures are the counted data of one period, before any metric.
type Figures struct {
	Calls   map[reporting.SlotKey]reporting.Counts
	Ratings []reporting.RatingCount
}

// Gather counts [from, to) from the rollups, or from the raw rows (queue
// events until a day after to, so that calls entering before to have their
// outcomes; ratings of the period).
func (s *Service) Gather(ctx context.Context, from, to time.Time, raw bool) (Figures, error) {
	var f Figures
	var err error
	if !raw {
		if f.Calls, err = s.DB.QueueRollup(ctx, from, to); err != nil {
			return f, err
		}
		f.Ratings, err = s.DB.RatingRollup(ctx, from, to)
		return f, err
	}
	events, err := s.DB.QueueEvents(ctx, from, to.Add(24*time.Hour), "")
	if err != nil {
		return f, err
	}
	rules := s.DB.RollupRules()
	all := reporting.CountsBySlot(events, store.RollupSlot, rules.Threshold, rules.ShortAbandon)
	f.Calls = map[reporting.SlotKey]reporting.Counts{}
	for k, c := range all {
		if !k.Slot.Before(from) && k.Slot.Before(to) {
			f.Calls[k] = c
		}
	}
	rs, err := s.DB.Ratings(ctx, from, to)
	if err != nil {
		return f, err
	}
	vals := make([]reporting.RatingValue, len(rs))
	for i := range rs {
		vals[i] = rs[i].Value()
	}
	f.Ratings = reporting.RatingCounts(vals)
	return f, nil
}

// ParseDays reads from and to (YYYY-MM-DD, to inclusive) as local days.
func ParseDays(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	f, err := time.ParseInLocation("2006-01-02", from, loc)
	if err != nil {
		return time.Time{}, time.Time{}, hotline.Errorf(hotline.EINVALID, "from %q is not a date (YYYY-MM-DD)", from)
	}
	t, err := time.ParseInLocation("2006-01-02", to, loc)
	if err != nil {
		return time.Time{}, time.Time{}, hotline.Errorf(hotline.EINVALID, "to %q is not a date (YYYY-MM-DD)", to)
	}
	if t.Before(f) {
		return time.Time{}, time.Time{}, hotline.Errorf(hotline.EINVALID, "to %s is before from %s", to, from)
	}
	return f, time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc), nil
}

func (s *Service) queueDept(q string) string {
	if qc := s.Config.Queue(q); qc != nil {
		return qc.Department
	}
	return ""
}

// baseline is a department's baseline month ("" none configured).
func (s *Service) baseline(dept string) string {
	if b, ok := s.Config.Reporting.Baselines[dept]; ok {
		return b
	}
	return s.Config.Reporting.BaselineMonth
}

// KPIs builds the report of the local days [from, to).
func (s *Service) KPIs(ctx context.Context, from, to time.Time, o Options) (*KPIReport, error) {
	if o.Department != "" && s.Config.Department(o.Department) == nil && !s.hasKioskDept(ctx, o.Department) {
		return nil, hotline.Errorf(hotline.ENOTFOUND, "no department %q", o.Department)
	}
	f, err := s.gather(ctx, from, to, o)
	if err != nil {
		return nil, err
	}
	f = s.filter(f, o.Department)
	r := &KPIReport{From: from.In(s.loc()).Format("2006-01-02"), To: to.In(s.loc()).AddDate(0, 0, -1).Format("2006-01-02"),
		TimeZone: s.loc().String(), Department: o.Department, Source: "rollup"}
	if o.Raw {
		r.Source = "raw"
	}
	s.telephone(r, f, o)
	if err := s.satisfaction(ctx, r, f, from, to, o); err != nil {
		return nil, err
	}
	if err := s.complaints(ctx, r, from, to, o.Department); err != nil {
		return nil, err
	}
	if err := s.staff(ctx, r, o.Department); err != nil {
		return nil, err
	}
	s.achievement(r, f, o.Department)
	var services []reporting.Service
	for _, d := range s.Config.Departments {
		if o.Department != "" && d.ID != o.Department {
			continue
		}
		for _, sv := range d.Services {
			services = append(services, reporting.Service{Name: sv.Name, Online: sv.Online})
		}
	}
	r.EGovernmentServices = reporting.EGovernmentServices(services)
	return r, nil
}

func (s *Service) hasKioskDept(ctx context.Context, dept string) bool {
	var n int
	_ = s.DB.Pool().QueryRow(ctx, `SELECT count(*) FROM kiosks WHERE department = $1`, dept).Scan(&n)
	return n > 0
}

// filter keeps one department's calls and ratings ("" all).
func (s *Service) filter(f Figures, dept string) Figures {
	if dept == "" {
		return f
	}
	out := Figures{Calls: map[reporting.SlotKey]reporting.Counts{}}
	for k, c := range f.Calls {
		if s.queueDept(k.Queue) == dept {
			out.Calls[k] = c
		}
	}
	for _, rc := range f.Ratings {
		if rc.Department == dept {
			out.Ratings = append(out.Ratings, rc)
		}
	}
	return out
}

func (s *Service) telephone(r *KPIReport, f Figures, o Options) {
	r.Telephone.Queues = map[string]Telephone{}
	r.Telephone.Departments = map[string]Telephone{}
	var total reporting.Counts
	perQ, perD := map[string]reporting.Counts{}, map[string]reporting.Counts{}
	intervals := map[reporting.SlotKey]reporting.Counts{}
	for k, c := range f.Calls {
		total.Add(c)
		q := perQ[k.Queue]
		q.Add(c)
		perQ[k.Queue] = q
		if d := s.queueDept(k.Queue); d != "" {
			dc := perD[d]
			dc.Add(c)
			perD[d] = dc
		}
		if o.Interval > 0 {
			ik := reporting.SlotKey{Queue: k.Queue, Slot: intervalStart(k.Slot, o.Interval, s.loc())}
			ic := intervals[ik]
			ic.Add(c)
			intervals[ik] = ic
		}
	}
	r.Telephone.Total = NewTelephone(total)
	for q, c := range perQ {
		t := NewTelephone(c)
		t.ThresholdSeconds, t.Target = s.Config.Threshold(q).Seconds(), s.Config.Target(q)
		r.Telephone.Queues[q] = t
	}
	for d, c := range perD {
		r.Telephone.Departments[d] = NewTelephone(c)
	}
	for k, c := range intervals {
		r.Telephone.Intervals = append(r.Telephone.Intervals, Interval{Queue: k.Queue, Start: k.Slot.In(s.loc()), Telephone: NewTelephone(c)})
	}
	sort.Slice(r.Telephone.Intervals, func(i, j int) bool {
		a, b := r.Telephone.Intervals[i], r.Telephone.Intervals[j]
		if a.Queue != b.Queue {
			return a.Queue < b.Queue
		}
		return a.Start.Before(b.Start)
	})
}

// intervalStart is the start of t's interval: local days for 24 h or more,
// else multiples of d from local midnight.
func intervalStart(t time.Time, d time.Duration, loc *time.Location) time.Time {
	lt := t.In(loc)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	if d >= 24*time.Hour {
		return day.UTC()
	}
	return day.Add(lt.Sub(day) / d * d).UTC()
}

func bySource(rows []reporting.RatingCount) SourceSatisfaction {
	t := reporting.TallyBy(rows, reporting.CountSource)
	return SourceSatisfaction{Phone: t["phone"], Kiosk: t["kiosk"], Web: t["web"], Combined: t[""]}
}

func groupBy(rows []reporting.RatingCount, key func(reporting.RatingCount) string) map[string]SourceSatisfaction {
	out := map[string]SourceSatisfaction{}
	for _, r := range rows {
		k := key(r)
		if k == "" {
			continue
		}
		ss := out[k]
		ss.add(r)
		out[k] = ss
	}
	return out
}

// add counts one rollup row as bySource does.
func (ss *SourceSatisfaction) add(r reporting.RatingCount) {
	ss.Combined = ss.Combined.Plus(r.Counts)
	switch r.Source {
	case "phone":
		ss.Phone = ss.Phone.Plus(r.Counts)
	case "kiosk":
		ss.Kiosk = ss.Kiosk.Plus(r.Counts)
	case "web":
		ss.Web = ss.Web.Plus(r.Counts)
	}
}

func trend(month string, current, baseline reporting.Rate) Trend {
	t := Trend{BaselineMonth: month, Current: current, Baseline: baseline}
	if pp, ok := reporting.Trend(current, baseline); ok {
		t.Points = &pp
	}
	return t
}

func (s *Service) satisfaction(ctx context.Context, r *KPIReport, f Figures, from, to time.Time, o Options) error {
	sat := &r.Satisfaction
	sat.SourceSatisfaction = bySource(f.Ratings)
	sat.ByDepartment = groupBy(f.Ratings, reporting.CountDepartment)
	sat.ByHour = groupBy(f.Ratings, reporting.CountHour(s.loc()))
	sat.ByWeekday = groupBy(f.Ratings, reporting.CountWeekday(s.loc()))
	sat.ByServicePoint = map[string]reporting.Satisfaction{}
	for k, v := range reporting.TallyBy(f.Ratings, reporting.CountServicePoint) {
		if k != "" {
			sat.ByServicePoint[k] = v
		}
	}
	sat.MisuseByKiosk = map[string]int{}
	for _, rc := range f.Ratings {
		if rc.KioskID != "" && rc.Misuse > 0 {
			sat.MisuseByKiosk[rc.KioskID] += rc.Misuse
		}
	}
	// Trends against each department's baseline month.
	baselines := map[string]Figures{}
	base := func(month string) (Figures, error) {
		if b, ok := baselines[month]; ok {
			return b, nil
		}
		m, err := time.ParseInLocation("2006-01", month, s.loc())
		if err != nil {
			return Figures{}, hotline.Errorf(hotline.EINVALID, "baseline month %q is not YYYY-MM", month)
		}
		p := reporting.Month(m.Year(), m.Month(), s.loc())
		b, err := s.gather(ctx, p.From, p.To, o)
		baselines[month] = b
		return b, err
	}
	sat.TrendByDept = map[string]Trend{}
	sat.TrendBySource = map[string]Trend{}
	if month := s.baseline(o.Department); month != "" {
		b, err := base(month)
		if err != nil {
			return err
		}
		bs := bySource(s.filter(b, o.Department).Ratings)
		sat.Trend = trend(month, reporting.SatisfactionRate(sat.Combined), reporting.SatisfactionRate(bs.Combined))
		sat.TrendBySource["phone"] = trend(month, reporting.SatisfactionRate(sat.Phone), reporting.SatisfactionRate(bs.Phone))
		sat.TrendBySource["kiosk"] = trend(month, reporting.SatisfactionRate(sat.Kiosk), reporting.SatisfactionRate(bs.Kiosk))
	}
	baseByDept := map[string]map[string]SourceSatisfaction{} // baseline month → department → tally
	for d, cur := range sat.ByDepartment {
		month := s.baseline(d)
		if month == "" {
			continue
		}
		groups, ok := baseByDept[month]
		if !ok {
			b, err := base(month)
			if err != nil {
				return err
			}
			groups = groupBy(b.Ratings, reporting.CountDepartment)
			baseByDept[month] = groups
		}
		bs := groups[d]
		sat.TrendByDept[d] = trend(month, reporting.SatisfactionRate(cur.Combined), reporting.SatisfactionRate(bs.Combined))
	}
	return nil
}

func (s *Service) complaints(ctx context.Context, r *KPIReport, from, to time.Time, dept string) error {
	if s.Complaints == nil {
		r.Complaints.Note = NoComplaintsNote
		return nil
	}
	cs, err := s.Complaints(ctx, dept, from, to)
	if err != nil {
		return fmt.Errorf("reports: complaints: %w", err)
	}
	p := reporting.Period{From: from, To: to}
	now := s.now()
	r.Complaints.ResolvedOnTime = reporting.ResolvedOnTimeRate(cs, p, now)
	r.Complaints.AcknowledgedOnTime = reporting.AcknowledgedOnTimeRate(cs, p, now)
	if d, n, ok := reporting.MedianDaysToResolve(cs, p); ok {
		r.Complaints.MedianDaysToResolve, r.Complaints.Resolved = &d, n
	}
	return nil
}

func (s *Service) staff(ctx context.Context, r *KPIReport, dept string) error {
	months := s.Config.Reporting.TrainingMonths
	if months <= 0 {
		months = 12
	}
	r.TrainingMonths = months
	staff, err := LoadStaff(ctx, s.DB, dept)
	if err != nil {
		return err
	}
	r.StaffTrained = reporting.StaffTrained(staff, s.now(), months)
	return nil
}

func (s *Service) targets(dept string) map[string]reporting.Target {
	t := map[string]reporting.Target{}
	for k, v := range reporting.DefaultTargets {
		t[k] = v
	}
	// The department's queues' configured service level (the first queue's).
	for _, q := range s.Config.QueuesOf(dept) {
		t[reporting.KPIServiceLevel] = reporting.Target{Value: s.Config.Target(q.ID), Direction: reporting.AtLeast}
		t[reporting.KPIAbandonmentRate] = reporting.Target{Value: s.Config.AbandonTarget(q.ID), Direction: reporting.AtMost}
		break
	}
	for k, v := range s.Config.Reporting.Targets {
		t[k] = reporting.Target{Value: v, Direction: reporting.AtLeast}
	}
	return t
}

func (s *Service) achievement(r *KPIReport, f Figures, only string) {
	r.KPIAchievement.Departments = map[string]DepartmentKPIs{}
	depts := map[string]bool{}
	for _, d := range s.Config.Departments {
		depts[d.ID] = true
	}
	for d := range r.Satisfaction.ByDepartment {
		depts[d] = true // a department with only kiosks
	}
	var all []reporting.KPI
	for d := range depts {
		if only != "" && d != only {
			continue
		}
		var calls reporting.Counts
		for k, c := range f.Calls {
			if s.queueDept(k.Queue) == d {
				calls.Add(c)
			}
		}
		ss := r.Satisfaction.ByDepartment[d]
		fig := reporting.DepartmentFigures{Calls: calls, Phone: ss.Phone, Kiosk: ss.Kiosk}
		if s.Complaints != nil && (only == d) {
			fig.AcknowledgedOnTime, fig.ResolvedOnTime = r.Complaints.AcknowledgedOnTime, r.Complaints.ResolvedOnTime
		}
		kpis := reporting.DepartmentKPIs(fig, s.targets(d))
		r.KPIAchievement.Departments[d] = DepartmentKPIs{Achievement: reporting.KPIAchievementRate(kpis), KPIs: kpis}
		all = append(all, kpis...)
	}
	r.KPIAchievement.Overall = reporting.KPIAchievementRate(all)
}
