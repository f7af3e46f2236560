package ivr_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
	smspg "github.com/publicservice/hotline/sms/postgres"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
)

// infoServices are services of the sample's passport office and DVDL: their
// prompts are generated in asterisk-config/sounds.
const infoServices = `    services:
      - id: passport
        names: {en: "Passport, new or renewal", es: "Pasaporte, nuevo o renovación"}
        processing_time: 10 working days
        processing_days: 10
        documents:
          en: [application form, birth certificate, two passport photos, old passport]
          es: [formulario de solicitud, acta de nacimiento, dos fotos de pasaporte, pasaporte anterior]
      - id: emergency_travel
        names: {en: Emergency travel document, es: Documento de viaje de emergencia}
        processing_time: 1 working day
        processing_days: 1
        documents: {en: [proof of travel, photo ID], es: [prueba de viaje, identificación con foto]}
      - id: driver_licence
        names: {en: Driver's licence renewal, es: Renovación de licencia de conducir}
        processing_time: same day
        documents: {en: [current licence], es: [licencia actual]}
`

// The information option reads the department's service inventory in the
// caller's language: each service's name, its processing time in working
// days (number:N) or "same day", the documents required; then it offers the
// details by SMS with the menu's key. Every prompt heard is a generated
// sound (the simulator plays only the files of asterisk-config/sounds).
// The caller then presses that key and the details go by SMS.
func TestInfoReadsServiceInventory(t *testing.T) {
	y := testConfigYAML(nil)
	for _, r := range [][2]string{
		{`      - {digit: "6", action: officer, queue: slow}`, "      - {digit: \"6\", action: officer, queue: slow}\n      - {digit: \"7\", action: sms_info}"},
		{"    queue: general\n    menu:", "    queue: general\n" + infoServices + "    menu:"},
		{"  menu_timeout: 3s", "  menu_timeout: 100s"},
		{"prompts:\n  en:\n", "prompts:\n  en:\n    sms_info_offer: \"en sms_info_offer\"\n"},
		{"\n  es:\n", "\n  es:\n    sms_info_offer: \"es sms_info_offer\"\n"},
	} {
		if !strings.Contains(y, r[0]) {
			t.Fatalf("test setup: %q not in the configuration", r[0])
		}
		y = strings.Replace(y, r[0], r[1], 1)
	}
	e := newEnv(t, y)
	sounds := filepath.Join("..", "asterisk-config", "sounds")
	e.soundsDir = sounds
	desk := ticketpg.Desk{Service: &ticketpg.Service{Pool: e.db.Pool(), Config: e.cfg, Clock: e.clk, Logger: e.log}}
	n := e.newSim("node1")
	n.startWith("ctl1", func(o *ivr.Options) { o.Tickets = desk })

	// Spanish (2), the information (1), then 7 once it has been read and the menu waits.
	ch := n.call("+13455550188", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "2", AfterMs: 300, From: "answer"}, press("1", 2000), press("7", 60000)}, MaxDurationMs: 90000})
	rec := e.waitRecord(ch)
	if got := strings.Join(rec.IVRPath, ","); !strings.Contains(got, "dept:gen:1,dept:gen:7,sms_info:gen") {
		t.Errorf("path %s", got)
	}
	call, ok := n.sim.CallOf(ch)
	if !ok {
		t.Fatal("no call record in the simulator")
	}
	s := func(k string) string { return "es:sound:es/hotline/" + k }
	want := []string{
		s("service_passport"), s("processing_time"), "es:number:10", s("working_days"), s("documents_required"),
		s("doc_application_form"), s("doc_birth_certificate"), s("doc_two_passport_photos"), s("doc_old_passport"),
		s("service_emergency_travel"), s("processing_time"), "es:number:1", s("working_day"), s("documents_required"),
		s("doc_proof_of_travel"), s("doc_photo_id"),
		s("service_driver_licence"), s("same_day"), s("documents_required"), s("doc_current_licence"),
		s("sms_info_offer"), "es:digits:7",
	}
	heard := call.Heard
	start := -1
	for i, h := range heard {
		if h == want[0] {
			start = i
			break
		}
	}
	if start < 0 || len(heard) < start+len(want) || strings.Join(heard[start:start+len(want)], " ") != strings.Join(want, " ") {
		t.Fatalf("heard %v\nwant, in a row: %v", heard, want)
	}
	for _, h := range heard[start : start+len(want)] {
		if rest, ok := strings.CutPrefix(h, "es:sound:"); ok {
			if _, err := os.Stat(filepath.Join(sounds, rest+".wav")); err != nil {
				t.Errorf("%s played but has no sound file: %v", h, err)
			}
		}
	}
	rows, err := (&smspg.Outbox{Pool: e.db.Pool()}).Rows(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].To != "+13455550188" || !strings.Contains(rows[0].Body, "Pasaporte, nuevo o renovación: 10 días hábiles") {
		t.Errorf("outbox %+v", rows)
	}
}
