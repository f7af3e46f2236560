package ivr_test

import (
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/internal/redistest"
)

// One of three controllers dies for good, together with its Asterisk (the
// host is gone), while its callers wait, ring and talk. Its lease expires;
// a surviving controller's sweeper frees the agents it held (rung for its
// matches, talking to its callers), removes its callers from the queues and
// writes the records of its calls in progress, ended by a system failure.
// Every caller of the surviving controllers is answered once, every call
// placed has exactly one record, and no agent ever has two calls.
func TestDeadControllerIsSwept(t *testing.T) {
	srv := redistest.Start(t)
	s := newScenarioTalk(t, srv.Client(), 30000)
	e := s.e
	dead := s.nodes[1]
	first := s.place(12)
	stepUntil(t, e.clk, 60*time.Second, "the doomed controller's callers waiting and talking", func() bool {
		st := dead.ctl.Stats()
		return st.Talking >= 1 && st.Waiting >= 1
	})
	hold := e.clk.Hold()
	e.clk.Resume()
	atKill := dead.ctl.Stats()
	inProgress := len(dead.ctl.CallIDs())
	killed := time.Now()
	dead.kill()
	_ = dead.sim.Close()
	hold()
	var swept []time.Time
	checkFor(t, 60*time.Second, "a survivor swept the dead controller", func() bool {
		swept = swept[:0]
		for _, n := range s.nodes {
			if n == dead {
				continue
			}
			for _, r := range n.ctl.Sweeps() {
				swept = append(swept, r.At)
				t.Logf("%s swept %s: %d calls ended, %d callers dropped, %d callbacks taken, %d agents freed (last beat %v)",
					n.name, r.Owner, r.Records, r.Dropped, r.Callbacks, r.Freed, r.LastBeat)
			}
		}
		return len(swept) > 0
	})
	if len(swept) != 1 {
		t.Errorf("swept %d times, want once", len(swept))
	}
	t.Logf("controller killed with %d calls in progress (%+v); swept %v after the kill (lease %v)",
		inProgress, atKill, swept[0].Sub(killed), 2*time.Second)
	later := s.place(6, s.nodes[0], s.nodes[2])
	_ = later
	recs := s.checkAll(s.calls, func(p placed) bool { return p.n != dead })
	ended := 0
	for _, p := range first {
		if p.n != dead {
			continue
		}
		r := recs[p.n.prefix+p.ch]
		if r.HungUpBy == "system" {
			ended++
			if r.Disposition != hotline.DispFailed && r.Disposition != hotline.DispAnswered {
				t.Errorf("%s: disposition %s after the controller died", r.ID, r.Disposition)
			}
		}
	}
	if ended == 0 {
		t.Errorf("no call of the dead controller was ended by the system")
	}
	for _, a := range []string{"a1", "a2", "a3"} {
		st, err := e.q.Agent(e.ctx, a)
		if err != nil || (st.State != "available" && st.State != "wrap_up") {
			t.Errorf("agent %s at the end: %+v %v", a, st.State, err)
		}
	}
}
