package arisim

import (
	"slices"
	"testing"
	"time"
)

func TestInboundAnswerPlayDTMFHangup(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id, err := ts.sim.Inbound(bg(), "hotline", "+15551230001", "1000", &Script{Name: "Alice",
		Presses: []Press{{Digits: "2", AfterMs: 3000, From: "answer"}}})
	if err != nil {
		t.Fatal(err)
	}
	ss := ws.waitEvent("StasisStart", onChannel(id))
	if got := ss["args"].([]any); len(got) != 2 || got[0] != "inbound" || got[1] != "1000" {
		t.Fatalf("args %v", got)
	}
	if st := ss["channel"].(map[string]any)["state"]; st != "Ring" {
		t.Fatalf("state %v", st)
	}
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	ws.waitEvent("ChannelStateChange", onChannel(id))
	r := ts.expect("POST", "channels/"+id+"/play/p1?media=sound:hello-world", nil, 201).json(t)
	if r["state"] != "queued" || r["id"] != "p1" {
		t.Fatalf("play reply %v", r)
	}
	fin := ws.waitEvent("PlaybackFinished", nil)
	st := ws.waitEvent("PlaybackStarted", nil)
	d := tsDiff(t, st["timestamp"].(string), fin["timestamp"].(string))
	if d != 1400*time.Millisecond {
		t.Fatalf("hello-world played %v", d)
	}
	dt := ws.waitEvent("ChannelDtmfReceived", onChannel(id))
	if dt["digit"] != "2" || dt["duration_ms"].(float64) != 100 {
		t.Fatalf("dtmf %v", dt)
	}
	ts.expect("DELETE", "channels/"+id, nil, 204)
	ws.waitEvent("StasisEnd", onChannel(id))
	want := []string{"StasisStart", "ChannelStateChange", "ChannelDtmfReceived", "ChannelHangupRequest", "StasisEnd"}
	if got := ws.types(id); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	c, _ := ts.sim.CallOf(id)
	if c.HungUpBy != "app" || len(c.Digits) != 1 || c.Answered.IsZero() {
		t.Fatalf("call record %+v", c)
	}
}

func tsDiff(t *testing.T, a, b string) time.Duration {
	t.Helper()
	ta, err := time.Parse("2006-01-02T15:04:05.000-0700", a)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := time.Parse("2006-01-02T15:04:05.000-0700", b)
	if err != nil {
		t.Fatal(err)
	}
	return tb.Sub(ta)
}

func TestOriginatePJSIPAndBridge(t *testing.T) {
	ts := newTestSim(t, Options{})
	ts.sim.SetEndpoint("PJSIP", "agent1", EndpointBehaviour{AnswerAfterMs: 2000, TalkMs: 5000})
	ws := ts.connect("hotline")
	caller, err := ts.sim.Inbound(bg(), "hotline", "+15551230001", "1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.waitEvent("StasisStart", onChannel(caller))
	ts.expect("POST", "channels/"+caller+"/answer", nil, 204)
	ts.expect("POST", "channels/"+caller+"/moh", nil, 204)
	r := ts.expect("POST", "channels?endpoint=PJSIP/agent1&app=hotline&appArgs=agent,1&channelId=ag1", nil, 200).json(t)
	if r["state"] != "Down" {
		t.Fatalf("originate reply %v", r)
	}
	ws.waitEvent("StasisStart", onChannel("ag1"))
	want := []string{"Dial", "ChannelStateChange", "Dial", "ChannelStateChange", "Dial", "StasisStart"}
	if got := ws.types("ag1"); !slices.Equal(got, want) {
		t.Fatalf("agent events %v want %v", got, want)
	}
	ts.expect("POST", "bridges?type=mixing&bridgeId=b1", nil, 200)
	ts.expect("POST", "bridges/b1/addChannel?channel="+caller+",ag1", nil, 204)
	ws.waitEvent("ChannelDestroyed", onChannel("ag1"))
	want = []string{"Dial", "ChannelStateChange", "Dial", "ChannelStateChange", "Dial", "StasisStart",
		"ChannelEnteredBridge", "ChannelConnectedLine", "ChannelHangupRequest", "ChannelLeftBridge", "StasisEnd", "ChannelDestroyed"}
	if got := ws.types("ag1"); !slices.Equal(got, want) {
		t.Fatalf("agent events %v want %v", got, want)
	}
	calls := ts.sim.Calls()
	var ag Call
	for _, c := range calls {
		if c.ChannelID == "ag1" {
			ag = c
		}
	}
	if ag.HungUpBy != "agent" || ag.Cause != 16 || ag.HungUp.Sub(ag.Bridges[0].Entered) != 5*time.Second {
		t.Fatalf("agent record %+v", ag)
	}
}
