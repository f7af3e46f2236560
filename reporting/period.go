package reporting

import "time"

// Period is the half-open interval [From, To). Report periods are whole days
// or months in the configured local time zone (so a day may be 23 or 25 hours).
type Period struct {
	From, To time.Time
}

// Contains reports whether t is in [From, To).
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// String is "2026-03-01T00:00:00-05:00/2026-04-01T00:00:00-05:00".
func (p Period) String() string { return p.From.Format(time.RFC3339) + "/" + p.To.Format(time.RFC3339) }

// Month is the calendar month in loc.
func Month(year int, month time.Month, loc *time.Location) Period {
	from := time.Date(year, month, 1, 0, 0, 0, 0, loc)
	return Period{From: from, To: from.AddDate(0, 1, 0)}
}

// Day is the calendar day in loc.
func Day(year int, month time.Month, day int, loc *time.Location) Period {
	from := time.Date(year, month, day, 0, 0, 0, 0, loc)
	return Period{From: from, To: time.Date(year, month, day+1, 0, 0, 0, 0, loc)}
}

// MonthOf is the local month containing t.
func MonthOf(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	return Month(t.Year(), t.Month(), loc)
}

// DayOf is the local day containing t.
func DayOf(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	return Day(t.Year(), t.Month(), t.Day(), loc)
}

// Months lists the local months that overlap [from, to), in order.
func Months(from, to time.Time, loc *time.Location) []Period {
	var out []Period
	for p := MonthOf(from, loc); p.From.Before(to); {
		out = append(out, p)
		next := p.From.AddDate(0, 1, 0)
		p = Month(next.Year(), next.Month(), loc)
	}
	return out
}

// Days lists the local days that overlap [from, to), in order.
func Days(from, to time.Time, loc *time.Location) []Period {
	var out []Period
	for p := DayOf(from, loc); p.From.Before(to); {
		out = append(out, p)
		p = Day(p.From.Year(), p.From.Month(), p.From.Day()+1, loc)
	}
	return out
}
