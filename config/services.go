package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Service channels: where a service can be completed.
const (
	ChannelCounter = "counter"
	ChannelPhone   = "phone"
	ChannelOnline  = "online"
)

// ServiceChannels lists the channels a service may offer.
var ServiceChannels = []string{ChannelCounter, ChannelPhone, ChannelOnline}

// Service is one entry of a department's service inventory (Belize policy
// directive 2): what the public is told about it on the web form, in the IVR
// information option and by SMS.
type Service struct {
	// ID is short and stable (tickets refer to it); default: the English
	// name lower-cased with words joined by "_".
	ID string `yaml:"id"`
	// Name in the first configured language (kept for older files; default
	// Names of that language).
	Name string `yaml:"name"`
	// Names per language; every configured language is required (Name fills
	// the first language's).
	Names map[string]string `yaml:"names"`
	// Channels where the service can be completed: counter, phone, online
	// (default counter, plus online when online is true).
	Channels []string `yaml:"channels"`
	// ProcessingTime as published, e.g. "5 working days".
	ProcessingTime string `yaml:"processing_time"`
	// ProcessingDays in working days when it can be counted (0: not stated
	// or same day).
	ProcessingDays int `yaml:"processing_days"`
	// Online reports whether the service can be completed online; filled in
	// from Channels (true when they include online).
	Online bool `yaml:"online"`
	// Documents required, per language.
	Documents map[string][]string `yaml:"documents"`
	// WebLink is the page describing the service (http or https).
	WebLink string `yaml:"web_link"`
	// Prompt is the prompt key of the service's name, played by the IVR
	// information option (default service_<id>; its text defaults to the
	// name in each language).
	Prompt string `yaml:"prompt"`
	// ProcessingPrompt is a prompt key said for the processing time instead
	// of a number of working days (default same_day when processing_days is
	// 0 and processing_time says "same day"; otherwise none).
	ProcessingPrompt string `yaml:"processing_prompt"`
	// DocumentPrompts are the prompt keys of the documents required, in the
	// order of the first language's list (default doc_<that document's name
	// lower-cased, words joined by "_">; their texts default to the
	// documents in each language).
	DocumentPrompts []string `yaml:"document_prompts"`
}

// ServiceName is the service's name in lang, falling back to Name.
func (s *Service) ServiceName(lang string) string {
	if n := s.Names[lang]; n != "" {
		return n
	}
	return s.Name
}

// DocumentsIn lists the documents required in lang, falling back to the
// first language that has them.
func (s *Service) DocumentsIn(lang string, langs []string) []string {
	if d, ok := s.Documents[lang]; ok {
		return d
	}
	for _, l := range langs {
		if d, ok := s.Documents[l]; ok {
			return d
		}
	}
	return nil
}

// HasChannel reports whether the service can be completed on ch.
func (s *Service) HasChannel(ch string) bool {
	for _, c := range s.Channels {
		if c == ch {
			return true
		}
	}
	return false
}

// Service returns a department's service by id, or nil.
func (d *Department) Service(id string) *Service {
	for i := range d.Services {
		if d.Services[i].ID == id {
			return &d.Services[i]
		}
	}
	return nil
}

// FindService returns the service of that id in any department, with its
// department, or nils.
func (c *Config) FindService(id string) (*Department, *Service) {
	for i := range c.Departments {
		if s := c.Departments[i].Service(id); s != nil {
			return &c.Departments[i], s
		}
	}
	return nil, nil
}

// AllServices lists every department's services in configuration order.
func (c *Config) AllServices() []*Service {
	var out []*Service
	for i := range c.Departments {
		for j := range c.Departments[i].Services {
			out = append(out, &c.Departments[i].Services[j])
		}
	}
	return out
}

// ResolveDaysOf is the resolution target of a department's tickets in
// working days: the department's resolve_days, else complaints.resolve_days.
func (c *Config) ResolveDaysOf(dept string) int {
	if d := c.Department(dept); d != nil && d.ResolveDays > 0 {
		return d.ResolveDays
	}
	return c.Complaints.ResolveDays
}

// SupervisorsOf lists who is told about a department's overdue tickets: the
// department's supervisors, else complaints.supervisors.
func (c *Config) SupervisorsOf(dept string) []string {
	if d := c.Department(dept); d != nil && len(d.Supervisors) > 0 {
		return d.Supervisors
	}
	return c.Complaints.Supervisors
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// serviceDefaults fills the service inventory's defaults.
func (c *Config) serviceDefaults() {
	first := ""
	if len(c.Languages) > 0 {
		first = c.Languages[0]
	}
	for i := range c.Departments {
		for j := range c.Departments[i].Services {
			s := &c.Departments[i].Services[j]
			if s.Names == nil {
				s.Names = map[string]string{}
			}
			if s.Name == "" {
				s.Name = s.Names[first]
			} else if s.Names[first] == "" && first != "" {
				s.Names[first] = s.Name
			}
			if s.ID == "" {
				s.ID = strings.Trim(nonWord.ReplaceAllString(strings.ToLower(s.Name), "_"), "_")
			}
			if len(s.Channels) == 0 {
				s.Channels = []string{ChannelCounter}
				if s.Online {
					s.Channels = append(s.Channels, ChannelOnline)
				}
			}
			s.Online = s.Online || s.HasChannel(ChannelOnline)
			c.servicePromptDefaults(s, hasInfo(&c.Departments[i]))
		}
	}
}

// checkServices validates a department's service inventory.
func (c *Config) checkServices(p *problems, path string, d *Department, seen map[string]string) {
	if d.ResolveDays < 0 {
		p.add(path+".resolve_days", "negative (want working days, 0 for complaints.resolve_days)")
	}
	if d.WebLink != "" {
		checkLink(p, path+".web_link", d.WebLink)
	}
	for j := range d.Services {
		s := &d.Services[j]
		sp := fmt.Sprintf("%s.services[%d]", path, j)
		if strings.TrimSpace(s.Name) == "" {
			p.add(sp+".name", "missing")
		}
		for _, l := range c.Languages {
			if strings.TrimSpace(s.Names[l]) == "" {
				p.add(sp+".names."+l, "missing (every service is named in every language)")
			}
		}
		for l := range s.Names {
			if !c.isLang(l) {
				p.add(sp+".names."+l, "%q is not a configured language", l)
			}
		}
		if !idRE.MatchString(s.ID) {
			p.add(sp+".id", "%q is not an id (want lower case letters, digits and _)", s.ID)
		} else if prev, dup := seen[s.ID]; dup {
			p.add(sp+".id", "%q is used twice (also in department %s)", s.ID, prev)
		} else {
			seen[s.ID] = d.ID
		}
		for k, ch := range s.Channels {
			ok := false
			for _, x := range ServiceChannels {
				ok = ok || x == ch
			}
			if !ok {
				p.add(fmt.Sprintf("%s.channels[%d]", sp, k), "%q is not a channel (want counter, phone or online)", ch)
			}
		}
		if s.ProcessingDays < 0 {
			p.add(sp+".processing_days", "negative (want working days, 0 when not stated)")
		}
		if n := len(s.DocumentsIn(c.firstLanguage(), c.Languages)); len(s.DocumentPrompts) != n {
			p.add(sp+".document_prompts", "%d prompts for %d documents (want one per document, in order)", len(s.DocumentPrompts), n)
		}
		for _, k := range append([]string{s.Prompt, s.ProcessingPrompt}, s.DocumentPrompts...) {
			if k != "" && !promptKeyRE.MatchString(k) {
				p.add(sp, "prompt key %q is not a key (want lower-case letters, digits and _)", k)
			}
		}
		for l := range s.Documents {
			if !c.isLang(l) {
				p.add(sp+".documents."+l, "%q is not a configured language", l)
			}
		}
		if s.WebLink != "" {
			checkLink(p, sp+".web_link", s.WebLink)
		}
	}
}

func checkLink(p *problems, path, link string) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add(path, "%q is not a web link (want http:// or https://)", link)
	}
}

func (c *Config) firstLanguage() string {
	if len(c.Languages) == 0 {
		return ""
	}
	return c.Languages[0]
}

// hasInfo reports whether a department's menu has an information entry.
func hasInfo(d *Department) bool {
	for _, e := range d.Menu {
		if e.Action == ActionInfo {
			return true
		}
	}
	return false
}
