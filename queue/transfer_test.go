package queue

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
)

// Reserve takes a named agent only when available (an ended wrap-up counts),
// or a queue's longest-idle agent; ReservedAnswered and Unreserve follow
// the call id; a reserved agent is not dispatched.
func TestReserve(t *testing.T) {
	f := setup(t, Options{})
	f.login(t, "a1", t0, "general")
	f.login(t, "a2", t0.Add(sec(1)), "general", "registry")
	f.login(t, "a3", t0.Add(sec(2)), "registry")
	if err := f.q.Pause(f.ctx, "a3", "lunch", t0.Add(sec(3))); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(sec(10))
	_, err := f.q.Reserve(f.ctx, "a3", "", "c1", "general", "ctl-1", at)
	wantCode(t, err, hotline.ECONFLICT)
	_, err = f.q.Reserve(f.ctx, "nobody", "", "c1", "general", "ctl-1", at)
	wantCode(t, err, hotline.ECONFLICT)
	a, err := f.q.Reserve(f.ctx, "", "registry", "c1", "general", "ctl-1", at)
	if err != nil || a.ID != "a2" {
		t.Fatalf("queue's next agent: %+v %v", a, err)
	}
	if s := f.state(t, "a2"); s.State != agents.Ringing || s.CallID != "c1" || s.Queue != "general" {
		t.Fatalf("reserved: %+v", s)
	}
	if call, owner, err := f.q.CallOwner(f.ctx, "a2"); err != nil || call != "c1" || owner != "ctl-1" {
		t.Fatalf("call owner %s %s %v", call, owner, err)
	}
	_, err = f.q.Reserve(f.ctx, "", "registry", "c2", "general", "ctl-1", at) // a3 paused, a2 taken
	wantCode(t, err, hotline.ECONFLICT)
	// A waiting caller is not given the reserved agent.
	f.enqueue(t, "c9", "general", 0, at)
	ms := f.dispatch(t, "general", at)
	if pairs(ms) != "c9→a1" {
		t.Fatalf("dispatch %s", pairs(ms))
	}
	if _, err := f.q.Connected(f.ctx, ms[0], at); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.q.ReservedAnswered(f.ctx, "a2", "other", at), hotline.ECONFLICT)
	if err := f.q.ReservedAnswered(f.ctx, "a2", "c1", at.Add(sec(2))); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "a2"); s.State != agents.OnCall {
		t.Fatalf("answered: %+v", s)
	}
	if err := f.q.Unreserve(f.ctx, "a2", "c1", at.Add(sec(5))); err != nil {
		t.Fatal(err)
	}
	if s := f.state(t, "a2"); s.State != agents.Available || s.CallID != "" {
		t.Fatalf("unreserved: %+v", s)
	}
	// In wrap-up until t+20 s: not available before, reserved after.
	if err := f.q.Release(f.ctx, "a1", at.Add(sec(10)), sec(10)); err != nil {
		t.Fatal(err)
	}
	_, err = f.q.Reserve(f.ctx, "a1", "", "c3", "general", "ctl-1", at.Add(sec(15)))
	wantCode(t, err, hotline.ECONFLICT)
	if _, err := f.q.Reserve(f.ctx, "a1", "", "c3", "general", "ctl-1", at.Add(sec(21))); err != nil {
		t.Fatalf("after the wrap-up: %v", err)
	}
}

// Commands reach the owner's list and its reply comes back; an owner
// without a lease gets none, one that does not take it in time neither, and
// the command is withdrawn.
func TestCommands(t *testing.T) {
	f := setup(t, Options{})
	_, err := f.q.SendCommand(f.ctx, "ctl-2", []byte(`{}`), time.Second)
	wantCode(t, err, hotline.EUNAVAILABLE)
	if _, err := f.q.Heartbeat(f.ctx, "ctl-2", time.Minute, t0); err != nil {
		t.Fatal(err)
	}
	go func() {
		c, err := f.q.NextCommand(context.Background(), "ctl-2", 5*time.Second)
		if err != nil || c == nil {
			return
		}
		_ = f.q.Reply(context.Background(), c.ID, append([]byte("re:"), c.Body...))
	}()
	got, err := f.q.SendCommand(f.ctx, "ctl-2", []byte("hello"), 5*time.Second)
	if err != nil || string(got) != "re:hello" {
		t.Fatalf("reply %q %v", got, err)
	}
	// Nobody serves ctl-2 now.
	_, err = f.q.SendCommand(f.ctx, "ctl-2", []byte("late"), time.Second)
	wantCode(t, err, hotline.EUNAVAILABLE)
	if !strings.Contains(hotline.ErrorMessage(err), "did not answer") {
		t.Fatalf("message %q", hotline.ErrorMessage(err))
	}
	if c, err := f.q.NextCommand(f.ctx, "ctl-2", time.Second); err != nil || c != nil {
		t.Fatalf("a withdrawn command was left: %+v %v", c, err)
	}
}
