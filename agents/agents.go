// Package agents holds the agent (front-line officer) state machine as pure
// Go: the states, the pause reasons, and the one table of allowed
// transitions. The queue package enforces the same table atomically in Redis
// (its Lua scripts receive the allowed "from" states computed here), so the
// rules live in exactly one place.
package agents

import (
	"sort"

	"github.com/publicservice/hotline"
)

// State is an agent's state.
type State string

// The agent states.
const (
	LoggedOut State = "logged_out" // not working; receives no calls
	Available State = "available"  // idle, may be offered a call
	Ringing   State = "ringing"    // being offered one call (its phone rings)
	OnCall    State = "on_call"    // talking to a caller
	WrapUp    State = "wrap_up"    // after-call work until a deadline
	Paused    State = "paused"     // logged in but receives no calls (with a reason)
)

// States lists every state.
var States = []State{LoggedOut, Available, Ringing, OnCall, WrapUp, Paused}

// Valid reports whether s is one of the states.
func (s State) Valid() bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Pause reasons used by the project; any non-empty text is accepted.
const (
	ReasonAuto   = "auto"   // ring-no-answer (as Asterisk app_queue's autopause)
	ReasonBreak  = "break"  // a scheduled break
	ReasonManual = "manual" // the agent or a supervisor paused
)

// Agent is a front-line officer who takes calls.
type Agent struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Endpoint string   `json:"endpoint"` // ARI endpoint to originate, e.g. "PJSIP/a101"
	Skills   []string `json:"skills"`   // the queue ids the agent serves
}

// HasSkill reports whether the agent serves queue.
func (a Agent) HasSkill(queue string) bool {
	for _, s := range a.Skills {
		if s == queue {
			return true
		}
	}
	return false
}

// Validate checks the fields the queue needs.
func (a Agent) Validate() error {
	if a.ID == "" {
		return hotline.Errorf(hotline.EINVALID, "agent id is empty")
	}
	for _, s := range a.Skills {
		if s == "" {
			return hotline.Errorf(hotline.EINVALID, "agent %s has an empty skill", a.ID)
		}
	}
	return nil
}

// transitions is the table of allowed transitions: from → set of to.
//
//	logged_out → available                       (login)
//	available  → ringing, paused, logged_out     (offered a call, pause, logout)
//	ringing    → on_call, available, paused      (answered; caller left or no answer; no answer with autopause)
//	on_call    → wrap_up, available              (call over, with or without wrap-up)
//	wrap_up    → available, paused, logged_out   (wrap-up over or ended early, pause, logout)
//	paused     → available, paused, logged_out   (unpause, change of reason, logout)
var transitions = map[State]map[State]bool{
	LoggedOut: {Available: true},
	Available: {Ringing: true, Paused: true, LoggedOut: true},
	Ringing:   {OnCall: true, Available: true, Paused: true},
	OnCall:    {WrapUp: true, Available: true},
	WrapUp:    {Available: true, Paused: true, LoggedOut: true},
	Paused:    {Available: true, Paused: true, LoggedOut: true},
}

// Allowed reports whether from → to is an allowed transition.
func Allowed(from, to State) bool { return transitions[from][to] }

// Transition validates from → to. It returns nil when allowed, an
// hotline.EINVALID error for an unknown state, and an hotline.ECONFLICT
// error naming both states otherwise.
func Transition(from, to State) error {
	if !from.Valid() {
		return hotline.Errorf(hotline.EINVALID, "unknown agent state %q", from)
	}
	if !to.Valid() {
		return hotline.Errorf(hotline.EINVALID, "unknown agent state %q", to)
	}
	if !Allowed(from, to) {
		return hotline.Errorf(hotline.ECONFLICT, "agent cannot go from %s to %s", from, to)
	}
	return nil
}

// From lists, sorted, the states from which to may be entered.
func From(to State) []State {
	var out []State
	for from, tos := range transitions {
		if tos[to] {
			out = append(out, from)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Reachable lists, sorted, the states that may follow from.
func Reachable(from State) []State {
	var out []State
	for to := range transitions[from] {
		out = append(out, to)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
