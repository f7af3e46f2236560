package hotline

import (
	"errors"
	"fmt"
	"testing"
)

func TestRatings(t *testing.T) {
	for _, r := range Ratings {
		got, err := ParseRating(r.String())
		if err != nil || got != r {
			t.Fatalf("ParseRating(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := ParseRating("meh"); ErrorCode(err) != EINVALID {
		t.Fatalf("ParseRating(meh): %v", err)
	}
	if !Happy.Satisfied() || !VeryHappy.Satisfied() || Unhappy.Satisfied() || VeryUnhappy.Satisfied() {
		t.Fatal("satisfied = happy or very happy")
	}
	if Rating(0).Valid() || Rating(5).Valid() || !VeryUnhappy.Valid() {
		t.Fatal("valid ratings are 1..4")
	}
	if VeryUnhappy != 1 || VeryHappy != 4 {
		t.Fatal("stored values: very_unhappy=1 … very_happy=4 (higher is better)")
	}
}

func TestErrorCodes(t *testing.T) {
	err := fmt.Errorf("saving: %w", Errorf(ENOTFOUND, "no queue %q", "x"))
	if ErrorCode(err) != ENOTFOUND || ErrorMessage(err) != `no queue "x"` {
		t.Fatalf("code %q message %q", ErrorCode(err), ErrorMessage(err))
	}
	if ErrorCode(errors.New("boom")) != EINTERNAL || ErrorMessage(errors.New("boom")) != "Internal error." {
		t.Fatal("a plain error is internal, with a generic message")
	}
	if ErrorCode(nil) != "" {
		t.Fatal("nil has no code")
	}
	for _, c := range []string{ECONFLICT, EINTERNAL, EINVALID, ENOTFOUND, EUNAUTHORIZED, EUNAVAILABLE, ENOTIMPLEMENTED} {
		if HTTPStatus[c] == 0 {
			t.Fatalf("code %s has no HTTP status", c)
		}
	}
}
