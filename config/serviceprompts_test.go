package config

import (
	"strings"
	"testing"
)

// The information option's prompts come from the service inventory: keys
// and texts default from the names and documents in each language; a
// configured prompt text is kept; a count of working days is said with
// number:N, "same day" with its prompt.
func TestServicePrompts(t *testing.T) {
	svc := `digit: "1"
    services:
      - {id: renewal, names: {en: Licence renewal, es: Renovación}, processing_time: 3 working days, processing_days: 3,
         documents: {en: [photo ID, "Old licence"], es: [identificación con foto, licencia anterior]}}
      - {id: test, names: {en: Driving test, es: Examen}, processing_time: same day}
      - {id: card, names: {en: Card, es: Tarjeta}, processing_days: 1, documents: {en: [form]}}
`
	c := mustParse(t, "digit: \"1\"\n", svc, "\n  es: {", "\n  es: {service_test: Examen de manejo, ")
	lic := c.Department("lic")
	if e := lic.MenuEntry("1"); e.Prompt != "" {
		t.Errorf("info entry of a department with services plays %q (want the inventory)", e.Prompt)
	}
	want := [][]string{
		{"service_renewal", PromptProcessingTime, "number:3", PromptWorkingDays, PromptDocumentsRequired, "doc_photo_id", "doc_old_licence"},
		{"service_test", PromptSameDay},
		{"service_card", PromptProcessingTime, "number:1", PromptWorkingDay, PromptDocumentsRequired, "doc_form"},
	}
	for i, w := range want {
		if got := lic.Services[i].ServicePrompts(); strings.Join(got, " ") != strings.Join(w, " ") {
			t.Errorf("service %d plays %v, want %v", i, got, w)
		}
	}
	texts := map[string]string{
		"en/service_renewal": "Licence renewal", "es/service_renewal": "Renovación",
		"es/service_test":    "Examen de manejo", // configured: kept
		"en/doc_old_licence": "Old licence", "es/doc_old_licence": "licencia anterior",
		"es/doc_form":           "form", // no Spanish list: the first language's
		"es/working_days":       "días hábiles.",
		"en/documents_required": "Documents required:",
	}
	for k, w := range texts {
		lang, key, _ := strings.Cut(k, "/")
		p, ok := c.PromptEntry(lang, key)
		if !ok || p.Text != w || p.Media != DefaultMedia(lang, key) {
			t.Errorf("prompt %s = %+v, want text %q", k, p, w)
		}
	}
	keys := strings.Join(c.PromptKeys(), " ")
	for _, k := range []string{"service_card", "doc_photo_id", PromptSameDay, PromptWorkingDay} {
		if !strings.Contains(keys, k) {
			t.Errorf("PromptKeys lacks %s", k)
		}
	}
	if strings.Contains(keys, "info_lic") {
		t.Error("PromptKeys still asks for info_lic")
	}

	// A language without the fixed prompts' default texts must define them.
	_, err := Parse([]byte(strings.Replace(strings.Replace(testYAML(t, "digit: \"1\"\n", svc), "languages: [en, es]", "languages: [en, fr]", 1),
		"  es: {", "  fr: {", 1)), "test.yaml")
	if err == nil || !strings.Contains(err.Error(), "prompts.fr.working_days") {
		t.Errorf("French without working_days: %v", err)
	}
	// document_prompts: one per document.
	_, err = Parse([]byte(testYAML(t, "digit: \"1\"\n", `digit: "1"
    services:
      - {id: x, names: {en: X, es: X}, documents: {en: [a, b]}, document_prompts: [doc_a]}
`)), "test.yaml")
	if err == nil || !strings.Contains(err.Error(), "services[0].document_prompts") {
		t.Errorf("one prompt for two documents: %v", err)
	}
}
