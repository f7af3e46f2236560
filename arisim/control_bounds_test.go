package arisim

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestControlRefusesBadInput: every control input the far end cannot act on is refused with 400 and the reason,
// and nothing happens.
func TestControlRefusesBadInput(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	st, b := ts.sim_("POST", "inbound?app=hotline&from=%2B1555&to=1000", "")
	if st != 200 {
		t.Fatalf("inbound %d %s", st, b)
	}
	var r struct {
		ChannelID string `json:"channel_id"`
	}
	_ = json.Unmarshal(b, &r)
	ws.waitEvent("StasisStart", onChannel(r.ChannelID))
	ch := "channels/" + r.ChannelID
	cases := []struct {
		method, path, body, reason string
	}{
		{"POST", ch + "/dtmf?digits=1x", "", `'x' is not a DTMF digit`},
		{"POST", ch + "/dtmf?digits=", "", "digits is required"},
		{"POST", ch + "/dtmf?digits=%E2%82%AC", "", "is not a DTMF digit"},
		{"POST", ch + "/dtmf?digits=1&gap_ms=-5", "", `gap_ms: "-5"`},
		{"POST", ch + "/dtmf?digits=1&gap_ms=soon", "", `gap_ms: "soon"`},
		{"POST", ch + "/hangup?cause=-1", "", `cause: "-1"`},
		{"POST", ch + "/hangup?cause=999", "", `cause: "999"`},
		{"PUT", "endpoints/PJSIP/agent1", `{"answer_after_ms":-1}`, "answer_after_ms: -1 ms"},
		{"PUT", "endpoints/PJSIP/agent1", `{"talk_ms":-30000}`, "talk_ms: -30000 ms"},
		{"PUT", "endpoints/PJSIP/agent1", `{"talk_jitter_ms":-1}`, "talk_jitter_ms"},
		{"PUT", "endpoints/PJSIP/agent1", `{"reject_cause":-17}`, "reject_cause: -17"},
		{"PUT", "endpoints/PJSIP/agent1", `{"answer_afer_ms":100}`, `unknown field "answer_afer_ms"`},
		{"POST", "inbound?app=hotline", `{"patience_ms":-1}`, "patience_ms: -1 ms"},
		{"POST", "inbound?app=hotline", `{"presses":[{"digits":"9","after_ms":-100}]}`, "presses[0].after_ms: -100 ms"},
		{"POST", "inbound?app=hotline", `{"presses":[{"digits":"q"}]}`, `presses[0].digits: 'q' is not a DTMF digit`},
		{"POST", "inbound?app=hotline", `{"after_bridge":[{"digits":"1","gap_ms":-1}]}`, "after_bridge[0].gap_ms"},
		{"POST", "inbound?app=hotline", `{"presses":[{"digits":"1","from":"later"}]}`, `presses[0].from: "later"`},
		{"POST", "inbound?app=hotline", `{"patiense_ms":1000}`, `unknown field "patiense_ms"`},
		{"GET", "calls?after=-1", "", `after: "-1"`},
		{"GET", "calls?limit=lots", "", `limit: "lots"`},
	}
	for _, c := range cases {
		st, b := ts.sim_(c.method, c.path, c.body)
		var e struct{ Message string }
		_ = json.Unmarshal(b, &e)
		if st != 400 || !strings.Contains(e.Message, c.reason) {
			t.Errorf("%s %s %s: %d %s, want 400 with %q", c.method, c.path, c.body, st, b, c.reason)
		}
	}
	// Nothing happened: one call, no digit received, still up; the endpoint untouched.
	calls := ts.sim.Calls()
	if len(calls) != 1 || len(calls[0].Digits) != 0 || !calls[0].HungUp.IsZero() {
		t.Errorf("after refused inputs: %+v", calls)
	}
	// Valid input still works, lower-case A-D included.
	if st, b := ts.sim_("POST", ch+"/dtmf?digits=1a%23&gap_ms=0", ""); st != 204 {
		t.Errorf("valid dtmf: %d %s", st, b)
	}
	if err := ts.sim.SendDTMF(context.Background(), r.ChannelID, "12!", 0); err == nil || !strings.Contains(err.Error(), "not a DTMF digit") {
		t.Errorf("Go API SendDTMF with '!': %v", err)
	}
}

// TestCallsWindow: with KeepCalls the simulator keeps a bounded window of records; ended calls go first, calls in
// progress are never dropped, and ?after=&limit= pages through what is kept.
func TestCallsWindow(t *testing.T) {
	ts := newTestSim(t, Options{KeepCalls: 8})
	ws := ts.connect("hotline")
	ctx := context.Background()
	var up []string
	for i := range 30 {
		id, err := ts.sim.Inbound(ctx, "hotline", fmt.Sprint("+1555", i), "1000", nil)
		if err != nil {
			t.Fatal(err)
		}
		ws.waitEvent("StasisStart", onChannel(id))
		if i%10 == 0 {
			up = append(up, id) // three calls stay up for the whole test
			continue
		}
		if err := ts.sim.Hangup(ctx, id, 16); err != nil {
			t.Fatal(err)
		}
		ws.waitEvent("StasisEnd", onChannel(id))
	}
	all := ts.sim.Calls()
	if len(all) > 8+8/8 {
		t.Fatalf("%d records kept, want at most 9 (KeepCalls 8, trimmed by an eighth)", len(all))
	}
	for _, id := range up {
		if _, ok := ts.sim.CallOf(id); !ok {
			t.Errorf("call %s in progress was dropped from the window", id)
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("records out of order: %d after %d", all[i].Seq, all[i-1].Seq)
		}
	}
	if last := all[len(all)-1].Seq; last != 30 {
		t.Errorf("last seq %d, want 30", last)
	}
	// Paging over HTTP: two at a time from the start gives the same records.
	var paged []Call
	after := uint64(0)
	for {
		st, b := ts.sim_("GET", fmt.Sprintf("calls?after=%d&limit=2", after), "")
		if st != 200 {
			t.Fatalf("page: %d %s", st, b)
		}
		var page []Call
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d, want at most 2", len(page))
		}
		paged = append(paged, page...)
		after = page[len(page)-1].Seq
	}
	if len(paged) != len(all) {
		t.Errorf("paged %d records, want %d", len(paged), len(all))
	}
	if _, evicted := ts.sim.CallsPage(0, 0); evicted != uint64(30-len(all)) {
		t.Errorf("evicted %d, want %d", evicted, 30-len(all))
	}
}
