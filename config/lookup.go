package config

import (
	"time"
)

// Location is the configured time zone.
func (c *Config) Location() *time.Location { return c.loc }

// DefaultLanguage is the first configured language.
func (c *Config) DefaultLanguage() string { return c.Languages[0] }

// LanguageByDigit is the language chosen by a key of the language menu
// (languages in order on 1, 2, ...); ok is false for any other key.
func (c *Config) LanguageByDigit(d string) (lang string, ok bool) {
	if len(d) != 1 || d[0] < '1' || int(d[0]-'1') >= len(c.Languages) {
		return "", false
	}
	return c.Languages[d[0]-'1'], true
}

// HasLanguage reports whether lang is configured.
func (c *Config) HasLanguage(lang string) bool { return c.isLang(lang) }

// Department returns the department with this id, or nil.
func (c *Config) Department(id string) *Department { return c.depts[id] }

// Queue returns the queue with this id, or nil.
func (c *Config) Queue(id string) *Queue { return c.queues[id] }

// Agent returns the agent with this id, or nil.
func (c *Config) Agent(id string) *Agent { return c.agents[id] }

// AgentSite is the site of the configured agent id ("" for an unknown agent
// or a configuration without sites): queue.Options.Site.
func (c *Config) AgentSite(id string) string {
	if a := c.agents[id]; a != nil {
		return a.Site
	}
	return ""
}

// DepartmentByDigit returns the department chosen by a main-menu key, or nil.
func (c *Config) DepartmentByDigit(d string) *Department { return c.byDigit[d] }

// MainMenuEntry returns the hotline.menu entry of a main-menu key that is not
// a department's, or nil.
func (c *Config) MainMenuEntry(d string) *MenuEntry {
	for i := range c.Hotline.Menu {
		if c.Hotline.Menu[i].Digit == d {
			return &c.Hotline.Menu[i]
		}
	}
	return nil
}

// Number returns the hotline number with this DID, or nil.
func (c *Config) Number(did string) *Number { return c.numbers[did] }

// DepartmentForNumber returns the department a DID goes straight to, or nil
// when the number (or an unknown number) reaches the main menu.
func (c *Config) DepartmentForNumber(did string) *Department {
	if n := c.numbers[did]; n != nil && n.Department != "" {
		return c.depts[n.Department]
	}
	return nil
}

// MenuEntry returns the department menu entry of a key, or nil.
func (d *Department) MenuEntry(digit string) *MenuEntry {
	for i := range d.Menu {
		if d.Menu[i].Digit == digit {
			return &d.Menu[i]
		}
	}
	return nil
}

// Name is the department's name in lang, falling back to any name.
func (d *Department) Name(lang string) string {
	if n, ok := d.Names[lang]; ok {
		return n
	}
	for _, l := range sortedKeys(d.Names) {
		return d.Names[l]
	}
	return d.ID
}

// QueuesOf lists the queues of a department.
func (c *Config) QueuesOf(dept string) []*Queue {
	var out []*Queue
	for i := range c.Queues {
		if c.Queues[i].Department == dept {
			out = append(out, &c.Queues[i])
		}
	}
	return out
}

// AgentsFor lists the agents who serve queue q.
func (c *Config) AgentsFor(q string) []*Agent {
	var out []*Agent
	for i := range c.Agents {
		if c.Agents[i].HasSkill(q) {
			out = append(out, &c.Agents[i])
		}
	}
	return out
}

// Holiday returns the name of the public holiday on t's date in the
// configured zone, and whether there is one.
func (c *Config) Holiday(t time.Time) (string, bool) {
	n, ok := c.holidays[t.In(c.loc).Format("2006-01-02")]
	return n, ok
}

func (c *Config) isHoliday(y int, m time.Month, d int) bool {
	_, ok := c.holidays[time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")]
	return ok
}

// IsOpen reports whether a department (the hotline itself for "") is open at
// t, in the configured zone, honouring its hours and public holidays. next is
// when that changes: the closing time when open, the next opening time when
// closed; zero when it never changes within a year (always open, or never
// open). An unknown department is reported closed with a zero next.
func (c *Config) IsOpen(dept string, t time.Time) (open bool, next time.Time) {
	w, onHolidays := &c.Hotline.hours, false
	if dept != "" {
		d := c.depts[dept]
		if d == nil {
			return false, time.Time{}
		}
		if d.hours.set {
			w = &d.hours
		}
		onHolidays = d.OpenOnHolidays
	}
	return c.status(w, onHolidays, t)
}

// QueueOpen is IsOpen for a queue: its own hours if it has some, otherwise
// its department's (the hotline's for the default queue's department).
func (c *Config) QueueOpen(queue string, t time.Time) (open bool, next time.Time) {
	q := c.queues[queue]
	if q == nil {
		return false, time.Time{}
	}
	if q.hours != nil {
		onHolidays := false
		if d := c.depts[q.Department]; d != nil {
			onHolidays = d.OpenOnHolidays
		}
		return c.status(q.hours, onHolidays, t)
	}
	return c.IsOpen(q.Department, t)
}

// AlwaysOpen makes every department and queue open at all times, holidays
// included (the demo uses it so that it shows calls whatever the hour).
func (c *Config) AlwaysOpen() { c.alwaysOpen = true }

func (c *Config) status(w *weekHours, onHolidays bool, t time.Time) (bool, time.Time) {
	if c.alwaysOpen {
		return true, time.Time{}
	}
	closed := c.isHoliday
	if onHolidays {
		closed = nil
	}
	return w.status(t.In(c.loc), closed)
}

// Prompt returns the ARI media URI of a prompt key in lang, falling back to
// the default language; "" when no language has it.
func (c *Config) Prompt(lang, key string) string {
	if p, ok := c.PromptEntry(lang, key); ok {
		return p.Media
	}
	return ""
}

// PromptEntry returns the prompt (media and text) of a key in lang, falling
// back to the default language.
func (c *Config) PromptEntry(lang, key string) (Prompt, bool) {
	if p, ok := c.Prompts[lang][key]; ok {
		return p, true
	}
	p, ok := c.Prompts[c.DefaultLanguage()][key]
	return p, ok
}

// Threshold is the service-level threshold T of a queue (the default for an
// unknown queue).
func (c *Config) Threshold(queue string) time.Duration {
	if q := c.queues[queue]; q != nil {
		return q.Threshold
	}
	return c.ServiceLevel.Threshold
}

// Target is the service-level target of a queue (the default for an unknown
// queue).
func (c *Config) Target(queue string) float64 {
	if q := c.queues[queue]; q != nil {
		return q.Target
	}
	return c.ServiceLevel.Target
}

// AbandonTarget is the highest acceptable abandonment rate of a queue (the
// default for an unknown queue).
func (c *Config) AbandonTarget(queue string) float64 {
	if q := c.queues[queue]; q != nil {
		return q.AbandonTarget
	}
	return c.ServiceLevel.AbandonTarget
}

// ShortAbandon is the wait under which an abandon is not counted.
func (c *Config) ShortAbandon() time.Duration { return c.ServiceLevel.ShortAbandon }
