package agentpanel_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/internal/uitest"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/simulation"
)

// Two controllers share Redis: the panel is served next to the first, the
// call arrives on the second's (simulated) Asterisk. Every action reaches
// the owning controller through its command list: answer, hold, resume,
// an attended transfer answered and completed; once the owner is gone the
// panel gets a clear 503 instead of waiting for ever.
func TestCallControlAcrossControllers(t *testing.T) {
	s := uitest.Start(t)
	rig2, err := simulation.NewRig(context.Background(), simulation.Deps{DB: s.DB, Redis: testenv.MustRedis(t)},
		simulation.RigOptions{Clock: clock.Real(), Config: s.Config, Prefix: s.Rig.Prefix, ControllerID: "ctl2",
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	t.Cleanup(func() {
		if !closed {
			rig2.Close()
		}
	})
	for _, a := range uitest.Agents {
		rig2.Sim.SetEndpoint("PJSIP", a, arisim.EndpointBehaviour{NoAnswer: true})
	}
	a1 := webtest.SignIn(t, s.URL, "agent1", uitest.Password)
	a2 := webtest.SignIn(t, s.URL, "agent2", uitest.Password)
	post(t, a1, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	sc := &arisim.Script{Presses: []arisim.Press{{Digits: "10", AfterMs: 300, GapMs: 300}}, PatienceMs: 600_000,
		HangupAfterBridgeMs: 30_000}
	ch, err := rig2.Sim.Inbound(context.Background(), "hotline", "+13455550190", s.Config.Hotline.Numbers[0].DID, sc)
	if err != nil {
		t.Fatal(err)
	}
	var cur agentpanel.State
	uitest.CheckFor(t, 15*time.Second, "the second controller's call ringing on the panel, with its context", func() bool {
		cur = state(t, a1)
		return cur.Call != nil && cur.Call.State == "ringing" && cur.Call.Number == "+13455550190"
	})
	id := cur.Call.CallID
	if id != ch {
		t.Fatalf("call id %s, channel %s", id, ch)
	}
	body := map[string]string{"call_id": id}
	post(t, a1, "/api/v1/agent/call/answer", body, 200)
	uitest.CheckFor(t, 5*time.Second, "talking", func() bool {
		cur = state(t, a1)
		return cur.Call != nil && cur.Call.State == "talking"
	})
	if got := post(t, a1, "/api/v1/agent/call/hold", body, 200); got.Call == nil || !got.Call.Held {
		t.Fatalf("after hold: %+v", got.Call)
	}
	post(t, a1, "/api/v1/agent/call/hold", body, 409) // the owner's refusal comes back as it is
	post(t, a1, "/api/v1/agent/call/resume", body, 200)
	post(t, a2, "/api/v1/agent/state", map[string]string{"action": "login"}, 200)
	post(t, a1, "/api/v1/agent/call/transfer", map[string]string{"call_id": id, "agent": "a102", "mode": "attended"}, 200)
	uitest.CheckFor(t, 10*time.Second, "the consultation ringing at agent2", func() bool {
		c := state(t, a2).Call
		return c != nil && c.State == "consult_ringing"
	})
	post(t, a2, "/api/v1/agent/call/answer", body, 200)
	uitest.CheckFor(t, 5*time.Second, "the agents talking", func() bool {
		c := state(t, a2).Call
		return c != nil && c.State == "consulting"
	})
	post(t, a1, "/api/v1/agent/call/transfer/complete", body, 200)
	uitest.CheckFor(t, 5*time.Second, "agent2 talking with the caller", func() bool {
		c := state(t, a2).Call
		return c != nil && c.State == "talking"
	})
	// The owner's ground truth: its simulated caller was bridged with agent2's leg.
	truth, _ := rig2.Sim.CallOf(ch)
	if !talkedWith(truth, id+"-t2") {
		t.Fatalf("ground truth %+v", truth.Bridges)
	}
	uitest.CheckFor(t, 5*time.Second, "ATTENDEDTRANSFER in the log", func() bool {
		return hasEvents(t, s, id, "CONNECT/a101/", "HOLD/a101/", "UNHOLD/a101/", "ATTENDEDTRANSFER/a101/agent:a102")
	})

	// The owner stops (its lease is still running): the command is not
	// taken, the panel gets 503 with the reason once the wait is over.
	rig2.Close()
	closed = true
	var e webtest.ErrorCode
	start := time.Now()
	if st := a2.Do(t, "POST", "/api/v1/agent/call/hold", body, &e); st != 503 || e.Error.Code != "unavailable" ||
		!strings.Contains(e.Error.Message, "ctl2") {
		t.Fatalf("hold with the owner gone: %d %+v", st, e)
	}
	t.Logf("refused after %v: %s", time.Since(start), e.Error.Message)
}
