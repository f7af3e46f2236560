// Package reporting holds every metric definition of PRODUCT.md ("Metric
// definitions"), each computed in exactly one function, and the period
// report's counting from the queue event log. Rates carry their n and say
// "no data" rather than 0% when the denominator is 0.
//
// reporting imports only the domain package: store may import reporting,
// never the reverse.
package reporting

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Rate is Num ÷ Den, kept as counts so that every report can show n (= Den)
// beside it and "no data" when Den is 0.
//
// JSON shape: {"value": 0.8, "num": 8, "n": 10}; value is the fraction (not a
// percentage) and is null when n is 0: {"value": null, "num": 0, "n": 0}.
type Rate struct {
	Num, Den int
}

// Value is Num/Den; ok is false when there is no data (Den ≤ 0).
func (r Rate) Value() (v float64, ok bool) {
	if r.Den <= 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// String is "80.0% (n=10)", or "no data".
func (r Rate) String() string {
	v, ok := r.Value()
	if !ok {
		return "no data"
	}
	return fmt.Sprintf("%.1f%% (n=%d)", 100*v, r.Den)
}

type rateJSON struct {
	Value *float64 `json:"value"`
	Num   int      `json:"num"`
	N     int      `json:"n"`
}

// MarshalJSON writes {"value": fraction or null, "num": Num, "n": Den}.
func (r Rate) MarshalJSON() ([]byte, error) {
	out := rateJSON{Num: r.Num, N: r.Den}
	if v, ok := r.Value(); ok {
		out.Value = &v
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON writes (num and n; value is derived).
func (r *Rate) UnmarshalJSON(b []byte) error {
	var in rateJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("reporting: rate: %w", err)
	}
	r.Num, r.Den = in.Num, in.N
	return nil
}

// Average is Sum ÷ N for durations (ASA, AHT), with "no data" when N is 0.
//
// JSON shape: {"seconds": 12.5, "n": 10}; seconds is null when n is 0.
type Average struct {
	Sum time.Duration
	N   int
}

// Value is Sum/N; ok is false when there is no data.
func (a Average) Value() (d time.Duration, ok bool) {
	if a.N <= 0 {
		return 0, false
	}
	return a.Sum / time.Duration(a.N), true
}

// String is "12.5s (n=10)", or "no data".
func (a Average) String() string {
	d, ok := a.Value()
	if !ok {
		return "no data"
	}
	return fmt.Sprintf("%.1fs (n=%d)", d.Seconds(), a.N)
}

// MarshalJSON writes {"seconds": …, "n": N}.
func (a Average) MarshalJSON() ([]byte, error) {
	out := struct {
		Seconds *float64 `json:"seconds"`
		N       int      `json:"n"`
	}{N: a.N}
	if d, ok := a.Value(); ok {
		s := math.Round(d.Seconds()*1000) / 1000
		out.Seconds = &s
	}
	return json.Marshal(out)
}

// TimeShare is Part ÷ Whole for durations (occupancy), "no data" when Whole is 0.
//
// JSON shape: {"value": 0.85, "part_seconds": …, "whole_seconds": …}; value null when whole is 0.
type TimeShare struct {
	Part, Whole time.Duration
}

// Value is Part/Whole; ok is false when there is no data.
func (s TimeShare) Value() (float64, bool) {
	if s.Whole <= 0 {
		return 0, false
	}
	return float64(s.Part) / float64(s.Whole), true
}

// String is "85.0% (of 8h0m0s)", or "no data".
func (s TimeShare) String() string {
	v, ok := s.Value()
	if !ok {
		return "no data"
	}
	return fmt.Sprintf("%.1f%% (of %s)", 100*v, s.Whole)
}

// MarshalJSON writes {"value": …, "part_seconds": …, "whole_seconds": …}.
func (s TimeShare) MarshalJSON() ([]byte, error) {
	out := struct {
		Value        *float64 `json:"value"`
		PartSeconds  float64  `json:"part_seconds"`
		WholeSeconds float64  `json:"whole_seconds"`
	}{PartSeconds: s.Part.Seconds(), WholeSeconds: s.Whole.Seconds()}
	if v, ok := s.Value(); ok {
		out.Value = &v
	}
	return json.Marshal(out)
}
