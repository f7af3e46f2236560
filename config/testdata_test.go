package config

import (
	"strings"
	"testing"
)

// baseYAML is a small valid configuration the tests mutate.
const baseYAML = `
timezone: America/Cayman
languages: [en, es]
hotline:
  numbers:
    - {did: "100"}
    - {did: "101", department: lic}
  default_queue: general
  complaints_queue: general
  hours: ["mon-fri 08:00-17:00"]
  menu:
    - {digit: "0", action: officer}
holidays:
  - {date: "2026-12-25", name: Christmas Day}
departments:
  - id: lic
    names: {en: Licensing, es: Licencias}
    digit: "1"
    hours: ["mon-fri 08:30-16:30", "sat 09:00-12:00"]
    queue: lic
    menu:
      - {digit: "1", action: info}
      - {digit: "2", action: officer}
      - {digit: "3", action: complaint}
  - id: night
    names: {en: Night desk, es: Turno de noche}
    digit: "2"
    hours: ["mon-fri 22:00-06:00", "sun closed"]
    open_on_holidays: true
    queue: general
queues:
  - {id: general, department: night}
  - {id: lic, department: lic, threshold: 30s, target: 0.9}
agents:
  - {id: a1, name: One, skills: [general, lic]}
prompts:
  en: {PROMPTS_EN}
  es: {PROMPTS_ES}
`

// testYAML returns baseYAML with every needed prompt filled in, after
// replacing each old string by its new one.
func testYAML(t *testing.T, replace ...string) string {
	t.Helper()
	keys := append(append([]string(nil), RequiredPrompts...), "menu_lic", "hours_lic", "hours_night", "info_lic")
	var en, es []string
	for _, k := range keys {
		en = append(en, k+": text "+k)
		es = append(es, k+": texto "+k)
	}
	y := strings.Replace(baseYAML, "{PROMPTS_EN}", "{"+strings.Join(en, ", ")+"}", 1)
	y = strings.Replace(y, "{PROMPTS_ES}", "{"+strings.Join(es, ", ")+"}", 1)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(y, replace[i]) {
			t.Fatalf("test setup: %q not in the base configuration", replace[i])
		}
		y = strings.Replace(y, replace[i], replace[i+1], 1)
	}
	return y
}

func mustParse(t *testing.T, replace ...string) *Config {
	t.Helper()
	c, err := Parse([]byte(testYAML(t, replace...)), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}
