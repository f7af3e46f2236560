package sms

import "strings"

// Command is what an inbound SMS asks for.
type Command int

// Inbound commands.
const (
	CmdNew        Command = iota // anything else: a complaint
	CmdCompliment                // COMPLIMENT <text> (FELICITACION in Spanish)
	CmdStatus                    // STATUS <reference> (ESTADO)
	CmdStop                      // STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT (Twilio's opt-out words)
	CmdStart                     // START, UNSTOP, YES
	CmdHelp                      // HELP, INFO, AYUDA, or an empty message
)

// Parse reads an inbound message: the command, the rest of the text, and the
// language its keyword suggests ("" when none does).
func Parse(body string) (cmd Command, rest, language string) {
	body = strings.TrimSpace(body)
	word, rest, _ := strings.Cut(body, " ")
	rest = strings.TrimSpace(rest)
	w := strings.ToUpper(strings.Trim(word, ".,!:;"))
	w = strings.NewReplacer("Í", "I", "Ó", "O", "Á", "A", "É", "E").Replace(w)
	switch w {
	case "":
		return CmdHelp, "", ""
	case "STATUS":
		return CmdStatus, rest, "en"
	case "ESTADO":
		return CmdStatus, rest, "es"
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT":
		if rest == "" {
			return CmdStop, "", ""
		}
	case "START", "UNSTOP", "YES":
		if rest == "" {
			return CmdStart, "", ""
		}
	case "HELP", "INFO":
		if rest == "" {
			return CmdHelp, "", "en"
		}
	case "AYUDA":
		if rest == "" {
			return CmdHelp, "", "es"
		}
	case "COMPLIMENT":
		return CmdCompliment, rest, "en"
	case "FELICITACION":
		return CmdCompliment, rest, "es"
	}
	return CmdNew, body, ""
}
