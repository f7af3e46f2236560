package reports

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"math"
	"sort"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
)

//go:embed templates/*.html templates/report.css
var templateFS embed.FS

var templates = template.Must(template.New("").Funcs(template.FuncMap{
	"rate":    fmtRate,
	"avg":     fmtAvg,
	"sat":     func(s reporting.Satisfaction) string { return fmtRate(reporting.SatisfactionRate(s)) },
	"points":  fmtPoints,
	"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
	"addf":    func(a, b float64) float64 { return a + b },
}).ParseFS(templateFS, "templates/*.html"))

func fmtRate(r reporting.Rate) string {
	v, ok := r.Value()
	if !ok {
		return "no data"
	}
	return fmt.Sprintf("%.1f%% (n=%d)", 100*v, r.Den)
}

func fmtAvg(a reporting.Average) string {
	d, ok := a.Value()
	if !ok {
		return "no data"
	}
	return fmt.Sprintf("%.0f s (n=%d)", d.Seconds(), a.N)
}

func fmtPoints(p *float64) string {
	if p == nil {
		return "no data"
	}
	return fmt.Sprintf("%+.1f pp", *p)
}

// Monthly is the published monthly report: a month and the baseline month side by side.
type Monthly struct {
	Month, Baseline       string // "March 2026"
	MonthKey, BaselineKey string // "2026-03"
	Current, Base         *KPIReport
	Departments           []MonthlyDepartment
	Charts                []Chart
	Generated             string
}

// MonthlyDepartment is one department's line of the report.
type MonthlyDepartment struct {
	ID, Name                       string
	Satisfaction, BaseSatisfaction reporting.Satisfaction
	Phone, Kiosk                   reporting.Satisfaction
	Trend                          *float64
	Telephone, BaseTelephone       Telephone
	Achievement, BaseAchievement   reporting.Rate
	HasCalls, HasBaseCalls         bool
}

// Chart is an inline SVG bar chart: one group a label, one bar a series.
type Chart struct {
	Title, Note   string
	Series        []string // legend, one colour each
	Groups        []ChartGroup
	Target        *float64 // a dashed line at this value (0..1)
	Width, Height int
	TargetX       float64
}

// ChartGroup is one label's bars.
type ChartGroup struct {
	Label string
	Y     int
	Bars  []ChartBar
}

// ChartBar is one bar (values 0..1; NoData draws "no data").
type ChartBar struct {
	Y, Width float64
	Value    string
	NoData   bool
	Class    string
}

const (
	chartLabel = 170.0
	chartPlot  = 360.0
	barH       = 14.0
)

func newChart(title, note string, series []string, labels []string, values [][]reporting.Rate, target *float64) Chart {
	c := Chart{Title: title, Note: note, Series: series, Target: target, Width: int(chartLabel + chartPlot + 90)}
	y := 24
	for i, l := range labels {
		if r := []rune(l); len(r) > 28 { // the label column is 165 px wide at 11 px
			l = string(r[:27]) + "…"
		}
		g := ChartGroup{Label: l, Y: y + int(float64(len(series))*barH/2) + 4}
		for j := range series {
			b := ChartBar{Y: float64(y) + float64(j)*barH, Class: fmt.Sprintf("s%d", j)}
			if v, ok := values[i][j].Value(); ok {
				b.Width = math.Round(v*chartPlot*10) / 10
				b.Value = fmt.Sprintf("%.0f%% n=%d", 100*v, values[i][j].Den)
			} else {
				b.NoData, b.Value = true, "no data"
			}
			g.Bars = append(g.Bars, b)
		}
		c.Groups = append(c.Groups, g)
		y += int(float64(len(series))*barH) + 10
	}
	c.Height = y + 10
	if target != nil {
		c.TargetX = chartLabel + *target*chartPlot
	}
	return c
}

// MonthlyReport builds the report of month ("2026-04") against the baseline month.
func (s *Service) MonthlyReport(ctx context.Context, month string, raw bool) (*Monthly, error) {
	loc := s.loc()
	m, err := time.ParseInLocation("2006-01", month, loc)
	if err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "month %q is not YYYY-MM", month)
	}
	p := reporting.Month(m.Year(), m.Month(), loc)
	cache := map[[2]time.Time]Figures{}
	cur, err := s.KPIs(ctx, p.From, p.To, Options{Raw: raw, cache: cache})
	if err != nil {
		return nil, err
	}
	out := &Monthly{Month: m.Format("January 2006"), MonthKey: month, Current: cur, Generated: s.now().In(loc).Format("2 January 2006 15:04 MST")}
	baseKey := s.Config.Reporting.BaselineMonth
	if baseKey == "" {
		baseKey = m.AddDate(0, -1, 0).Format("2006-01") // no baseline configured: the month before
	}
	b, err := time.ParseInLocation("2006-01", baseKey, loc)
	if err != nil {
		return nil, hotline.Errorf(hotline.EINVALID, "baseline month %q is not YYYY-MM", baseKey)
	}
	bp := reporting.Month(b.Year(), b.Month(), loc)
	base, err := s.KPIs(ctx, bp.From, bp.To, Options{Raw: raw, cache: cache})
	if err != nil {
		return nil, err
	}
	out.Base, out.Baseline, out.BaselineKey = base, b.Format("January 2006"), baseKey

	ids := map[string]bool{}
	for _, d := range s.Config.Departments {
		ids[d.ID] = true
	}
	for d := range cur.Satisfaction.ByDepartment {
		ids[d] = true
	}
	for d := range base.Satisfaction.ByDepartment {
		ids[d] = true
	}
	for id := range ids {
		name := id
		if d := s.Config.Department(id); d != nil {
			if n := d.Names[s.Config.DefaultLanguage()]; n != "" {
				name = n
			}
		}
		cs, bs := cur.Satisfaction.ByDepartment[id], base.Satisfaction.ByDepartment[id]
		md := MonthlyDepartment{ID: id, Name: name, Satisfaction: cs.Combined, BaseSatisfaction: bs.Combined, Phone: cs.Phone, Kiosk: cs.Kiosk,
			Telephone: cur.Telephone.Departments[id], BaseTelephone: base.Telephone.Departments[id],
			Achievement: cur.KPIAchievement.Departments[id].Achievement, BaseAchievement: base.KPIAchievement.Departments[id].Achievement}
		md.HasCalls, md.HasBaseCalls = md.Telephone.Offered > 0, md.BaseTelephone.Offered > 0
		if pp, ok := reporting.Trend(reporting.SatisfactionRate(cs.Combined), reporting.SatisfactionRate(bs.Combined)); ok {
			md.Trend = &pp
		}
		out.Departments = append(out.Departments, md)
	}
	sort.Slice(out.Departments, func(i, j int) bool { return out.Departments[i].Name < out.Departments[j].Name })

	series := []string{out.Month, out.Baseline + " (baseline)"}
	var labels []string
	var satVals, slVals [][]reporting.Rate
	for _, d := range out.Departments {
		labels = append(labels, d.Name)
		satVals = append(satVals, []reporting.Rate{reporting.SatisfactionRate(d.Satisfaction), reporting.SatisfactionRate(d.BaseSatisfaction)})
		slVals = append(slVals, []reporting.Rate{d.Telephone.ServiceLevel, d.BaseTelephone.ServiceLevel})
	}
	labels = append(labels, "All departments")
	satVals = append(satVals, []reporting.Rate{reporting.SatisfactionRate(cur.Satisfaction.Combined), reporting.SatisfactionRate(base.Satisfaction.Combined)})
	slVals = append(slVals, []reporting.Rate{cur.Telephone.Total.ServiceLevel, base.Telephone.Total.ServiceLevel})
	out.Charts = append(out.Charts, newChart("Customer satisfaction by department", "happy + very happy ÷ valid ratings, phone and kiosks", series, labels, satVals, nil))
	slTarget := reporting.DefaultTargets[reporting.KPIServiceLevel].Value
	out.Charts = append(out.Charts, newChart("Telephone service level by department", fmt.Sprintf("answered within the threshold; dashed line: target %.0f%%", 100*slTarget), series, labels, slVals, &slTarget))
	var hours []string
	var hourVals [][]reporting.Rate
	for h := 0; h < 24; h++ {
		k := fmt.Sprintf("%02d", h)
		c, ok1 := cur.Satisfaction.ByHour[k]
		b, ok2 := base.Satisfaction.ByHour[k]
		if !ok1 && !ok2 {
			continue
		}
		hours = append(hours, k+":00")
		hourVals = append(hourVals, []reporting.Rate{reporting.SatisfactionRate(c.Combined), reporting.SatisfactionRate(b.Combined)})
	}
	if len(hours) > 0 {
		out.Charts = append(out.Charts, newChart("Satisfaction through the working day", "by local hour of the press or call", series, hours, hourVals, nil))
	}
	return out, nil
}

// RenderMonthly writes the report's HTML page.
func RenderMonthly(m *Monthly) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, "monthly.html", m); err != nil {
		return nil, fmt.Errorf("reports: render monthly: %w", err)
	}
	return b.Bytes(), nil
}
