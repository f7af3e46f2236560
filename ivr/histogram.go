package ivr

import (
	"slices"
	"sync"
	"time"
)

// Histogram keeps durations (reaction times) for quantiles. It keeps at
// most MaxSamples samples (later ones replace earlier ones in a ring) and
// exact count, sum and max.
type Histogram struct {
	mu      sync.Mutex
	samples []time.Duration
	next    int
	n       int64
	sum     time.Duration
	max     time.Duration
}

// MaxSamples bounds the memory of a Histogram.
const MaxSamples = 1 << 20

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

// Observe adds one duration.
func (h *Histogram) Observe(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	h.sum += d
	h.max = max(h.max, d)
	if len(h.samples) < MaxSamples {
		h.samples = append(h.samples, d)
		return
	}
	h.samples[h.next] = d
	h.next = (h.next + 1) % MaxSamples
}

// Summary is a histogram's figures.
type Summary struct {
	N                   int64
	Mean, P50, P90, P99 time.Duration
	Max                 time.Duration
}

// Summary computes the count, mean, quantiles and max.
func (h *Histogram) Summary() Summary {
	h.mu.Lock()
	s := slices.Clone(h.samples)
	out := Summary{N: h.n, Max: h.max}
	if h.n > 0 {
		out.Mean = h.sum / time.Duration(h.n)
	}
	h.mu.Unlock()
	if len(s) == 0 {
		return out
	}
	slices.Sort(s)
	q := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	out.P50, out.P90, out.P99 = q(0.50), q(0.90), q(0.99)
	return out
}

// Reset empties the histogram.
func (h *Histogram) Reset() {
	h.mu.Lock()
	h.samples, h.next, h.n, h.sum, h.max = nil, 0, 0, 0, 0
	h.mu.Unlock()
}
