package agents

import "time"

// Record is an agent's last sign-in state as a journal outside Redis keeps
// it (Postgres table agent_states): logged out, available or paused with a
// reason. Ringing, on a call and wrap-up are recorded as available: they are
// the calls' business, rebuilt from the calls themselves.
type Record struct {
	Agent  Agent
	State  State // LoggedOut, Available or Paused
	Reason string
	Since  time.Time
}

// Base is the state a journal keeps for s: ringing, on_call and wrap_up are
// available (signed in, not paused).
func Base(s State) State {
	switch s {
	case Ringing, OnCall, WrapUp:
		return Available
	}
	return s
}
