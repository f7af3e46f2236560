package arisim

import (
	"slices"
	"testing"
	"time"
)

func TestBridgesResource(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	a := answeredCall(t, ts, ws)
	hb := ts.expect("POST", "bridges?type=holding&bridgeId=hold&name=wait", nil, 200).json(t)
	if hb["technology"] != "holding_bridge" || hb["bridge_type"] != "holding" || hb["bridge_class"] != "stasis" {
		t.Fatalf("%v", hb)
	}
	ts.expect("POST", "bridges?type=holding&bridgeId=hold", nil, 409)
	if r := ts.expect("POST", "bridges?type=bogus", nil, 500); string(r.body) != `{"message":"Unable to create bridge. Possible duplicate bridge id '(null)'"}` {
		t.Fatalf("%s", r.body)
	}
	ts.expect("POST", "bridges/hold/addChannel", nil, 400)
	ts.expect("POST", "bridges/hold/addChannel?channel=nope", nil, 400)
	ts.expect("POST", "bridges/nope/addChannel?channel="+a, nil, 404)
	ts.expect("POST", "bridges/hold/addChannel?channel="+a+"&role=participant", nil, 204)
	ts.expect("POST", "bridges/hold/moh?mohClass=default", nil, 204)
	ts.expect("DELETE", "bridges/hold/moh", nil, 204)
	ts.expect("DELETE", "bridges/hold/moh", nil, 409)
	// a channel not in Stasis (a Local caller's ;1 half) cannot join: 422
	lc, _ := ts.sim.Inbound(bg(), "hotline", "2", "3", &Script{Local: true})
	ws.waitEvent("StasisStart", onChannel(lc))
	ts.sim.mu.Lock()
	half := ts.sim.channels[lc].partner.id
	ts.sim.mu.Unlock()
	ts.expect("POST", "bridges/hold/addChannel?channel="+half, nil, 422)
	ts.expect("POST", "channels/"+half+"/answer", nil, 409)
	// move to a mixing bridge: Left then Entered; the holding bridge is then forgotten
	ts.expect("POST", "bridges", map[string]string{"type": "mixing", "bridgeId": "mix"}, 200)
	ts.expect("POST", "bridges/mix/addChannel?channel="+a, nil, 204)
	ts.expect("POST", "bridges/mix/addChannel?channel="+a, nil, 204) // again: Left then Entered
	ts.expect("POST", "bridges/mix/play/bp?media=sound:beep", nil, 201)
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["target_uri"] == "bridge:mix" })
	ts.expect("POST", "bridges/mix/removeChannel?channel=nope", nil, 400)
	ts.expect("DELETE", "bridges/hold", nil, 204)
	ts.expect("POST", "bridges/mix/addChannel?channel="+lc, nil, 204)
	ts.expect("DELETE", "bridges/mix", nil, 204)
	ts.expect("DELETE", "bridges/mix", nil, 404)
	ws.waitEvent("BridgeDestroyed", nil)
	want := []string{"StasisStart", "ChannelStateChange", "ChannelEnteredBridge", "ChannelLeftBridge", "ChannelEnteredBridge",
		"ChannelLeftBridge", "ChannelEnteredBridge",
		"ChannelConnectedLine", // the bridge announcer is the lone caller's other party
		"ChannelConnectedLine", // then the second caller is
		"ChannelLeftBridge"}
	if got := ws.types(a); !slices.Equal(got, want) {
		t.Fatalf("caller events %v", got)
	}
	destroyed := 0
	for _, e := range ws.snapshot() {
		if e["type"] == "BridgeDestroyed" {
			destroyed++
			if e["bridge"].(map[string]any)["id"] != "mix" {
				t.Fatalf("BridgeDestroyed for %v", e["bridge"])
			}
		}
	}
	if destroyed != 1 {
		t.Fatalf("%d BridgeDestroyed", destroyed)
	}
	if l := ts.expect("GET", "bridges", nil, 200); string(l.body) != "[]" {
		t.Fatalf("%s", l.body)
	}
}

func TestCallerScriptTimings(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	hold := ts.clk.Hold() // time stands still until the call is answered
	id, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", &Script{
		Presses:    []Press{{Digits: "12", AfterMs: 1000, From: "answer", GapMs: 500}, {Digits: "3", AfterMs: 2000}},
		PatienceMs: 5000, MaxDurationMs: 60000,
	})
	ss := ws.waitEvent("StasisStart", onChannel(id))
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	hold()
	var digits []string
	checkFor(t, func() bool {
		digits = digits[:0]
		for _, e := range ws.snapshot() {
			if e["type"] == "ChannelDtmfReceived" {
				digits = append(digits, e["digit"].(string)+"@"+tsDiff(t, ss["timestamp"].(string), e["timestamp"].(string)).String())
			}
		}
		return len(digits) == 3
	}, "three digits")
	if !slices.Equal(digits, []string{"1@1.1s", "2@1.6s", "3@3.7s"}) {
		t.Fatalf("digits %v", digits)
	}
	ws.waitEvent("StasisEnd", onChannel(id))
	if c, _ := ts.sim.CallOf(id); c.HungUp.Sub(c.Entered) != 60*time.Second || c.HungUpBy != "caller" {
		t.Fatalf("max duration: %+v", c)
	}
	// patience: hang up 5 s after MOH first starts unless bridged with someone
	hold = ts.clk.Hold()
	p, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", &Script{PatienceMs: 5000})
	ws.waitEvent("StasisStart", onChannel(p))
	ts.expect("POST", "channels/"+p+"/answer", nil, 204)
	ts.expect("POST", "channels/"+p+"/moh", nil, 204)
	at := ts.clk.Now()
	hold()
	hu := ws.waitEvent("ChannelHangupRequest", onChannel(p))
	c, _ := ts.sim.CallOf(p)
	if c.HungUp.Sub(at) != 5*time.Second || !c.Abandoned || hu["cause"].(float64) != 16 || c.FirstMOH != at {
		t.Fatalf("patience: hung up %v after MOH, %+v", c.HungUp.Sub(at), c)
	}
}
