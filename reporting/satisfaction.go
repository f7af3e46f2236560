package reporting

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/publicservice/hotline"
)

// RatingValue is one rating as reporting counts it, whatever stored it.
type RatingValue struct {
	Time         time.Time
	Rating       hotline.Rating
	Source       hotline.RatingSource
	Queue        string
	Department   string
	Agent        string
	KioskID      string
	ServicePoint string
	Misuse       bool // excluded from every count
}

// Satisfaction is the four counts of valid ratings. n is their sum.
//
// JSON shape: {"very_unhappy": 1, "unhappy": 2, "happy": 3, "very_happy": 4,
// "n": 10, "rate": <Rate>}.
type Satisfaction struct {
	VeryUnhappy int `json:"very_unhappy"`
	Unhappy     int `json:"unhappy"`
	Happy       int `json:"happy"`
	VeryHappy   int `json:"very_happy"`
}

// N is the number of valid ratings.
func (s Satisfaction) N() int { return s.VeryUnhappy + s.Unhappy + s.Happy + s.VeryHappy }

// Add counts one rating; invalid ratings are not counted (ok false).
func (s *Satisfaction) Add(r hotline.Rating) (ok bool) {
	switch r {
	case hotline.VeryUnhappy:
		s.VeryUnhappy++
	case hotline.Unhappy:
		s.Unhappy++
	case hotline.Happy:
		s.Happy++
	case hotline.VeryHappy:
		s.VeryHappy++
	default:
		return false
	}
	return true
}

// String is "75.0% (n=8: 1 very unhappy, 1 unhappy, 2 happy, 4 very happy)".
func (s Satisfaction) String() string {
	return fmt.Sprintf("%s: %d very unhappy, %d unhappy, %d happy, %d very happy",
		SatisfactionRate(s), s.VeryUnhappy, s.Unhappy, s.Happy, s.VeryHappy)
}

// MarshalJSON writes the four counts, n and the rate.
func (s Satisfaction) MarshalJSON() ([]byte, error) {
	type counts Satisfaction
	return json.Marshal(struct {
		counts
		N    int  `json:"n"`
		Rate Rate `json:"rate"`
	}{counts(s), s.N(), SatisfactionRate(s)})
}

// SatisfactionRate is the customer satisfaction rate: (happy + very_happy) ÷ valid ratings.
func SatisfactionRate(s Satisfaction) Rate {
	return Rate{Num: s.Happy + s.VeryHappy, Den: s.N()}
}

// Tally counts the valid ratings: misuse and out-of-scale values are excluded.
func Tally(ratings []RatingValue) Satisfaction {
	var s Satisfaction
	for _, r := range ratings {
		if !r.Misuse {
			s.Add(r.Rating)
		}
	}
	return s
}

// SatisfactionBy tallies the valid ratings per key (e.g. BySource). Ratings
// whose key is "" are counted only in the combined tally under "".
// The map always holds "" (every valid rating).
func SatisfactionBy(ratings []RatingValue, key func(RatingValue) string) map[string]Satisfaction {
	out := map[string]Satisfaction{"": Tally(ratings)}
	for _, r := range ratings {
		k := key(r)
		if k == "" || r.Misuse {
			continue
		}
		s := out[k]
		s.Add(r.Rating)
		out[k] = s
	}
	return out
}

// Keys for SatisfactionBy.
func BySource(r RatingValue) string       { return string(r.Source) }
func ByDepartment(r RatingValue) string   { return r.Department }
func ByServicePoint(r RatingValue) string { return r.ServicePoint }

// ByHour keys by the local hour of the day, "00" … "23".
func ByHour(loc *time.Location) func(RatingValue) string {
	return func(r RatingValue) string { return fmt.Sprintf("%02d", r.Time.In(loc).Hour()) }
}

// ByWeekday keys by the local weekday, "Monday" … "Sunday".
func ByWeekday(loc *time.Location) func(RatingValue) string {
	return func(r RatingValue) string { return r.Time.In(loc).Weekday().String() }
}

// Trend is the satisfaction trend: this period's rate − the baseline month's
// rate, in percentage points; ok is false when either has no data.
func Trend(current, baseline Rate) (pp float64, ok bool) {
	c, ok1 := current.Value()
	b, ok2 := baseline.Value()
	if !ok1 || !ok2 {
		return 0, false
	}
	return 100 * (c - b), true
}

// RatingCount is the valid ratings of one slot (RollupSlot) from one source, department,
// service point and kiosk, and the misuse presses left out of them: the rollup's
// row, and what RatingCounts makes of single ratings.
type RatingCount struct {
	Slot         time.Time
	Source       hotline.RatingSource
	Department   string
	ServicePoint string
	KioskID      string
	Counts       Satisfaction
	Misuse       int
}

// RollupSlot is the length of a rollup slot (queue and rating rollups): a
// quarter of an hour of UTC. Every time zone in use is offset from UTC by a
// whole number of quarter hours (+05:30 India, +05:45 Nepal, +12:45 Chatham),
// so local hours, half hours and days are each made of whole slots.
const RollupSlot = 15 * time.Minute

// RatingCounts counts single ratings per slot (RollupSlot), source,
// department, service point and kiosk: the raw path to the rollup's shape.
func RatingCounts(ratings []RatingValue) []RatingCount {
	type key struct {
		slot               time.Time
		src                hotline.RatingSource
		dept, point, kiosk string
	}
	idx := map[key]int{}
	var out []RatingCount
	for _, r := range ratings {
		k := key{r.Time.UTC().Truncate(RollupSlot), r.Source, r.Department, r.ServicePoint, r.KioskID}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, RatingCount{Slot: k.slot, Source: k.src, Department: k.dept, ServicePoint: k.point, KioskID: k.kiosk})
		}
		if r.Misuse {
			out[i].Misuse++
		} else {
			out[i].Counts.Add(r.Rating)
		}
	}
	return out
}

// Plus adds two tallies.
func (s Satisfaction) Plus(o Satisfaction) Satisfaction {
	return Satisfaction{VeryUnhappy: s.VeryUnhappy + o.VeryUnhappy, Unhappy: s.Unhappy + o.Unhappy,
		Happy: s.Happy + o.Happy, VeryHappy: s.VeryHappy + o.VeryHappy}
}

// TallyBy adds up counted ratings per key; rows whose key is "" count only
// in the combined tally under "" (always present).
func TallyBy(rows []RatingCount, key func(RatingCount) string) map[string]Satisfaction {
	out := map[string]Satisfaction{"": {}}
	for _, r := range rows {
		out[""] = out[""].Plus(r.Counts)
		if k := key(r); k != "" {
			out[k] = out[k].Plus(r.Counts)
		}
	}
	return out
}

// Keys for TallyBy.
func CountSource(r RatingCount) string       { return string(r.Source) }
func CountDepartment(r RatingCount) string   { return r.Department }
func CountServicePoint(r RatingCount) string { return r.ServicePoint }
func CountKiosk(r RatingCount) string        { return r.KioskID }

// CountHour keys by the local hour of the day, "00" … "23" (exact for any zone
// whose offset is whole quarter hours: rollup slots are UTC quarter hours).
func CountHour(loc *time.Location) func(RatingCount) string {
	return keyBySlot(func(t time.Time) string { return fmt.Sprintf("%02d", t.In(loc).Hour()) })
}

// CountWeekday keys by the local weekday.
func CountWeekday(loc *time.Location) func(RatingCount) string {
	return keyBySlot(func(t time.Time) string { return t.In(loc).Weekday().String() })
}

// keyBySlot keys rows by key(slot), computed once per slot: many rows share one.
func keyBySlot(key func(time.Time) string) func(RatingCount) string {
	memo := map[int64]string{}
	return func(r RatingCount) string {
		u := r.Slot.Unix()
		k, ok := memo[u]
		if !ok {
			k = key(r.Slot)
			memo[u] = k
		}
		return k
	}
}
