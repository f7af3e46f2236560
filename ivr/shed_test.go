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

// With an adaptive limit, slow ARI answers lower the limit: a new call is
// refused at once and recorded as shed; once the calls in progress ended
// (below the lowered limit), calls are taken again.
func TestAdaptiveSheddingRefusesWhileAsteriskIsSlow(t *testing.T) {
	e := newEnv(t, testConfigYAML(nil))
	n := e.newSim("node1")
	lim := &ivr.AdaptiveLimit{Target: 100 * time.Millisecond, Window: time.Second, MinSamples: 1, Backoff: 0.5, Min: 1, Max: 100}
	n.startWith("ctl1", func(o *ivr.Options) { o.Adaptive = lim })
	first := n.call("3455550081", didMain, nil)
	checkFor(t, 10*time.Second, "the first call answered", func() bool { return !n.truth(first).Answered.IsZero() })
	// Asterisk answers slowly: one window with a 500 ms request, closed by
	// the next observation 2 s later: limit = max(1, floor(0.5 × 0)) = 1
	// (the first call arrived with nothing in progress).
	now := e.clk.Now()
	lim.Observe(now, 500*time.Millisecond)
	lim.Observe(now.Add(2*time.Second), 500*time.Millisecond)
	if lim.Limit() != 1 {
		t.Fatalf("limit after a slow window: %d, want 1", lim.Limit())
	}
	second := n.call("3455550082", didMain, nil)
	rec := e.waitRecord(second)
	if rec.Disposition != hotline.DispFailed || len(rec.IVRPath) != 1 || rec.IVRPath[0] != "shed" {
		t.Fatalf("refused call recorded as %+v", rec)
	}
	if tr := n.truth(second); !tr.Answered.IsZero() || tr.HungUp.IsZero() {
		t.Fatalf("refused call as the caller saw it: %+v", tr)
	}
	if err := n.sim.Hangup(t.Context(), first, 16); err != nil {
		t.Fatal(err)
	}
	e.waitRecord(first)
	third := n.call("3455550083", didMain, nil)
	checkFor(t, 10*time.Second, "a call taken again below the lowered limit", func() bool { return !n.truth(third).Answered.IsZero() })
}
