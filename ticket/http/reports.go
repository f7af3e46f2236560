package tickethttp

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/ticket"
)

// Facts gives the reports their tickets (ticket/postgres.Service.Facts).
type Facts func(ctx context.Context, from, to time.Time) ([]ticket.Fact, error)

// MonthRow is one month of the complaints report: the formal complaints
// resolution rate (reporting.ResolvedOnTimeRate), the acknowledged-on-time
// rate and the median days to resolve, overall and by department.
type MonthRow struct {
	Month        string             `json:"month"`
	Resolution   reporting.Rate     `json:"resolution_on_time"`
	Acknowledged reporting.Rate     `json:"acknowledged_on_time"`
	MedianDays   *float64           `json:"median_days_to_resolve"`
	Departments  map[string]DeptRow `json:"departments"`
}

// DeptRow is one department's month.
type DeptRow struct {
	Resolution   reporting.Rate `json:"resolution_on_time"`
	Acknowledged reporting.Rate `json:"acknowledged_on_time"`
}

func complaintsOf(fs []ticket.Fact, keep func(ticket.Fact) bool) []reporting.Complaint {
	var out []reporting.Complaint
	for _, f := range fs {
		if f.Kind == ticket.Complaint && (keep == nil || keep(f)) {
			out = append(out, f.Complaint)
		}
	}
	return out
}

func (h *Handler) year(r *http.Request) (int, error) {
	y := h.now().In(h.Config.Location()).Year()
	if s := r.URL.Query().Get("year"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2000 || n > 9999 {
			return 0, badParam("year", "%q is not a year", s)
		}
		y = n
	}
	return y, nil
}

// Monthly computes the complaints report of every month of year (up to now).
func (h *Handler) Monthly(ctx context.Context, year int) ([]MonthRow, error) {
	loc := h.Config.Location()
	now := h.now()
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, loc), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	fs, err := h.Facts(ctx, from, to)
	if err != nil {
		return nil, err
	}
	all := complaintsOf(fs, nil)
	var out []MonthRow
	for _, p := range reporting.Months(from, to, loc) {
		if p.From.After(now) {
			break
		}
		row := MonthRow{Month: p.From.Format("2006-01"), Resolution: reporting.ResolvedOnTimeRate(all, p, now),
			Acknowledged: reporting.AcknowledgedOnTimeRate(all, p, now), Departments: map[string]DeptRow{}}
		if d, _, ok := reporting.MedianDaysToResolve(all, p); ok {
			row.MedianDays = &d
		}
		for _, d := range h.Config.Departments {
			cs := complaintsOf(fs, func(f ticket.Fact) bool { return f.Department == d.ID })
			row.Departments[d.ID] = DeptRow{Resolution: reporting.ResolvedOnTimeRate(cs, p, now),
				Acknowledged: reporting.AcknowledgedOnTimeRate(cs, p, now)}
		}
		out = append(out, row)
	}
	return out, nil
}

// Count is one line of the annual report: a dimension's value, how many
// complaints, compliments and information requests, and the complaints'
// resolution on time.
type Count struct {
	Dimension   string         `json:"dimension"`
	Value       string         `json:"value"`
	Complaints  int            `json:"complaints"`
	Compliments int            `json:"compliments"`
	Information int            `json:"information"`
	OnTime      reporting.Rate `json:"resolution_on_time"`
}

// Annual is the annual compliments and complaints report (Belize policy
// objective): counts by department, service, channel and outcome, and the
// on-time rate, for the tickets created in year (deadlines falling in year
// for the rate).
func (h *Handler) Annual(ctx context.Context, year int) ([]Count, reporting.Rate, error) {
	loc := h.Config.Location()
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, loc), time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
	fs, err := h.Facts(ctx, from, to)
	if err != nil {
		return nil, reporting.Rate{}, err
	}
	now := h.now()
	p := reporting.Period{From: from, To: to}
	dims := []struct {
		name string
		of   func(ticket.Fact) string
	}{
		{"department", func(f ticket.Fact) string { return f.Department }},
		{"service", func(f ticket.Fact) string { return f.Service }},
		{"channel", func(f ticket.Fact) string { return string(f.Channel) }},
		{"outcome", func(f ticket.Fact) string { return outcome(f.Status) }},
	}
	var out []Count
	for _, d := range dims {
		byVal := map[string]*Count{}
		for _, f := range fs {
			if !p.Contains(f.Complaint.Received) {
				continue
			}
			v := d.of(f)
			c := byVal[v]
			if c == nil {
				c = &Count{Dimension: d.name, Value: v}
				byVal[v] = c
			}
			switch f.Kind {
			case ticket.Complaint:
				c.Complaints++
			case ticket.Compliment:
				c.Compliments++
			default:
				c.Information++
			}
		}
		vals := make([]string, 0, len(byVal))
		for v := range byVal {
			vals = append(vals, v)
		}
		sort.Strings(vals)
		for _, v := range vals {
			c := byVal[v]
			c.OnTime = reporting.ResolvedOnTimeRate(complaintsOf(fs, func(f ticket.Fact) bool { return d.of(f) == v }), p, now)
			out = append(out, *c)
		}
	}
	return out, reporting.ResolvedOnTimeRate(complaintsOf(fs, nil), p, now), nil
}

func outcome(s ticket.Status) string {
	switch s {
	case ticket.Resolved, ticket.Closed:
		return string(s)
	}
	return "open"
}

type reportPage struct {
	Year    int
	Months  []MonthRow
	Depts   []option
	Counts  []Count
	Overall reporting.Rate
}

func (h *Handler) complaintsReport(w http.ResponseWriter, r *http.Request) {
	y, err := h.year(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows, err := h.Monthly(r.Context(), y)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "json" {
		writeJSON(w, http.StatusOK, map[string]any{"year": y, "months": rows})
		return
	}
	p := &reportPage{Year: y, Months: rows}
	for _, d := range h.Config.Departments {
		p.Depts = append(p.Depts, option{d.ID, d.Name(h.Config.DefaultLanguage())})
	}
	h.render(w, http.StatusOK, "complaints_report.html", p)
}

func (h *Handler) annualReport(w http.ResponseWriter, r *http.Request) {
	y, err := h.year(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, overall, err := h.Annual(r.Context(), y)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, http.StatusOK, "annual_report.html", &reportPage{Year: y, Counts: counts, Overall: overall})
}

func (h *Handler) annualCSV(w http.ResponseWriter, r *http.Request) {
	y, err := h.year(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	counts, overall, err := h.Annual(r.Context(), y)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="feedback-%d.csv"`, y))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"dimension", "value", "complaints", "compliments", "information_requests", "resolved_on_time", "resolution_deadlines", "on_time_rate"})
	row := func(dim, val string, c, m, i int, rt reporting.Rate) {
		rate := "no data"
		if v, ok := rt.Value(); ok {
			rate = strconv.FormatFloat(v, 'f', 4, 64)
		}
		_ = cw.Write([]string{dim, val, strconv.Itoa(c), strconv.Itoa(m), strconv.Itoa(i), strconv.Itoa(rt.Num), strconv.Itoa(rt.Den), rate})
	}
	tc, tm, ti := 0, 0, 0
	for _, c := range counts {
		if c.Dimension == "channel" {
			tc, tm, ti = tc+c.Complaints, tm+c.Compliments, ti+c.Information
		}
		row(c.Dimension, c.Value, c.Complaints, c.Compliments, c.Information, c.OnTime)
	}
	row("all", "", tc, tm, ti, overall)
	cw.Flush()
}
