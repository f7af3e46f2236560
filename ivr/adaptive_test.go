package ivr_test

import (
	"testing"
	"time"

	"github.com/publicservice/hotline/ivr"
)

// The adaptive limit on hand-computed cases: window by window.
func TestAdaptiveLimitHandComputed(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	l := &ivr.AdaptiveLimit{Target: 100 * time.Millisecond, Window: time.Second, MinSamples: 3, Backoff: 0.5, Increase: 2, Min: 4, Max: 30}
	// Window 1 [0 s, 1 s): starts at Max = 30; 20 calls in progress are
	// allowed; latencies 10..50 ms (p90 = 50 ms) are under target, and 20 <
	// 0.9 × 30 = 27: no change at the roll.
	if !l.Allow(at(0), 20) {
		t.Fatal("20 calls under the initial limit 30 refused")
	}
	for i, ms := range []int{10, 20, 30, 40, 50} {
		l.Observe(at(100*(i+1)), time.Duration(ms)*time.Millisecond)
	}
	if !l.Allow(at(1000), 28) || l.Limit() != 30 {
		t.Fatalf("after a fast window with 20 in progress: limit %d, want 30", l.Limit())
	}
	// Window 2 [1 s, 2 s): 28 in progress (≥ 27) and fast: +2, capped at 30.
	for i := 0; i < 3; i++ {
		l.Observe(at(1100+i*100), 5*time.Millisecond)
	}
	l.Allow(at(2000), 28)
	if l.Limit() != 30 {
		t.Fatalf("growth capped at Max: limit %d, want 30", l.Limit())
	}
	// Window 3 [2 s, 3 s): ten samples, the 9th smallest is 400 ms (p90 by
	// nearest rank: ceil(0.9 × 10) = 9th) > 100 ms: limit = floor(0.5 ×
	// min(30, 28)) = 14.
	for i, ms := range []int{10, 10, 10, 10, 10, 10, 10, 10, 400, 900} {
		l.Observe(at(2050+i*90), time.Duration(ms)*time.Millisecond)
	}
	if got := l.Allow(at(3000), 28); got || l.Limit() != 14 {
		t.Fatalf("slow window with 28 in progress: allow %v limit %d, want false and 14", got, l.Limit())
	}
	if l.Latency() != 400*time.Millisecond {
		t.Fatalf("p90 %v, want 400ms", l.Latency())
	}
	if l.Allow(at(3100), 14) || !l.Allow(at(3200), 13) {
		t.Fatal("limit 14: 14 in progress must refuse, 13 allow")
	}
	// Window 4 [3 s, 4 s): still slow, 13 in progress: floor(0.5 × 13) = 6.
	for i := 0; i < 3; i++ {
		l.Observe(at(3300+i*100), 300*time.Millisecond)
	}
	l.Allow(at(4000), 13)
	if l.Limit() != 6 {
		t.Fatalf("second slow window: limit %d, want 6", l.Limit())
	}
	// Window 5 [4 s, 5 s): slow with 6 in progress: floor(3) → Min 4.
	for i := 0; i < 3; i++ {
		l.Observe(at(4300+i*100), 300*time.Millisecond)
	}
	l.Allow(at(5000), 6)
	if l.Limit() != 4 {
		t.Fatalf("floor at Min: limit %d, want 4", l.Limit())
	}
	// Window 6 [5 s, 6 s): only two samples (< MinSamples 3): no change even
	// though slow.
	l.Observe(at(5100), time.Second)
	l.Observe(at(5200), time.Second)
	l.Allow(at(6000), 4)
	if l.Limit() != 4 {
		t.Fatalf("too few samples changed the limit to %d", l.Limit())
	}
	// Window 7 [6 s, 7 s): fast with 4 in progress (≥ 0.9 × 4): 6. Window 8
	// is skipped (nothing observed from 7 s to 9 s); window [9 s, 10 s) fast
	// with 6 in progress: 8.
	for i := 0; i < 3; i++ {
		l.Observe(at(6100+i*100), 20*time.Millisecond)
	}
	l.Allow(at(7000), 4)
	if l.Limit() != 6 {
		t.Fatalf("recovery: limit %d, want 6", l.Limit())
	}
	for i := 0; i < 3; i++ {
		l.Observe(at(9100+i*100), 20*time.Millisecond)
	}
	l.Allow(at(10000), 6)
	if l.Limit() != 8 {
		t.Fatalf("recovery after an idle gap: limit %d, want 8", l.Limit())
	}
}

// NewAdaptiveLimit starts at the given limit within [Min, Max].
func TestNewAdaptiveLimitBounds(t *testing.T) {
	for _, c := range []struct{ initial, want int }{{0, 5}, {3, 5}, {50, 50}, {5000, 1000}} {
		if got := ivr.NewAdaptiveLimit(c.initial).Limit(); got != c.want {
			t.Errorf("NewAdaptiveLimit(%d).Limit() = %d, want %d", c.initial, got, c.want)
		}
	}
}

// Initial sets the limit before the first window (within [Min, Max]).
func TestAdaptiveLimitInitial(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	l := &ivr.AdaptiveLimit{Initial: 10}
	if !l.Allow(t0, 9) || l.Allow(t0, 10) || l.Limit() != 10 {
		t.Fatalf("Initial 10: limit %d", l.Limit())
	}
	if l := (&ivr.AdaptiveLimit{Initial: 2, Min: 5}); l.Allow(t0, 5) || l.Limit() != 5 {
		t.Fatalf("Initial below Min: limit %d, want 5", l.Limit())
	}
}

// The setup signal on hand-computed cases: with SetupTarget, fast ARI
// answers alone do not grow the limit, slow setups lower it even while ARI
// answers fast, and fast setups let it grow.
func TestAdaptiveLimitSetupSignalHandComputed(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	l := &ivr.AdaptiveLimit{Target: 100 * time.Millisecond, SetupTarget: 800 * time.Millisecond, Window: time.Second,
		MinSamples: 3, Backoff: 0.5, Increase: 2, Min: 4, Max: 30, Initial: 10}
	ari := func(from int) {
		for i := 0; i < 3; i++ {
			l.Observe(at(from+i*100), 5*time.Millisecond)
		}
	}
	// Window 1 [0 s, 1 s): 10 in progress (≥ 0.9 × 10), ARI fast, no setup
	// seen: no growth (without SetupTarget it would be 12).
	l.Allow(at(0), 10)
	ari(100)
	if l.Allow(at(1000), 10) || l.Limit() != 10 {
		t.Fatalf("fast ARI without setups: limit %d, want 10 (and 10 in progress refused)", l.Limit())
	}
	// Window 2 [1 s, 2 s): ARI fast, setups 300 and 500 ms (p90 500 ms ≤ 800
	// ms), 10 in progress: +2 = 12.
	ari(1100)
	l.ObserveSetup(at(1500), at(1500-5000), 300*time.Millisecond)
	l.ObserveSetup(at(1600), at(1600-5000), 500*time.Millisecond)
	if !l.Allow(at(2000), 10) || l.Limit() != 12 {
		t.Fatalf("fast setups: limit %d, want 12", l.Limit())
	}
	if l.SetupLatency() != 500*time.Millisecond {
		t.Fatalf("setup p90 %v, want 500ms", l.SetupLatency())
	}
	// Window 3 [2 s, 3 s): ARI fast but setups 400 ms and 1.2 s (p90 = 1.2 s
	// > 800 ms), 11 in progress: floor(0.5 × min(12, 11)) = 5.
	ari(2100)
	l.ObserveSetup(at(2500), at(2500-5000), 400*time.Millisecond)
	l.ObserveSetup(at(2600), at(2600-5000), 1200*time.Millisecond)
	if l.Allow(at(3000), 11) || l.Limit() != 5 {
		t.Fatalf("slow setups with fast ARI: limit %d, want 5 (and 11 in progress refused)", l.Limit())
	}
	// What follows a cut: TestAdaptiveLimitLagAwareHandComputed.
}

// The setup signal's delay: one cut per delay, slow setups of
// calls admitted before the cut not counted again, then growth by Increase
// once a call admitted after the last change was set up in time.
func TestAdaptiveLimitLagAwareHandComputed(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	l := &ivr.AdaptiveLimit{Target: 100 * time.Millisecond, SetupTarget: 800 * time.Millisecond, Window: time.Second,
		MinSamples: 3, Backoff: 0.5, Increase: 2, Min: 4, Max: 30, Initial: 10}
	ari := func(from int, d time.Duration) {
		for i := 0; i < 3; i++ {
			l.Observe(at(from+i*100), d)
		}
	}
	check := func(what string, want int) {
		t.Helper()
		if l.Limit() != want {
			t.Fatalf("%s: limit %d, want %d", what, l.Limit(), want)
		}
	}
	// Window 1 [0 s, 1 s): 10 in progress, three setups in time: 10 + 3 = 13.
	l.Allow(at(0), 10)
	ari(100, 5*time.Millisecond)
	for _, ms := range []int{400, 500, 600} {
		l.ObserveSetup(at(ms), at(ms-5000), 300*time.Millisecond)
	}
	l.Allow(at(1000), 10)
	check("fast start", 13)
	// Window 2 [1 s, 2 s): slow setups, 12 in progress: floor(0.5 × 12) = 6, a cut at 2 s.
	ari(1100, 5*time.Millisecond)
	l.ObserveSetup(at(1500), at(-3000), 1200*time.Millisecond)
	l.ObserveSetup(at(1600), at(-2900), 1300*time.Millisecond)
	l.Allow(at(2000), 12)
	check("first cut", 6)
	// Window 3 [2 s, 3 s): ARI slow and setups slow, but of calls admitted
	// before the cut and none after it set up yet: no second cut (the
	// window-by-window rule would take it to Min 4).
	ari(2100, 300*time.Millisecond)
	l.ObserveSetup(at(2500), at(500), 2*time.Second)
	l.Allow(at(3000), 12)
	check("slow signals from before the cut", 6)
	// Window 4 [3 s, 4 s): a call admitted after the cut set up in 300 ms,
	// 6 in progress: +Increase = 8, a change at 4 s.
	ari(3100, 5*time.Millisecond)
	l.ObserveSetup(at(3500), at(2500), 300*time.Millisecond)
	l.Allow(at(4000), 6)
	check("growth after a fresh setup", 8)
	// Window 5 [4 s, 5 s): a fast setup of a call admitted before that
	// change, 8 in progress: no growth.
	ari(4100, 5*time.Millisecond)
	l.ObserveSetup(at(4500), at(3000), 300*time.Millisecond)
	l.Allow(at(5000), 8)
	check("no growth on a setup from before the change", 8)
	// Window 6 [5 s, 6 s): a slow setup of a call admitted after the cut,
	// 8 in progress: floor(0.5 × 8) = 4.
	ari(5100, 5*time.Millisecond)
	l.ObserveSetup(at(5500), at(4500), 1500*time.Millisecond)
	l.Allow(at(6000), 8)
	check("second cut on a fresh slow setup", 4)
}
