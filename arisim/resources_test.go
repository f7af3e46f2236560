package arisim

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestAsteriskApplicationsResources(t *testing.T) {
	ts := newTestSim(t, Options{Apps: []string{"hotline"}})
	info := ts.expect("GET", "asterisk/info", nil, 200).json(t)
	if sys := info["system"].(map[string]any); sys["version"] != "22.10.1" || sys["entity_id"] != "02:fc:00:00:00:01" {
		t.Fatalf("info %v", info)
	}
	if st := info["status"].(map[string]any)["startup_time"]; st != "2026-11-28T20:29:58.000+0000" {
		t.Fatalf("startup_time %v", st)
	}
	if only := ts.expect("GET", "asterisk/info?only=system", nil, 200).json(t); len(only) != 1 {
		t.Fatalf("only=system %v", only)
	}
	ts.expect("GET", "asterisk/ping", nil, 200)
	if r := ts.expect("GET", "asterisk/variable", nil, 400); string(r.body) != `{"message":"Variable name is required"}` {
		t.Fatalf("%s", r.body)
	}
	if r := ts.expect("GET", "asterisk/variable?variable=NOPE", nil, 200); string(r.body) != `{"value":""}` {
		t.Fatalf("%s", r.body)
	}
	ts.expect("POST", "asterisk/variable", map[string]string{"variable": "G", "value": "v"}, 204) // JSON body, as ari/v5 sends
	if r := ts.expect("GET", "asterisk/variable?variable=G", nil, 200); string(r.body) != `{"value":"v"}` {
		t.Fatalf("%s", r.body)
	}
	if r := ts.expect("GET", "applications", nil, 200); !strings.Contains(string(r.body), `"name":"hotline"`) {
		t.Fatalf("%s", r.body)
	}
	if r := ts.expect("GET", "applications/nope", nil, 404); string(r.body) != `{"message":"Application not found"}` {
		t.Fatalf("%s", r.body)
	}
	ws := ts.connect("hotline")
	id, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
	ws.waitEvent("StasisStart", onChannel(id))
	app := ts.expect("GET", "applications/hotline", nil, 200).json(t)
	if ids := app["channel_ids"].([]any); len(ids) != 1 || ids[0] != id {
		t.Fatalf("channel_ids %v", ids)
	}
	ts.expect("POST", "applications/hotline/subscription?eventSource=channel:"+id, nil, 200)
	ts.expect("POST", "applications/hotline/subscription?eventSource=channel:nope", nil, 422)
	ts.expect("POST", "applications/hotline/subscription", nil, 400)
	// auth: api_key, wrong password, none
	if r := ts.doAuth("GET", "asterisk/info", nil, "hotline:wrong"); r.status != 401 || string(r.body) != `{"message":"Authentication required"}` {
		t.Fatalf("wrong auth %d %s", r.status, r.body)
	}
	if r := ts.doAuth("GET", "asterisk/info?api_key=hotline:hotline", nil, "none"); r.status != 200 {
		t.Fatalf("api_key %d", r.status)
	}
	if r := ts.do("GET", "nonexistent", nil); r.status != 404 || string(r.body) != `{"message":"Resource not found"}` {
		t.Fatalf("unknown path %d %s", r.status, r.body)
	}
}

func TestChannelOperations(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id, _ := ts.sim.Inbound(bg(), "hotline", "+1555", "1000", &Script{Name: "Eve"})
	ws.waitEvent("StasisStart", onChannel(id))
	if l := ts.expect("GET", "channels", nil, 200); !strings.Contains(string(l.body), id) {
		t.Fatalf("list %s", l.body)
	}
	ch := ts.expect("GET", "channels/"+id, nil, 200).json(t)
	if ch["state"] != "Ring" || ch["caller"].(map[string]any)["name"] != "Eve" || !strings.HasPrefix(ch["name"].(string), "PJSIP/trunk-") {
		t.Fatalf("channel %v", ch)
	}
	if r := ts.expect("GET", "channels/nope", nil, 404); string(r.body) != `{"message":"Channel not found"}` {
		t.Fatalf("%s", r.body)
	}
	for _, p := range []string{"ring", "hold", "mute", "silence", "moh"} {
		ts.expect("POST", "channels/"+id+"/"+p, nil, 204)
		ts.expect("DELETE", "channels/"+id+"/"+p, nil, 204)
	}
	ts.expect("DELETE", "channels/"+id+"/moh", nil, 204) // a second stop is still 204
	ts.expect("POST", "channels/"+id+"/mute?direction=sideways", nil, 400)
	ts.expect("POST", "channels/"+id+"/dtmf", nil, 400)
	ts.expect("POST", "channels/"+id+"/dtmf", map[string]any{"dtmf": "12", "between": 100, "duration": 100}, 204)
	ts.expect("POST", "channels/"+id+"/variable", map[string]string{"variable": "X", "value": "1"}, 204)
	ws.waitEvent("ChannelVarset", nil)
	if r := ts.expect("GET", "channels/"+id+"/variable?variable=X", nil, 200); string(r.body) != `{"value":"1"}` {
		t.Fatalf("%s", r.body)
	}
	if r := ts.expect("GET", "channels/"+id+"/variable?variable=CALLERID(num)", nil, 200); string(r.body) != `{"value":"+1555"}` {
		t.Fatalf("%s", r.body)
	}
	if r := ts.expect("GET", "channels/"+id+"/variable?variable=NOPE", nil, 404); string(r.body) != `{"message":"Provided variable was not found"}` {
		t.Fatalf("%s", r.body)
	}
	if r := ts.expect("GET", "channels/nope/variable?variable=X", nil, 404); string(r.body) != `{"message":"Provided channel was not found"}` {
		t.Fatalf("%s", r.body)
	}
	ts.expect("DELETE", "channels/"+id+"?reason=bogus", nil, 400)
	for _, e := range ws.snapshot() {
		if strings.Contains(e["type"].(string), "Hold") {
			t.Fatalf("hold emitted %v", e["type"])
		}
	}
	if c, _ := ts.sim.CallOf(id); c.AppDigits != "12" || c.FirstMOH.IsZero() {
		t.Fatalf("call %+v", c)
	}
	// originate as ari/v5 does: JSON body with variables
	ts.sim.SetEndpoint("PJSIP", "a1", EndpointBehaviour{AnswerAfterMs: 10})
	ts.expect("POST", "channels", map[string]any{"endpoint": "PJSIP/a1", "app": "hotline", "channelId": "o1",
		"timeout": 20, "variables": map[string]string{"QUEUE": "support"}}, 200)
	if r := ts.expect("GET", "channels/o1/variable?variable=QUEUE", nil, 200); string(r.body) != `{"value":"support"}` {
		t.Fatalf("%s", r.body)
	}
	ts.expect("POST", "channels/o2", map[string]any{"endpoint": "PJSIP/a1", "app": "hotline"}, 200)
	ts.expect("POST", "channels/o2", map[string]any{"endpoint": "PJSIP/a1", "app": "hotline"}, 409)
	ts.expect("POST", "channels?app=hotline", nil, 400)
	ts.expect("POST", "channels?app=hotline&endpoint=nonsense", nil, 400)
	ts.expect("POST", "channels?endpoint=PJSIP/a1", nil, 400)
	ts.expect("POST", "channels?app=hotline&endpoint=Bogus/1", nil, 500)
	ws.waitEvent("StasisStart", onChannel("o1"))
	ts.expect("POST", "channels/o1/answer", nil, 204)
	ts.expect("POST", "channels/o1/answer", nil, 204) // twice: 204 both times
}

func TestEndpointsResource(t *testing.T) {
	ts := newTestSim(t, Options{})
	ts.sim.SetEndpoint("PJSIP", "agent1", EndpointBehaviour{NoAnswer: true})
	ts.sim.SetEndpoint("PJSIP", "agent2", EndpointBehaviour{Offline: true})
	ts.connect("hotline")
	ts.expect("POST", "channels?endpoint=PJSIP/agent1&app=hotline&channelId=c1&timeout=-1", nil, 200)
	l := ts.expect("GET", "endpoints", nil, 200)
	if string(l.body) != `[{"technology":"PJSIP","resource":"agent1","state":"online","channel_ids":["c1"]},{"technology":"PJSIP","resource":"agent2","state":"offline","channel_ids":[]}]` {
		t.Fatalf("%s", l.body)
	}
	ts.expect("GET", "endpoints/PJSIP", nil, 200)
	ts.expect("GET", "endpoints/PJSIP/agent2", nil, 200)
	if r := ts.expect("GET", "endpoints/PJSIP/nobody", nil, 404); string(r.body) != `{"message":"Endpoint not found"}` {
		t.Fatalf("%s", r.body)
	}
	ts.expect("POST", "channels?endpoint=PJSIP/agent2&app=hotline", nil, 500)
}

func TestMultipleApplications(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("a,b")
	ia, _ := ts.sim.Inbound(bg(), "a", "1", "10", nil)
	ib, _ := ts.sim.Inbound(bg(), "b", "2", "20", nil)
	if e := ws.waitEvent("StasisStart", onChannel(ia)); e["application"] != "a" {
		t.Fatalf("%v", e["application"])
	}
	if e := ws.waitEvent("StasisStart", onChannel(ib)); e["application"] != "b" {
		t.Fatalf("%v", e["application"])
	}
	other := ts.connect("c")
	ic, _ := ts.sim.Inbound(bg(), "c", "3", "30", nil)
	other.waitEvent("StasisStart", onChannel(ic))
	if got := ws.types(""); len(got) != 2 {
		t.Fatalf("app c's event went to the a,b socket: %v", ws.types(""))
	}
}

func TestApplicationDisconnected(t *testing.T) {
	ts := newTestSim(t, Options{FallbackApp: "fallback"})
	ws := ts.connect("hotline")
	id, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
	ws.waitEvent("StasisStart", onChannel(id))
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	ws.close()
	checkFor(t, func() bool { return !ts.sim.Connected("hotline") }, "disconnect")
	ts.expect("POST", "channels/"+id+"/moh", nil, 204) // REST still works
	if err := ts.sim.SendDTMF(bg(), id, "3", 0); err != nil {
		t.Fatal(err)
	}
	checkFor(t, func() bool { c, _ := ts.sim.CallOf(id); return len(c.Digits) == 1 }, "digit pressed during the gap")
	if _, err := ts.sim.Inbound(bg(), "hotline", "9", "2", nil); err == nil {
		t.Fatal("a new call for a disconnected app must fail")
	}
	fb := ts.connect("fallback")
	fid, err := ts.sim.Inbound(bg(), "hotline", "8", "2", nil)
	if err == nil {
		t.Fatal("want ErrAppNotConnected with a fallback")
	}
	if e := fb.waitEvent("StasisStart", onChannel(fid)); e["application"] != "fallback" {
		t.Fatalf("fallback %v", e)
	}
	ws2 := ts.connect("hotline")
	app := ts.expect("GET", "applications/hotline", nil, 200).json(t)
	if ids := app["channel_ids"].([]any); len(ids) != 1 || ids[0] != id {
		t.Fatalf("channel kept in Stasis: %v", ids)
	}
	if err := ts.sim.SendDTMF(bg(), id, "7", 0); err != nil {
		t.Fatal(err)
	}
	if d := ws2.waitEvent("ChannelDtmfReceived", onChannel(id)); d["digit"] != "7" {
		t.Fatalf("after reconnect got %v (the missed 3 must not be replayed)", d["digit"])
	}
	if got := ws2.types(id); !slices.Equal(got, []string{"ChannelDtmfReceived"}) {
		t.Fatalf("after reconnect %v", got)
	}
	calls := ts.sim.Calls()
	if !calls[1].FailedAtEntry || calls[1].HungUpBy != "system" || !calls[2].FailedAtEntry || calls[2].Fallback != "fallback" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestRoutesAndUserEvents(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	if r := ts.expect("POST", "channels/create", map[string]string{"endpoint": "PJSIP/x", "app": "hotline"}, 501); !strings.Contains(string(r.body), "Not implemented") {
		t.Fatalf("%s", r.body)
	}
	ts.expect("GET", "channels/create", nil, 404)
	ts.expect("PUT", "channels", nil, 405)
	id := answeredCall(t, ts, ws)
	ts.expect("POST", "events/user/Survey?application=hotline&source=channel:"+id, map[string]any{"variables": map[string]string{"rating": "4"}}, 204)
	e := ws.waitEvent("ChannelUserevent", nil)
	if e["eventname"] != "Survey" || e["userevent"].(map[string]any)["rating"] != "4" || chanOf(e) != id {
		t.Fatalf("%v", e)
	}
	ts.expect("POST", "events/user/X", nil, 400)
}

// TestHungUpCounter: the cheap counter agrees with the records.
func TestHungUpCounter(t *testing.T) {
	s := New(Options{User: "u", Password: "p", Apps: []string{"a"}})
	defer s.Close()
	_, err := s.Inbound(context.Background(), "a", "1", "2", nil) // no WebSocket: fails at entry, hung up
	if !errors.Is(err, ErrAppNotConnected) {
		t.Fatalf("inbound without a WebSocket: %v", err)
	}
	ids := map[string]bool{"no-such-channel": true}
	for _, c := range s.Calls() {
		ids[c.ChannelID] = true
	}
	if got := s.HungUp(ids); got != 1 {
		t.Fatalf("HungUp = %d, want 1", got)
	}
}
