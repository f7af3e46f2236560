package supervisor_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/internal/uitest"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/supervisor"
)

func row(b supervisor.Board, q string) *supervisor.QueueRow {
	for i := range b.Queues {
		if b.Queues[i].Queue == q {
			return &b.Queues[i]
		}
	}
	return nil
}

// stream reads the board's Server-Sent Events (/api/v1/supervisor/events)
// into a channel until the test ends.
func stream(t *testing.T, c *webtest.Client, query string) <-chan supervisor.Board {
	t.Helper()
	resp := c.Raw(t, "GET", "/api/v1/supervisor/events"+query, nil, map[string]string{"Accept": "text/event-stream"})
	if resp.StatusCode != 200 {
		t.Fatalf("events%s: %d", query, resp.StatusCode)
	}
	t.Cleanup(func() { resp.Body.Close() }) // before the server closes (cleanups run last first)
	out := make(chan supervisor.Board, 1000)
	go func() {
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			var b supervisor.Board
			if err := json.Unmarshal([]byte(line[6:]), &b); err != nil {
				t.Errorf("event: %v", err)
				return
			}
			out <- b
		}
	}()
	return out
}

// A call answered by an agent of George Town (a101) shows in George Town's
// board live: the connect that puts the agent on the call counts the site's
// answered in the same Redis script, so a frame of the live feed soon shows
// a101 on the call with the answer, its ASA and service level (no Postgres
// refresh in between; there is none any more). The frame reads the agents
// and the counters apart, so one frame may show the count a moment before
// the agent's state. West Bay's board does not count it; the whole
// hotline's row does.
func TestSiteFiguresLive(t *testing.T) {
	s := uitest.Start(t)
	sup := webtest.SignIn(t, s.URL, "supervisor1", uitest.Password)
	ag := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	gt := stream(t, sup, "?site=georgetown")
	if st := ag.Do(t, "POST", "/api/v1/agent/state", map[string]string{"action": "login"}, nil); st != 200 {
		t.Fatalf("login: %d", st)
	}
	s.Call(t, "+13455550123", "10")
	var st agentpanel.State
	uitest.CheckFor(t, 15*time.Second, "ringing", func() bool { ag.Do(t, "GET", "/api/v1/agent/state", nil, &st); return st.Call != nil })
	callID, q := st.Call.CallID, st.Call.Queue
	if code := ag.Do(t, "POST", "/api/v1/agent/call/answer", map[string]string{"call_id": callID}, nil); code != 200 {
		t.Fatalf("answer: %d", code)
	}
	answered := time.Now()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	var b supervisor.Board
	for seen := false; !seen; {
		select {
		case b = <-gt:
			onCall := false
			for _, a := range b.Agents {
				onCall = onCall || (a.ID == "a101" && a.State == "on_call")
			}
			r := row(b, q)
			seen = onCall && r != nil && r.Today.Answered != 0
		case <-deadline.C:
			t.Fatal("no frame of George Town's board showed a101 on the call with the answer counted")
		}
	}
	t.Logf("a101 on the call in George Town's live board %v after the answer request", time.Since(answered).Round(time.Millisecond))
	r := row(b, q)
	if r == nil || r.AnsweredBySite != "georgetown" || r.Today.Answered != 1 || r.Today.ASA.N != 1 || r.Today.ServiceLevel.Den != 1 {
		t.Fatalf("George Town's %s in the frame showing a101 on the call: %+v", q, r)
	}
	if b.Totals.Answered != 1 {
		t.Fatalf("George Town's total answered %d, want 1", b.Totals.Answered)
	}
	all := row(board(t, sup, ""), q)
	if all.Today.Answered != 1 || all.Today.WaitSum != r.Today.WaitSum || all.AnsweredBySite != "" {
		t.Fatalf("the whole hotline's %s: %+v; George Town's %+v", q, all.Today.Counts, r.Today.Counts)
	}
	if v, ok := r.Today.ServiceLevel.Value(); !ok || (v == 1) != (r.Today.WaitSum <= s.Config.Threshold(q)) {
		t.Fatalf("George Town's %s: service level %+v with a wait of %v", q, r.Today.ServiceLevel, r.Today.WaitSum)
	}
	west := board(t, sup, "?site=westbay")
	if w := row(west, q); w == nil || w.Today.Answered != 0 || w.Today.ASA.N != 0 || w.AnsweredBySite != "westbay" {
		t.Fatalf("West Bay's %s: %+v", q, w)
	}
	bound := supervisor.SiteQueues(s.Config, "westbay")
	for _, q := range west.Queues {
		if !bound[q.Queue] {
			t.Errorf("West Bay's board shows %s, which none of its agents serves", q.Queue)
		}
	}
	if len(west.Queues) != len(bound) || len(bound) == len(s.Config.Queues) {
		t.Fatalf("West Bay's queues %d, bound %v, of %d: the filter must leave some out", len(west.Queues), bound, len(s.Config.Queues))
	}
	for page, notes := range map[string][]string{"/supervisor?site=westbay": {"site-note", "intraday-site-note"}, "/supervisor/wallboard?site=westbay": {"site-note"}} {
		resp := sup.Raw(t, "GET", page, nil, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, n := range notes {
			if !strings.Contains(string(body), `id="`+n+`"`) {
				t.Errorf("%s does not say what the site's figures count (#%s)", page, n)
			}
		}
	}
	ag.Do(t, "POST", "/api/v1/agent/call/hangup", map[string]string{"call_id": callID}, nil)
}

// A site's intraday intervals (hand-computed from the queue events below,
// all in the current interval; T 20 s, S 5 s): offered to the queues the
// site serves, answered by its agents (an offer's first CONNECT only),
// service level answered within T ÷ answered. cbc is George Town's only,
// worc West Bay's only, general both's.
func TestSiteIntervals(t *testing.T) {
	s := uitest.Start(t)
	sup := webtest.SignIn(t, s.URL, "supervisor1", uitest.Password)
	now := time.Now()
	ev := func(call, queue, agent string, typ hotline.QueueEventType, wait time.Duration, data string) hotline.QueueEvent {
		return hotline.QueueEvent{Time: now, CallID: call, Queue: queue, Agent: agent, Type: typ, Wait: wait, Data: data}
	}
	s.Rig.Writer.Events(
		ev("i1", "cbc", "", hotline.EvEnterQueue, 0, ""),
		ev("i1", "cbc", "a104", hotline.EvConnect, 5*time.Second, ""), // George Town, within T
		ev("i2", "worc", "", hotline.EvEnterQueue, 0, ""),
		ev("i2", "worc", "a112", hotline.EvConnect, 30*time.Second, ""), // West Bay, beyond T
		ev("i3", "general", "", hotline.EvEnterQueue, 0, ""),
		ev("i3", "general", "a113", hotline.EvConnect, 10*time.Second, ""),                  // West Bay, within T
		ev("i3", "general", "a101", hotline.EvConnect, 10*time.Second, "attended_transfer"), // not a second answer
		ev("i4", "general", "", hotline.EvEnterQueue, 0, ""),
		ev("i4", "general", "", hotline.EvAbandon, 8*time.Second, ""),
	)
	if err := s.Rig.Writer.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	type sum struct{ offered, answered, within, den int }
	sums := func(query string) (sum, string) {
		b := board(t, sup, query)
		var x sum
		if b.Slow == nil {
			return x, ""
		}
		for _, iv := range b.Slow.Intervals {
			x.offered += iv.Offered
			x.answered += iv.Answered
			x.within += iv.ServiceLevel.Num
			x.den += iv.ServiceLevel.Den
		}
		return x, b.Slow.Site
	}
	want := map[string]sum{
		"":           {offered: 4, answered: 3, within: 2, den: 4}, // every queue; service level (2 within T) ÷ (3 answered + 1 abandoned)
		"georgetown": {offered: 3, answered: 1, within: 1, den: 1}, // i1, i3, i4 offered; i1 answered
		"westbay":    {offered: 3, answered: 2, within: 1, den: 2}, // i2, i3, i4 offered; i2 and i3 answered
	}
	for site, w := range want {
		q := ""
		if site != "" {
			q = "?site=" + site
		}
		var got sum
		var of string
		uitest.CheckFor(t, 10*time.Second, "the intervals of "+q, func() bool { got, of = sums(q); return got.offered == w.offered })
		if got != w || of != site {
			t.Errorf("site %q: intervals of %q sum to %+v, want %+v", site, of, got, w)
		}
	}
}
