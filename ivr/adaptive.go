package ivr

import (
	"math"
	"slices"
	"sync"
	"time"
)

// AdaptiveLimit is load shedding that follows Asterisk's measured load: a
// limit on the calls in progress that shrinks when Asterisk answers the
// controller's REST requests slowly and grows back while it answers fast.
//
// Every Window, the 90th percentile of the request times observed in it is
// compared with Target:
//   - above Target (Asterisk is overloaded), the limit drops at once to
//     Backoff × min(limit, calls in progress), never below Min: calls beyond
//     what Asterisk carried when it slowed down are refused;
//   - at or below Target, while the calls in progress use at least 90% of
//     the limit, the limit grows by Increase, never above Max;
//   - a window with fewer than MinSamples requests changes nothing.
//
// With SetupTarget set, a second signal counts too: the setup times the
// controller measures itself (ObserveSetup: from the caller's key that led to
// a free agent to both being in the bridge, the agent's own ringing left
// out). A window whose setup p90 is above SetupTarget lowers the limit as a
// slow ARI window does, and the limit grows only in a window that saw at
// least one setup, all within SetupTarget at the p90: calls reach their setup
// seconds after they were admitted (the menus come first), so growing on fast
// ARI answers alone lets in a burst that Asterisk cannot set up in time.
// Such a window grows the limit by the number of setups it saw (at least
// Increase): the limit then grows as fast as calls are carried.
//
// With SetupTarget set, setups come with the time their call was admitted
// (ObserveSetup), and the signal's delay is taken into account, as TCP does with
// its round trip: a setup reflects the limit in force when its call was
// admitted, seconds earlier. So after a cut, slow setups of calls admitted
// before it are not counted again (nor is slow ARI until a call admitted
// after the cut has been set up): one cut per delay instead of one a window,
// which took the limit down to Min while calls admitted before the cut were
// still reaching their setup. And after the first cut, the limit grows by
// Increase only once a call admitted after its last change has been set up
// within SetupTarget (additive increase once per delay); before it, it grows
// by the setups of each window (the start, as above).
//
// Calls in progress are counted by the controller (Options.Adaptive); new
// calls are refused while they reach the limit. All methods are safe for
// concurrent use; times are passed in, so tests drive it by hand.
type AdaptiveLimit struct {
	Target     time.Duration // default 150 ms
	Window     time.Duration // default 1 s
	MinSamples int           // default 5
	Backoff    float64       // default 0.7
	Increase   int           // default 2
	Min, Max   int           // defaults 5 and 1000
	// Initial is the limit before the first window (default Max). A low
	// start grows by Increase a window while Asterisk stays fast, instead of
	// admitting a burst before the first slow window is seen.
	Initial int
	// SetupTarget enables the setup signal (0: ARI request times only).
	SetupTarget time.Duration

	mu       sync.Mutex
	setups   []time.Duration // setup times of the current window
	lastSet  time.Duration   // setup p90 of the last window that had setups
	limit    int
	start    time.Time       // of the current window
	samples  []time.Duration // of the current window
	inflight int             // last count seen by Allow
	last     time.Duration   // p90 of the last complete window
	started  bool

	// The setup signal's delay (SetupTarget set):
	fresh    []time.Duration // setups in the window of calls admitted after the last cut
	cutAt    time.Time       // the last cut (zero: none yet)
	changeAt time.Time       // the last change after the first cut
	sinceCut bool            // a call admitted after the last cut was set up
	sinceChg bool            // a call admitted after changeAt was set up within SetupTarget
}

// NewAdaptiveLimit returns a limit starting at initial calls, with the
// default parameters.
func NewAdaptiveLimit(initial int) *AdaptiveLimit {
	l := &AdaptiveLimit{}
	l.defaults()
	l.limit = max(l.Min, min(initial, l.Max))
	return l
}

func (l *AdaptiveLimit) defaults() {
	if l.Target <= 0 {
		l.Target = 150 * time.Millisecond
	}
	if l.Window <= 0 {
		l.Window = time.Second
	}
	if l.MinSamples <= 0 {
		l.MinSamples = 5
	}
	if l.Backoff <= 0 || l.Backoff >= 1 {
		l.Backoff = 0.7
	}
	if l.Increase <= 0 {
		l.Increase = 2
	}
	if l.Min <= 0 {
		l.Min = 5
	}
	if l.Max <= 0 {
		l.Max = 1000
	}
	if l.limit <= 0 {
		l.limit = l.Max
		if l.Initial > 0 {
			l.limit = max(l.Min, min(l.Initial, l.Max))
		}
	}
}

// Observe records one request that took took, ending at at.
func (l *AdaptiveLimit) Observe(at time.Time, took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(at)
	l.samples = append(l.samples, took)
}

// ObserveSetup records one call's setup time (see SetupTarget), measured
// at at, of a call admitted at admitted (see the delay in the type's comment).
func (l *AdaptiveLimit) ObserveSetup(at, admitted time.Time, took time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(at)
	l.setups = append(l.setups, took)
	if l.cutAt.IsZero() || !admitted.Before(l.cutAt) {
		l.fresh = append(l.fresh, took)
		l.sinceCut = true
	}
	if !l.changeAt.IsZero() && !admitted.Before(l.changeAt) && took <= l.SetupTarget {
		l.sinceChg = true
	}
}

// SetupLatency is the setup p90 of the last window that had setups.
func (l *AdaptiveLimit) SetupLatency() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lastSet
}

// Allow reports whether a new call may be taken with inflight calls in
// progress.
func (l *AdaptiveLimit) Allow(at time.Time, inflight int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inflight = inflight
	l.roll(at)
	return inflight < l.limit
}

// Limit is the current limit; Latency the 90th percentile of the last
// complete window.
func (l *AdaptiveLimit) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// Latency is the 90th percentile request time of the last complete window.
func (l *AdaptiveLimit) Latency() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// roll closes the current window when at is past its end (l.mu held).
func (l *AdaptiveLimit) roll(at time.Time) {
	if !l.started {
		l.defaults()
		l.start, l.started = at, true
		return
	}
	if at.Sub(l.start) < l.Window {
		return
	}
	ariKnown := len(l.samples) >= l.MinSamples
	if ariKnown {
		l.last = p90(l.samples)
	}
	setupKnown := l.SetupTarget > 0 && len(l.setups) > 0
	if setupKnown {
		l.lastSet = p90(l.setups)
	}
	slow := ariKnown && l.last > l.Target || setupKnown && l.lastSet > l.SetupTarget
	fast := ariKnown && !slow && (l.SetupTarget <= 0 || setupKnown)
	if l.SetupTarget > 0 && !l.cutAt.IsZero() {
		l.rollLagAware(at, ariKnown, setupKnown)
		return
	}
	switch {
	case slow:
		l.limit = max(l.Min, int(math.Floor(l.Backoff*float64(min(l.limit, l.inflight)))))
		l.cut(at)
	case fast && float64(l.inflight) >= 0.9*float64(l.limit):
		// With the setup signal, every call set up within target in the
		// window vouches for one more (growth follows the rate calls are
		// carried at, as TCP's slow start follows its acknowledgements).
		grow := l.Increase
		if setupKnown {
			grow = max(grow, len(l.setups))
		}
		l.limit = min(l.Max, l.limit+grow)
	}
	l.next(at)
}

// next starts the next window (l.mu held).
func (l *AdaptiveLimit) next(at time.Time) {
	l.samples = l.samples[:0]
	l.setups = l.setups[:0]
	l.fresh = l.fresh[:0]
	// the next window starts at the window boundary at or before at
	l.start = l.start.Add(at.Sub(l.start) / l.Window * l.Window)
}

// cut notes a cut at at (l.mu held).
func (l *AdaptiveLimit) cut(at time.Time) {
	l.cutAt, l.changeAt = at, at
	l.sinceCut, l.sinceChg = false, false
}

// rollLagAware closes a window after the first cut, with admission times
// (l.mu held): a cut only on setups of calls admitted after the last cut
// (or slow ARI once one of them was set up), growth by Increase once a call
// admitted after the last change was set up within SetupTarget.
func (l *AdaptiveLimit) rollLagAware(at time.Time, ariKnown, setupKnown bool) {
	freshSlow := l.SetupTarget > 0 && len(l.fresh) > 0 && p90(l.fresh) > l.SetupTarget
	ariSlow := ariKnown && l.last > l.Target && l.sinceCut
	switch {
	case freshSlow || ariSlow:
		l.limit = max(l.Min, int(math.Floor(l.Backoff*float64(min(l.limit, l.inflight)))))
		l.cut(at)
	case l.sinceChg && setupKnown && l.lastSet <= l.SetupTarget && float64(l.inflight) >= 0.9*float64(l.limit):
		l.limit = min(l.Max, l.limit+l.Increase)
		l.changeAt, l.sinceChg = at, false
	}
	l.next(at)
}

// p90 is the nearest-rank 90th percentile.
func p90(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	k := int(math.Ceil(0.9*float64(len(s)))) - 1
	return s[max(0, k)]
}
