package telephony

import (
	"slices"
	"testing"
	"time"

	"github.com/CyCoreSystems/ari/v5"
)

// firstOfType decodes the first frame of a trace with the given ARI type
// (and, if match is set, for which match holds).
func firstOfType(t *testing.T, trace, typ string, match func(Event) bool) Event {
	t.Helper()
	for _, f := range traceFrames(t, trace) {
		if frameType(t, f) != typ {
			continue
		}
		e, err := ari.DecodeEvent([]byte(f))
		if err != nil {
			t.Fatalf("decode %s: %v", typ, err)
		}
		ev := convert(e)
		if match == nil || match(ev) {
			return ev
		}
	}
	t.Fatalf("no %s in %s", typ, trace)
	return Event{}
}

func TestConvertRecordedEvents(t *testing.T) {
	ss := firstOfType(t, "ivr_dtmf.jsonl", "StasisStart", nil)
	wantTime := time.Date(2026, 11, 28, 20, 29, 58, 415e6, time.UTC)
	if ss.Type != StasisStart || !ss.Time.Equal(wantTime) || !slices.Equal(ss.Args, []string{"inbound", "1000"}) ||
		ss.Channel.ID != "1795897798.44" || ss.Channel.Caller != "+15551230001" || ss.Channel.Dialled != "1000" ||
		ss.Channel.State != "Ring" || ss.Channel.Name != "Local/1000@hotline-in-00000016;2" ||
		!ss.Channel.Created.Equal(time.Date(2026, 11, 28, 20, 29, 58, 414e6, time.UTC)) {
		t.Errorf("StasisStart: %+v", ss)
	}

	dial := firstOfType(t, "queue_bridge.jsonl", "Dial", func(e Event) bool { return e.DialStatus == "ANSWER" })
	if dial.Type != Dial || dial.Channel.ID != "agent-a1-1795897813" {
		t.Errorf("Dial: %+v", dial)
	}
	ring := firstOfType(t, "queue_bridge.jsonl", "Dial", nil)
	if ring.DialStatus != "" || ring.Channel.ID != "agent-a1-1795897813" {
		t.Errorf("first Dial: %+v", ring)
	}

	hr := firstOfType(t, "queue_bridge.jsonl", "ChannelHangupRequest", nil)
	if hr.Type != ChannelHangup || hr.Cause != 32 || !hr.Soft || hr.Channel.ID != "agent-a1-1795897813-2" {
		t.Errorf("ChannelHangupRequest: %+v", hr)
	}
	cd := firstOfType(t, "queue_bridge.jsonl", "ChannelDestroyed", nil)
	if cd.Type != ChannelDestroyed || cd.Cause != 16 || cd.State != "Normal Clearing" {
		t.Errorf("ChannelDestroyed: %+v", cd)
	}

	pf := firstOfType(t, "queue_bridge.jsonl", "PlaybackFinished", nil)
	if pf.Type != PlaybackFinished || pf.PlaybackID != "q1-bridge-beep-1795897813" || pf.State != "done" ||
		pf.BridgeID != "bridge-q1-1795897813" || pf.Channel.ID != "" {
		t.Errorf("PlaybackFinished (bridge): %+v", pf)
	}
	ps := firstOfType(t, "ivr_dtmf.jsonl", "PlaybackStarted", nil)
	if ps.Type != PlaybackStarted || ps.PlaybackID == "" || ps.Channel.ID != "1795897798.44" || ps.State != "playing" {
		t.Errorf("PlaybackStarted (channel): %+v", ps)
	}
	pc := firstOfType(t, "ivr_dtmf.jsonl", "PlaybackContinuing", nil)
	if pc.Type != Other || pc.ARIType != "PlaybackContinuing" || pc.PlaybackID == "" {
		t.Errorf("PlaybackContinuing: %+v", pc)
	}

	rf := firstOfType(t, "record_message.jsonl", "RecordingFinished", nil)
	if rf.Type != RecordingFinished || rf.Recording != "msg-1795898216" || rf.State != "done" || rf.Channel.ID != "1795898216.97" {
		t.Errorf("RecordingFinished: %+v", rf)
	}
	rs := firstOfType(t, "record_message.jsonl", "RecordingStarted", nil)
	if rs.Type != RecordingStarted || rs.Recording != "msg-1795898216" || rs.Time.IsZero() {
		t.Errorf("RecordingStarted: %+v", rs)
	}

	dtmf := firstOfType(t, "queue_bridge.jsonl", "ChannelDtmfReceived", nil)
	if dtmf.Type != ChannelDtmf || dtmf.Digit != "5" || dtmf.Channel.ID != "1795897813.48" || dtmf.Duration != 100*time.Millisecond {
		t.Errorf("ChannelDtmfReceived: %+v", dtmf)
	}
	eb := firstOfType(t, "queue_bridge.jsonl", "ChannelEnteredBridge", nil)
	if eb.Type != EnteredBridge || eb.BridgeID != "bridge-q1-1795897813" || eb.Channel.ID != "1795897813.48" {
		t.Errorf("ChannelEnteredBridge: %+v", eb)
	}
	lb := firstOfType(t, "queue_bridge.jsonl", "ChannelLeftBridge", nil)
	if lb.Type != LeftBridge || lb.BridgeID != "bridge-q1-1795897813" {
		t.Errorf("ChannelLeftBridge: %+v", lb)
	}
	sc := firstOfType(t, "ivr_dtmf.jsonl", "ChannelStateChange", nil)
	if sc.Type != ChannelStateChange || sc.State != "Up" || sc.Channel.ID != "1795897798.44" {
		t.Errorf("ChannelStateChange: %+v", sc)
	}
	se := firstOfType(t, "ivr_dtmf.jsonl", "StasisEnd", nil)
	if se.Type != StasisEnd || se.Channel.ID == "" {
		t.Errorf("StasisEnd: %+v", se)
	}
	bd := firstOfType(t, "queue_bridge.jsonl", "BridgeDestroyed", nil)
	if bd.Type != Other || bd.BridgeID != "bridge-q1-1795897813" || bd.Time.IsZero() {
		t.Errorf("BridgeDestroyed: %+v", bd)
	}
	vs := firstOfType(t, "ivr_dtmf.jsonl", "ChannelVarset", nil)
	if vs.Type != Other || vs.Time.IsZero() {
		t.Errorf("ChannelVarset: %+v", vs)
	}
}

func TestRingSeconds(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{0, 0}, {-time.Second, 0}, {time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {30 * time.Second, 30}} {
		if got := ringSeconds(c.d); got != c.want {
			t.Errorf("ringSeconds(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}
