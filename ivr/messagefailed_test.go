package ivr_test

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// A message that cannot be recorded while an officer can take the call: the
// caller is told of the technical problem and asked to hold, and is then
// really queued and answered (not hung up on).
func TestFailedRecordingHoldsForAnOfficer(t *testing.T) {
	cfg := strings.Replace(testConfigYAML(nil), "      - {digit: \"6\", action: officer, queue: slow}\n",
		"      - {digit: \"6\", action: officer, queue: slow}\n      - {digit: \"7\", action: message}\n", 1)
	e := newEnv(t, cfg)
	n := e.newSim("node1")
	n.sim.FailRecordings("cannot write")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550211", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("7", 2000)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a1" || rec.Queue != "general" {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); !strings.Contains(got, "message_failed,queue:general") {
		t.Errorf("path %s", got)
	}
	heard := n.truth(ch).Heard
	if se := indexOf(heard, "system_error"); se < 0 || indexOf(heard[se:], "connecting") < 0 {
		t.Errorf("heard %v: want system_error, then the queue", heard)
	}
}

// After hours the message cannot be recorded: the caller is told so and
// offered a callback, which they take.
func TestFailedRecordingAfterHoursOffersCallback(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.sim.FailRecordings("cannot write")
	n.start("ctl1")
	ch := n.call("3455550212", didNight, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), // officer → closed
		press("2", 5000),   // leave a message: fails
		press("1", 1500)}}) // the callback offered instead, within the 3 s menu timeout (prompts without sounds fail at once)
	rec := e.waitRecord(ch)
	if !rec.Callback || rec.Disposition != hotline.DispAfterHours || rec.HungUpBy != "system" {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); !strings.HasSuffix(got, "closed:message,message_failed,closed:callback") {
		t.Errorf("path %s", got)
	}
	if indexOf(n.truth(ch).Heard, "message_failed_callback") < 0 {
		t.Errorf("heard %v", n.truth(ch).Heard)
	}
	if got := eventTypes(e.events(ch)); got != "CALLBACKREQUESTED" {
		t.Errorf("events %s", got)
	}
}
