package sms_test

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/sms"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		cmd  sms.Command
		rest string
		lang string
	}{
		{"STATUS C-2026-004217", sms.CmdStatus, "C-2026-004217", "en"},
		{"  status   2026004217 ", sms.CmdStatus, "2026004217", "en"},
		{"Estado C-2026-1", sms.CmdStatus, "C-2026-1", "es"},
		{"STOP", sms.CmdStop, "", ""},
		{"unsubscribe", sms.CmdStop, "", ""},
		{"Stop the noise at the counter", sms.CmdNew, "Stop the noise at the counter", ""},
		{"START", sms.CmdStart, "", ""},
		{"yes", sms.CmdStart, "", ""},
		{"HELP", sms.CmdHelp, "", "en"},
		{"ayuda", sms.CmdHelp, "", "es"},
		{"", sms.CmdHelp, "", ""},
		{"COMPLIMENT Great service", sms.CmdCompliment, "Great service", "en"},
		{"Felicitación gran servicio", sms.CmdCompliment, "gran servicio", "es"},
		{"The queue was too long", sms.CmdNew, "The queue was too long", ""},
	}
	for _, tc := range tests {
		cmd, rest, lang := sms.Parse(tc.in)
		if cmd != tc.cmd || rest != tc.rest || lang != tc.lang {
			t.Errorf("Parse(%q) = %v %q %q, want %v %q %q", tc.in, cmd, rest, lang, tc.cmd, tc.rest, tc.lang)
		}
	}
}

func TestDepartmentInfo(t *testing.T) {
	cfg := config.Sample()
	d := cfg.Department("passports")
	en := sms.DepartmentInfo(cfg, d, "en")
	es := sms.DepartmentInfo(cfg, d, "es")
	for _, want := range []string{"Passport and Corrections Office", "mon-thu 08:30-16:30", "Government Administration Building",
		"Passport, new or renewal: 10 working days (application form, birth certificate", "https://www.gov.ky"} {
		if !strings.Contains(en, want) {
			t.Errorf("English info lacks %q: %s", want, en)
		}
	}
	for _, want := range []string{"Oficina de Pasaportes", "Horario", "Pasaporte, nuevo o renovación: 10 días hábiles (formulario de solicitud",
		"Documento de viaje de emergencia: 1 día hábil"} {
		if !strings.Contains(es, want) {
			t.Errorf("Spanish info lacks %q: %s", want, es)
		}
	}
	if dvdl := sms.DepartmentInfo(cfg, cfg.Department("dvdl"), "es"); !strings.Contains(dvdl, "Renovación de licencia de vehículo: el mismo día") {
		t.Errorf("Spanish same day: %s", dvdl)
	}
}
