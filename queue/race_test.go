package queue

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
)

// TestLeaveDispatchRace races Leave against Dispatch on one caller, then
// (when the dispatch won) Leave against Connected, each from its own client.
// Whatever the order: the caller ends exactly once, the agent ends available,
// and the counters match.
func TestLeaveDispatchRace(t *testing.T) {
	t.Parallel()
	const rounds = 200
	base := newClient(t)
	prefix := uniquePrefix(t, base)
	ctx := context.Background()
	qa := New(newClient(t), clock.Real(), Options{Prefix: prefix})
	qb := New(newClient(t), clock.Real(), Options{Prefix: prefix})
	if err := qa.Login(ctx, agents.Agent{ID: "a1", Skills: []string{"tax"}}, t0); err != nil {
		t.Fatal(err)
	}
	var leftFirst, dispatchedFirst, connectedWon, leaveWon int
	for i := 0; i < rounds; i++ {
		at := t0.Add(sec(i))
		c := Caller{CallID: fmt.Sprintf("c%d", i), Queue: "tax", Enqueued: at, Owner: "ctl"}
		if _, err := qa.Enqueue(ctx, c); err != nil {
			t.Fatal(err)
		}
		var (
			wg   sync.WaitGroup
			ms   []Match
			ok   bool
			lerr error
			derr error
		)
		wg.Add(2)
		go func() { defer wg.Done(); _, ok, lerr = qa.Leave(ctx, "tax", c.CallID, at.Add(1), hotline.EvAbandon) }()
		go func() { defer wg.Done(); ms, derr = qb.Dispatch(ctx, "tax", at.Add(1)) }()
		wg.Wait()
		if lerr != nil || derr != nil {
			t.Fatal(lerr, derr)
		}
		if !ok {
			t.Fatalf("round %d: the caller was neither waiting nor offered", i)
		}
		switch len(ms) {
		case 0:
			leftFirst++
			if s, _ := qa.Agent(ctx, "a1"); s.State != agents.Available {
				t.Fatalf("round %d: agent %+v", i, s)
			}
		case 1:
			dispatchedFirst++
			if _, err := qa.Connected(ctx, ms[0], at.Add(2)); hotline.ErrorCode(err) != hotline.ECONFLICT {
				t.Fatalf("round %d: connected a caller who left: %v", i, err)
			}
			if err := qb.OfferCancelled(ctx, ms[0], at.Add(2)); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("round %d: %d matches for one caller", i, len(ms))
		}
		if len(ms) == 1 {
			if m, err := qa.NextMatch(ctx, "ctl", 0); err != nil || m == nil || m.Caller.CallID != c.CallID {
				t.Fatalf("round %d: inbox %v %v", i, m, err)
			}
		}
		// Now Leave against Connected on a dispatched caller.
		c.CallID += "-b"
		if _, err := qa.Enqueue(ctx, c); err != nil {
			t.Fatal(err)
		}
		ms, err := qb.Dispatch(ctx, "tax", at.Add(3))
		if err != nil || len(ms) != 1 {
			t.Fatalf("round %d: %d matches, %v", i, len(ms), err)
		}
		if m, err := qa.NextMatch(ctx, "ctl", 0); err != nil || m == nil {
			t.Fatalf("round %d: inbox %v %v", i, m, err)
		}
		var cerr error
		wg.Add(2)
		go func() { defer wg.Done(); _, ok, lerr = qa.Leave(ctx, "tax", c.CallID, at.Add(4), hotline.EvAbandon) }()
		go func() { defer wg.Done(); _, cerr = qb.Connected(ctx, ms[0], at.Add(4)) }()
		wg.Wait()
		if lerr != nil {
			t.Fatal(lerr)
		}
		switch {
		case ok && hotline.ErrorCode(cerr) == hotline.ECONFLICT:
			leaveWon++
			if err := qa.OfferCancelled(ctx, ms[0], at.Add(5)); err != nil {
				t.Fatal(err)
			}
		case !ok && cerr == nil:
			connectedWon++
			if err := qa.Release(ctx, "a1", at.Add(5), 0); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("round %d: leave ok=%v and connected err=%v", i, ok, cerr)
		}
		if s, _ := qa.Agent(ctx, "a1"); s.State != agents.Available {
			t.Fatalf("round %d: agent %+v", i, s)
		}
	}
	l, err := qa.Live(ctx, "tax", t0.Add(sec(rounds)))
	if err != nil {
		t.Fatal(err)
	}
	c := l.Today
	if c.Offered != 2*rounds || c.Answered != connectedWon || c.Abandoned != rounds+leaveWon || l.Waiting != 0 {
		t.Errorf("counts %+v (answered %d)", c, connectedWon)
	}
	t.Logf("leave/dispatch: leave first %d, dispatch first %d; leave/connect: leave won %d, connect won %d",
		leftFirst, dispatchedFirst, leaveWon, connectedWon)
}
