package kiosk

import (
	"sync"
	"time"

	"github.com/publicservice/hotline"
)

// DefaultMisuseInterval is PRODUCT.md's default: presses on one kiosk closer
// together than this are misuse.
const DefaultMisuseInterval = 2 * time.Second

// Press is one button press on one kiosk.
type Press struct {
	KioskID string
	Time    time.Time
	Rating  hotline.Rating
	Misuse  bool
}

// The misuse rule: a press less than interval after the previous press on the
// same kiosk (flagged or not) is misuse; the first press of a burst counts.
// So a customer who keeps pressing has only their first press counted, however
// long they go on. interval ≤ 0 takes DefaultMisuseInterval.

// FlagMisuse applies the misuse rule to presses sorted by time (kiosks mixed)
// and returns a copy with Misuse set; presses is not modified.
// It is the Detector's rule, applied to a whole slice.
func FlagMisuse(presses []Press, interval time.Duration) []Press {
	d := NewDetector(interval)
	out := make([]Press, len(presses))
	for i, p := range presses {
		p.Misuse = d.Misuse(p.KioskID, p.Time)
		out[i] = p
	}
	return out
}

// Detector applies the misuse rule to presses as they arrive, per kiosk. It is
// safe for concurrent use. Presses that arrive out of order are compared with
// the latest press seen on the kiosk.
type Detector struct {
	interval time.Duration
	mu       sync.Mutex
	last     map[string]time.Time
}

// NewDetector returns a Detector (interval ≤ 0: DefaultMisuseInterval).
func NewDetector(interval time.Duration) *Detector {
	if interval <= 0 {
		interval = DefaultMisuseInterval
	}
	return &Detector{interval: interval, last: map[string]time.Time{}}
}

// Misuse records a press on kiosk at t and reports whether it is misuse.
func (d *Detector) Misuse(kiosk string, t time.Time) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	prev, seen := d.last[kiosk]
	gap := t.Sub(prev)
	if gap < 0 {
		gap = -gap
	}
	if !seen || t.After(prev) {
		d.last[kiosk] = t
	}
	return seen && gap < d.interval
}

// Forget drops kiosks whose latest press is before t (to bound memory); a
// later press on them counts as a first press.
func (d *Detector) Forget(before time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for k, t := range d.last {
		if t.Before(before) {
			delete(d.last, k)
		}
	}
}
