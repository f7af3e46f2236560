package asterisktest

import (
	"context"
	"errors"
	"sync"
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
	// What the real caller meant to do and when: each digit and the hang-up
	// (zero when the caller did not hang up first).
	mu       sync.Mutex
	digits   []time.Time
	hangupAt time.Time
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
		playScript(ctx, t, p, sc)
	}()
	return p
}

// playScript plays an arisim.Script as the caller of a real call: presses
// relative to the answer or the previous press, the absolute limit, and the
// presses and hang-up after the conversation.
func playScript(ctx context.Context, t *testing.T, p *placed, sc *arisim.Script) {
	c := p.real
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
		at := c.Placed.Add(ms(sc.MaxDurationMs))
		timer := time.AfterFunc(time.Until(at), func() { p.hangup(ctx, at) })
		defer timer.Stop()
	}
	if sc.HangupAfterAnswerMs > 0 {
		at := answered.Add(ms(sc.HangupAfterAnswerMs))
		timer := time.AfterFunc(time.Until(at), func() { p.hangup(ctx, at) })
		defer timer.Stop()
	}
	// The caller speaks while the hotline records a message (a silent Local
	// channel would leave an empty file).
	go func() {
		if _, err := c.WaitEvent(ctx, "RecordingStarted"); err == nil {
			_ = c.Play(ctx, "sound:en/hotline/greeting")
		}
	}()
	pressAll(ctx, t, p, sc.Presses, answered, ended)
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
		hat := at.Add(ms(sc.HangupAfterBridgeMs))
		timer := time.AfterFunc(time.Until(hat), func() { p.hangup(ctx, hat) })
		defer timer.Stop()
	}
	pressAll(ctx, t, p, sc.AfterBridge, at, ended)
	<-ended
}

func pressAll(ctx context.Context, t *testing.T, pl *placed, presses []arisim.Press, base time.Time, ended chan struct{}) {
	c := pl.real
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
			pl.mu.Lock()
			pl.digits = append(pl.digits, at)
			pl.mu.Unlock()
			if err := c.DTMF(ctx, string(d)); err != nil {
				t.Logf("caller %s: DTMF %c: %v", c.Channel, d, err)
			}
		}
		prev = at
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// hangup: the caller hangs up (meant at `at`).
func (p *placed) hangup(ctx context.Context, at time.Time) {
	p.mu.Lock()
	if p.hangupAt.IsZero() {
		p.hangupAt = at
	}
	p.mu.Unlock()
	_ = p.real.Hangup(context.WithoutCancel(ctx))
}

// callerLag is how much later than the script meant the controller's caller
// channel (the ;2 half) saw the hang-up, minus how much later it saw the
// digit that put the caller in the queue: the real far end's own delays,
// which the simulator (exact to the millisecond) does not have. Only
// for calls the caller ended while queued.
func (p *placed) callerLag(enqueued time.Time) time.Duration {
	if p.real == nil || enqueued.IsZero() {
		return 0
	}
	p.mu.Lock()
	meant, hup := append([]time.Time(nil), p.digits...), p.hangupAt
	p.mu.Unlock()
	if hup.IsZero() {
		return 0
	}
	var seenDigits []time.Time
	var seenHup time.Time
	for _, e := range p.real.Events() {
		if e.ChannelID() != p.real.HotlineChannel {
			continue
		}
		switch e.Type {
		case "ChannelDtmfReceived":
			seenDigits = append(seenDigits, e.AsteriskTime())
		case "ChannelHangupRequest":
			if seenHup.IsZero() {
				seenHup = e.AsteriskTime()
			}
		}
	}
	if seenHup.IsZero() {
		return 0
	}
	lag := seenHup.Sub(hup)
	// the last digit before the caller joined the queue
	for i := len(seenDigits) - 1; i >= 0; i-- {
		if i < len(meant) && !seenDigits[i].After(enqueued) {
			lag -= seenDigits[i].Sub(meant[i])
			break
		}
	}
	return lag
}
