package asterisktest

import (
	"fmt"
	"strings"

	"github.com/publicservice/hotline/config"
)

// Each journey has a department, a queue and agents of its own, reached by a
// DID of its own, so that journeys run side by side on one Asterisk and one
// controller without taking each other's agents.
const (
	didMain = "3459492000" // main menu; the default queue is qinv
)

func did(dept string) string { return "34594921" + strings.TrimPrefix(dept, "j") }

type deptSpec struct {
	id, queue string
	hours     string // "" = always
	queueOpts string // extra flow-map fields of the queue
	skills    []string
	services  string // the department's services (YAML lines), read by its information option
}

// Departments j10..j29 (two-digit ids so that the DIDs have ten digits).
var depts = []deptSpec{
	{id: "j10", queue: "q10"},                                   // answered call with survey (Spanish)
	{id: "j11", queue: "q11", queueOpts: "announce_every: 10s"}, // abandons (no agents)
	{id: "j12", queue: "q12", queueOpts: "ring_timeout: 6s"},    // ring-no-answer, offline
	{id: "j13", queue: "q13", hours: "sat closed"},              // after hours (closed every day)
	{id: "j14", queue: "q14", queueOpts: "announce_every: 10s"}, // callback
	{id: "j15", queue: "q15", queueOpts: "max_wait: 20s"},       // max wait
	{id: "j16", queue: "q16"},                                   // ticket check
	{id: "j17", queue: "q17", queueOpts: "announce_every: 8s"},  // agent made available while a caller waits
	{id: "j18", queue: "q18"},                                   // group 2: restart, shedding
	{id: "j19", queue: "q19", queueOpts: "ring_timeout: 20s"},   // group 2: restart (ringing)
	{id: "j20", queue: "qinv"},                                  // invalid input → default queue
	{id: "j21", queue: "q21"},                                   // a failed recording, then an officer
	{id: "j22", queue: "q22", services: dvdlServices},           // the information option reads the services
}

// dvdlServices are the sample's DVDL services: their prompts (service_*,
// doc_*) are generated in asterisk-config/sounds.
const dvdlServices = `    services:
      - id: vehicle_licence
        names: {en: Vehicle licence renewal, es: Renovación de licencia de vehículo}
        processing_time: same day
        documents: {en: [insurance certificate, inspection certificate], es: [certificado de seguro, certificado de inspección]}
      - id: driving_test
        names: {en: Driving test booking, es: Reserva de examen de manejo}
        processing_time: 3 working days
        processing_days: 3
        documents: {en: [learner's permit], es: [permiso de aprendiz]}
`

// agentSkills: a101..a115 and their queues (the endpoints of the shipped pjsip.conf).
var agentSkills = map[string]string{
	"a101": "q10", "a102": "q12", "a103": "q12", "a104": "q12", "a105": "q14",
	"a106": "q16", "a107": "q17", "a108": "qinv, q22", "a109": "q18", "a110": "q19", "a111": "q18", "a113": "q21",
	"a112": "q11, q13, q14, q15", // signed in and paused: those queues are staffed but nobody answers
}

// testConfig is the hotline YAML of the suite. Every prompt plays a recording
// shipped in asterisk-config/sounds (department prompts borrow dvdl's).
func testConfig() string { return suiteConfig(false) }

// lineClosedConfig is testConfig with every department closed all week:
// no queue of the hotline is open.
func lineClosedConfig() string { return suiteConfig(true) }

func suiteConfig(allClosed bool) string {
	var b strings.Builder
	b.WriteString(`timezone: UTC
languages: [en, es]
hotline:
  name: Suite Line
  numbers:
    - {did: "` + didMain + `"}
`)
	for _, d := range depts {
		fmt.Fprintf(&b, "    - {did: \"%s\", department: %s}\n", did(d.id), d.id)
	}
	b.WriteString(`  menu_timeout: 4s
  menu_retries: 2
  default_queue: qinv
  complaints_queue: qinv
  menu:
    - {digit: "0", action: officer}
survey:
  enabled: true
  default_opt_in: true
  retries: 1
departments:
`)
	for _, d := range depts {
		fmt.Fprintf(&b, "  - id: %s\n    names: {en: %s, es: %s}\n    queue: %s\n", d.id, d.id, d.id, d.queue)
		switch {
		case allClosed:
			fmt.Fprintf(&b, "    hours: [%q]\n", "sat closed")
		case d.hours != "":
			fmt.Fprintf(&b, "    hours: [%q]\n", d.hours)
		}
		b.WriteString(d.services)
		b.WriteString(`    menu:
      - {digit: "1", action: info}
      - {digit: "2", action: officer}
      - {digit: "5", action: ticket}
      - {digit: "7", action: message}
`)
	}
	b.WriteString("queues:\n")
	for _, d := range depts {
		opts := "wrap_up: 2s, callback: true"
		if d.queueOpts != "" {
			opts += ", " + d.queueOpts
		}
		fmt.Fprintf(&b, "  - {id: %s, department: %s, %s}\n", d.queue, d.id, opts)
	}
	b.WriteString("agents:\n")
	for i := 101; i <= 115; i++ {
		id := fmt.Sprintf("a%d", i)
		if q, ok := agentSkills[id]; ok {
			fmt.Fprintf(&b, "  - {id: %s, name: Agent %d, skills: [%s], languages: [en, es]}\n", id, i, q)
		}
	}
	b.WriteString("prompts:\n")
	for _, lang := range []string{"en", "es"} {
		fmt.Fprintf(&b, "  %s:\n", lang)
		for _, k := range config.RequiredPrompts {
			fmt.Fprintf(&b, "    %s: \"%s %s\"\n", k, lang, k)
		}
		for _, d := range depts {
			for _, k := range []string{"menu", "hours", "info"} {
				borrow := k + "_dvdl"
				if k == "info" { // departments without services play their info prompt
					borrow = "hours_dvdl"
				}
				fmt.Fprintf(&b, "    %s_%s: {text: \"%s %s\", media: \"sound:%s/hotline/%s\"}\n", k, d.id, k, d.id, lang, borrow)
			}
		}
	}
	return b.String()
}
