package ticket

import (
	"strings"

	"github.com/publicservice/hotline"
)

// Status is where a ticket is in its handling.
type Status string

// Statuses.
const (
	New               Status = "new"
	Acknowledged      Status = "acknowledged"
	InProgress        Status = "in_progress"
	WaitingOnCustomer Status = "waiting_on_customer"
	Resolved          Status = "resolved"
	Closed            Status = "closed"
	Reopened          Status = "reopened"
)

// Statuses lists every status in handling order.
var Statuses = []Status{New, Acknowledged, InProgress, WaitingOnCustomer, Resolved, Closed, Reopened}

// transitions is the explicit table: from → the statuses it may move to.
// A ticket is acknowledged by leaving New; closing without resolving is for
// duplicates and withdrawn tickets; a resolved or closed ticket can only be
// reopened (or a resolved one closed).
var transitions = map[Status][]Status{
	New:               {Acknowledged, InProgress, Resolved, Closed},
	Acknowledged:      {InProgress, WaitingOnCustomer, Resolved, Closed},
	InProgress:        {WaitingOnCustomer, Resolved, Closed},
	WaitingOnCustomer: {InProgress, Resolved, Closed},
	Resolved:          {Closed, Reopened},
	Closed:            {Reopened},
	Reopened:          {InProgress, WaitingOnCustomer, Resolved, Closed},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// Done reports whether the ticket needs no more work (resolved or closed).
func (s Status) Done() bool { return s == Resolved || s == Closed }

// Next lists the statuses s may move to.
func (s Status) Next() []Status { return transitions[s] }

// CanMove reports whether the table allows from → to.
func CanMove(from, to Status) bool {
	for _, x := range transitions[from] {
		if x == to {
			return true
		}
	}
	return false
}

// CheckMove returns nil when from → to is allowed, else an EINVALID error
// that says which moves are.
func CheckMove(from, to Status) error {
	if !to.Valid() {
		return hotline.Errorf(hotline.EINVALID, "status: %q is not a status (want one of %s)", to, list(Statuses))
	}
	if CanMove(from, to) {
		return nil
	}
	if from == to {
		return hotline.Errorf(hotline.EINVALID, "status: the ticket is already %s", to)
	}
	return hotline.Errorf(hotline.EINVALID, "status: a ticket that is %s cannot become %s (it can become %s)", from, to, list(transitions[from]))
}

// ParseStatus reads a status name.
func ParseStatus(s string) (Status, error) {
	st := Status(strings.TrimSpace(s))
	if !st.Valid() {
		return "", hotline.Errorf(hotline.EINVALID, "status: %q is not a status (want one of %s)", s, list(Statuses))
	}
	return st, nil
}

func list(ss []Status) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}
