package telephony

import (
	"testing"

	"github.com/publicservice/hotline/arisim"
)

// TestSimEventFilter: by default the reader asks ARI not to send the events
// the controller never reads; a call's answer, playback and hang-up then
// bring only the ones it does.
func TestSimEventFilter(t *testing.T) {
	e := newSimEnv(t, func(o *ARIOptions) { o.DisallowEvents = nil })
	ctx := ctxT(t)
	if !e.sw.Stats().Filtered {
		t.Fatal("the default event filter was not set")
	}
	id, _ := e.inbound("+15551230001", "1000", &arisim.Script{Name: "Alice"})
	e.must(e.sw.Answer(ctx, id))
	e.must(e.sw.Play(ctx, id, "menu-1", "sound:hello-world", "sound:beep"))
	e.wait("menu finished", func(ev Event) bool { return ev.Type == PlaybackFinished && ev.PlaybackID == "menu-1" })
	e.must(e.sw.Hangup(ctx, id, "normal"))
	e.wait("StasisEnd", is(StasisEnd, id))
	for _, typ := range DefaultDisallowedEvents {
		if n := e.count(func(ev Event) bool { return ev.ARIType == typ }); n != 0 {
			t.Errorf("%d %s events delivered, want 0 (filtered)", n, typ)
		}
	}
	if n := e.count(func(ev Event) bool { return ev.ARIType == "PlaybackFinished" }); n != 1 {
		t.Errorf("%d PlaybackFinished, want 1", n)
	}
}
