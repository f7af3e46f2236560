package ticket

import (
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
)

// MaxText is the longest free-text field, in bytes.
const MaxText = 8000

var (
	phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ().-]{5,22}$`)
	timeRE  = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

// NormalizePhone keeps a phone number's leading + and its digits; it returns
// "" for something that is not a phone number.
func NormalizePhone(s string) string {
	s = strings.TrimSpace(s)
	if !phoneRE.MatchString(s) {
		return ""
	}
	var b strings.Builder
	for i, r := range s {
		if (r == '+' && i == 0) || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func invalid(field, format string, args ...any) error {
	args = append([]any{field}, args...)
	return hotline.Errorf(hotline.EINVALID, "%s: "+format, args...)
}

// Validate checks a new ticket against the configuration, fills what can be
// inferred (the language, the department of a service, the contact
// preference) and normalises phone numbers. Errors are EINVALID and their
// message starts with the JSON name of the field at fault.
func Validate(cfg *config.Config, t *Ticket, now time.Time) error {
	t.WhatHappened = strings.TrimSpace(t.WhatHappened)
	if !t.Kind.Valid() {
		return invalid("kind", "%q is not a kind (want complaint, compliment or information)", t.Kind)
	}
	if !t.Channel.Valid() {
		return invalid("channel", "%q is not a channel (want phone, counter, online, email, letter or sms)", t.Channel)
	}
	if t.Language == "" {
		t.Language = cfg.DefaultLanguage()
	} else if !cfg.HasLanguage(t.Language) {
		return invalid("language", "%q is not offered (want one of %s)", t.Language, strings.Join(cfg.Languages, ", "))
	}
	if t.WhatHappened == "" && t.Recording == "" {
		return invalid("what_happened", "required: please say what happened")
	}
	for _, f := range []struct{ name, v string }{{"what_happened", t.WhatHappened}, {"outcome_expected", t.OutcomeExpected},
		{"other_details", t.OtherDetails}, {"counter_location", t.CounterLocation}, {"name", t.Name}} {
		if len(f.v) > MaxText {
			return invalid(f.name, "too long (at most %d characters)", MaxText)
		}
	}
	if t.OccurredOn != "" {
		d, err := time.ParseInLocation("2006-01-02", t.OccurredOn, cfg.Location())
		if err != nil {
			return invalid("occurred_on", "%q is not a date (want YYYY-MM-DD)", t.OccurredOn)
		}
		if d.After(now) {
			return invalid("occurred_on", "%s is in the future", t.OccurredOn)
		}
	}
	if t.OccurredAt != "" && !timeRE.MatchString(t.OccurredAt) {
		return invalid("occurred_time", "%q is not a time of day (want HH:MM, 24-hour)", t.OccurredAt)
	}
	if !t.Place.Valid() {
		return invalid("where", "%q is not a place (want phone, counter, online or other)", t.Place)
	}
	if t.PhoneFrom != "" {
		if t.PhoneFrom = NormalizePhone(t.PhoneFrom); t.PhoneFrom == "" {
			return invalid("phone_from", "not a phone number")
		}
	}
	if t.Service != "" {
		d, s := cfg.FindService(t.Service)
		if s == nil {
			return invalid("service", "%q is not in the service inventory", t.Service)
		}
		if t.Department == "" {
			t.Department = d.ID
		} else if t.Department != d.ID {
			return invalid("service", "%q belongs to department %s, not %s", t.Service, d.ID, t.Department)
		}
	}
	if t.Department != "" && cfg.Department(t.Department) == nil {
		return invalid("department", "%q is not a department", t.Department)
	}
	if t.Email = strings.TrimSpace(t.Email); t.Email != "" {
		if a, err := mail.ParseAddress(t.Email); err != nil || a.Address != t.Email {
			return invalid("email", "not an e-mail address")
		}
	}
	if t.Phone != "" {
		if t.Phone = NormalizePhone(t.Phone); t.Phone == "" {
			return invalid("phone", "not a phone number")
		}
	}
	if t.ContactWanted {
		switch t.ContactBy {
		case NoContact:
			if t.Phone != "" {
				t.ContactBy = ContactByPhone
			} else if t.Email != "" {
				t.ContactBy = ContactByEmail
			} else {
				return invalid("contact_by", "you asked to be contacted: give a phone number or an e-mail address")
			}
		case ContactByPhone:
			if t.Phone == "" {
				return invalid("phone", "required to be contacted by phone")
			}
		case ContactByEmail:
			if t.Email == "" {
				return invalid("email", "required to be contacted by e-mail")
			}
		default:
			return invalid("contact_by", "%q is not a way to contact you (want phone or email)", t.ContactBy)
		}
	} else {
		t.ContactBy = NoContact
	}
	if t.Channel == ByOnline && !t.PrivacyAccepted {
		return invalid("privacy_accepted", "please read and accept the privacy notice")
	}
	if t.Rating != 0 && !t.Rating.Valid() {
		return invalid("rating", "%d is not a rating", t.Rating)
	}
	return nil
}
