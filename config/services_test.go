package config

import (
	"strings"
	"testing"
)

func TestSampleServiceInventory(t *testing.T) {
	c := Sample()
	all := c.AllServices()
	if len(all) < 10 {
		t.Fatalf("sample has %d services", len(all))
	}
	online := 0
	for _, s := range all {
		for _, l := range c.Languages {
			if s.ServiceName(l) == "" {
				t.Errorf("service %s has no %s name", s.ID, l)
			}
		}
		if s.WebLink == "" || len(s.Channels) == 0 || s.ProcessingTime == "" {
			t.Errorf("service %s incomplete: %+v", s.ID, s)
		}
		if s.Online != s.HasChannel(ChannelOnline) {
			t.Errorf("service %s: online %v but channels %v", s.ID, s.Online, s.Channels)
		}
		if s.Online {
			online++
		}
	}
	if online == 0 || online == len(all) {
		t.Errorf("online services %d of %d: the sample should have both kinds", online, len(all))
	}
	d, s := c.FindService("passport")
	if d == nil || d.ID != "passports" || s.ProcessingDays != 10 || s.ServiceName("es") != "Pasaporte, nuevo o renovación" {
		t.Fatalf("FindService(passport) = %v %+v", d, s)
	}
	if docs := s.DocumentsIn("es", c.Languages); len(docs) != 4 || docs[0] != "formulario de solicitud" {
		t.Errorf("documents es: %v", docs)
	}
	if docs := s.DocumentsIn("fr", c.Languages); len(docs) != 4 || docs[0] != "application form" {
		t.Errorf("documents fallback: %v", docs)
	}
	if c.ResolveDaysOf("worc") != 15 || c.ResolveDaysOf("dvdl") != c.Complaints.ResolveDays {
		t.Errorf("ResolveDaysOf worc %d dvdl %d", c.ResolveDaysOf("worc"), c.ResolveDaysOf("dvdl"))
	}
	if sv := c.SupervisorsOf("dvdl"); len(sv) != 1 || sv[0] != "a115" {
		t.Errorf("SupervisorsOf(dvdl) = %v", sv)
	}
}

func TestServiceDefaultsAndErrors(t *testing.T) {
	c := mustParse(t, "digit: \"1\"\n", "digit: \"1\"\n    services:\n      - {name: Licence Renewal!, names: {es: Renovación}, online: true}\n")
	s := c.Department("lic").Services[0]
	if s.ID != "licence_renewal" || s.Names["en"] != "Licence Renewal!" || !s.HasChannel(ChannelCounter) || !s.HasChannel(ChannelOnline) {
		t.Errorf("defaults: %+v", s)
	}
	tests := []struct {
		name string
		svc  string
		want []string
	}{
		{"unknown channel", `{name: A, names: {es: A}, channels: [fax]}`, []string{"services[0].channels[0]", `"fax" is not a channel`}},
		{"missing spanish", `{name: A}`, []string{"services[0].names.es", "missing"}},
		{"bad link", `{name: A, names: {es: A}, web_link: "gov.ky"}`, []string{"services[0].web_link", "not a web link"}},
		{"bad id", `{id: "A B", name: A, names: {es: A}}`, []string{"services[0].id", "not an id"}},
		{"negative days", `{name: A, names: {es: A}, processing_days: -1}`, []string{"services[0].processing_days", "negative"}},
		{"unknown language", `{name: A, names: {es: A}, documents: {fr: [x]}}`, []string{"services[0].documents.fr"}},
		{"twice", "{name: A, names: {es: A}}\n      - {name: A, names: {es: A}}", []string{"services[1].id", "used twice"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(testYAML(t, "digit: \"1\"\n", "digit: \"1\"\n    services:\n      - "+tc.svc+"\n")), "test.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
