package arisim

import (
	"testing"
	"time"
)

// TestFixedCallerFromEntry is the recording dialplan's [sim] caller: presses 1 three seconds
// after entering (answered or not) and hangs up two seconds after that.
func TestFixedCallerFromEntry(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id, err := ts.sim.Inbound(bg(), "hotline", "+1", "2", &Script{
		Presses: []Press{{Digits: "1", AfterMs: 3000, From: "entry"}}, MaxDurationMs: 5350})
	if err != nil {
		t.Fatal(err)
	}
	ss := ws.waitEvent("StasisStart", onChannel(id))
	d := ws.waitEvent("ChannelDtmfReceived", onChannel(id))
	end := ws.waitEvent("StasisEnd", onChannel(id))
	at := func(e map[string]any) time.Duration {
		return tsDiff(t, ss["timestamp"].(string), e["timestamp"].(string))
	}
	if at(d) != 3100*time.Millisecond || at(end) != 5350*time.Millisecond {
		t.Fatalf("digit at %v, hang-up at %v", at(d), at(end))
	}
	if c, _ := ts.sim.CallOf(id); c.HungUpBy != "caller" || !c.Answered.IsZero() || c.Digits[0].Digit != "1" {
		t.Fatalf("%+v", c)
	}
}

// TestHoldIsNotTheEndOfTheConversation: a caller taken out of its bridge for
// music on hold (the controller's hold) does not start its after-the-call
// behaviour (survey presses, hang-up); leaving the bridge at the end does.
func TestHoldIsNotTheEndOfTheConversation(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	script := func() *Script {
		return &Script{AfterBridge: []Press{{Digits: "1", AfterMs: 500}}, HangupAfterBridgeMs: 2000, MaxDurationMs: 600000}
	}
	// talking puts a scripted caller and another channel in a mixing bridge, the clock held.
	talking := func(bridge string) (string, func()) {
		hold := ts.clk.Hold()
		id, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", script())
		other, _ := ts.sim.Inbound(bg(), "hotline", "3", "2", nil)
		ws.waitEvent("StasisStart", onChannel(id))
		ws.waitEvent("StasisStart", onChannel(other))
		ts.expect("POST", "channels/"+id+"/answer", nil, 204)
		ts.expect("POST", "channels/"+other+"/answer", nil, 204)
		ts.expect("POST", "bridges/"+bridge+"?type=mixing", nil, 200)
		ts.expect("POST", "bridges/"+bridge+"/addChannel?channel="+id+","+other, nil, 204)
		return id, hold
	}
	digits := func(id string) (n int) {
		for _, e := range ws.snapshot() {
			if e["type"] == "ChannelDtmfReceived" && chanOf(e) == id {
				n++
			}
		}
		return n
	}

	// Held for good: no survey key, no hang-up 2 s later; the caller stays until its
	// longest call (10 min).
	id, release := talking("mix1")
	ts.expect("POST", "bridges/mix1/removeChannel?channel="+id, nil, 204)
	ts.expect("POST", "channels/"+id+"/moh", nil, 204)
	held := ts.clk.Now()
	release()
	ws.waitEvent("StasisEnd", onChannel(id))
	if c, _ := ts.sim.CallOf(id); c.HungUp.Sub(held) != 10*time.Minute || digits(id) != 0 {
		t.Fatalf("held caller: hung up %v after the hold by %q, %d digits", c.HungUp.Sub(held), c.HungUpBy, digits(id))
	}

	// Held, resumed, then the conversation ends: one survey key and the hang-up 2 s
	// after leaving (the hold's own after-the-call behaviour void).
	id, release = talking("mix2")
	ts.expect("POST", "bridges/mix2/removeChannel?channel="+id, nil, 204)
	ts.expect("POST", "channels/"+id+"/moh", nil, 204)
	ts.expect("DELETE", "channels/"+id+"/moh", nil, 204)
	ts.expect("POST", "bridges/mix2/addChannel?channel="+id, nil, 204)
	ts.expect("POST", "bridges/mix2/removeChannel?channel="+id, nil, 204)
	left := ts.clk.Now()
	release()
	ws.waitEvent("StasisEnd", onChannel(id))
	if c, _ := ts.sim.CallOf(id); c.HungUpBy != "caller" || c.HungUp.Sub(left) != 2*time.Second || digits(id) != 1 {
		t.Fatalf("after the call: hung up by %q %v after leaving, %d digits", c.HungUpBy, c.HungUp.Sub(left), digits(id))
	}
}
