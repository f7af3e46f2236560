package ivr_test

import (
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/ivr"
)

// With MaxCalls reached, a new call is refused at once (never answered) and
// recorded; once the first call has ended, calls are taken again.
func TestLoadSheddingRefusesBeyondMaxCalls(t *testing.T) {
	e := newEnv(t, testConfigYAML(nil))
	n := e.newSim("node1")
	n.startWith("ctl1", func(o *ivr.Options) { o.MaxCalls = 1 })
	first := n.call("3455550071", didMain, nil) // stays in the menus, then the default queue
	checkFor(t, 10*time.Second, "the first call answered", func() bool { return !n.truth(first).Answered.IsZero() })
	second := n.call("3455550072", didMain, nil)
	rec := e.waitRecord(second)
	if rec.Disposition != hotline.DispFailed || len(rec.IVRPath) != 1 || rec.IVRPath[0] != "shed" {
		t.Fatalf("refused call recorded as %+v", rec)
	}
	tr := n.truth(second)
	if !tr.Answered.IsZero() || tr.HungUp.IsZero() || tr.HungUpBy != "app" {
		t.Fatalf("refused call as the caller saw it: %+v", tr)
	}
	if err := n.sim.Hangup(t.Context(), first, 16); err != nil {
		t.Fatal(err)
	}
	e.waitRecord(first)
	third := n.call("3455550073", didMain, nil)
	checkFor(t, 10*time.Second, "a call taken again after the first ended", func() bool { return !n.truth(third).Answered.IsZero() })
}
