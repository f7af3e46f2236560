package ivr

import (
	"github.com/publicservice/hotline/config"
)

// infoPrompts is what the information option e plays. A department with a
// service inventory has it read: for each service its name, the published
// processing time in working days (number:N, said in the caller's language)
// or "same day", and the documents required; then, where the department's
// menu has an sms_info key and the sms_info_offer prompt is configured, the
// offer to receive the details by SMS ("… press" and the key), which the
// caller may press at once (digits during the information are the menu's).
// A department without services plays its information prompt
// (info_<department>).
func (c *call) infoPrompts(e *config.MenuEntry) []string {
	if c.dept == nil || len(c.dept.Services) == 0 {
		key := e.Prompt
		if key == "" && c.dept != nil {
			key = "info_" + c.dept.ID
		}
		return []string{key}
	}
	var keys []string
	if e.Prompt != "" {
		keys = append(keys, e.Prompt) // an introduction, when configured
	}
	for i := range c.dept.Services {
		keys = append(keys, c.dept.Services[i].ServicePrompts()...)
	}
	if d := smsInfoDigit(c.dept); d != "" && c.ctl.cfg.Prompt(c.language(), PromptSMSInfoOffer) != "" {
		keys = append(keys, PromptSMSInfoOffer, "digits:"+d)
	}
	return keys
}

// smsInfoDigit is the key of a department menu's sms_info entry ("" when
// none).
func smsInfoDigit(d *config.Department) string {
	for _, e := range d.Menu {
		if e.Action == config.ActionSMSInfo {
			return e.Digit
		}
	}
	return ""
}

// language is the caller's language (the default before they chose).
func (c *call) language() string {
	if c.rec.Language != "" {
		return c.rec.Language
	}
	return c.ctl.cfg.DefaultLanguage()
}
