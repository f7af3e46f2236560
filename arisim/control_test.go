package arisim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func (ts *testSim) sim_(method, path, body string) (int, []byte) {
	ts.t.Helper()
	release := ts.clk.Hold()
	defer release()
	req, _ := http.NewRequest(method, ts.srv.URL+"/_sim/"+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestControlAPISurveyAndCalls(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	st, b := ts.sim_("POST", "inbound?app=hotline&from=%2B1555&to=1000&name=Bob",
		`{"after_bridge":[{"digits":"1","after_ms":2000}],"hangup_after_bridge_ms":5000}`)
	if st != 200 {
		t.Fatalf("inbound %d %s", st, b)
	}
	var r struct {
		ChannelID string `json:"channel_id"`
	}
	_ = json.Unmarshal(b, &r)
	id := r.ChannelID
	ws.waitEvent("StasisStart", onChannel(id))
	if st, _ := ts.sim_("PUT", "endpoints/PJSIP/agent1", `{"answer_after_ms":500,"talk_ms":3000}`); st != 204 {
		t.Fatalf("put endpoint %d", st)
	}
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	ts.expect("POST", "channels?endpoint=PJSIP/agent1&app=hotline&channelId=ag", nil, 200)
	ws.waitEvent("StasisStart", onChannel("ag"))
	ts.expect("POST", "bridges", map[string]any{"type": "mixing", "bridgeId": "b"}, 200)
	ts.expect("POST", "bridges/b/addChannel", map[string]any{"channel": []string{id, "ag"}}, 204)
	ws.waitEvent("ChannelDestroyed", onChannel("ag"))
	ts.expect("POST", "bridges/b/removeChannel?channel="+id, nil, 204)
	d := ws.waitEvent("ChannelDtmfReceived", onChannel(id))
	left := ws.waitEvent("ChannelLeftBridge", onChannel(id))
	if d["digit"] != "1" || tsDiff(t, left["timestamp"].(string), d["timestamp"].(string)) != 2100*time.Millisecond {
		t.Fatalf("survey digit %v at %v after leaving", d["digit"], tsDiff(t, left["timestamp"].(string), d["timestamp"].(string)))
	}
	end := ws.waitEvent("ChannelHangupRequest", onChannel(id))
	if end["cause"].(float64) != 16 || end["soft"] != nil {
		t.Fatalf("caller hangup %v", end)
	}
	st, b = ts.sim_("GET", "calls", "")
	var calls []Call
	if err := json.Unmarshal(b, &calls); err != nil || st != 200 {
		t.Fatalf("calls %d %s", st, b)
	}
	c := calls[0]
	if c.ChannelID != id || c.HungUpBy != "caller" || len(c.Bridges) != 1 || !slices.Equal(c.Bridges[0].With, []string{"ag"}) || !c.Bridges[0].Talked || len(c.Digits) != 1 {
		t.Fatalf("call record %+v", c)
	}
	if calls[1].HungUpBy != "agent" {
		t.Fatalf("agent record %+v", calls[1])
	}
}

func TestFailedAtEntryAndInject(t *testing.T) {
	ts := newTestSim(t, Options{Apps: []string{"hotline"}})
	st, b := ts.sim_("POST", "inbound?app=hotline&from=1&to=2", "")
	if st != 200 || !strings.Contains(string(b), `"failed_at_entry":true`) {
		t.Fatalf("inbound without app: %d %s", st, b)
	}
	if calls := ts.sim.Calls(); len(calls) != 1 || !calls[0].FailedAtEntry || calls[0].HungUpBy != "system" {
		t.Fatalf("calls %+v", calls)
	}
	ws := ts.connect("hotline,other")
	if st, b := ts.sim_("POST", "events?app=hotline", `{"type":"ChannelToneDetected","channel":{"id":"x"}}`); st != 200 || !strings.Contains(string(b), `"delivered":1`) {
		t.Fatalf("inject %d %s", st, b)
	}
	e := ws.waitEvent("ChannelToneDetected", nil)
	if e["application"] != "hotline" || e["asterisk_id"] == nil || e["timestamp"] == nil {
		t.Fatalf("injected %v", e)
	}
}

func TestOriginateOutcomes(t *testing.T) {
	ts := newTestSim(t, Options{})
	ts.sim.SetEndpoint("PJSIP", "busy", EndpointBehaviour{RejectCause: 17, AnswerAfterMs: 300})
	ts.sim.SetEndpoint("PJSIP", "never", EndpointBehaviour{NoAnswer: true})
	ws := ts.connect("hotline")
	ts.expect("POST", "channels?endpoint=PJSIP/busy&app=hotline&channelId=b1", nil, 200)
	ws.waitEvent("ChannelDestroyed", onChannel("b1"))
	dials := []string{}
	for _, e := range ws.snapshot() {
		if e["type"] == "Dial" && chanOf(e) == "b1" {
			dials = append(dials, e["dialstatus"].(string))
		}
	}
	if !slices.Equal(dials, []string{"", "RINGING", "BUSY"}) {
		t.Fatalf("dial statuses %v", dials)
	}
	ts.expect("POST", "channels?endpoint=PJSIP/never&app=hotline&channelId=n1&timeout=5", nil, 200)
	ds := ws.waitEvent("ChannelDestroyed", onChannel("n1"))
	if ds["cause"].(float64) != 19 {
		t.Fatalf("timeout destroyed %v", ds)
	}
	if r := ts.expect("POST", "channels?endpoint=PJSIP/nobody&app=hotline", nil, 500); string(r.body) != `{"error":"Allocation failed"}` {
		t.Fatalf("unknown endpoint %s", r.body)
	}
	ts.expect("POST", "channels?endpoint=PJSIP/never&app=hotline&channelId=n2&timeout=-1", nil, 200)
	ws.waitEvent("Dial", func(e map[string]any) bool { return chanOf(e) == "n2" && e["dialstatus"] == "RINGING" })
	ts.expect("DELETE", "channels/n2?reason=no_answer", nil, 204)
	want := []string{"Dial", "ChannelStateChange", "Dial", "ChannelHangupRequest", "Dial", "ChannelDestroyed"}
	checkFor(t, func() bool { return slices.Equal(ws.types("n2"), want) }, "cancelled ring events")
}

func TestRecordingSnoopContinue(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
	ws.waitEvent("StasisStart", onChannel(id))
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	ts.expect("POST", "channels/"+id+"/record?name=m&format=wav&terminateOn=%23", nil, 201)
	ts.expect("POST", "channels/"+id+"/record?name=m&format=wav", nil, 409)
	if err := ts.sim.SendDTMF(bg(), id, "#", 0); err != nil {
		t.Fatal(err)
	}
	ws.waitEvent("RecordingFinished", nil)
	r := ts.expect("GET", "recordings/stored/m/file", nil, 200)
	if r.ctype != "audio/wav" || string(r.body[:4]) != "RIFF" {
		t.Fatalf("file %q %q", r.ctype, r.body[:4])
	}
	sn := ts.expect("POST", "channels/"+id+"/snoop?spy=both&app=hotline&snoopId=sn", nil, 200).json(t)
	if sn["state"] != "Up" || !strings.HasPrefix(sn["name"].(string), "Snoop/"+id+"-") {
		t.Fatalf("snoop %v", sn)
	}
	ws.waitEvent("StasisStart", onChannel("sn"))
	hold := ts.clk.Hold() // keep the dialplan from ending the call while we look
	defer hold()
	ts.expect("POST", "channels/"+id+"/continue?context=after-stasis&extension=bye&priority=1", nil, 204)
	ws.waitEvent("StasisEnd", onChannel(id))
	ts.expect("GET", "channels/"+id, nil, 200)
	ts.expect("POST", "channels/"+id+"/play?media=sound:beep", nil, 409)
	ts.expect("POST", "channels/"+id+"/unhold", nil, 404)
}
