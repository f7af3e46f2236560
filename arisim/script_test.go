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
