package arisim

import (
	"testing"
)

// /continue and /redirect as ../shared/ari/README.md says Asterisk does:
// StasisEnd comes before the 204 and nothing follows; /play is then 409
// "Channel not in Stasis application"; /continue to a missing context is
// 204 and the call hangs up. The ground truth records where the call went.
func TestContinueAndRedirect(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	call := func() string {
		id, err := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
		if err != nil {
			t.Fatal(err)
		}
		ws.waitEvent("StasisStart", onChannel(id))
		ts.expect("POST", "channels/"+id+"/answer", nil, 204)
		return id
	}
	truth := func(id string) Call { c, _ := ts.sim.CallOf(id); return c }

	id := call()
	hold := ts.clk.Hold() // keep the dialplan from ending the call while we look
	ts.expect("POST", "channels/"+id+"/continue?context=hotline-fallback&extension=s&priority=1", nil, 204)
	ws.waitEvent("StasisEnd", onChannel(id)) // written before the 204
	ts.expect("POST", "channels/"+id+"/play?media=sound:beep", nil, 409)
	hold()
	if c := truth(id); c.Continued != "hotline-fallback" {
		t.Errorf("ground truth %+v: want continued in hotline-fallback", c)
	}
	n := len(ws.types(id))

	missing := call()
	ts.expect("POST", "channels/"+missing+"/continue?context=no-such-context", nil, 204)
	checkFor(t, func() bool { return !truth(missing).HungUp.IsZero() }, "call to a missing context hung up")

	red := call()
	ts.expect("POST", "channels/"+red+"/redirect", nil, 400)
	ts.expect("POST", "channels/"+red+"/redirect?endpoint=Local/100@default", nil, 422)
	hold = ts.clk.Hold() // keep the far end from ending the call while we look
	ts.expect("POST", "channels/"+red+"/redirect?endpoint=PJSIP/3455550100@provider", nil, 204)
	ws.waitEvent("StasisEnd", onChannel(red))
	ts.expect("POST", "channels/"+red+"/play?media=sound:beep", nil, 409)
	hold()
	checkFor(t, func() bool { return !truth(red).HungUp.IsZero() }, "redirected call ended here")
	if c := truth(red); c.Redirected != "PJSIP/3455550100@provider" {
		t.Errorf("ground truth %+v", c)
	}
	ts.expect("POST", "channels/nope/redirect?endpoint=PJSIP/x", nil, 404)
	if got := len(ws.types(id)); got != n {
		t.Errorf("events after /continue: %v", ws.types(id)[n:])
	}
}
