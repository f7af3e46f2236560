package asterisktest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/internal/realasterisk"
)

// TestRealAsteriskControllerDown: what happens around a controller that is
// not there. On one real Asterisk, in order: the dialplan fallback with no
// controller (message, then the fallback queue), load shedding, a controller
// killed with SIGKILL and started again with calls in menus, waiting,
// ringing and bridged (compared with the same on the simulator), the SIGTERM
// drain, and a controller restarted after an Asterisk restart.
func TestRealAsteriskControllerDown(t *testing.T) {
	needAsterisk(t)
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Minute)
	defer cancel()
	real := realWorld(t, ctx, testConfig())
	announce(t, real)
	sim := simWorld(t, ctx, testConfig())

	t.Run("fallback_message", func(t *testing.T) { fallbackMessage(t, ctx, real) })
	t.Run("fallback_queue", func(t *testing.T) { fallbackQueue(t, ctx, real) })
	both(t, "load_shedding", true, real, sim, func(t *testing.T, w *world) map[string]hotline.CallRecord {
		return loadShedding(t, ctx, w)
	})
	both(t, "restart_readoption", false, real, sim, func(t *testing.T, w *world) map[string]hotline.CallRecord {
		return restart(t, ctx, w)
	})
	t.Run("drain", func(t *testing.T) { drain(t, ctx, real) })
	t.Run("asterisk_restarted", func(t *testing.T) { asteriskRestarted(t, ctx, real) })
}

// both runs f in the two worlds at once and compares the records it returns, by role.
// Answer times are compared when wait is set: after a restart they depend on
// how long each controller took to come back, which differs between the two.
func both(t *testing.T, name string, wait bool, real, sim *world, f func(t *testing.T, w *world) map[string]hotline.CallRecord) {
	t.Run(name, func(t *testing.T) {
		var recs [2]map[string]hotline.CallRecord
		t.Run("run", func(t *testing.T) {
			for i, w := range []*world{real, sim} {
				t.Run(w.name, func(t *testing.T) {
					t.Parallel()
					recs[i] = f(t, w)
				})
			}
		})
		if t.Failed() {
			return
		}
		for role, r := range recs[0] {
			s, ok := recs[1][role]
			if !ok {
				t.Errorf("%s: no simulator record", role)
				continue
			}
			t.Run(role, func(t *testing.T) {
				compare(t, r, s, wait && r.Disposition == hotline.DispAnswered)
			})
		}
	})
}

// fallbackMessage: no controller connected: Stasis fails, the caller hears
// the fallback prompt and leaves a message; the dialplan writes the number to
// call back beside it.
func fallbackMessage(t *testing.T, ctx context.Context, w *world) {
	c, err := w.callers.Call(ctx, didMain, "+13455550201")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitAnswered(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := w.callers.Wait(wctx, func(e realasterisk.Event) bool {
		return e.Type == "ChannelDialplan" && e.ChannelID() == c.HotlineChannel && e.DialplanApp == "Record"
	}); err != nil {
		t.Fatalf("the fallback never started recording: %v; dialplan: %v", err, dialplan(c))
	}
	if !strings.Contains(dialplan(c), "Playback(en/hotline/fallback&es/hotline/fallback)") {
		t.Errorf("fallback prompt not played: %v", dialplan(c))
	}
	time.Sleep(3 * time.Second) // the caller speaks for a while
	if err := c.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.ast.RunDir, "var", "spool", "asterisk", "recording", "fallback")
	var wavs []string
	checkFor(t, 10*time.Second, "the fallback message's recording", func() bool {
		wavs, _ = filepath.Glob(filepath.Join(dir, "*.wav"))
		return len(wavs) == 1
	})
	b, err := os.ReadFile(strings.TrimSuffix(wavs[0], ".wav") + ".txt")
	if err != nil {
		t.Errorf("no number to call back beside the message: %v (console: %s)", err, grepFile(w.ast.ConsoleLog, "FILE"))
	}
	txt := string(b)
	for _, want := range []string{"caller=+13455550201", "dialled=" + didMain, "time=20"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the message's .txt lacks %q: %q (console: %s)", want, txt, grepFile(w.ast.ConsoleLog, "FILE"))
		}
	}
}

// fallbackQueue: FALLBACK_MODE=queue: the caller reaches the fallback group
// (app_queue) and an officer's phone answers.
func fallbackQueue(t *testing.T, ctx context.Context, w *world) {
	if _, err := w.ast.CLI(ctx, "dialplan set global FALLBACK_MODE queue"); err != nil {
		t.Fatal(err)
	}
	defer w.ast.CLI(context.WithoutCancel(ctx), "dialplan set global FALLBACK_MODE record")
	w.setAgent(t, ctx, "a101", phone{answerAfter: time.Second, talk: 2 * time.Second})
	defer w.setAgent(t, ctx, "a101", phone{offline: true})
	c, err := w.callers.Call(ctx, didMain, "+13455550202")
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := w.callers.Wait(wctx, func(e realasterisk.Event) bool {
		return e.Type == "ChannelEnteredBridge" && e.ChannelID() == c.HotlineChannel
	}); err != nil {
		t.Fatalf("the caller never reached an officer: %v; dialplan: %v", err, dialplan(c))
	}
	if err := c.WaitEnded(wctx); err != nil {
		t.Fatalf("the call did not end when the officer hung up: %v", err)
	}
	if n := len(w.phone("a101").Invites()); n != 1 {
		t.Errorf("a101 got %d INVITEs", n)
	}
	if !strings.Contains(dialplan(c), "Queue(hotline-fallback") {
		t.Errorf("not through the fallback queue: %v", dialplan(c))
	}
}

func dialplan(c *realasterisk.Call) string {
	var s []string
	for _, e := range c.Events() {
		if e.Type == "ChannelDialplan" && e.ChannelID() == c.HotlineChannel {
			s = append(s, e.DialplanApp+"("+e.AppData+")")
		}
	}
	return strings.Join(s, " ")
}

// loadShedding: with -max-calls 2, a third call is refused at once.
func loadShedding(t *testing.T, ctx context.Context, w *world) map[string]hotline.CallRecord {
	w.startServe(t, ctx, "-max-calls", "2")
	defer w.serve.kill()
	hold := &arisim.Script{MaxDurationMs: 12000} // in the menus, then gone
	p1 := w.place(t, ctx, did("j18"), "+13455550211", hold)
	p2 := w.place(t, ctx, did("j18"), "+13455550212", hold)
	checkFor(t, 10*time.Second, "two calls in progress", func() bool { return w.stats(t) >= 2 })
	p3 := w.place(t, ctx, did("j18"), "+13455550213", hold)
	rec := w.waitRecord(t, p3.id, 20*time.Second)
	if rec.Disposition != hotline.DispFailed || strings.Join(rec.IVRPath, ",") != "shed" {
		t.Errorf("%s shed call %s", w.name, summary(rec))
	}
	if w.real() {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := p3.real.WaitEnded(wctx); err != nil {
			t.Errorf("the refused caller is still up: %v", err)
		}
		for _, e := range p3.real.Events() {
			if e.Type == "StasisStart" && e.ChannelID() == p3.real.Channel {
				t.Errorf("the refused call was answered")
			}
		}
	}
	return map[string]hotline.CallRecord{"first": w.waitRecord(t, p1.id, 30*time.Second),
		"second": w.waitRecord(t, p2.id, 30*time.Second), "shed": rec}
}

// stats is the number of calls the controller has in progress.
func (w *world) stats(t *testing.T) int {
	var h struct {
		Calls map[string]int `json:"calls"`
	}
	if err := getJSON(w.serve.addr+"/healthz", &h); err != nil {
		return 0
	}
	n := 0
	for _, v := range h.Calls {
		n += v
	}
	return n
}

// restart: SIGKILL the controller with one call in a menu, one waiting, one
// ringing and one bridged; start it again: every call continues.
func restart(t *testing.T, ctx context.Context, w *world) map[string]hotline.CallRecord {
	w.setAgent(t, ctx, "a109", phone{answerAfter: time.Second, talk: 35 * time.Second})
	w.setAgent(t, ctx, "a110", phone{answerAfter: 12 * time.Second, talk: 5 * time.Second})
	w.setAgent(t, ctx, "a111", phone{answerAfter: time.Second, talk: 3 * time.Second})
	w.startServe(t, ctx)
	w.agentAction(t, "a109", "login")
	w.agentAction(t, "a110", "login")
	toOfficer := []arisim.Press{first("1", 300), press("2", 2000)}
	survey := []arisim.Press{{Digits: "2", AfterMs: 2000}}
	b := w.place(t, ctx, did("j18"), "+13455550221", &arisim.Script{Presses: toOfficer, AfterBridge: survey, HangupAfterBridgeMs: 15000})
	b.placedAt = time.Now()
	r := w.place(t, ctx, did("j19"), "+13455550222", &arisim.Script{Presses: toOfficer, AfterBridge: survey, HangupAfterBridgeMs: 15000})
	time.Sleep(time.Second)
	wt := w.place(t, ctx, did("j18"), "+13455550223", &arisim.Script{Presses: toOfficer, AfterBridge: survey, HangupAfterBridgeMs: 15000})
	m := w.place(t, ctx, did("j18"), "+13455550224", &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 11000)},
		AfterBridge: survey, HangupAfterBridgeMs: 15000})
	time.Sleep(time.Until(b.placedAtOr().Add(8 * time.Second)))
	w.serve.kill()
	t.Logf("%s: controller killed with calls bridged, ringing, waiting and in a menu", w.name)
	w.startServe(t, ctx)
	// At a fixed time after the first call, so that both worlds wait alike
	// whatever their restart took.
	time.Sleep(time.Until(b.placedAtOr().Add(14 * time.Second)))
	w.agentAction(t, "a111", "login")
	out := map[string]hotline.CallRecord{}
	for role, p := range map[string]*placed{"bridged": b, "ringing": r, "waiting": wt, "menu": m} {
		rec := w.waitRecord(t, p.id, 90*time.Second)
		out[role] = rec
		t.Logf("%s %s: %s", w.name, role, summary(rec))
	}
	want := map[string]string{"bridged": "a109", "ringing": "a110", "waiting": "a111", "menu": "a111"}
	for role, agent := range want {
		if rec := out[role]; rec.Disposition != hotline.DispAnswered || rec.Agent != agent || rec.Survey != hotline.Happy {
			t.Errorf("%s %s call after the restart: %s", w.name, role, summary(rec))
		}
	}
	return out
}

func (p *placed) placedAtOr() time.Time {
	if p.placedAt.IsZero() {
		return time.Now()
	}
	return p.placedAt
}

// drain: on SIGTERM the controller finishes its calls but takes no new one:
// a new call goes to the dialplan fallback, and the WebSocket is closed
// cleanly when it exits.
func drain(t *testing.T, ctx context.Context, w *world) {
	w.startServe(t, ctx)
	before := strings.Count(tailFile(w.ast.ConsoleLog, 1<<30), "Web socket closed abruptly")
	p1 := w.place(t, ctx, did("j18"), "+13455550231", &arisim.Script{MaxDurationMs: 8000})
	checkFor(t, 10*time.Second, "a call in progress", func() bool { return w.stats(t) >= 1 })
	w.serve.term()
	time.Sleep(500 * time.Millisecond)
	c, err := w.callers.Call(ctx, didMain, "+13455550232")
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := w.callers.Wait(wctx, func(e realasterisk.Event) bool {
		return e.Type == "ChannelDialplan" && e.ChannelID() == c.HotlineChannel && strings.Contains(e.AppData, "hotline/fallback")
	}); err != nil {
		t.Errorf("a call made during the drain did not reach the fallback: %v; dialplan: %s", err, dialplan(c))
	}
	_ = c.Hangup(ctx)
	rec := w.waitRecord(t, p1.id, 30*time.Second)
	if rec.HungUpBy != "caller" {
		t.Errorf("the call in progress during the drain: %s", summary(rec))
	}
	select {
	case <-w.serve.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("the controller did not exit after its last call")
	}
	if after := strings.Count(tailFile(w.ast.ConsoleLog, 1<<30), "Web socket closed abruptly"); after != before {
		t.Errorf("Asterisk logged 'Web socket closed abruptly' when the controller exited")
	}
}

// asteriskRestarted: a controller restarted on the old Redis state after an
// Asterisk restart closes the calls whose channels are gone (system failure)
// instead of adopting them.
func asteriskRestarted(t *testing.T, ctx context.Context, w *world) {
	w.startServe(t, ctx)
	p := w.place(t, ctx, did("j18"), "+13455550241", &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000)}})
	checkFor(t, 20*time.Second, "the caller waiting", func() bool { return strings.Contains(eventTypes(w.events(t, p.id)), "ENTERQUEUE") })
	w.serve.kill()
	old := w.ast
	w.callers.Close()
	if err := old.Stop(); err != nil {
		t.Fatal(err)
	}
	a, err := realasterisk.Start(ctx, realasterisk.Options{DeskPhones: deskPhones(), Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Stop() })
	w.ast, w.ariURL, w.ariPass = a, a.ARIURL, a.ARIPassword
	if w.callers, err = a.Callers(ctx); err != nil {
		t.Fatal(err)
	}
	w.startServe(t, ctx)
	rec := w.waitRecord(t, p.id, 30*time.Second)
	if rec.HungUpBy != "system" || rec.Disposition == hotline.DispAnswered {
		t.Errorf("a call lost with the old Asterisk: %s", summary(rec))
	}
	if n := w.stats(t); n != 0 {
		t.Errorf("%d calls adopted from the old Asterisk", n)
	}
}

func grepFile(path, s string) string {
	var out []string
	for _, l := range strings.Split(tailFile(path, 1<<30), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
