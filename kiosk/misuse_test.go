package kiosk

import (
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
)

var t0 = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// misuseCases: presses on kiosks A and B, sorted by time, with the flag the rule gives (interval 2 s).
var misuseCases = []struct {
	kiosk  string
	ms     int
	misuse bool
	why    string
}{
	{"A", 0, false, "first press on A"},
	{"B", 500, false, "first press on B: other kiosks do not matter"},
	{"A", 1999, true, "1.999 s after A's previous press"},
	{"A", 3000, true, "1.001 s after the previous (flagged) press: a burst goes on"},
	{"B", 2500, false, "exactly 2 s after B's previous press: not closer than 2 s"},
	{"A", 5000, false, "2 s after A's previous press"},
	{"A", 5000, true, "same instant as the previous press"},
	{"B", 60000, false, "a minute later"},
}

func TestFlagMisuse(t *testing.T) {
	var in []Press
	for _, c := range misuseCases {
		in = append(in, Press{KioskID: c.kiosk, Time: at(c.ms), Rating: hotline.Happy})
	}
	// sort by time for the pure function's contract (B at 2500 before A at 3000)
	in[3], in[4] = in[4], in[3]
	cases := append(misuseCases[:0:0], misuseCases...)
	cases[3], cases[4] = cases[4], cases[3]

	got := FlagMisuse(in, 0) // default 2 s
	for i, c := range cases {
		if got[i].Misuse != c.misuse {
			t.Errorf("press %d (%s at %d ms): misuse %v, want %v: %s", i, c.kiosk, c.ms, got[i].Misuse, c.misuse, c.why)
		}
	}
	for _, p := range in {
		if p.Misuse {
			t.Fatal("FlagMisuse modified its input")
		}
	}

	// The same presses through the stateful detector give the same flags.
	d := NewDetector(2 * time.Second)
	for i, p := range in {
		if m := d.Misuse(p.KioskID, p.Time); m != cases[i].misuse {
			t.Errorf("detector press %d: misuse %v, want %v", i, m, cases[i].misuse)
		}
	}

	// A longer configured interval: A's presses at 0 and 5 s are 5 s apart: misuse under 10 s.
	long := FlagMisuse([]Press{{KioskID: "A", Time: at(0)}, {KioskID: "A", Time: at(5000)}}, 10*time.Second)
	if long[0].Misuse || !long[1].Misuse {
		t.Errorf("10 s interval: %+v", long)
	}
}

func TestDetectorOutOfOrderAndForget(t *testing.T) {
	d := NewDetector(0)
	if d.Misuse("A", at(10000)) {
		t.Fatal("first press flagged")
	}
	if !d.Misuse("A", at(9000)) { // 1 s before the latest, arriving late
		t.Error("late press 1 s before the latest: want misuse")
	}
	if d.Misuse("A", at(12000)) { // 2 s after the latest (10 s), not after the late one
		t.Error("press 2 s after the latest: want valid")
	}
	d.Forget(at(13000))
	if d.Misuse("A", at(12500)) {
		t.Error("after Forget, a press counts as a first press")
	}
}

func TestDetectorConcurrent(t *testing.T) {
	// 8 kiosks, each pressed 50 times 100 ms apart from its own goroutine: all but the first press on each are misuse.
	d := NewDetector(2 * time.Second)
	var wg sync.WaitGroup
	counts := make([]int, 8)
	for k := range 8 {
		wg.Go(func() {
			id := string(rune('A' + k))
			for i := range 50 {
				if d.Misuse(id, at(100*i)) {
					counts[k]++
				}
			}
		})
	}
	wg.Wait()
	for k, n := range counts {
		if n != 49 {
			t.Errorf("kiosk %d: %d misuse, want 49", k, n)
		}
	}
}
