package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// span is one opening period of a weekday in minutes after midnight; end may
// pass 1440 when the period runs overnight into the next day.
type span struct{ start, end int }

// weekHours are the opening periods of each weekday (index time.Weekday).
type weekHours struct {
	days [7][]span
	set  bool // false: no hours written (always open)
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

const wantDays = "mon, tue, wed, thu, fri, sat, sun"

// parseHours reads lines like "mon-fri 08:30-16:30", "sat 09:00-12:00",
// "mon-thu 08:30-12:00,13:00-16:30", "sun closed" or "always". A weekday may
// be named by one line only; weekdays named by none are closed. An empty list
// means always open.
func parseHours(lines []string) (weekHours, error) {
	var w weekHours
	if len(lines) == 0 {
		return w, nil
	}
	w.set = true
	var seen [7]bool
	for i, line := range lines {
		fields := strings.Fields(strings.ToLower(line))
		if len(fields) == 1 && (fields[0] == "always" || fields[0] == "24/7") {
			fields = []string{"mon-sun", "00:00-24:00"}
		}
		if len(fields) != 2 {
			return w, fmt.Errorf("[%d] %q: want \"<days> <HH:MM-HH:MM>[,<HH:MM-HH:MM>...]\", \"<days> closed\" or \"always\", e.g. \"mon-fri 08:30-16:30\"", i, line)
		}
		days, err := parseDays(fields[0])
		if err != nil {
			return w, fmt.Errorf("[%d] %q: %w", i, line, err)
		}
		var spans []span
		if fields[1] != "closed" {
			for _, r := range strings.Split(fields[1], ",") {
				s, err := parseRange(r)
				if err != nil {
					return w, fmt.Errorf("[%d] %q: %w", i, line, err)
				}
				spans = append(spans, s)
			}
			if err := checkOverlap(spans); err != nil {
				return w, fmt.Errorf("[%d] %q: %w", i, line, err)
			}
			sort.Slice(spans, func(a, b int) bool { return spans[a].start < spans[b].start })
		}
		for _, d := range days {
			if seen[d] {
				return w, fmt.Errorf("[%d] %q: %s is already given by another line (name each day once)", i, line, strings.ToLower(d.String()[:3]))
			}
			seen[d] = true
			w.days[d] = spans
		}
	}
	return w, nil
}

// parseDays reads "mon", "mon-fri", "fri-mon" (wrapping) or "mon,wed,fri-sat".
func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		from, ok := dayNames[a]
		if !ok {
			return nil, fmt.Errorf("unknown day %q (want %s)", a, wantDays)
		}
		to := from
		if isRange {
			if to, ok = dayNames[b]; !ok {
				return nil, fmt.Errorf("unknown day %q (want %s)", b, wantDays)
			}
		}
		for d := from; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == to {
				break
			}
		}
	}
	return out, nil
}

// parseRange reads "08:30-16:30"; an end before the start runs overnight.
func parseRange(s string) (span, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return span{}, fmt.Errorf("time range %q: want HH:MM-HH:MM", s)
	}
	start, err := parseClock(a)
	if err != nil {
		return span{}, fmt.Errorf("time range %q: %w", s, err)
	}
	end, err := parseClock(b)
	if err != nil {
		return span{}, fmt.Errorf("time range %q: %w", s, err)
	}
	switch {
	case start == end:
		return span{}, fmt.Errorf("time range %q is empty (start equals end; for all day write 00:00-24:00)", s)
	case start == 1440:
		return span{}, fmt.Errorf("time range %q starts at 24:00 (want a start before 24:00)", s)
	case end < start:
		end += 1440 // overnight
	}
	return span{start, end}, nil
}

// parseClock reads HH:MM from 00:00 to 24:00 as minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, fmt.Errorf("bad time %q (want HH:MM from 00:00 to 24:00)", s)
	}
	return hh*60 + mm, nil
}

func checkOverlap(spans []span) error {
	for i := range spans {
		for j := i + 1; j < len(spans); j++ {
			if spans[i].start < spans[j].end && spans[j].start < spans[i].end {
				return fmt.Errorf("time ranges overlap")
			}
		}
	}
	return nil
}

// interval is one opening period as absolute times.
type interval struct{ from, to time.Time }

// searchDays bounds the search for the next opening or closing time.
const searchDays = 400

// status reports whether w is open at t and the next change: the closing time
// when open, the opening time when closed; zero when there is none within a
// year (always open, or never open). closedOn reports the dates (in t's
// location) on which no period starts (holidays).
func (w *weekHours) status(t time.Time, closedOn func(y int, m time.Month, d int) bool) (bool, time.Time) {
	if !w.set {
		return true, time.Time{}
	}
	loc := t.Location()
	y, m, d := t.Date()
	open := false
	var end time.Time
	for i := -1; i < searchDays; i++ {
		day := time.Date(y, m, d+i, 0, 0, 0, 0, loc)
		dy, dm, dd := day.Date()
		if closedOn != nil && closedOn(dy, dm, dd) {
			continue
		}
		for _, s := range w.days[day.Weekday()] {
			iv := interval{
				from: time.Date(dy, dm, dd, 0, s.start, 0, 0, loc),
				to:   time.Date(dy, dm, dd, 0, s.end, 0, 0, loc),
			}
			switch {
			case open:
				if iv.from.After(end) {
					return true, end
				}
				if iv.to.After(end) {
					end = iv.to
				}
			case !iv.from.After(t) && t.Before(iv.to):
				open, end = true, iv.to
			case iv.from.After(t):
				return false, iv.from
			}
		}
	}
	return open, time.Time{}
}
