package asterisktest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// agentToken creates an agent account acting as agent id and returns a
// bearer token of it (the panel's call control as a machine client).
func (w *world) agentToken(t *testing.T, id string) string {
	t.Helper()
	bin := buildHotline(t)
	user := exec.Command(bin, "user", "add", "-username", "agent-"+id, "-role", "agent", "-agent", id, "-config", w.cfgPath)
	user.Env = append(os.Environ(), "DATABASE_URL="+w.dsn, "HOTLINE_PASSWORD=asterisktest-"+id)
	if out, err := user.CombinedOutput(); err != nil {
		t.Fatalf("hotline user add: %v: %s", err, out)
	}
	tok := exec.Command(bin, "user", "token", "-username", "agent-"+id, "-name", "asterisktest")
	tok.Env = append(os.Environ(), "DATABASE_URL="+w.dsn)
	out, err := tok.Output()
	if err != nil {
		t.Fatalf("hotline user token: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// panelCall posts a call-control action as the agent of token; it returns
// the status.
func (w *world) panelCall(t *testing.T, token, action string, body map[string]string) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, w.serve.addr+"/api/v1/agent/call/"+action, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", action, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

// panelState is the agent's call state and transfer state on the panel.
func (w *world) panelState(t *testing.T, token string) (call, transfer string) {
	t.Helper()
	var st struct {
		Call *struct {
			State    string `json:"state"`
			Transfer *struct {
				State string `json:"state"`
			} `json:"transfer"`
		} `json:"call"`
	}
	req, _ := http.NewRequest(http.MethodGet, w.serve.addr+"/api/v1/agent/state", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("agent state: %v", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("agent state: %v", err)
	}
	if st.Call == nil {
		return "", ""
	}
	if st.Call.Transfer != nil {
		transfer = st.Call.Transfer.State
	}
	return st.Call.State, transfer
}

// eventFilter lists the event types the hotline application's filter
// disallows, as ARI reports it (sorted).
func (w *world) eventFilter(t *testing.T) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.ariURL+"/applications/hotline", nil)
	req.SetBasicAuth("hotline", w.ariPass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("ARI application: %v", err)
	}
	defer resp.Body.Close()
	var app struct {
		Disallowed []struct {
			Type string `json:"type"`
		} `json:"events_disallowed"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&app); err != nil {
		t.Fatalf("ARI application: %v", err)
	}
	out := []string{}
	for _, d := range app.Disallowed {
		out = append(out, d.Type)
	}
	slices.Sort(out)
	return out
}

// bridgeChannels lists the channels in a bridge as Asterisk's ARI reports it
// (nil when the bridge does not exist).
func (w *world) bridgeChannels(t *testing.T, id string) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, w.ariURL+"/bridges/"+id, nil)
	req.SetBasicAuth("hotline", w.ariPass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("ARI bridge %s: %v", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil
	}
	var b struct {
		Channels []string `json:"channels"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		t.Fatalf("ARI bridge %s: %v", id, err)
	}
	slices.Sort(b.Channels)
	return b.Channels
}

func hasEvent(evs []hotline.QueueEvent, typ hotline.QueueEventType, agent, dataPrefix string) bool {
	return slices.ContainsFunc(evs, func(e hotline.QueueEvent) bool {
		return e.Type == typ && e.Agent == agent && strings.HasPrefix(e.Data, dataPrefix)
	})
}

// Transfers on the real Asterisk, agents' phones being SIPp: a blind
// transfer to a named agent (refused while they are signed out), then an
// attended transfer completed. Asterisk's own bridges say who talks with
// whom.
func TestRealAsteriskTransfers(t *testing.T) {
	needAsterisk(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w := realWorld(t, ctx, testConfig())
	announce(t, w)
	w.startServe(t, ctx)
	tok1, tok2 := w.agentToken(t, "a101"), w.agentToken(t, "a102")
	for _, id := range []string{"a101", "a102"} {
		w.setAgent(t, ctx, id, phone{answerAfter: time.Second, talk: 3 * time.Minute})
	}
	w.agentAction(t, "a101", "login")
	script := &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000)}, HangupAfterBridgeMs: 60_000}
	connected := func(p *placed, agent, data string) {
		t.Helper()
		checkFor(t, 40*time.Second, "CONNECT of "+agent+" "+data, func() bool {
			return hasEvent(w.events(t, p.id), hotline.EvConnect, agent, data)
		})
	}

	t.Run("blind_to_agent", func(t *testing.T) {
		p := w.place(t, ctx, did("j10"), "+13455550170", script)
		connected(p, "a101", "")
		body := map[string]string{"call_id": p.id, "agent": "a102"}
		if st := w.panelCall(t, tok1, "transfer", body); st != http.StatusConflict {
			t.Fatalf("transfer to a signed-out agent: %d, want 409", st)
		}
		if got := w.bridgeChannels(t, "br-"+p.id); !slices.Equal(got, []string{p.id, p.id + "-a1"}) {
			t.Fatalf("after the refused transfer the caller's bridge holds %v", got)
		}
		w.agentAction(t, "a102", "login")
		if st := w.panelCall(t, tok1, "transfer", body); st != http.StatusOK {
			t.Fatalf("transfer: %d", st)
		}
		connected(p, "a102", "transfer")
		checkFor(t, 10*time.Second, "the caller bridged with a102's leg on Asterisk", func() bool {
			return slices.Equal(w.bridgeChannels(t, "br-"+p.id), []string{p.id, p.id + "-a2"})
		})
		if n := len(w.phones["a102"].AnswerTimes()); n != 1 {
			t.Errorf("a102's phone answered %d calls, want 1", n)
		}
		evs := w.events(t, p.id)
		if !hasEvent(evs, hotline.EvBlindTransfer, "a101", "agent:a102") || !hasEvent(evs, hotline.EvCompleteAgent, "a101", "transfer") {
			t.Errorf("events %s", eventTypes(evs))
		}
		if err := p.real.Hangup(ctx); err != nil {
			t.Fatal(err)
		}
		rec := w.waitRecord(t, p.id, 30*time.Second)
		if rec.Disposition != hotline.DispAnswered || rec.Agent != "a102" || rec.HungUpBy != "caller" || len(rec.Offers) != 2 {
			t.Errorf("record %s", summary(rec))
		}
	})

	t.Run("attended_complete", func(t *testing.T) {
		checkFor(t, 20*time.Second, "a101 and a102 available again", func() bool {
			s1, _ := w.agentState(t, "a101")
			s2, _ := w.agentState(t, "a102")
			return s1 == "available" && s2 == "available"
		})
		p := w.place(t, ctx, did("j10"), "+13455550171", script)
		connected(p, "a101", "")
		body := map[string]string{"call_id": p.id}
		if st := w.panelCall(t, tok1, "transfer", map[string]string{"call_id": p.id, "agent": "a102", "mode": "attended"}); st != http.StatusOK {
			t.Fatalf("attended transfer: %d", st)
		}
		checkFor(t, 20*time.Second, "a102 consulted (their phone answered)", func() bool {
			c, _ := w.panelState(t, tok2)
			return c == "consulting"
		})
		if _, tr := w.panelState(t, tok1); tr != "talking" {
			t.Errorf("a101's transfer state %q, want talking", tr)
		}
		// On hold the caller is out of the call's bridge (hold.go), which stays, empty, for its return.
		checkFor(t, 10*time.Second, "the agents in a bridge of their own, the caller on hold in none", func() bool {
			br := w.bridgeChannels(t, "br-"+p.id)
			return slices.Equal(w.bridgeChannels(t, "cbr-"+p.id), []string{p.id + "-a1", p.id + "-t2"}) &&
				br != nil && len(br) == 0
		})
		if st := w.panelCall(t, tok1, "transfer/complete", body); st != http.StatusOK {
			t.Fatalf("complete: %d", st)
		}
		checkFor(t, 10*time.Second, "the caller bridged with a102's consultation leg on Asterisk", func() bool {
			return slices.Equal(w.bridgeChannels(t, "br-"+p.id), []string{p.id, p.id + "-t2"}) && w.bridgeChannels(t, "cbr-"+p.id) == nil
		})
		checkFor(t, 10*time.Second, "ATTENDEDTRANSFER and a102's CONNECT", func() bool {
			evs := w.events(t, p.id)
			return hasEvent(evs, hotline.EvAttendedTransfer, "a101", "agent:a102") && hasEvent(evs, hotline.EvConnect, "a102", "attended_transfer")
		})
		if c, _ := w.panelState(t, tok2); c != "talking" {
			t.Errorf("a102's call state %q, want talking", c)
		}
		if st := w.panelCall(t, tok2, "hangup", body); st != http.StatusOK {
			t.Fatalf("a102 hangs up: %d", st)
		}
		rec := w.waitRecord(t, p.id, 90*time.Second)
		if rec.Disposition != hotline.DispAnswered || rec.Agent != "a102" || rec.HungUpBy != "agent" {
			t.Errorf("record %s", summary(rec))
		}
		t.Logf("events: %s", eventTypes(w.events(t, p.id)))
	})
}
