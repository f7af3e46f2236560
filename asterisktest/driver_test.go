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

// A press's time is when its first digit starts, in both worlds. Each digit
// lasts dtmfLength and is reported (ChannelDtmfReceived) when it ends, on
// Asterisk as in the simulator; the next press counts from when the last
// digit was received. Asterisk's ARI dtmf request first keeps dtmfQuiet of
// silence (ast_dtmf_stream's "quiet time before sending digits"), so each
// request is sent that much before the digit is meant to start.
const (
	dtmfLength = 100 * time.Millisecond
	dtmfQuiet  = 100 * time.Millisecond
)

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

// playScript plays an arisim.Script as the caller of a real call, on the
// simulator's clock marks taken from Asterisk's own event timestamps: the
// entry (the hotline's half reaching Stasis, where the simulator creates its
// channel), the answer (the hotline's half going Up, where the simulator
// answers) and leaving the agent's bridge; presses relative to the answer
// or the previous press, the absolute limit, and the presses and hang-up
// after the conversation.
func playScript(ctx context.Context, t *testing.T, p *placed, sc *arisim.Script) {
	c := p.real
	if sc == nil {
		sc = &arisim.Script{}
	}
	entered, err := c.WaitEntered(ctx)
	if err != nil {
		return // the test ended
	}
	if sc.MaxDurationMs > 0 { // from the entry into Stasis, as on the simulator
		at := entered.AsteriskTime().Add(ms(sc.MaxDurationMs))
		timer := time.AfterFunc(time.Until(at), func() { p.hangup(ctx, at) })
		defer timer.Stop()
	}
	if err := c.WaitAnswered(ctx); err != nil {
		return // refused (shed), or the test ended
	}
	up, err := c.WaitHotlineUp(ctx)
	if err != nil {
		return
	}
	answered := up.AsteriskTime()
	ended := make(chan struct{})
	go func() { _ = c.WaitEnded(ctx); close(ended) }()
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
		if e, err := c.WaitFor(ctx, func(e realasterisk.Event) bool {
			return e.Type == "ChannelLeftBridge" && e.ChannelID() == c.HotlineChannel
		}); err == nil {
			left <- e.AsteriskTime()
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
			case <-time.After(time.Until(at.Add(-dtmfQuiet))):
			case <-ended:
				return
			case <-ctx.Done():
				return
			}
			pl.mu.Lock()
			pl.digits = append(pl.digits, at.Add(dtmfLength))
			pl.mu.Unlock()
			if err := c.DTMF(ctx, string(d)); err != nil {
				t.Logf("caller %s: DTMF %c: %v", c.Channel, d, err)
			}
		}
		prev = at.Add(dtmfLength) // the last digit received
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
// channel (the ;2 half) saw the caller's digits (each, at most) and hang-up:
// the real far end's own delays, which the simulator (exact to the
// millisecond) does not have.
func (p *placed) callerLag() (digits, hangup time.Duration) {
	if p.real == nil {
		return 0, 0
	}
	p.mu.Lock()
	meant, hup := append([]time.Time(nil), p.digits...), p.hangupAt
	p.mu.Unlock()
	i := 0
	for _, e := range p.real.Events() {
		if e.ChannelID() != p.real.HotlineChannel {
			continue
		}
		switch {
		case e.Type == "ChannelDtmfReceived" && i < len(meant):
			if d := e.AsteriskTime().Sub(meant[i]); i == 0 || d > digits {
				digits = d
			}
			i++
		case e.Type == "ChannelHangupRequest" && !hup.IsZero() && hangup == 0:
			hangup = e.AsteriskTime().Sub(hup)
		}
	}
	return digits, hangup
}
