package ivr_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// A digit pressed during a long information message stops it (DTMF does not
// stop playbacks on Asterisk) and is taken at once as the department-menu choice.
func TestDTMFStopsPrompt(t *testing.T) {
	e := newEnv(t, testConfigYAML(map[string]string{"info_gen": "sound:demo-congrats"})) // 22 s
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000})
	e.login("a1")
	n.start("ctl1")
	ch := n.call("3455550061", didMain, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("1", 2000), press("1", 2000), press("2", 1500)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); got != "lang:en,main:1,dept:gen:1,dept:gen:2,queue:general" {
		t.Errorf("path %s", got)
	}
	truth := n.truth(ch)
	if len(truth.Digits) != 4 {
		t.Fatalf("digits %+v", truth.Digits)
	}
	// Queued the instant the 4th digit came, 1.5 s into a 22 s message.
	if !near(rec.Enqueued, truth.Digits[3].At, 50*time.Millisecond) {
		t.Errorf("enqueued %v, last digit at %v", rec.Enqueued, truth.Digits[3].At)
	}
	checkAnswerTimes(t, rec, truth)
}

// A missing prompt file (PlaybackFinished failed) and a prompt that never
// finishes (unknown scheme: PlaybackStarted then nothing) do not stall the
// menus: the caller still reaches the default queue and an officer.
func TestBrokenPromptsDoNotStall(t *testing.T) {
	e := newEnv(t, testConfigYAML(map[string]string{"language_menu": "bogusscheme:x"}))
	n := e.newSim("node1", "en/hotline/main_menu", "es/hotline/main_menu")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000})
	e.login("a1")
	n.startWith("ctl1", nil)
	ch := n.call("3455550062", didMain, nil)
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Queue != "general" {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); got != "lang:en:default,default,queue:general" {
		t.Errorf("path %s", got)
	}
	// The language menu's playback never finished: the 3-minute safety timer went on.
	if w := rec.Enqueued.Sub(rec.Arrived); w < 3*time.Minute || w > 4*time.Minute {
		t.Errorf("queued %v after arrival", w)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
}

// Events ari/v5 cannot decode (ChannelTransfer, ChannelToneDetected) arrive
// mid-call; the call carries on.
func TestUnknownEventsMidCall(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000})
	n.start("ctl1")
	ch := n.call("3455550071", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)},
		AfterBridge: []arisim.Press{{Digits: "2", AfterMs: 1000}}})
	checkFor(t, 10*time.Second, "caller waiting", func() bool {
		p, _, _ := e.q.Position(e.ctx, "general", ch)
		return p == 1
	})
	base := strings.TrimSuffix(n.url, "/ari")
	for _, body := range []string{
		fmt.Sprintf(`{"type":"ChannelToneDetected","channel":{"id":%q,"name":"PJSIP/x","state":"Up"}}`, ch),
		fmt.Sprintf(`{"type":"ChannelTransfer","channel":{"id":%q,"name":"PJSIP/x","state":"Up"},"refer_to":{}}`, ch),
		`{"type":"ApplicationRegistered"}`,
		`{"type":"CallBroadcast","call_id":"x"}`,
	} {
		resp, err := http.Post(base+"/_sim/events?app=hotline", "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("inject: %d", resp.StatusCode)
		}
	}
	e.login("a1")
	if err := n.ctl.Dispatch(e.ctx, "general"); err != nil {
		t.Fatal(err)
	}
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Survey != hotline.Happy {
		t.Fatalf("record %+v", rec)
	}
	checkAnswerTimes(t, rec, n.truth(ch))
}
