package realasterisk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// start starts an Asterisk for a test, or skips when ../shared/asterisk is absent.
func start(t *testing.T, opt Options) *Asterisk {
	t.Helper()
	if _, ok := Script(); !ok {
		t.Skip("real Asterisk not present (../shared/asterisk/asterisk.sh or HOTLINE_ASTERISK_SH)")
	}
	opt.Log = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	a, err := Start(ctx, opt)
	if errors.Is(err, ErrNotPresent) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console log %s (kept with HOTLINE_KEEP_ASTERISK=1)", a.ConsoleLog)
		}
		if err := a.Stop(); err != nil {
			t.Error(err)
		}
	})
	return a
}

// TestHarness starts the shipped configuration, registers a SIPp agent,
// places a caller while no controller is connected (the dialplan fallback
// answers it) and checks the provider far end and CLI.
func TestHarness(t *testing.T) {
	a := start(t, Options{DeskPhones: []string{"a101", "a102"}})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if !strings.HasPrefix(a.Version, "22.") {
		t.Errorf("version %q", a.Version)
	}
	t.Logf("ran against real Asterisk %s", a.Version)
	ag, err := a.StartAgent(ctx, "a101", Answer(500*time.Millisecond, 2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	out, err := a.CLI(ctx, "pjsip show contacts")
	if err != nil || !strings.Contains(out, "a101/sip:a101@127.0.0.1") {
		t.Fatalf("contacts: %v\n%s", err, out)
	}
	// The agent answers a call originated to it.
	var ch struct {
		ID string `json:"id"`
	}
	cs, err := a.Callers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	if err := a.ARI(ctx, http.MethodPost, "/channels", map[string]string{"endpoint": "PJSIP/a101", "app": cs.App}, &ch); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Wait(ctx, func(e Event) bool { return e.Type == "StasisStart" && e.ChannelID() == ch.ID }); err != nil {
		t.Fatalf("agent did not answer: %v\n%s", err, ag.Messages())
	}
	if _, err := cs.Wait(ctx, func(e Event) bool { return e.Type == "ChannelDestroyed" && e.ChannelID() == ch.ID }); err != nil {
		t.Fatalf("agent did not hang up: %v", err)
	}
	if n := len(ag.Invites()); n != 1 {
		t.Errorf("agent saw %d INVITEs", n)
	}
	ag.Stop()

	// No controller: the caller reaches the fallback, which answers and plays.
	c, err := cs.Call(ctx, "3459491000", "+13455550100")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitEnded(ctx); err != nil {
		t.Fatal(err)
	}
	// A provider far end answers a call to the trunk.
	pv, err := a.StartProvider(ctx, Answer(0, time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.ARI(ctx, http.MethodPost, "/channels", map[string]string{"endpoint": "PJSIP/+13455550100@provider", "app": cs.App}, &ch); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Wait(ctx, func(e Event) bool { return e.Type == "ChannelDestroyed" && e.ChannelID() == ch.ID }); err != nil {
		t.Fatal(err)
	}
	if inv := pv.Invites(); len(inv) != 1 || !strings.Contains(inv[0], "+13455550100@127.0.0.1") {
		t.Errorf("provider INVITEs %v\n%s", inv, pv.Messages())
	}
}
