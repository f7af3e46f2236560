package asterisktest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/internal/realasterisk"
)

// dtmfLead: Asterisk reports a DTMF digit when it ends (100 ms after it
// starts); the simulator at the moment of the press. Digits are sent this
// much earlier on the real Asterisk so that both report them at the same time.
const dtmfLead = 100 * time.Millisecond

// placed is one call placed in a world.
type placed struct {
	id       string             // the controller's call id (the caller's channel in Stasis(hotline))
	real     *realasterisk.Call // nil on the simulator
	done     chan struct{}      // the far-end script finished (real Asterisk)
	placedAt time.Time
}

// place makes a call from `from` to did that behaves as the script, in either
// world: on the simulator the script is arisim's own; on the real Asterisk the
// same script is played by the caller driver below.
func (w *world) place(t *testing.T, ctx context.Context, did, from string, sc *arisim.Script) *placed {
	t.Helper()
	if !w.real() {
		id, err := w.sim.Inbound(ctx, "hotline", from, did, sc)
		if err != nil && !errors.Is(err, arisim.ErrAppNotConnected) {
			t.Fatalf("simulator inbound: %v", err)
		}
		p := &placed{id: id, done: make(chan struct{})}
		close(p.done)
		return p
	}
	c, err := w.callers.Call(ctx, did, from)
	if err != nil {
		t.Fatalf("real caller: %v", err)
	}
	p := &placed{id: c.HotlineChannel, real: c, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		playScript(ctx, t, c, sc)
	}()
	return p
}

// playScript plays an arisim.Script as the caller of a real call: presses
// relative to the answer or the previous press, the absolute limit, and the
// presses and hang-up after the conversation.
func playScript(ctx context.Context, t *testing.T, c *realasterisk.Call, sc *arisim.Script) {
	if err := c.WaitAnswered(ctx); err != nil {
		return // refused (shed), or the test ended
	}
	answered := time.Now()
	ended := make(chan struct{})
	go func() { _ = c.WaitEnded(ctx); close(ended) }()
	if sc == nil {
		sc = &arisim.Script{}
	}
	if sc.MaxDurationMs > 0 { // from the entry into the dialplan, as on the simulator
		timer := time.AfterFunc(time.Until(c.Placed.Add(ms(sc.MaxDurationMs))), func() { _ = c.Hangup(context.WithoutCancel(ctx)) })
		defer timer.Stop()
	}
	if sc.HangupAfterAnswerMs > 0 {
		timer := time.AfterFunc(ms(sc.HangupAfterAnswerMs), func() { _ = c.Hangup(context.WithoutCancel(ctx)) })
		defer timer.Stop()
	}
	pressAll(ctx, t, c, sc.Presses, answered, ended)
	if len(sc.AfterBridge) == 0 && sc.HangupAfterBridgeMs == 0 {
		<-ended
		return
	}
	// After a conversation: the caller's channel leaves the agent's bridge.
	left := make(chan time.Time, 1)
	go func() {
		if _, err := c.WaitEvent(ctx, "ChannelLeftBridge"); err == nil {
			left <- time.Now()
		}
	}()
	var at time.Time
	select {
	case at = <-left:
	case <-ended:
		return
	}
	if sc.HangupAfterBridgeMs > 0 {
		timer := time.AfterFunc(time.Until(at.Add(ms(sc.HangupAfterBridgeMs))), func() { _ = c.Hangup(context.WithoutCancel(ctx)) })
		defer timer.Stop()
	}
	pressAll(ctx, t, c, sc.AfterBridge, at, ended)
	<-ended
}

func pressAll(ctx context.Context, t *testing.T, c *realasterisk.Call, presses []arisim.Press, base time.Time, ended chan struct{}) {
	prev := base
	for i, p := range presses {
		from := prev
		if p.From == "answer" || p.From == "entry" || i == 0 && p.From == "" {
			from = base
		}
		gap := ms(p.GapMs)
		if gap == 0 {
			gap = 350 * time.Millisecond
		}
		at := from.Add(ms(p.AfterMs))
		for j, d := range p.Digits {
			if j > 0 {
				at = at.Add(gap)
			}
			select {
			case <-time.After(time.Until(at.Add(-dtmfLead))):
			case <-ended:
				return
			case <-ctx.Done():
				return
			}
			if err := c.DTMF(ctx, string(d)); err != nil {
				t.Logf("caller %s: DTMF %c: %v", c.Channel, d, err)
			}
		}
		prev = at
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
