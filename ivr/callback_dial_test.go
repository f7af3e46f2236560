package ivr_test

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// defaultCallbackDial runs the controller with the configuration's callback
// template instead of the harness's PJSIP/<number>.
func defaultCallbackDial(o *ivr.Options) { o.CallbackEndpoint = nil }

// callbackRequested places a caller who waits in the general queue and asks
// for a callback; it returns the caller's channel.
func callbackRequested(t *testing.T, e *env, n *node, number string) string {
	t.Helper()
	ch := n.call(number, didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), press("2", 22000)}})
	if rec := e.waitRecord(ch); rec.Disposition != hotline.DispCallback {
		t.Fatalf("record %+v", rec)
	}
	return ch
}

// The callback goes out through the trunk the shipped pjsip.conf names
// (hotline.callback_dial's default PJSIP/{number}@provider) and reaches the citizen.
func TestCallbackThroughProviderTrunk(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("provider", arisim.EndpointBehaviour{AnswerAfterMs: 2000}) // the provider: the citizen answers
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.startWith("ctl1", defaultCallbackDial)
	ch := callbackRequested(t, e, n, "3455550141")
	e.login("a1")
	if err := n.ctl.Dispatch(e.ctx, "general"); err != nil {
		t.Fatal(err)
	}
	cb := e.waitRecord("cb-" + ch)
	if cb.Disposition != hotline.DispAnswered || cb.Agent != "a1" {
		t.Fatalf("callback record %+v", cb)
	}
	var leg arisim.Call
	for _, c := range n.sim.Calls() {
		if c.ChannelID == "cb-"+ch {
			leg = c
		}
	}
	if leg.Endpoint != "PJSIP/3455550141@provider" {
		t.Errorf("callback leg endpoint %q, want PJSIP/3455550141@provider", leg.Endpoint)
	}
}

// A callback that cannot reach the citizen is recorded as failed with the
// reason, and the queue's event log says so (CALLBACKFAILED).
func TestCallbackFailedIsAQueueEvent(t *testing.T) {
	cfg := strings.Replace(testConfigYAML(nil), "  name: Test Line\n", "  name: Test Line\n  callback_dial: \"PJSIP/{number}@carrier\"\n", 1)
	e := newEnv(t, cfg)
	n := e.newSim("node1")
	n.agent("carrier", arisim.EndpointBehaviour{RejectCause: 17}) // busy
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	n.startWith("ctl1", defaultCallbackDial)
	ch := callbackRequested(t, e, n, "3455550142")
	e.login("a1")
	if err := n.ctl.Dispatch(e.ctx, "general"); err != nil {
		t.Fatal(err)
	}
	cb := e.waitRecord("cb-" + ch)
	if cb.Disposition != hotline.DispFailed || cb.HungUpBy != "system" {
		t.Fatalf("callback record %+v", cb)
	}
	evs := e.events(ch)
	if got := eventTypes(evs); got != "ENTERQUEUE,CALLBACKREQUESTED,CALLBACKFAILED" {
		t.Fatalf("events %s", got)
	}
	if last := evs[len(evs)-1]; last.Data != "rejected" || last.Queue != "general" {
		t.Errorf("CALLBACKFAILED %+v", last)
	}
}
