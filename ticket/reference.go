package ticket

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/publicservice/hotline"
)

// Reference formats a ticket reference: the kind's letter, the year and a
// six-digit sequence, e.g. C-2026-004217. The sequence is one per year
// across every kind, so the digits alone (2026004217, or 4217 for this
// year) find the ticket: that is what a caller types on the keypad.
func Reference(k Kind, year int, seq int64) string {
	return fmt.Sprintf("%s-%04d-%06d", k.Letter(), year, seq)
}

var refRE = regexp.MustCompile(`^(?:([A-Za-z])[\s-]*)?(\d{4})[\s-]*(\d{1,9})$`)

// ParseReference reads a reference as people give it: "C-2026-004217",
// "c 2026 4217", the keypad's "2026004217", or only the sequence ("4217",
// at most 6 digits) meaning thisYear. It returns the year and sequence (the
// letter is not needed to find a ticket).
func ParseReference(s string, thisYear int) (year int, seq int64, err error) {
	s = strings.TrimSpace(s)
	bad := hotline.Errorf(hotline.EINVALID, "reference: %q is not a ticket reference (like C-2026-004217)", s)
	if s == "" {
		return 0, 0, bad
	}
	if isDigits(s) {
		switch {
		case len(s) <= 6:
			n, _ := strconv.ParseInt(s, 10, 64)
			if n == 0 {
				return 0, 0, bad
			}
			return thisYear, n, nil
		case len(s) >= 10 && len(s) <= 13:
			y, _ := strconv.Atoi(s[:4])
			n, _ := strconv.ParseInt(s[4:], 10, 64)
			if y < 2000 || n == 0 {
				return 0, 0, bad
			}
			return y, n, nil
		}
		return 0, 0, bad
	}
	m := refRE.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, bad
	}
	y, _ := strconv.Atoi(m[2])
	n, _ := strconv.ParseInt(m[3], 10, 64)
	if y < 2000 || n == 0 {
		return 0, 0, bad
	}
	return y, n, nil
}

// Spoken splits a reference into what is read out digit by digit: its
// letter, then each digit ("C", "2", "0", "2", "6", "0", ...).
func Spoken(ref string) []string {
	var out []string
	for _, r := range ref {
		if r == '-' {
			continue
		}
		out = append(out, string(r))
	}
	return out
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
