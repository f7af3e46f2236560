package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseBaseAndDefaults(t *testing.T) {
	c := mustParse(t)
	if c.Hotline.MenuTimeout != 5*time.Second || c.Hotline.MenuRetries != 2 {
		t.Errorf("menu defaults: timeout %v retries %d, want 5s 2", c.Hotline.MenuTimeout, c.Hotline.MenuRetries)
	}
	g := c.Queue("general")
	if g.Threshold != 20*time.Second || g.Target != 0.80 || g.AbandonTarget != 0.05 {
		t.Errorf("general queue SL: %v %v %v, want 20s 0.8 0.05", g.Threshold, g.Target, g.AbandonTarget)
	}
	if g.AnnounceEvery != 30*time.Second || g.RingTimeout != 15*time.Second || !g.AutoPause || g.WrapUp != 10*time.Second || g.MaxWait != 0 {
		t.Errorf("general queue defaults: %+v", g)
	}
	if c.Threshold("lic") != 30*time.Second || c.Target("lic") != 0.9 || c.Threshold("nope") != 20*time.Second {
		t.Errorf("Threshold/Target overrides: %v %v %v", c.Threshold("lic"), c.Target("lic"), c.Threshold("nope"))
	}
	if c.ShortAbandon() != 5*time.Second || c.AbandonTarget("lic") != 0.05 {
		t.Errorf("ShortAbandon %v AbandonTarget %v", c.ShortAbandon(), c.AbandonTarget("lic"))
	}
	if !c.Survey.On || !c.Survey.DefaultOptIn || c.Survey.Retries != 1 || c.Survey.Ratings["1"].String() != "very_happy" || c.Survey.Ratings["4"].String() != "very_unhappy" {
		t.Errorf("survey defaults: %+v", c.Survey)
	}
	if c.Complaints.AcknowledgeDays != 5 || c.Complaints.ResolveDays != 10 || c.Complaints.CorrespondenceDays != 5 {
		t.Errorf("complaint defaults: %+v", c.Complaints)
	}
	if a := c.Agent("a1"); a.Endpoint != "PJSIP/a1" || len(a.Languages) != 2 {
		t.Errorf("agent defaults: %+v", a)
	}
	lic := c.Department("lic")
	if e := lic.MenuEntry("1"); e.Prompt != "info_lic" {
		t.Errorf("info prompt default: %q", e.Prompt)
	}
	if e := lic.MenuEntry("2"); e.Queue != "lic" {
		t.Errorf("officer queue default: %q", e.Queue)
	}
	if e := lic.MenuEntry("3"); e.Queue != "general" {
		t.Errorf("complaint queue default: %q", e.Queue)
	}
	if e := c.MainMenuEntry("0"); e == nil || e.Queue != "general" {
		t.Errorf("main menu 0: %+v", e)
	}
	if c.DepartmentByDigit("1") != lic || c.DepartmentByDigit("9") != nil {
		t.Error("DepartmentByDigit")
	}
	if c.DepartmentForNumber("101") != lic || c.DepartmentForNumber("100") != nil || c.DepartmentForNumber("999") != nil {
		t.Error("DepartmentForNumber")
	}
	if l, ok := c.LanguageByDigit("2"); !ok || l != "es" {
		t.Errorf("LanguageByDigit(2) = %q %v", l, ok)
	}
	if _, ok := c.LanguageByDigit("3"); ok {
		t.Error("LanguageByDigit(3) should fail")
	}
	if c.Location().String() != "America/Cayman" {
		t.Errorf("Location %v", c.Location())
	}
}

func TestExplicitFalseAndZero(t *testing.T) {
	c := mustParse(t,
		"{id: general, department: night}", "{id: general, department: night, auto_pause: false, wrap_up: 0s, max_wait: 10m}",
		"holidays:", "survey: {enabled: false, default_opt_in: false, keys: {\"9\": happy}}\nholidays:")
	g := c.Queue("general")
	if g.AutoPause || g.WrapUp != 0 || g.MaxWait != 10*time.Minute {
		t.Errorf("explicit values lost: autopause %v wrapup %v maxwait %v", g.AutoPause, g.WrapUp, g.MaxWait)
	}
	if c.Survey.On || c.Survey.DefaultOptIn || len(c.Survey.Ratings) != 1 || c.Survey.Ratings["9"].String() != "happy" {
		t.Errorf("survey: %+v", c.Survey)
	}
}

func TestPrompt(t *testing.T) {
	c := mustParse(t, "\n  es: {", "\n  es: {extra_es: solo, ")
	if got := c.Prompt("es", "greeting"); got != "sound:es/hotline/greeting" {
		t.Errorf("Prompt(es, greeting) = %q", got)
	}
	if got := c.Prompt("fr", "greeting"); got != "sound:en/hotline/greeting" {
		t.Errorf("Prompt(fr, greeting) fallback = %q", got)
	}
	if got := c.Prompt("en", "extra_es"); got != "" {
		t.Errorf("Prompt(en, extra_es) = %q, want none", got)
	}
	if p, ok := c.PromptEntry("es", "extra_es"); !ok || p.Text != "solo" || p.Media != "sound:es/hotline/extra_es" {
		t.Errorf("PromptEntry = %+v %v", p, ok)
	}
	c = mustParse(t, "\n  en: {", "\n  en: {extra: {text: Hello, media: \"sound:custom/hello\"}, ")
	if got := c.Prompt("es", "extra"); got != "sound:custom/hello" {
		t.Errorf("fallback to default language with custom media = %q", got)
	}
}

func TestValidationErrors(t *testing.T) {
	tests := []struct {
		name    string
		replace []string
		want    []string // substrings of the error
	}{
		{"unknown department in a queue", []string{"{id: lic, department: lic,", "{id: lic, department: lics,"},
			[]string{"test.yaml", "queues[1] (lic).department", `unknown department "lics"`, "lic, night"}},
		{"digit used twice in a menu", []string{`{digit: "2", action: officer}`, `{digit: "1", action: officer}`},
			[]string{"departments[0] (lic).menu[1].digit", `"1" is used twice in this menu`}},
		{"main menu digit clash", []string{`{digit: "0", action: officer}`, `{digit: "1", action: officer}`},
			[]string{"hotline.menu[0].digit", "department lic"}},
		{"two departments on one digit", []string{"digit: \"2\"\n    hours", "digit: \"1\"\n    hours"},
			[]string{"departments[1] (night).digit", "used twice in the main menu"}},
		{"bad time range", []string{"sat 09:00-12:00", "sat 09:00-25:00"},
			[]string{"departments[0] (lic).hours[1]", `bad time "25:00"`}},
		{"empty time range", []string{"sat 09:00-12:00", "sat 09:00-09:00"},
			[]string{"hours[1]", "is empty"}},
		{"unknown day", []string{"mon-fri 08:30-16:30", "mon-fry 08:30-16:30"},
			[]string{"hours[0]", `unknown day "fry"`}},
		{"day given twice", []string{"sat 09:00-12:00", "fri 09:00-12:00"},
			[]string{"hours[1]", "fri is already given"}},
		{"overlapping ranges", []string{"sat 09:00-12:00", "sat 09:00-12:00,11:00-13:00"},
			[]string{"overlap"}},
		{"unknown language", []string{"languages: [en, es]", "languages: [en, es, fr]"},
			[]string{"departments[0] (lic).names.fr", "prompts.fr.greeting: missing"}},
		{"name in an unconfigured language", []string{"names: {en: Licensing, es: Licencias}", "names: {en: Licensing, es: Licencias, de: Lizenz}"},
			[]string{"names.de", `unknown language "de"`}},
		{"agent skill naming no queue", []string{"skills: [general, lic]", "skills: [general, lic, tax]"},
			[]string{"agents[0] (a1).skills[2]", `"tax" names no queue`}},
		{"queue nobody serves", []string{"skills: [general, lic]", "skills: [general]"},
			[]string{"queues (lic)", "no agent"}},
		{"unknown timezone", []string{"America/Cayman", "America/Nowhere"},
			[]string{"timezone", "America/Nowhere"}},
		{"unknown default queue", []string{"default_queue: general", "default_queue: gen"},
			[]string{"hotline.default_queue", `unknown queue "gen"`}},
		{"number to unknown department", []string{`department: lic}`, `department: tax}`},
			[]string{"hotline.numbers[1].department", `unknown department "tax"`}},
		{"unknown action", []string{"action: info", "action: infos"},
			[]string{"menu[0].action", `unknown action "infos"`}},
		{"bad holiday", []string{"2026-12-25", "2026-13-25"},
			[]string{"holidays[0].date", "YYYY-MM-DD"}},
		{"target out of range", []string{"target: 0.9", "target: 90"},
			[]string{"queues[1] (lic).target", "between 0 and 1"}},
		{"bad survey rating", []string{"holidays:", "survey: {keys: {\"1\": ecstatic}}\nholidays:"},
			[]string{`survey.keys["1"]`, `unknown rating "ecstatic"`}},
		{"sms info key on the callback key", []string{"{id: lic, department: lic,", "{id: lic, department: lic, sms_info_key: \"2\","},
			[]string{"queues[1] (lic).sms_info_key", "callback"}},
		{"sms info key on the survey key", []string{"{id: lic, department: lic,", "{id: lic, department: lic, sms_info_key: \"9\","},
			[]string{"queues[1] (lic).sms_info_key", "survey key"}},
		{"sms info key not a key", []string{"{id: lic, department: lic,", "{id: lic, department: lic, sms_info_key: \"77\","},
			[]string{"queues[1] (lic).sms_info_key", "not a key"}},
		{"survey key on the callback key", []string{"holidays:", "survey: {opt_key: \"2\"}\nholidays:"},
			[]string{"survey.opt_key", "callback"}},
		{"missing prompt", []string{"hours_night: texto hours_night, ", ""},
			[]string{"prompts.es.hours_night: missing"}},
		{"misspelt field", []string{"open_on_holidays: true", "open_on_holiday: true"},
			[]string{"field open_on_holiday not found"}},
		{"duration as a bare number", []string{"threshold: 30s", "threshold: 30"},
			[]string{"test.yaml", "line 33", "durations are written like 20s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(testYAML(t, tt.replace...)), "test.yaml")
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hotline.yaml")
	if err := os.WriteFile(path, []byte(testYAML(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Name() != path {
		t.Errorf("Name = %q", c.Name())
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("Load(missing) = %v, want a wrapped not-exist error naming the file", err)
	}
	if _, err := Parse(nil, "empty.yaml"); err == nil || !strings.Contains(err.Error(), "empty.yaml: the file is empty") {
		t.Errorf("Parse(empty) = %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}

func TestCallbackDialAndWhenUnstaffed(t *testing.T) {
	c := Sample()
	if got := c.CallbackEndpoint("3455550100"); got != "PJSIP/3455550100@provider" {
		t.Errorf("callback endpoint %q", got)
	}
	for _, q := range c.Queues {
		if q.WhenUnstaffed != UnstaffedCallback {
			t.Errorf("queue %s when_unstaffed %q, want the default callback", q.ID, q.WhenUnstaffed)
		}
	}
	y := string(sampleYAML)
	for _, tc := range []struct{ name, from, to, want string }{
		{"no {number}", `callback_dial: "PJSIP/{number}@provider"`, `callback_dial: "PJSIP/x@provider"`, "hotline.callback_dial"},
		{"bad when_unstaffed", "{id: worc, department: worc,", "{id: worc, department: worc, when_unstaffed: hangup,", "when_unstaffed"},
		{"unknown queue", "{id: worc, department: worc,", "{id: worc, department: worc, when_unstaffed: \"queue:nope\",", "unknown queue"},
	} {
		if !strings.Contains(y, tc.from) {
			t.Fatalf("%s: sample has no %q", tc.name, tc.from)
		}
		_, err := Parse([]byte(strings.Replace(y, tc.from, tc.to, 1)), "x.yaml")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
}
