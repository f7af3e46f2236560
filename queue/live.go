package queue

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/publicservice/hotline/reporting"
)

// Counter expiries (seconds): a day's hash outlives its day, an interval's its interval.
const (
	dayTTLSeconds      = 3 * 24 * 3600
	intervalTTLSeconds = 2 * 24 * 3600
)

type counterKeys struct {
	day, interval  string
	siteDay        string // the day's answered counters per site of the answering agent
	daySfx, intSfx string // the date and interval-start parts of the two keys
	start          time.Time
	dayTTL, intTTL string
}

func (c counterKeys) keys() []string { return []string{c.day, c.interval} }

// withSites are the keys of the scripts that also count (or read) the
// per-site day counters: connect and live.
func (c counterKeys) withSites() []string { return []string{c.day, c.interval, c.siteDay} }

// counterKeys names the day and interval hashes holding t's counters: the day
// is t's local date in Options.Location, the interval starts at local
// midnight + a whole number of Options.Interval.
func (q *Queues) counterKeys(queue string, t time.Time) counterKeys {
	start := q.IntervalStart(t)
	ds := t.In(q.opt.Location).Format("2006-01-02")
	is := start.Format("2006-01-02T15:04:05-0700")
	return counterKeys{
		day:      q.key("n", queue, "d", ds),
		interval: q.key("n", queue, "i", is),
		siteDay:  q.key("n", queue, "sd", ds),
		daySfx:   ds,
		intSfx:   is,
		start:    start,
		dayTTL:   strconv.Itoa(dayTTLSeconds),
		intTTL:   strconv.Itoa(max(intervalTTLSeconds, int(2*q.opt.Interval/time.Second))),
	}
}

// DayStart is local midnight (Options.Location) of t's day.
func (q *Queues) DayStart(t time.Time) time.Time {
	lt := t.In(q.opt.Location)
	y, m, d := lt.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, q.opt.Location)
}

// IntervalStart is the start of the live interval holding t: local midnight
// plus a whole number of Options.Interval.
func (q *Queues) IntervalStart(t time.Time) time.Time {
	mid := q.DayStart(t)
	return mid.Add(t.Sub(mid) / q.opt.Interval * q.opt.Interval)
}

// Live returns the live picture of queue at now, in one round trip: callers
// waiting and the current longest wait, agents with the skill by state (a
// wrap-up ended by now counts available), the counters of now's local day
// and interval, and the day's answered counters per site of the answering
// agent (Options.Site).
func (q *Queues) Live(ctx context.Context, queue string, now time.Time) (Live, error) {
	ck := q.counterKeys(queue, now)
	res, err := liveScript.Run(ctx, q.rdb, ck.withSites(), q.pfx, queue, i64(us(now))).Slice()
	if err != nil {
		return Live{}, wrap("live", err)
	}
	l := Live{Queue: queue, IntervalStart: ck.start}
	l.Waiting = int(res[0].(int64))
	if oldest := atoi(res[1].(string)); oldest > 0 {
		l.LongestWait = max(0, now.Sub(time.UnixMicro(oldest)))
	}
	l.AgentsAvailable = int(res[2].(int64))
	l.AgentsBusy = int(res[3].(int64))
	l.AgentsPaused = int(res[4].(int64))
	l.Today = decodeCounts(res[5])
	l.Interval = decodeCounts(res[6])
	l.TodayBySite = decodeSiteCounts(res[7])
	return l, nil
}

// decodeSiteCounts reads the per-site day hash (fields "<site>:<counter>",
// HGETALL's flat list): site → its answered, answered within T and wait sum.
func decodeSiteCounts(v any) map[string]reporting.Counts {
	flat, _ := v.([]any)
	bySite := map[string][]any{}
	for i := 0; i+1 < len(flat); i += 2 {
		f, _ := flat[i].(string)
		cut := strings.LastIndexByte(f, ':')
		if cut <= 0 {
			continue
		}
		site := f[:cut]
		bySite[site] = append(bySite[site], f[cut+1:], flat[i+1])
	}
	out := make(map[string]reporting.Counts, len(bySite))
	for site, fl := range bySite {
		out[site] = decodeCounts(fl)
	}
	return out
}

// decodeCounts reads a counters hash (as HGETALL's flat list).
func decodeCounts(v any) reporting.Counts {
	flat, _ := v.([]any)
	var c reporting.Counts
	for i := 0; i+1 < len(flat); i += 2 {
		f, _ := flat[i].(string)
		s, _ := flat[i+1].(string)
		n := atoi(s)
		switch f {
		case "offered":
			c.Offered = int(n)
		case "answered":
			c.Answered = int(n)
		case "answered_within_sl":
			c.AnsweredWithinT = int(n)
		case "abandoned":
			c.Abandoned = int(n)
		case "short_abandoned":
			c.ShortAbandoned = int(n)
		case "abandoned_within_sl":
			c.AbandonedWithinT = int(n)
		case "timed_out":
			c.TimedOut = int(n)
		case "callbacks_requested":
			c.CallbacksRequested = int(n)
		case "unstaffed":
			c.Unstaffed = int(n)
		case "wait_sum_us":
			c.WaitSum = time.Duration(n) * time.Microsecond
		case "max_wait_us":
			c.MaxWait = time.Duration(n) * time.Microsecond
		case "talk_sum_us":
			c.TalkSum = time.Duration(n) * time.Microsecond
		case "wrap_sum_us":
			c.WrapSum = time.Duration(n) * time.Microsecond
		}
	}
	return c
}

// Queues lists the queues known (that have had callers or agents), sorted.
func (q *Queues) Queues(ctx context.Context) ([]string, error) {
	qs, err := q.rdb.SMembers(ctx, q.key("queues")).Result()
	if err != nil {
		return nil, wrap("queues", err)
	}
	sort.Strings(qs)
	return qs, nil
}

// EstimatedWait estimates, in one round trip, the wait of the caller at
// position (1-based) in queue:
//
//	AHT    = mean handling time (talk + wrap-up) of the queue's last 50 released calls
//	staff  = agents logged in with the skill and not paused (at least 1)
//	ahead  = position − agents available now (at least 0)
//	EWT    = ahead × AHT ÷ staff
//
// With no handling time recorded yet it falls back to today's ASA (Σ wait of
// answered ÷ answered), and to 0 (no estimate) when nothing was answered today
// either. The result is rounded to the second.
func (q *Queues) EstimatedWait(ctx context.Context, queue string, position int, now time.Time) (time.Duration, error) {
	if position <= 0 {
		return 0, nil
	}
	ck := q.counterKeys(queue, now)
	res, err := ewtScript.Run(ctx, q.rdb, []string{ck.day}, q.pfx, queue, i64(us(now))).Slice()
	if err != nil {
		return 0, wrap("estimated wait", err)
	}
	sum := atoi(res[0].(string))
	cnt := res[1].(int64)
	staff := max(1, res[2].(int64))
	avail := res[3].(int64)
	waitSum, answered := atoi(res[4].(string)), atoi(res[5].(string))
	var ewt time.Duration
	switch {
	case cnt > 0:
		ahead := max(0, int64(position)-avail)
		ewt = time.Duration(ahead*sum/cnt/staff) * time.Microsecond
	default:
		// No handling time yet: today's average speed of answer, as
		// reporting defines it (0 when nothing was answered).
		ewt, _ = reporting.ASA(reporting.Counts{Answered: int(answered), WaitSum: time.Duration(waitSum) * time.Microsecond}).Value()
	}
	return ewt.Round(time.Second), nil
}
