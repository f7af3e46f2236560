// Package kiosk holds the rating scale as kiosks and the phone keypad present
// it, and the misuse rule for kiosk presses. Kiosk ratings are stored in the
// same ratings table as phone surveys (source "kiosk").
package kiosk

import (
	"sort"
	"strings"

	"github.com/publicservice/hotline"
)

// KeypadMapping maps a DTMF key ("1", "#", …) to a rating.
type KeypadMapping map[string]hotline.Rating

// DefaultKeypad is PRODUCT.md's default, in the order the kiosks show the
// buttons to the public: 1 very happy, 2 happy, 3 unhappy, 4 very unhappy.
func DefaultKeypad() KeypadMapping {
	return KeypadMapping{"1": hotline.VeryHappy, "2": hotline.Happy, "3": hotline.Unhappy, "4": hotline.VeryUnhappy}
}

// NewKeypadMapping checks a configured mapping: each key one DTMF digit
// (0-9, *, #, A-D), each of the four ratings on exactly one key.
func NewKeypadMapping(m map[string]hotline.Rating) (KeypadMapping, error) {
	seen := map[hotline.Rating]string{}
	for key, r := range m {
		if len(key) != 1 || !strings.Contains("0123456789*#ABCD", key) {
			return nil, hotline.Errorf(hotline.EINVALID, "keypad mapping: %q is not a DTMF key", key)
		}
		if !r.Valid() {
			return nil, hotline.Errorf(hotline.EINVALID, "keypad mapping: key %s maps to %d, not a rating (1..4)", key, int(r))
		}
		if other, dup := seen[r]; dup {
			return nil, hotline.Errorf(hotline.EINVALID, "keypad mapping: %s is on both key %s and key %s", r, min(other, key), max(other, key))
		}
		seen[r] = key
	}
	if len(seen) != len(hotline.Ratings) {
		var missing []string
		for _, r := range hotline.Ratings {
			if _, ok := seen[r]; !ok {
				missing = append(missing, r.String())
			}
		}
		return nil, hotline.Errorf(hotline.EINVALID, "keypad mapping: no key for %s", strings.Join(missing, ", "))
	}
	out := make(KeypadMapping, len(m))
	for k, r := range m {
		out[k] = r
	}
	return out, nil
}

// Rating is the rating of key, or an EINVALID error naming the keys that are ratings.
func (m KeypadMapping) Rating(key string) (hotline.Rating, error) {
	if r, ok := m[key]; ok {
		return r, nil
	}
	return 0, hotline.Errorf(hotline.EINVALID, "key %q is not a rating (press %s)", key, m.keys())
}

// Key is the key that gives r ("" if none).
func (m KeypadMapping) Key(r hotline.Rating) string {
	for k, v := range m {
		if v == r {
			return k
		}
	}
	return ""
}

func (m KeypadMapping) keys() string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	switch len(ks) {
	case 0:
		return "nothing: no keys configured"
	case 1:
		return ks[0]
	}
	return strings.Join(ks[:len(ks)-1], ", ") + " or " + ks[len(ks)-1]
}

// FromHappyOrNot converts a HappyOrNot export's button number, 0 (the most
// unhappy) to 3 (the most happy), to a rating.
func FromHappyOrNot(button int) (hotline.Rating, error) {
	if button < 0 || button > 3 {
		return 0, hotline.Errorf(hotline.EINVALID, "HappyOrNot button %d out of range (want 0..3, 0 the most unhappy)", button)
	}
	return hotline.Rating(button + 1), nil
}

// ToHappyOrNot is the inverse of FromHappyOrNot.
func ToHappyOrNot(r hotline.Rating) (int, error) {
	if !r.Valid() {
		return 0, hotline.Errorf(hotline.EINVALID, "%s is not a rating", r)
	}
	return int(r) - 1, nil
}
