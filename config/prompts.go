package config

import (
	"fmt"
	"regexp"

	"gopkg.in/yaml.v3"
)

// Prompt keys the IVR plays. Every language must define each of them, and
// each department its menu_<id> and hours_<id> (and info_<id> when its menu
// has an info entry naming no prompt and it has no services; a department
// with services reads them: serviceprompts.go).
const (
	PromptGreeting          = "greeting"            // welcome
	PromptLanguageMenu      = "language_menu"       // "For English press 1. Para español, oprima 2."
	PromptMainMenu          = "main_menu"           // the departments and their digits
	PromptInvalid           = "invalid"             // invalid key
	PromptNoInput           = "no_input"            // nothing pressed
	PromptTransferDefault   = "transfer_default"    // after the last retry: to the general queue
	PromptAfterHours        = "after_hours"         // closed now (then hours_<dept>)
	PromptHoliday           = "holiday"             // closed for a public holiday
	PromptAfterHoursOptions = "after_hours_options" // 1 callback, 2 message
	PromptLeaveMessage      = "leave_message"       // after the tone, # to finish
	PromptMessageSaved      = "message_saved"       // message kept
	PromptQueueEntry        = "queue_entry"         // all officers busy, please hold
	PromptPosition          = "position"            // "you are caller number" + number:N
	PromptEWT               = "ewt"                 // "your estimated wait is about" + number:N + minutes
	PromptMinutes           = "minutes"             // "minutes"
	PromptEWTShort          = "ewt_short"           // "less than a minute"
	PromptCallbackOffer     = "callback_offer"      // 1 keep waiting, 2 callback
	PromptCallbackConfirmed = "callback_confirmed"  // we will call you back
	PromptCallbackAnnounce  = "callback_announce"   // played when the hotline calls back
	PromptMaxWait           = "max_wait"            // waited too long: callback or message
	PromptConnecting        = "connecting"          // connecting you to an officer
	PromptSurveyQuestion    = "survey_question"     // rate 1..4
	PromptSurveyInvalid     = "survey_invalid"      // invalid rating key
	PromptSurveyThanks      = "survey_thanks"       // thanks for the rating
	PromptSurveyOffer       = "survey_offer"        // while waiting: press 9 to rate the call afterwards
	PromptSurveyOptedIn     = "survey_opted_in"     // you will be asked to rate the call
	PromptSurveyOptedOut    = "survey_opted_out"    // you will not be asked
	PromptGoodbye           = "goodbye"             // thank you, goodbye
	PromptTicketEnter       = "ticket_enter"        // enter ticket number then #
	PromptTicketNotFound    = "ticket_not_found"
	PromptTicketReceived    = "ticket_received"    // received, not yet acknowledged
	PromptTicketInProgress  = "ticket_in_progress" // being handled
	PromptTicketResolved    = "ticket_resolved"
	PromptSystemError       = "system_error" // a technical problem
	PromptFallback          = "fallback"     // played by the dialplan when the controller is down
	// A message could not be recorded (no number to call back: goodbye) /
	// then 1 for a callback.
	PromptMessageFailed         = "message_failed"
	PromptMessageFailedCallback = "message_failed_callback"
	// Nobody signed in serves the queue: 1 callback, 2 message / then a message.
	PromptUnstaffed        = "unstaffed"
	PromptUnstaffedMessage = "unstaffed_message"
)

// RequiredPrompts lists the prompt keys every language must define.
var RequiredPrompts = []string{
	PromptGreeting, PromptLanguageMenu, PromptMainMenu, PromptInvalid, PromptNoInput,
	PromptTransferDefault, PromptAfterHours, PromptHoliday, PromptAfterHoursOptions,
	PromptLeaveMessage, PromptMessageSaved, PromptQueueEntry, PromptPosition, PromptEWT,
	PromptMinutes, PromptEWTShort, PromptCallbackOffer, PromptCallbackConfirmed,
	PromptCallbackAnnounce, PromptMaxWait, PromptConnecting, PromptSurveyQuestion,
	PromptSurveyInvalid, PromptSurveyThanks, PromptSurveyOffer, PromptSurveyOptedIn, PromptSurveyOptedOut,
	PromptGoodbye, PromptTicketEnter,
	PromptTicketNotFound, PromptTicketReceived, PromptTicketInProgress, PromptTicketResolved,
	PromptSystemError, PromptFallback,
	PromptMessageFailed, PromptMessageFailedCallback, PromptUnstaffed, PromptUnstaffedMessage,
}

var promptKeyRE = regexp.MustCompile(`^[a-z0-9_]+$`)

// UnmarshalYAML accepts either the text alone (`greeting: "Welcome..."`) or
// a mapping with text and media.
func (p *Prompt) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		p.Text = n.Value
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a prompt is its text, or a mapping with text and media", n.Line)
	}
	type plain Prompt
	var q plain
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k != "text" && k != "media" {
			return fmt.Errorf("line %d: unknown prompt field %q (want text, media)", n.Content[i].Line, k)
		}
	}
	if err := n.Decode(&q); err != nil {
		return err
	}
	*p = Prompt(q)
	return nil
}

// DefaultMedia is the ARI media URI of a prompt key in a language:
// sound:<lang>/hotline/<key>. Asterisk finds it as
// sounds/<lang>/hotline/<key>.wav whatever the channel's language (it tries
// the channel language first, then the name as given), and so does the
// simulator.
func DefaultMedia(lang, key string) string {
	return "sound:" + lang + "/hotline/" + key
}

// SoundFile is the path, relative to Asterisk's sounds directory (and to
// asterisk-config/sounds in this repository), of the file of a prompt key:
// <lang>/hotline/<key>.wav.
func SoundFile(lang, key string) string {
	return lang + "/hotline/" + key + ".wav"
}
