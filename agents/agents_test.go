package agents

import (
	"testing"

	"github.com/publicservice/hotline"
)

// want is the table of allowed transitions, written out independently of the
// package's table so a change to either shows up here.
var want = map[[2]State]bool{
	{LoggedOut, Available}: true,
	{Available, Ringing}:   true,
	{Available, Paused}:    true,
	{Available, LoggedOut}: true,
	{Ringing, OnCall}:      true,
	{Ringing, Available}:   true,
	{Ringing, Paused}:      true,
	{OnCall, WrapUp}:       true,
	{OnCall, Available}:    true,
	{WrapUp, Available}:    true,
	{WrapUp, Paused}:       true,
	{WrapUp, LoggedOut}:    true,
	{Paused, Available}:    true,
	{Paused, Paused}:       true,
	{Paused, LoggedOut}:    true,
}

func TestEveryTransition(t *testing.T) {
	n := 0
	for _, from := range States {
		for _, to := range States {
			err := Transition(from, to)
			if want[[2]State{from, to}] {
				n++
				if err != nil {
					t.Errorf("%s → %s: want allowed, got %v", from, to, err)
				}
				if !Allowed(from, to) {
					t.Errorf("Allowed(%s, %s) = false", from, to)
				}
				continue
			}
			if err == nil {
				t.Errorf("%s → %s: want a conflict, got nil", from, to)
				continue
			}
			if hotline.ErrorCode(err) != hotline.ECONFLICT {
				t.Errorf("%s → %s: code %s, want %s", from, to, hotline.ErrorCode(err), hotline.ECONFLICT)
			}
			if msg := hotline.ErrorMessage(err); msg != "agent cannot go from "+string(from)+" to "+string(to) {
				t.Errorf("%s → %s: message %q", from, to, msg)
			}
		}
	}
	if n != len(want) {
		t.Fatalf("checked %d allowed transitions, want %d", n, len(want))
	}
}

func TestUnknownState(t *testing.T) {
	for _, c := range [][2]State{{"busy", Available}, {Available, "busy"}, {"", ""}} {
		if err := Transition(c[0], c[1]); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("%q → %q: got %v, want invalid", c[0], c[1], err)
		}
	}
}

func TestFromAndReachable(t *testing.T) {
	for _, to := range States {
		var exp []State
		for _, from := range States {
			if want[[2]State{from, to}] {
				exp = append(exp, from)
			}
		}
		got := From(to)
		if len(got) != len(exp) {
			t.Fatalf("From(%s) = %v, want the states of %v", to, got, exp)
		}
		for i := 1; i < len(got); i++ {
			if got[i-1] >= got[i] {
				t.Fatalf("From(%s) = %v not sorted", to, got)
			}
		}
		for _, s := range got {
			if !want[[2]State{s, to}] {
				t.Errorf("From(%s) has %s", to, s)
			}
		}
	}
	for _, from := range States {
		for _, to := range Reachable(from) {
			if !want[[2]State{from, to}] {
				t.Errorf("Reachable(%s) has %s", from, to)
			}
		}
	}
	if got := Reachable(OnCall); len(got) != 2 || got[0] != Available || got[1] != WrapUp {
		t.Errorf("Reachable(on_call) = %v", got)
	}
}

func TestAgent(t *testing.T) {
	a := Agent{ID: "a1", Skills: []string{"tax", "health"}}
	if !a.HasSkill("health") || a.HasSkill("roads") {
		t.Error("HasSkill")
	}
	if err := a.Validate(); err != nil {
		t.Error(err)
	}
	if err := (Agent{}).Validate(); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("empty id: %v", err)
	}
	if err := (Agent{ID: "x", Skills: []string{""}}).Validate(); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("empty skill: %v", err)
	}
	if !Paused.Valid() || State("x").Valid() {
		t.Error("Valid")
	}
}
