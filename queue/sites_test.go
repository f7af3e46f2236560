package queue

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline/reporting"
)

// Per-site answered counters: counted by Connected in its one round trip
// (by the answering agent's site, threshold T = 20 s), read by Live in its
// one, by local day.
func TestSiteCounters(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("EST", -5*3600)
	site := map[string]string{"a1": "gt", "a2": "wb", "a3": "gt"} // a4: no site
	f := setup(t, Options{Location: est, Site: func(a string) string { return site[a] }})
	ctx := context.Background()
	if err := f.q.LoadScripts(ctx); err != nil {
		t.Fatal(err)
	}
	rt := NewRoundTrips()
	f.rdb.AddHook(rt)
	day := time.Date(2026, 11, 30, 10, 0, 0, 0, est)
	for i, a := range []string{"a1", "a2", "a3", "a4"} {
		f.login(t, a, day.Add(time.Duration(i)*time.Second), "tax")
	}
	waits := map[string]time.Duration{"a1": sec(10), "a2": sec(30), "a3": sec(20), "a4": sec(5)}
	for _, id := range []string{"c1", "c2", "c3", "c4"} {
		f.enqueue(t, id, "tax", 0, day.Add(sec(5)))
	}
	ms := f.dispatch(t, "tax", day.Add(sec(6)))
	if len(ms) != 4 {
		t.Fatalf("matches %s", pairs(ms))
	}
	for _, m := range ms {
		rt.Reset()
		w, err := f.q.Connected(ctx, m, day.Add(sec(5)+waits[m.Agent.ID]))
		if err != nil || w != waits[m.Agent.ID] {
			t.Fatalf("connect %s: %v %v", m.Agent.ID, w, err)
		}
		if n := rt.Count(); n != 1 {
			t.Errorf("connect %s: %d round trips, want 1", m.Agent.ID, n)
		}
	}
	rt.Reset()
	l, err := f.q.Live(ctx, "tax", day.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n := rt.Count(); n != 1 {
		t.Errorf("live: %d round trips, want 1", n)
	}
	want := map[string]reporting.Counts{
		"gt": {Answered: 2, AnsweredWithinT: 2, WaitSum: sec(30)}, // 10 s and 20 s (= T)
		"wb": {Answered: 1, WaitSum: sec(30)},
	}
	if len(l.TodayBySite) != len(want) || l.TodayBySite["gt"] != want["gt"] || l.TodayBySite["wb"] != want["wb"] {
		t.Errorf("by site %+v, want %+v", l.TodayBySite, want)
	}
	if l.Today.Answered != 4 {
		t.Errorf("the queue's answered %d, want 4 (every site, and the agent without one)", l.Today.Answered)
	}
	if ttl := f.rdb.TTL(ctx, f.q.counterKeys("tax", day).siteDay).Val(); ttl <= 0 {
		t.Errorf("the site day hash has ttl %v", ttl)
	}
	// The next local day starts from zero; the day before is still there.
	if l, _ := f.q.Live(ctx, "tax", day.Add(14*time.Hour)); len(l.TodayBySite) != 0 {
		t.Errorf("next day: %+v", l.TodayBySite)
	}
	if l, _ := f.q.Live(ctx, "tax", day.Add(13*time.Hour+59*time.Minute)); l.TodayBySite["gt"] != want["gt"] {
		t.Errorf("23:59 the same day: %+v", l.TodayBySite)
	}
	// Another queue has its own.
	if l, _ := f.q.Live(ctx, "health", day.Add(time.Minute)); len(l.TodayBySite) != 0 {
		t.Errorf("health: %+v", l.TodayBySite)
	}
}

func TestDecodeSiteCounts(t *testing.T) {
	got := decodeSiteCounts([]any{"west:bay:answered", "2", "west:bay:wait_sum_us", "3000000", "gt:answered_within_sl", "1", "junk", "9"})
	if len(got) != 2 || got["west:bay"] != (reporting.Counts{Answered: 2, WaitSum: 3 * time.Second}) || got["gt"] != (reporting.Counts{AnsweredWithinT: 1}) {
		t.Errorf("%+v", got)
	}
}
