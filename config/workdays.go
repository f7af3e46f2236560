package config

import "time"

// IsWorkingDay reports whether t's date, in the configured zone, is a working
// day: Monday to Friday and not a public holiday.
func (c *Config) IsWorkingDay(t time.Time) bool {
	t = t.In(c.loc)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	y, m, d := t.Date()
	return !c.isHoliday(y, m, d)
}

// AddWorkingDays moves t forward by n working days (backward for negative
// n), keeping its local clock time: each step goes to the next date that is a
// working day. Friday + 1 is Monday (Tuesday if Monday is a holiday), and a
// Saturday + 1 is the Monday, so something received at a weekend is due as
// if received on the next working day at the same hour. The result is in the
// configured zone.
func (c *Config) AddWorkingDays(t time.Time, n int) time.Time {
	t = t.In(c.loc)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	for n > 0 {
		d += step
		day := time.Date(y, m, d, 12, 0, 0, 0, c.loc)
		if c.IsWorkingDay(day) {
			n--
		}
	}
	return time.Date(y, m, d, hh, mm, ss, t.Nanosecond(), c.loc)
}

// WorkingDaysBetween counts the working days after a's date up to and
// including b's date (dates in the configured zone); negative when b is
// before a. WorkingDaysBetween(t, AddWorkingDays(t, n)) == n.
func (c *Config) WorkingDaysBetween(a, b time.Time) int {
	a, b = a.In(c.loc), b.In(c.loc)
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	from := time.Date(ay, am, ad, 12, 0, 0, 0, time.UTC)
	to := time.Date(by, bm, bd, 12, 0, 0, 0, time.UTC)
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for day := from.AddDate(0, 0, 1); !day.After(to); day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		if c.IsWorkingDay(time.Date(y, m, d, 12, 0, 0, 0, c.loc)) {
			n++
		}
	}
	return sign * n
}
