package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// surveyCall waits in the general queue, pressing the survey key (9) while
// waiting when press9, and answers "3" (unhappy) two seconds after the
// officer hangs up if asked.
func surveyCall(n *node, from string, press9 bool) string {
	presses := []arisim.Press{{Digits: "1", AfterMs: 300, From: "answer"}, press("0", 1500)}
	if press9 {
		presses = append(presses, press("9", 3000))
	}
	return n.call(from, didMain, &arisim.Script{Presses: presses,
		AfterBridge: []arisim.Press{{Digits: "3", AfterMs: 2000}}, HangupAfterBridgeMs: 15000})
}

func ratingsOf(e *env, callID string) []hotline.Rating {
	var out []hotline.Rating
	for _, r := range e.ratings() {
		if r.CallID == callID {
			out = append(out, r.Rating)
		}
	}
	return out
}

// With default_opt_in false, only the caller who pressed 9 while waiting is
// asked to rate the call; the other hears goodbye.
func TestSurveyOptInWhileWaiting(t *testing.T) {
	e := newEnv(t, strings.Replace(testConfigYAML(nil), "default_opt_in: true", "default_opt_in: false", 1))
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000})
	n.start("ctl1")
	in := surveyCall(n, "3455550081", true)
	out := surveyCall(n, "3455550082", false)
	checkFor(t, 10*time.Second, "the survey key pressed while waiting", func() bool { return len(n.truth(in).Digits) == 3 })
	e.login("a1") // served from the next announcement's dispatch on
	recIn, recOut := e.waitRecord(in), e.waitRecord(out)
	if got := ratingsOf(e, in); len(got) != 1 || got[0] != hotline.Unhappy {
		t.Fatalf("caller who opted in: ratings %v (path %v)", got, recIn.IVRPath)
	}
	if !strings.Contains(strings.Join(recIn.IVRPath, ","), "survey:in") {
		t.Errorf("path %v lacks survey:in", recIn.IVRPath)
	}
	if got := ratingsOf(e, out); len(got) != 0 || recOut.Survey != 0 {
		t.Fatalf("caller who did not opt in was surveyed: %v", got)
	}
	if recIn.Disposition != hotline.DispAnswered || recOut.Disposition != hotline.DispAnswered {
		t.Fatalf("dispositions %s, %s", recIn.Disposition, recOut.Disposition)
	}
}

// With default_opt_in true, pressing 9 while waiting opts out.
func TestSurveyOptOutWhileWaiting(t *testing.T) {
	e := newEnv(t, testConfigYAML(nil))
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000})
	n.start("ctl1")
	outCall := surveyCall(n, "3455550083", true)
	inCall := surveyCall(n, "3455550084", false)
	checkFor(t, 10*time.Second, "the survey key pressed while waiting", func() bool { return len(n.truth(outCall).Digits) == 3 })
	e.login("a1")
	e.waitRecord(outCall)
	e.waitRecord(inCall)
	if got := ratingsOf(e, outCall); len(got) != 0 {
		t.Fatalf("caller who opted out was surveyed: %v", got)
	}
	if got := ratingsOf(e, inCall); len(got) != 1 || got[0] != hotline.Unhappy {
		t.Fatalf("caller surveyed by default: ratings %v", got)
	}
}
