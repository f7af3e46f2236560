package queue

import (
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/agents"
)

// A dead controller (its lease expired) is swept once, however many
// sweepers race: the agent rung for the match in its inbox is freed, its
// callback caller is handed to the sweeper, its caller on the line leaves
// the queue, and its saved calls are returned for their records.
func TestSweepDeadOwnerOnce(t *testing.T) {
	f := setup(t, Options{})
	ctx, now := f.ctx, f.clk.Now()
	a := agents.Agent{ID: "a1", Skills: []string{"q"}}
	b := agents.Agent{ID: "a2", Skills: []string{"q"}}
	for _, ag := range []agents.Agent{a, b} {
		if err := f.q.Login(ctx, ag, now); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"dead", "live1", "live2"} {
		if _, err := f.q.Heartbeat(ctx, id, time.Minute, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.q.Enqueue(ctx, Caller{CallID: "c1", Queue: "q", Enqueued: now, Owner: "dead"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Enqueue(ctx, Caller{CallID: "c2", Queue: "q", Enqueued: now.Add(time.Second), Owner: "dead"}); err != nil {
		t.Fatal(err)
	}
	if err := f.q.RequestCallback(ctx, "q", "c2", "+13455550100", now); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Enqueue(ctx, Caller{CallID: "c3", Queue: "q", Enqueued: now.Add(2 * time.Second), Owner: "dead"}); err != nil {
		t.Fatal(err)
	}
	ms, err := f.q.Dispatch(ctx, "q", now) // c1 → a1, c2 → a2 (both in dead's inbox)
	if err != nil || len(ms) != 2 {
		t.Fatalf("dispatch %v %v", ms, err)
	}
	if err := f.q.SaveCall(ctx, "dead", "c1", []byte(`{"id":"c1"}`)); err != nil {
		t.Fatal(err)
	}
	if err := f.q.DropLease(ctx, "dead"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]Swept, 2)
	for i, me := range []string{"live1", "live2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := f.q.Sweep(ctx, me, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		}()
	}
	wg.Wait()
	if len(got[0])+len(got[1]) != 1 {
		t.Fatalf("swept %v and %v: want one sweep of dead", got[0], got[1])
	}
	s := append(got[0], got[1]...)[0]
	if s.Owner != "dead" || s.Callbacks != 1 || s.Dropped != 2 || s.Freed != 2 || len(s.Calls) != 1 {
		t.Errorf("swept %+v", s)
	}
	for _, id := range []string{"a1", "a2"} {
		st, _ := f.q.Agent(ctx, id)
		if st.State != agents.Available {
			t.Errorf("%s %s after the sweep", id, st.State)
		}
	}
	// The callback caller waits again, owned by the sweeper; the others are gone.
	pos, waiting, _ := f.q.Position(ctx, "q", "c2")
	if pos != 1 || waiting != 1 {
		t.Errorf("callback caller at %d of %d", pos, waiting)
	}
	ms, _ = f.q.Dispatch(ctx, "q", now.Add(time.Minute))
	if len(ms) != 1 || ms[0].Caller.CallID != "c2" || (ms[0].Caller.Owner != "live1" && ms[0].Caller.Owner != "live2") {
		t.Errorf("dispatch after the sweep: %+v", ms)
	}
	// A live controller is never swept.
	if s, _ := f.q.Sweep(ctx, "live1", now.Add(time.Minute)); len(s) != 0 {
		t.Errorf("swept live controllers: %+v", s)
	}
}

// Notify reaches every controller holding a lease but the sender, as a
// command without a reply id; a controller whose lease is gone gets nothing.
func TestNotifyLiveControllers(t *testing.T) {
	t.Parallel()
	f := setup(t, Options{})
	ctx, now := f.ctx, f.clk.Now()
	for _, id := range []string{"me", "live", "gone"} {
		if _, err := f.q.Heartbeat(ctx, id, time.Minute, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.q.DropLease(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	n, err := f.q.Notify(ctx, "me", []byte(`{"op":"staffing","queues":["q"]}`))
	if err != nil || n != 1 {
		t.Fatalf("Notify: reached %d (%v), want 1", n, err)
	}
	c, err := f.q.NextCommand(ctx, "live", time.Second)
	if err != nil || c == nil || c.ID != "" || string(c.Body) != `{"op":"staffing","queues":["q"]}` {
		t.Fatalf("live's command: %+v, %v", c, err)
	}
	for _, id := range []string{"me", "gone"} {
		if l, err := f.q.rdb.LLen(ctx, f.q.key("cmd", id)).Result(); err != nil || l != 0 {
			t.Errorf("%s's command list holds %d (%v), want none", id, l, err)
		}
	}
}

func TestRunID(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"# Server\r\nredis_version:7.0.15\r\nrun_id:abc123\r\ntcp_port:6379\r\n", "abc123"},
		{"run_id:first\r\n", "first"},
		{"# Server\r\nredis_version:7.0.15\r\n", ""},
		{"# Server\nrun_id:lf-only\n", "lf-only"},
		{"", ""},
	} {
		if got := runID(c.in); got != c.want {
			t.Errorf("runID(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
