package config

import (
	"fmt"
	"strings"
)

// Staff holds the settings of the agent panel and the wallboard.
type Staff struct {
	// PauseReasons an agent may give for not being ready (default lunch,
	// break, training, meeting, after_call_work). Lower-case ids.
	PauseReasons []string `yaml:"pause_reasons"`
	// DispositionCodes an agent chooses from at wrap-up (default resolved,
	// information_given, ticket_created, transferred, callback_needed,
	// wrong_number).
	DispositionCodes []string `yaml:"disposition_codes"`
	// Sites are the contact centres; every agent belongs to one, and the
	// wallboard filters by site. Empty: one unnamed site.
	Sites []Site `yaml:"sites"`
}

// Site is one contact centre.
type Site struct {
	// ID is short and lower case.
	ID string `yaml:"id" json:"id"`
	// Name as shown on the wallboard.
	Name string `yaml:"name" json:"name"`
}

var (
	defaultPauseReasons     = []string{"lunch", "break", "training", "meeting", "after_call_work"}
	defaultDispositionCodes = []string{"resolved", "information_given", "ticket_created", "transferred", "callback_needed", "wrong_number"}
)

// PauseReason reports whether r is a configured pause reason.
func (c *Config) PauseReason(r string) bool { return contains(c.PauseReasons, r) }

// DispositionCode reports whether code is a configured disposition code.
func (c *Config) DispositionCode(code string) bool { return contains(c.DispositionCodes, code) }

// Site returns the site with id, or nil.
func (c *Config) Site(id string) *Site {
	for i := range c.Sites {
		if c.Sites[i].ID == id {
			return &c.Sites[i]
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkStaff fills the staff defaults and checks pause reasons, codes, sites
// and each agent's site.
func (c *Config) checkStaff(p *problems) {
	if len(c.PauseReasons) == 0 {
		c.PauseReasons = append([]string(nil), defaultPauseReasons...)
	}
	if len(c.DispositionCodes) == 0 {
		c.DispositionCodes = append([]string(nil), defaultDispositionCodes...)
	}
	for _, l := range []struct {
		name string
		ids  []string
	}{{"pause_reasons", c.PauseReasons}, {"disposition_codes", c.DispositionCodes}} {
		seen := map[string]bool{}
		for i, id := range l.ids {
			if !idRE.MatchString(id) {
				p.add(fmt.Sprintf("%s[%d]", l.name, i), "%q is not an id (want lower-case letters, digits and _, e.g. lunch)", id)
			}
			if seen[id] {
				p.add(fmt.Sprintf("%s[%d]", l.name, i), "%q is listed twice", id)
			}
			seen[id] = true
		}
	}
	ids := make([]string, 0, len(c.Sites))
	for i, s := range c.Sites {
		if !idRE.MatchString(s.ID) {
			p.add(fmt.Sprintf("sites[%d].id", i), "%q is not an id (want lower-case letters and digits, e.g. georgetown)", s.ID)
		}
		if contains(ids, s.ID) {
			p.add(fmt.Sprintf("sites[%d].id", i), "site %q is defined twice", s.ID)
		}
		ids = append(ids, s.ID)
		if c.Sites[i].Name == "" {
			c.Sites[i].Name = s.ID
		}
	}
	for i := range c.Agents {
		a := &c.Agents[i]
		switch {
		case a.Site == "" && len(c.Sites) > 0:
			a.Site = c.Sites[0].ID
		case a.Site != "" && c.Site(a.Site) == nil:
			want := strings.Join(ids, ", ")
			if want == "" {
				want = "none configured: add sites"
			}
			p.add(fmt.Sprintf("agents[%d] (%s).site", i, a.ID), "unknown site %q (want one of: %s)", a.Site, want)
		}
	}
	for i, q := range c.Queues {
		if q.NotReadyAlert < 0 {
			p.add(fmt.Sprintf("queues[%d] (%s).not_ready_alert", i, q.ID), "negative (want a number of agents, or 0 for no alert)")
		}
	}
}
