package config

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/publicservice/hotline"
)

var (
	idRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	langRE  = regexp.MustCompile(`^[a-z]{2,3}$`)
	digitRE = regexp.MustCompile(`^[0-9*#]$`)
	didRE   = regexp.MustCompile(`^\+?[0-9A-Za-z_*#-]+$`)
)

// problems collects validation errors, each prefixed by its field path.
type problems []error

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
}

// validate checks the whole configuration (defaults already filled in) and
// builds the lookup indexes.
func (c *Config) validate() error {
	var p problems
	c.checkBasics(&p)
	c.indexQueues(&p)
	c.checkDepartments(&p)
	c.checkHotline(&p)
	c.checkQueues(&p)
	c.checkCalls(&p)
	c.checkAgents(&p)
	c.checkStaff(&p)
	c.checkPrompts(&p)
	return errors.Join(p...)
}

func (c *Config) isLang(l string) bool {
	for _, x := range c.Languages {
		if x == l {
			return true
		}
	}
	return false
}

func (c *Config) checkBasics(p *problems) {
	if c.Timezone == "" {
		p.add("timezone", "missing (want an IANA zone such as America/Cayman)")
		c.loc = time.UTC
	} else if loc, err := time.LoadLocation(c.Timezone); err != nil {
		p.add("timezone", "unknown zone %q (want an IANA zone such as America/Cayman): %v", c.Timezone, err)
		c.loc = time.UTC
	} else {
		c.loc = loc
	}
	if len(c.Languages) == 0 {
		p.add("languages", "missing (want a list of language codes, the default first, e.g. [en, es])")
	}
	seen := map[string]bool{}
	for i, l := range c.Languages {
		if !langRE.MatchString(l) {
			p.add(fmt.Sprintf("languages[%d]", i), "%q is not a language code (want two or three lower-case letters, e.g. en)", l)
		}
		if seen[l] {
			p.add(fmt.Sprintf("languages[%d]", i), "%q is listed twice", l)
		}
		seen[l] = true
	}
	if len(c.Languages) > 9 {
		p.add("languages", "at most 9 languages fit the language menu (digits 1-9)")
	}
	sl := c.ServiceLevel
	checkSL(p, "service_level", sl.Threshold, sl.Target, sl.AbandonTarget)
	if sl.ShortAbandon < 0 {
		p.add("service_level.short_abandon", "negative (want a duration such as 5s)")
	}
	if c.Hotline.MenuTimeout < 0 {
		p.add("hotline.menu_timeout", "negative (want a duration such as 5s)")
	}
	s := &c.Survey
	s.Ratings = make(map[string]hotline.Rating, len(s.Keys))
	for _, k := range sortedKeys(s.Keys) {
		path := fmt.Sprintf("survey.keys[%q]", k)
		if !digitRE.MatchString(k) {
			p.add(path, "%q is not a key (want one of 0-9, * or #)", k)
		}
		r, err := hotline.ParseRating(s.Keys[k])
		if err != nil {
			p.add(path, "unknown rating %q (want very_happy, happy, unhappy or very_unhappy)", s.Keys[k])
			continue
		}
		s.Ratings[k] = r
	}
	if !digitRE.MatchString(s.OptKey) || len(s.OptKey) != 1 {
		p.add("survey.opt_key", "%q is not a key (want one of 0-9, * or #)", s.OptKey)
	} else if s.OptKey == "2" {
		p.add("survey.opt_key", "2 asks for a callback while waiting (want another key, e.g. 9)")
	}
	cp := c.Complaints
	if cp.AcknowledgeDays < 0 || cp.ResolveDays < 0 || cp.CorrespondenceDays < 0 {
		p.add("complaints", "working days must not be negative")
	}
	if cp.ResolveDays < cp.AcknowledgeDays {
		p.add("complaints.resolve_days", "%d is before the acknowledgement deadline (%d working days)", cp.ResolveDays, cp.AcknowledgeDays)
	}
	c.holidays = map[string]string{}
	for i, h := range c.Holidays {
		path := fmt.Sprintf("holidays[%d]", i)
		d, err := time.Parse("2006-01-02", h.Date)
		if err != nil {
			p.add(path+".date", "%q is not a date (want YYYY-MM-DD)", h.Date)
			continue
		}
		if strings.TrimSpace(h.Name) == "" {
			p.add(path+".name", "missing (want the holiday's name)")
		}
		key := d.Format("2006-01-02")
		if prev, dup := c.holidays[key]; dup {
			p.add(path+".date", "%s is listed twice (also %q)", key, prev)
		}
		c.holidays[key] = h.Name
	}
}

func checkSL(p *problems, path string, threshold time.Duration, target, abandon float64) {
	if threshold <= 0 {
		p.add(path+".threshold", "must be positive (want a duration such as 20s)")
	}
	if target <= 0 || target > 1 {
		p.add(path+".target", "%v is out of range (want a share between 0 and 1, e.g. 0.80)", target)
	}
	if abandon <= 0 || abandon > 1 {
		p.add(path+".abandon_target", "%v is out of range (want a share between 0 and 1, e.g. 0.05)", abandon)
	}
}

func (c *Config) indexQueues(p *problems) {
	c.queues = make(map[string]*Queue, len(c.Queues))
	for i := range c.Queues {
		q := &c.Queues[i]
		path := fmt.Sprintf("queues[%d]", i)
		if !idRE.MatchString(q.ID) {
			p.add(path+".id", "%q is not an id (want lower-case letters, digits and _, starting with a letter)", q.ID)
		}
		if _, dup := c.queues[q.ID]; dup {
			p.add(path+".id", "queue %q is defined twice", q.ID)
		}
		c.queues[q.ID] = q
	}
}

func (c *Config) queueIDs() string {
	return listIDs(len(c.Queues), func(i int) string { return c.Queues[i].ID })
}
func (c *Config) deptIDs() string {
	return listIDs(len(c.Departments), func(i int) string { return c.Departments[i].ID })
}

func listIDs(n int, id func(int) string) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = id(i)
	}
	if n == 0 {
		return "none defined"
	}
	return strings.Join(ids, ", ")
}

// checkQueueRef reports whether a queue id names a queue.
func (c *Config) checkQueueRef(p *problems, path, id string) {
	if id == "" {
		p.add(path, "missing (want a queue id: %s)", c.queueIDs())
	} else if _, ok := c.queues[id]; !ok {
		p.add(path, "unknown queue %q (want one of: %s)", id, c.queueIDs())
	}
}

// checkMenu checks a menu; services are those of the menu's department
// (an info entry of a department with services reads them and needs no
// prompt of its own).
func (c *Config) checkMenu(p *problems, path string, menu []MenuEntry, taken map[string]string, services ...Service) {
	for j, e := range menu {
		ep := fmt.Sprintf("%s[%d]", path, j)
		if !digitRE.MatchString(e.Digit) {
			p.add(ep+".digit", "%q is not a key (want one of 0-9, * or #)", e.Digit)
		} else if prev, dup := taken[e.Digit]; dup {
			p.add(ep+".digit", "%q is used twice in this menu (also by %s)", e.Digit, prev)
		} else {
			taken[e.Digit] = ep
		}
		known := false
		for _, a := range actions {
			known = known || a == e.Action
		}
		switch {
		case !known:
			p.add(ep+".action", "unknown action %q (want one of: %s)", e.Action, actionList())
		case e.Action.Queued():
			c.checkQueueRef(p, ep+".queue", e.Queue)
		case e.Action == ActionInfo && e.Prompt == "" && len(services) == 0:
			p.add(ep+".prompt", "missing (an info entry of a department without services needs the key of the prompt it plays)")
		}
	}
}

func actionList() string {
	s := make([]string, len(actions))
	for i, a := range actions {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func (c *Config) checkDepartments(p *problems) {
	c.depts = make(map[string]*Department, len(c.Departments))
	c.byDigit = map[string]*Department{}
	services := map[string]string{}
	for i := range c.Departments {
		d := &c.Departments[i]
		path := fmt.Sprintf("departments[%d]", i)
		if !idRE.MatchString(d.ID) {
			p.add(path+".id", "%q is not an id (want lower-case letters, digits and _, starting with a letter)", d.ID)
		} else {
			path = fmt.Sprintf("departments[%d] (%s)", i, d.ID)
		}
		if _, dup := c.depts[d.ID]; dup {
			p.add(path+".id", "department %q is defined twice", d.ID)
		}
		c.depts[d.ID] = d
		c.checkNames(p, path+".names", d.Names, true)
		if d.Digit != "" {
			if !digitRE.MatchString(d.Digit) || d.Digit == "*" || d.Digit == "#" {
				p.add(path+".digit", "%q is not a main-menu key (want one of 0-9)", d.Digit)
			} else if prev, dup := c.byDigit[d.Digit]; dup {
				p.add(path+".digit", "%q is used twice in the main menu (also by department %s)", d.Digit, prev.ID)
			} else {
				c.byDigit[d.Digit] = d
			}
		}
		var err error
		if d.hours, err = parseHours(d.Hours); err != nil {
			p.add(path+".hours"+errPathSuffix(err), "%s", errMessage(err))
		}
		if d.Queue != "" {
			c.checkQueueRef(p, path+".queue", d.Queue)
		}
		c.checkMenu(p, path+".menu", d.Menu, map[string]string{}, d.Services...)
		c.checkServices(p, path, d, services)
	}
}

// errPathSuffix and errMessage split a parseHours error "[i] ...: msg" so the
// index joins the field path.
func errPathSuffix(err error) string {
	s := err.Error()
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i > 0 {
			return s[:i+1]
		}
	}
	return ""
}

func errMessage(err error) string {
	s := err.Error()
	if suf := errPathSuffix(err); suf != "" {
		return strings.TrimSpace(s[len(suf):])
	}
	return s
}

func (c *Config) checkNames(p *problems, path string, names map[string]string, required bool) {
	for _, l := range sortedKeys(names) {
		if !c.isLang(l) {
			p.add(fmt.Sprintf("%s.%s", path, l), "unknown language %q (want one of: %s)", l, strings.Join(c.Languages, ", "))
		}
	}
	if !required {
		return
	}
	for _, l := range c.Languages {
		if strings.TrimSpace(names[l]) == "" {
			p.add(fmt.Sprintf("%s.%s", path, l), "missing (every department needs a name in each language)")
		}
	}
}

func (c *Config) checkHotline(p *problems) {
	h := &c.Hotline
	c.checkQueueRef(p, "hotline.default_queue", h.DefaultQueue)
	if h.ComplaintsQueue != "" {
		c.checkQueueRef(p, "hotline.complaints_queue", h.ComplaintsQueue)
	}
	var err error
	if h.hours, err = parseHours(h.Hours); err != nil {
		p.add("hotline.hours"+errPathSuffix(err), "%s", errMessage(err))
	}
	taken := map[string]string{}
	for dg, d := range c.byDigit {
		taken[dg] = "department " + d.ID
	}
	c.checkMenu(p, "hotline.menu", h.Menu, taken)
	c.numbers = map[string]*Number{}
	if len(h.Numbers) == 0 {
		p.add("hotline.numbers", "missing (want at least one number, with did:)")
	}
	for i := range h.Numbers {
		n := &h.Numbers[i]
		path := fmt.Sprintf("hotline.numbers[%d]", i)
		if !didRE.MatchString(n.DID) {
			p.add(path+".did", "%q is not a dialled number (want digits, e.g. \"3459467000\")", n.DID)
		}
		if _, dup := c.numbers[n.DID]; dup {
			p.add(path+".did", "%q is listed twice", n.DID)
		}
		c.numbers[n.DID] = n
		if n.Department != "" {
			if _, ok := c.depts[n.Department]; !ok {
				p.add(path+".department", "unknown department %q (want one of: %s)", n.Department, c.deptIDs())
			}
		}
	}
}

func (c *Config) checkQueues(p *problems) {
	for i := range c.Queues {
		q := &c.Queues[i]
		path := fmt.Sprintf("queues[%d] (%s)", i, q.ID)
		if q.Department == "" {
			p.add(path+".department", "missing (want a department id: %s)", c.deptIDs())
		} else if _, ok := c.depts[q.Department]; !ok {
			p.add(path+".department", "unknown department %q (want one of: %s)", q.Department, c.deptIDs())
		}
		c.checkNames(p, path+".names", q.Names, false)
		checkSL(p, path, q.Threshold, q.Target, q.AbandonTarget)
		for _, f := range []struct {
			name string
			d    time.Duration
		}{{"announce_every", q.AnnounceEvery}, {"ring_timeout", q.RingTimeout}} {
			if f.d <= 0 {
				p.add(path+"."+f.name, "must be positive (want a duration such as 30s)")
			}
		}
		if q.WrapUp < 0 {
			p.add(path+".wrap_up", "negative (want a duration such as 10s, or 0s)")
		}
		if q.MaxWait < 0 {
			p.add(path+".max_wait", "negative (want a duration such as 10m, or 0 for no limit)")
		}
		if k := q.SMSInfoKey; k != "" {
			switch {
			case !digitRE.MatchString(k) || len(k) != 1:
				p.add(path+".sms_info_key", "%q is not a key (want one of 0-9, * or #)", k)
			case k == "2":
				p.add(path+".sms_info_key", "2 asks for a callback while waiting (want another key, e.g. 7)")
			case k == c.Survey.OptKey && c.Survey.On:
				p.add(path+".sms_info_key", "%s is the survey key while waiting (want another key, e.g. 7)", k)
			}
		}
		if len(q.Hours) > 0 {
			w, err := parseHours(q.Hours)
			if err != nil {
				p.add(path+".hours"+errPathSuffix(err), "%s", errMessage(err))
			}
			q.hours = &w
		}
	}
}

func (c *Config) checkAgents(p *problems) {
	c.agents = make(map[string]*Agent, len(c.Agents))
	served := map[string]bool{}
	for i := range c.Agents {
		a := &c.Agents[i]
		path := fmt.Sprintf("agents[%d] (%s)", i, a.ID)
		if !idRE.MatchString(a.ID) {
			p.add(path+".id", "%q is not an id (want lower-case letters and digits, e.g. a101)", a.ID)
		}
		if _, dup := c.agents[a.ID]; dup {
			p.add(path+".id", "agent %q is defined twice", a.ID)
		}
		c.agents[a.ID] = a
		if !strings.Contains(a.Endpoint, "/") {
			p.add(path+".endpoint", "%q is not an endpoint (want technology/resource, e.g. PJSIP/%s)", a.Endpoint, a.ID)
		}
		if len(a.Skills) == 0 {
			p.add(path+".skills", "missing (want the ids of the queues the agent serves)")
		}
		for j, s := range a.Skills {
			if _, ok := c.queues[s]; !ok {
				p.add(fmt.Sprintf("%s.skills[%d]", path, j), "%q names no queue (want one of: %s)", s, c.queueIDs())
			}
			served[s] = true
		}
		for j, l := range a.Languages {
			if !c.isLang(l) {
				p.add(fmt.Sprintf("%s.languages[%d]", path, j), "unknown language %q (want one of: %s)", l, strings.Join(c.Languages, ", "))
			}
		}
	}
	if len(c.Agents) > 0 {
		for _, q := range c.Queues {
			if !served[q.ID] {
				p.add("queues ("+q.ID+")", "no agent has this queue among their skills")
			}
		}
	}
}

// PromptKeys lists every prompt key the configuration refers to: the required
// ones, each department's menu and hours prompts, every info prompt, and the
// service inventory's prompts of departments whose menu has an info entry.
func (c *Config) PromptKeys() []string {
	set := map[string]bool{}
	for _, k := range RequiredPrompts {
		set[k] = true
	}
	add := func(menu []MenuEntry) {
		for _, e := range menu {
			if e.Action == ActionInfo && e.Prompt != "" {
				set[e.Prompt] = true
			}
		}
	}
	for _, d := range c.Departments {
		if len(d.Menu) > 0 {
			set[d.MenuPrompt] = true
		}
		set[d.HoursPrompt] = true
		add(d.Menu)
		if hasInfo(&d) {
			infoServicePrompts(set, &d)
		}
	}
	add(c.Hotline.Menu)
	return sortedKeys(set)
}

func (c *Config) checkPrompts(p *problems) {
	for _, lang := range sortedKeys(c.Prompts) {
		if !c.isLang(lang) {
			p.add("prompts."+lang, "unknown language %q (want one of: %s)", lang, strings.Join(c.Languages, ", "))
		}
		for _, k := range sortedKeys(c.Prompts[lang]) {
			if !promptKeyRE.MatchString(k) {
				p.add("prompts."+lang+"."+k, "bad prompt key (want lower-case letters, digits and _)")
			}
			if strings.TrimSpace(c.Prompts[lang][k].Text) == "" {
				p.add("prompts."+lang+"."+k+".text", "missing (every prompt needs its text)")
			}
		}
	}
	for _, lang := range c.Languages {
		for _, k := range c.PromptKeys() {
			if _, ok := c.Prompts[lang][k]; !ok {
				p.add("prompts."+lang+"."+k, "missing (the IVR plays this prompt)")
			}
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
