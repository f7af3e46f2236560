package config

import (
	"strconv"
	"strings"
)

// Prompts of the IVR information option, which reads a department's service
// inventory: for each service its name (Service.Prompt), "processing time"
// number:N "working days" (or its ProcessingPrompt), then "documents
// required" and one prompt per document (Service.DocumentPrompts). Their
// texts in English and Spanish default to these; other languages define
// them where a department's menu has an info entry and services.
const (
	PromptProcessingTime    = "processing_time"    // "Processing time:" + number:N
	PromptWorkingDays       = "working_days"       // "working days"
	PromptWorkingDay        = "working_day"        // "working day" (after number:1)
	PromptSameDay           = "same_day"           // "Processing time: the same day."
	PromptDocumentsRequired = "documents_required" // "Documents required:" + one prompt per document
)

var servicePromptTexts = map[string]map[string]string{
	"en": {
		PromptProcessingTime:    "Processing time:",
		PromptWorkingDays:       "working days.",
		PromptWorkingDay:        "working day.",
		PromptSameDay:           "Processing time: the same day.",
		PromptDocumentsRequired: "Documents required:",
	},
	"es": {
		PromptProcessingTime:    "Tiempo de trámite:",
		PromptWorkingDays:       "días hábiles.",
		PromptWorkingDay:        "día hábil.",
		PromptSameDay:           "Tiempo de trámite: el mismo día.",
		PromptDocumentsRequired: "Documentos requeridos:",
	},
}

// ServicePrompts is what the IVR information option plays for one service:
// prompt keys and say media (number:N, said in the channel's language).
func (s *Service) ServicePrompts() []string {
	keys := []string{s.Prompt}
	switch {
	case s.ProcessingDays > 0:
		unit := PromptWorkingDays
		if s.ProcessingDays == 1 {
			unit = PromptWorkingDay
		}
		keys = append(keys, PromptProcessingTime, "number:"+strconv.Itoa(s.ProcessingDays), unit)
	case s.ProcessingPrompt != "":
		keys = append(keys, s.ProcessingPrompt)
	}
	if len(s.DocumentPrompts) > 0 {
		keys = append(keys, PromptDocumentsRequired)
		keys = append(keys, s.DocumentPrompts...)
	}
	return keys
}

// servicePromptDefaults fills a service's prompt keys and, when its
// department's menu has an information entry (played), the texts of the
// prompts it needs that the configuration does not define: its name and
// documents in each language, and the fixed prompts in English and Spanish.
func (c *Config) servicePromptDefaults(s *Service, played bool) {
	if s.Prompt == "" {
		s.Prompt = "service_" + s.ID
	}
	if len(c.Languages) == 0 {
		return
	}
	first := c.DefaultLanguage()
	if s.ProcessingPrompt == "" && s.ProcessingDays == 0 && strings.Contains(strings.ToLower(s.ProcessingTime), "same day") {
		s.ProcessingPrompt = PromptSameDay
	}
	docs := s.DocumentsIn(first, c.Languages)
	if s.DocumentPrompts == nil {
		for _, d := range docs {
			s.DocumentPrompts = append(s.DocumentPrompts, "doc_"+strings.Trim(nonWord.ReplaceAllString(strings.ToLower(d), "_"), "_"))
		}
	}
	if !played {
		return
	}
	if c.Prompts == nil {
		c.Prompts = map[string]map[string]Prompt{}
	}
	for _, lang := range c.Languages {
		texts := map[string]string{s.Prompt: s.ServiceName(lang)}
		local := s.DocumentsIn(lang, c.Languages)
		for i, k := range s.DocumentPrompts {
			switch {
			case i < len(local):
				texts[k] = local[i]
			case i < len(docs):
				texts[k] = docs[i]
			}
		}
		for _, k := range s.ServicePrompts() {
			if t := servicePromptTexts[lang][k]; t != "" {
				texts[k] = t
			}
		}
		for k, t := range texts {
			if _, ok := c.Prompts[lang][k]; ok || strings.TrimSpace(t) == "" || strings.Contains(k, ":") {
				continue
			}
			if c.Prompts[lang] == nil {
				c.Prompts[lang] = map[string]Prompt{}
			}
			c.Prompts[lang][k] = Prompt{Text: t}
		}
	}
}

// infoServicePrompts adds to set the prompt keys the information option of
// a department with services plays.
func infoServicePrompts(set map[string]bool, d *Department) {
	for i := range d.Services {
		for _, k := range d.Services[i].ServicePrompts() {
			if !strings.Contains(k, ":") {
				set[k] = true
			}
		}
	}
}
