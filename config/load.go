package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed sample.yaml
var sampleYAML []byte

// SampleYAML returns the shipped sample configuration file's bytes.
func SampleYAML() []byte { return bytes.Clone(sampleYAML) }

// Sample returns the shipped bilingual sample configuration. It panics if the
// embedded file is invalid (a test guarantees it is not).
func Sample() *Config {
	c, err := Parse(sampleYAML, "sample.yaml")
	if err != nil {
		panic(fmt.Sprintf("config: embedded sample is invalid: %v", err))
	}
	return c
}

// Load reads and validates the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	return Parse(data, path)
}

// Parse reads and validates a configuration; name (usually the file path)
// prefixes every error. Unknown fields are errors, so a misspelt key is
// caught. All problems found are reported together.
func Parse(data []byte, name string) (*Config, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	c := &Config{name: name}
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("config %s: the file is empty", name)
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && bytes.Contains([]byte(err.Error()), []byte("time.Duration")) {
			return nil, fmt.Errorf("config %s: %w (durations are written like 20s, 5m or 1h30m)", name, err)
		}
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	c.defaults()
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	return c, nil
}

// Name is the file name the configuration was read from.
func (c *Config) Name() string { return c.name }

// Defaults of PRODUCT.md and the brief.
const (
	DefaultMenuTimeout    = 5 * time.Second
	DefaultMenuRetries    = 2
	DefaultThreshold      = 20 * time.Second
	DefaultTarget         = 0.80
	DefaultAbandonTarget  = 0.05
	DefaultShortAbandon   = 5 * time.Second
	DefaultAnnounceEvery  = 30 * time.Second
	DefaultRingTimeout    = 15 * time.Second
	DefaultWrapUp         = 10 * time.Second
	DefaultMisuseInterval = 2 * time.Second
	// DefaultRetention keeps tickets' personal fields for a year.
	DefaultRetention = 365 * 24 * time.Hour
)

// DefaultSurveyKeys is the default phone keypad mapping, in the order the
// kiosks show the buttons.
var DefaultSurveyKeys = map[string]string{"1": "very_happy", "2": "happy", "3": "unhappy", "4": "very_unhappy"}

func (c *Config) defaults() {
	h := &c.Hotline
	if h.MenuTimeout == 0 {
		h.MenuTimeout = DefaultMenuTimeout
	}
	if h.MenuRetries == 0 {
		h.MenuRetries = DefaultMenuRetries
	} else if h.MenuRetries < 0 {
		h.MenuRetries = 0
	}
	sl := &c.ServiceLevel
	if sl.Threshold == 0 {
		sl.Threshold = DefaultThreshold
	}
	if sl.Target == 0 {
		sl.Target = DefaultTarget
	}
	if sl.AbandonTarget == 0 {
		sl.AbandonTarget = DefaultAbandonTarget
	}
	if sl.ShortAbandon == 0 {
		sl.ShortAbandon = DefaultShortAbandon
	}
	s := &c.Survey
	s.On = s.RawEnabled == nil || *s.RawEnabled
	s.DefaultOptIn = s.RawOptIn == nil || *s.RawOptIn
	if len(s.Keys) == 0 {
		s.Keys = make(map[string]string, len(DefaultSurveyKeys))
		for k, v := range DefaultSurveyKeys {
			s.Keys[k] = v
		}
	}
	if s.Retries == 0 {
		s.Retries = 1
	} else if s.Retries < 0 {
		s.Retries = 0
	}
	if s.Timeout == 0 {
		s.Timeout = h.MenuTimeout
	}
	if s.OptKey == "" {
		s.OptKey = "9"
	}
	cp := &c.Complaints
	if cp.AcknowledgeDays == 0 {
		cp.AcknowledgeDays = 5
	}
	if cp.Retention == 0 {
		cp.Retention = DefaultRetention
	}
	c.serviceDefaults()
	if cp.ResolveDays == 0 {
		cp.ResolveDays = 10
	}
	if cp.CorrespondenceDays == 0 {
		cp.CorrespondenceDays = 5
	}
	if c.Kiosk.MisuseInterval == 0 {
		c.Kiosk.MisuseInterval = DefaultMisuseInterval
	}
	for i := range c.Departments {
		d := &c.Departments[i]
		if d.MenuPrompt == "" {
			d.MenuPrompt = "menu_" + d.ID
		}
		if d.HoursPrompt == "" {
			d.HoursPrompt = "hours_" + d.ID
		}
		for j := range d.Menu {
			e := &d.Menu[j]
			switch {
			case e.Action == ActionInfo && e.Prompt == "" && len(d.Services) == 0:
				// A department with services reads its inventory instead.
				e.Prompt = "info_" + d.ID
			case e.Action == ActionOfficer && e.Queue == "":
				e.Queue = d.Queue
			case (e.Action == ActionComplaint || e.Action == ActionCompliment) && e.Queue == "":
				e.Queue = h.ComplaintsQueue
			}
		}
	}
	for j := range h.Menu {
		e := &h.Menu[j]
		switch {
		case e.Action == ActionOfficer && e.Queue == "":
			e.Queue = h.DefaultQueue
		case (e.Action == ActionComplaint || e.Action == ActionCompliment) && e.Queue == "":
			e.Queue = h.ComplaintsQueue
		}
	}
	for i := range c.Queues {
		q := &c.Queues[i]
		if q.Threshold == 0 {
			q.Threshold = sl.Threshold
		}
		if q.Target == 0 {
			q.Target = sl.Target
		}
		if q.AbandonTarget == 0 {
			q.AbandonTarget = sl.AbandonTarget
		}
		if q.AnnounceEvery == 0 {
			q.AnnounceEvery = DefaultAnnounceEvery
		}
		if q.RingTimeout == 0 {
			q.RingTimeout = DefaultRingTimeout
		}
		q.AutoPause = q.RawAutoPause == nil || *q.RawAutoPause
		q.WrapUp = DefaultWrapUp
		if q.RawWrapUp != nil {
			q.WrapUp = *q.RawWrapUp
		}
	}
	c.callDefaults()
	for i := range c.Agents {
		a := &c.Agents[i]
		if a.Endpoint == "" {
			a.Endpoint = "PJSIP/" + a.ID
		}
		if len(a.Languages) == 0 {
			a.Languages = append([]string(nil), c.Languages...)
		}
	}
	for lang, keys := range c.Prompts {
		for k, p := range keys {
			if p.Media == "" {
				p.Media = DefaultMedia(lang, k)
				keys[k] = p
			}
		}
	}
}
