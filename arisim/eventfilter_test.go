package arisim

import (
	"slices"
	"testing"
)

// TestEventFilter: PUT applications/{name}/eventFilter stops the listed event
// types (as Asterisk does: matched by "type"), the application shows its
// filter, and an empty object lifts it.
func TestEventFilter(t *testing.T) {
	ts := newTestSim(t, Options{Apps: []string{"hotline"}})
	ws := ts.connect("hotline")
	ts.expect("PUT", "applications/nope/eventFilter", map[string]any{"disallowed": []map[string]string{{"type": "ChannelVarset"}}}, 404)
	ts.expect("PUT", "applications/hotline/eventFilter", map[string]any{"disallowed": "ChannelVarset"}, 400)
	app := ts.expect("PUT", "applications/hotline/eventFilter",
		map[string]any{"disallowed": []map[string]string{{"type": "ChannelVarset"}, {"type": "ChannelStateChange"}}}, 200).json(t)
	if d := app["events_disallowed"].([]any); len(d) != 2 || d[0].(map[string]any)["type"] != "ChannelVarset" {
		t.Fatalf("events_disallowed %v", app["events_disallowed"])
	}
	if a := app["events_allowed"].([]any); len(a) != 0 {
		t.Fatalf("events_allowed %v", a)
	}

	id, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
	ws.waitEvent("StasisStart", onChannel(id))
	ts.expect("POST", "channels/"+id+"/variable?variable=X&value=1", nil, 204)
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	ts.expect("DELETE", "channels/"+id, nil, 204)
	ws.waitEvent("StasisEnd", onChannel(id))
	if got := ws.types(id); slices.Contains(got, "ChannelVarset") || slices.Contains(got, "ChannelStateChange") {
		t.Fatalf("filtered types delivered: %v", got)
	}

	// {"allowed": [...]} alone keeps the disallowed list; {} lifts both.
	app = ts.expect("PUT", "applications/hotline/eventFilter", map[string]any{"allowed": []map[string]string{{"type": "StasisStart"}}}, 200).json(t)
	if len(app["events_disallowed"].([]any)) != 2 || len(app["events_allowed"].([]any)) != 1 {
		t.Fatalf("after allowed only: %v / %v", app["events_allowed"], app["events_disallowed"])
	}
	app = ts.expect("PUT", "applications/hotline/eventFilter", map[string]any{}, 200).json(t)
	if len(app["events_disallowed"].([]any)) != 0 || len(app["events_allowed"].([]any)) != 0 {
		t.Fatalf("after {}: %v / %v", app["events_allowed"], app["events_disallowed"])
	}
	id2, _ := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
	ws.waitEvent("StasisStart", onChannel(id2))
	ts.expect("POST", "channels/"+id2+"/answer", nil, 204)
	ws.waitEvent("ChannelStateChange", onChannel(id2))
}
