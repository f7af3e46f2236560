package arisim

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is returned (wrapped, with the reason) for control inputs the far
// end cannot act on: a character that is not a DTMF digit, a negative
// duration, an unknown press anchor. The control API answers it with 400.
var ErrInvalid = errors.New("arisim: invalid")

// dtmfDigits are the digits a phone can send.
const dtmfDigits = "0123456789*#ABCD"

// maxMs bounds every duration of the control API (a day).
const maxMs = 24 * 60 * 60 * 1000

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// checkDigits accepts 0-9, *, #, A-D (a, b, c, d as their capitals).
func checkDigits(field, digits string) error {
	if digits == "" {
		return invalid("%s is required", field)
	}
	for _, r := range digits {
		if !strings.ContainsRune(dtmfDigits, r) && !strings.ContainsRune("abcd", r) {
			return invalid("%s: %q is not a DTMF digit (0-9, *, #, A-D)", field, r)
		}
	}
	return nil
}

func checkMs(field string, v int) error {
	if v < 0 || v > maxMs {
		return invalid("%s: %d ms: want 0 to %d", field, v, maxMs)
	}
	return nil
}

// Validate reports the first thing wrong with a caller script.
func (sc *Script) Validate() error {
	for _, p := range []struct {
		field string
		v     int
	}{{"patience_ms", sc.PatienceMs}, {"max_duration_ms", sc.MaxDurationMs},
		{"hangup_after_answer_ms", sc.HangupAfterAnswerMs}, {"hangup_after_bridge_ms", sc.HangupAfterBridgeMs}} {
		if err := checkMs(p.field, p.v); err != nil {
			return err
		}
	}
	for name, list := range map[string][]Press{"presses": sc.Presses, "after_bridge": sc.AfterBridge} {
		for i, p := range list {
			at := fmt.Sprintf("%s[%d]", name, i)
			if err := checkDigits(at+".digits", p.Digits); err != nil {
				return err
			}
			if err := checkMs(at+".after_ms", p.AfterMs); err != nil {
				return err
			}
			if err := checkMs(at+".gap_ms", p.GapMs); err != nil {
				return err
			}
			switch p.From {
			case "", "answer", "entry", "previous", "bridge", "moh":
			default:
				return invalid("%s.from: %q: want answer, entry, moh, previous or bridge", at, p.From)
			}
		}
	}
	return nil
}

// Validate reports the first thing wrong with an endpoint behaviour.
func (b *EndpointBehaviour) Validate() error {
	for _, p := range []struct {
		field string
		v     int
	}{{"answer_after_ms", b.AnswerAfterMs}, {"talk_ms", b.TalkMs}, {"talk_jitter_ms", b.TalkJitterMs}} {
		if err := checkMs(p.field, p.v); err != nil {
			return err
		}
	}
	if b.RejectCause < 0 || b.RejectCause > 127 {
		return invalid("reject_cause: %d: want a Q.850 cause, 0 to 127", b.RejectCause)
	}
	return nil
}
