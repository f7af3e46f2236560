package config

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestSample(t *testing.T) {
	c := Sample()
	if !reflect.DeepEqual(c.Languages, []string{"en", "es"}) || c.DefaultLanguage() != "en" {
		t.Errorf("languages %v", c.Languages)
	}
	if n := len(c.Departments); n < 4 || n > 7 {
		t.Errorf("%d departments", n)
	}
	if len(c.Agents) != 15 {
		t.Errorf("%d agents, want 15", len(c.Agents))
	}
	if c.Queue(c.Hotline.DefaultQueue) == nil || c.Queue(c.Hotline.ComplaintsQueue) == nil {
		t.Error("default or complaints queue missing")
	}
	for _, q := range c.Queues {
		agents := c.AgentsFor(q.ID)
		spanish := 0
		for _, a := range agents {
			for _, l := range a.Languages {
				if l == "es" {
					spanish++
				}
			}
		}
		if len(agents) < 2 || spanish == 0 {
			t.Errorf("queue %s: %d agents, %d speak Spanish; want at least 2 and 1", q.ID, len(agents), spanish)
		}
	}
	// Main menu: departments and extra entries cover 0-8 exactly once.
	var digits []string
	for _, d := range c.Departments {
		if d.Digit != "" {
			digits = append(digits, d.Digit)
		}
	}
	for _, e := range c.Hotline.Menu {
		if e.Digit >= "0" && e.Digit <= "9" {
			digits = append(digits, e.Digit)
		}
	}
	sort.Strings(digits)
	if got := strings.Join(digits, ""); got != "012345678" {
		t.Errorf("main menu digits %q", got)
	}
	perYear := map[string]int{}
	for _, h := range c.Holidays {
		perYear[h.Date[:4]]++
	}
	if perYear["2026"] != 12 || perYear["2027"] != 12 {
		t.Errorf("holidays per year %v, want 12 in 2026 and 2027", perYear)
	}
	for _, l := range c.Languages {
		for _, k := range c.PromptKeys() {
			if p, ok := c.Prompts[l][k]; !ok || p.Text == "" || p.Media != DefaultMedia(l, k) {
				t.Errorf("prompt %s/%s: %+v", l, k, p)
			}
		}
	}
	if again, err := Parse(SampleYAML(), "again"); err != nil || len(again.Queues) != len(c.Queues) {
		t.Errorf("SampleYAML does not parse again: %v", err)
	}
}

func TestSampleCalendar(t *testing.T) {
	c := Sample()
	// Ash Wednesday 2026: the registry is closed, Customs and Border Control open.
	if open, next := c.IsOpen("registry", cay(t, "2026-02-18 10:00")); open || !next.Equal(cay(t, "2026-02-19 08:30")) {
		t.Errorf("registry on Ash Wednesday: %v %v", open, next)
	}
	if open, _ := c.IsOpen("cbc", cay(t, "2026-02-18 10:00")); !open {
		t.Error("cbc closed on a holiday, but it is open on holidays")
	}
	// A complaint received on Christmas Eve 2026 (Christmas Friday, Boxing Day observed Monday 28).
	got := c.AddWorkingDays(cay(t, "2026-12-24 11:00"), c.Complaints.AcknowledgeDays)
	if !got.Equal(cay(t, "2026-12-30 11:00")) {
		t.Errorf("acknowledgement deadline %v, want 2026-12-30 11:00", got)
	}
	// Christmas 2027 falls on a Saturday: observed Monday 27 and Tuesday 28.
	if c.IsWorkingDay(cay(t, "2027-12-27 10:00")) || c.IsWorkingDay(cay(t, "2027-12-28 10:00")) || !c.IsWorkingDay(cay(t, "2027-12-29 10:00")) {
		t.Error("Christmas 2027 observed days")
	}
	if d := c.DepartmentForNumber("7001"); d == nil || d.ID != "dvdl" {
		t.Errorf("7001 → %v", d)
	}
}

// TestPromptFiles keeps the sample's prompt texts and the generated
// recordings in step: every prompt of every language has its 8 kHz 16-bit
// mono WAV under asterisk-config/sounds, made from the current text, and no
// recording is left over. Fix failures with scripts/gen-prompts.sh.
func TestPromptFiles(t *testing.T) {
	c := Sample()
	dir := filepath.Join("..", "asterisk-config", "sounds")
	const fix = " (run scripts/gen-prompts.sh)"
	for _, lang := range c.Languages {
		for _, key := range c.PromptKeys() {
			path := filepath.Join(dir, filepath.FromSlash(SoundFile(lang, key)))
			w, err := ReadWAV(path)
			if err != nil {
				t.Errorf("prompt %s/%s: %v%s", lang, key, err, fix)
				continue
			}
			if w.Format != 1 || w.Channels != 1 || w.SampleRate != 8000 || w.Bits != 16 {
				t.Errorf("%s: %+v, want PCM mono 8000 Hz 16-bit%s", path, w, fix)
			}
			if d := w.Duration(); d < 300*time.Millisecond || d > 30*time.Second {
				t.Errorf("%s lasts %v%s", path, d, fix)
			}
			stamp, err := os.ReadFile(strings.TrimSuffix(path, ".wav") + ".txt")
			if err != nil {
				t.Errorf("prompt %s/%s: %v%s", lang, key, err, fix)
				continue
			}
			_, said, _ := strings.Cut(string(stamp), "\n")
			if want := strings.Join(strings.Fields(c.Prompts[lang][key].Text), " "); said != want {
				t.Errorf("%s says %q but the configuration says %q%s", path, said, want, fix)
			}
		}
		files, _ := filepath.Glob(filepath.Join(dir, lang, "hotline", "*.wav"))
		for _, f := range files {
			key := strings.TrimSuffix(filepath.Base(f), ".wav")
			if _, ok := c.Prompts[lang][key]; !ok {
				t.Errorf("%s: no prompt %s in the sample%s", f, key, fix)
			}
		}
	}
	if d, err := PromptDuration(dir, "en", PromptGreeting); err != nil || d < time.Second {
		t.Errorf("PromptDuration(greeting) = %v, %v", d, err)
	}
}
