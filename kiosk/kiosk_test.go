package kiosk

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline"
)

func TestDefaultKeypad(t *testing.T) {
	m := DefaultKeypad()
	// PRODUCT.md: 1 very happy, 2 happy, 3 unhappy, 4 very unhappy.
	for key, want := range map[string]hotline.Rating{"1": hotline.VeryHappy, "2": hotline.Happy, "3": hotline.Unhappy, "4": hotline.VeryUnhappy} {
		got, err := m.Rating(key)
		if err != nil || got != want {
			t.Errorf("key %s = %v, %v; want %v", key, got, err, want)
		}
		if m.Key(want) != key {
			t.Errorf("Key(%v) = %q, want %q", want, m.Key(want), key)
		}
	}
	for _, key := range []string{"0", "5", "9", "*", "#", "", "12"} {
		_, err := m.Rating(key)
		if hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("key %q: err %v, want invalid", key, err)
			continue
		}
		if msg := hotline.ErrorMessage(err); !strings.Contains(msg, "1, 2, 3 or 4") {
			t.Errorf("key %q: message %q does not say which keys to press", key, msg)
		}
	}
}

func TestNewKeypadMapping(t *testing.T) {
	// The reverse order, as a department might configure it.
	m, err := NewKeypadMapping(map[string]hotline.Rating{"1": hotline.VeryUnhappy, "2": hotline.Unhappy, "3": hotline.Happy, "4": hotline.VeryHappy})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := m.Rating("4"); r != hotline.VeryHappy {
		t.Errorf("configured 4 = %v, want very_happy", r)
	}
	tests := []struct {
		name string
		in   map[string]hotline.Rating
		msg  string
	}{
		{"missing rating", map[string]hotline.Rating{"1": 4, "2": 3, "3": 2}, "no key for very_unhappy"},
		{"two keys, one rating", map[string]hotline.Rating{"1": 4, "2": 4, "3": 2, "4": 1}, "very_happy is on both key 1 and key 2"},
		{"not a rating", map[string]hotline.Rating{"1": 4, "2": 3, "3": 2, "4": 5}, "key 4 maps to 5"},
		{"not a key", map[string]hotline.Rating{"1": 4, "2": 3, "3": 2, "x": 1}, `"x" is not a DTMF key`},
		{"empty", nil, "no key for very_unhappy, unhappy, happy, very_happy"},
	}
	for _, tt := range tests {
		_, err := NewKeypadMapping(tt.in)
		if hotline.ErrorCode(err) != hotline.EINVALID || !strings.Contains(hotline.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: err %v, want invalid containing %q", tt.name, err, tt.msg)
		}
	}
}

func TestHappyOrNot(t *testing.T) {
	// HappyOrNot exports number the buttons 0 (most unhappy) to 3 (most happy).
	want := []hotline.Rating{hotline.VeryUnhappy, hotline.Unhappy, hotline.Happy, hotline.VeryHappy}
	for button, w := range want {
		got, err := FromHappyOrNot(button)
		if err != nil || got != w {
			t.Errorf("button %d = %v, %v; want %v", button, got, err, w)
		}
		back, err := ToHappyOrNot(got)
		if err != nil || back != button {
			t.Errorf("ToHappyOrNot(%v) = %d, %v; want %d", got, back, err, button)
		}
	}
	for _, button := range []int{-1, 4, 10} {
		if _, err := FromHappyOrNot(button); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("button %d: err %v, want invalid", button, err)
		}
	}
	if _, err := ToHappyOrNot(0); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("rating 0: err %v, want invalid", err)
	}
}
