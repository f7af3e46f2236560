package telephony

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
)

func TestSimInboundAnswerPlayListDTMFHangup(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	if e.sw.Node() != "02:fc:00:00:00:01" {
		t.Fatalf("node %q", e.sw.Node())
	}
	id, ss := e.inbound("+15551230001", "1000", &arisim.Script{Name: "Alice"})
	if !slices.Equal(ss.Args, []string{"inbound", "1000"}) || ss.Channel.Caller != "+15551230001" ||
		ss.Channel.Dialled != "1000" || ss.Channel.State != "Ring" || ss.Time.IsZero() {
		t.Fatalf("StasisStart %+v", ss)
	}
	e.must(e.sw.Answer(ctx, id))
	e.wait("state Up", func(ev Event) bool { return ev.Type == ChannelStateChange && ev.Channel.ID == id && ev.State == "Up" })
	e.must(e.sw.Answer(ctx, id)) // answering twice is fine (204)

	// A list of three items is one playback: three PlaybackStarted, one PlaybackFinished.
	e.must(e.sw.Play(ctx, id, "menu-1", "sound:hello-world", "digits:12", "sound:beep"))
	fin := e.wait("menu finished", func(ev Event) bool { return ev.Type == PlaybackFinished && ev.PlaybackID == "menu-1" })
	if fin.State != "done" || fin.Channel.ID != id {
		t.Fatalf("PlaybackFinished %+v", fin)
	}
	if n := e.count(func(ev Event) bool { return ev.Type == PlaybackStarted && ev.PlaybackID == "menu-1" }); n != 3 {
		t.Fatalf("%d PlaybackStarted for a 3-item list, want 3", n)
	}
	if n := e.count(func(ev Event) bool { return ev.ARIType == "PlaybackContinuing" && ev.PlaybackID == "menu-1" }); n != 2 {
		t.Fatalf("%d PlaybackContinuing, want 2", n)
	}

	// DTMF does not stop a prompt: the app stops it, here while handling the
	// DTMF event (as the controller does, so no virtual time passes between).
	e.evs.setHook(func(ev Event) {
		switch {
		case ev.Type == PlaybackStarted && ev.PlaybackID == "menu-2" && ev.ARIType == "PlaybackStarted":
			if err := e.sim.SendDTMF(ctx, id, "2", 0); err != nil {
				t.Errorf("send DTMF: %v", err)
			}
		case ev.Type == ChannelDtmf && ev.Channel.ID == id:
			if err := e.sw.StopPlayback(ctx, "menu-2"); err != nil {
				t.Errorf("stop playback: %v", err)
			}
		}
	})
	e.must(e.sw.Play(ctx, id, "menu-2", "sound:hello-world", "sound:hello-world", "sound:hello-world"))
	dt := e.wait("digit", is(ChannelDtmf, id))
	if dt.Digit != "2" {
		t.Fatalf("DTMF %+v", dt)
	}
	fin = e.wait("menu-2 finished", func(ev Event) bool { return ev.Type == PlaybackFinished && ev.PlaybackID == "menu-2" })
	if fin.State != "done" {
		t.Fatalf("stopped playback %+v", fin)
	}
	if err := e.sw.StopPlayback(ctx, "menu-2"); !errors.Is(err, ErrGone) {
		t.Fatalf("stopping a finished playback: %v", err)
	}

	// The app hangs up: cause 32 soft, StasisEnd, no ChannelDestroyed (dialplan channel).
	e.evs.setHook(func(Event) {})
	e.must(e.sw.Hangup(ctx, id, "normal"))
	hr := e.wait("hangup request", is(ChannelHangup, id))
	if hr.Cause != 32 || !hr.Soft {
		t.Fatalf("hangup request %+v", hr)
	}
	e.wait("StasisEnd", is(StasisEnd, id))
	for _, err := range []error{e.sw.Answer(ctx, id), e.sw.Play(ctx, id, "x", "sound:beep"),
		e.sw.Play(ctx, id, "y", "sound:beep", "sound:beep"), e.sw.StartMOH(ctx, id, ""), e.sw.Hangup(ctx, id, "")} {
		if !errors.Is(err, ErrGone) {
			t.Errorf("operation on a hung-up channel: %v, want ErrGone", err)
		}
	}
	want := []string{"StasisStart", "ChannelStateChange", "PlaybackStarted", "PlaybackStarted", "PlaybackStarted",
		"PlaybackFinished", "PlaybackStarted", "ChannelDtmfReceived", "PlaybackFinished", "ChannelHangupRequest", "StasisEnd"}
	if got := e.on(id); !slices.Equal(got, want) {
		t.Fatalf("events of the call:\n got %v\nwant %v", got, want)
	}
}

func TestSimMOHAndFarEndHangup(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	id, _ := e.inbound("+15551230002", "1000", nil)
	e.must(e.sw.Answer(ctx, id))
	e.must(e.sw.StartMOH(ctx, id, "default"))
	e.must(e.sw.StopMOH(ctx, id))
	e.must(e.sw.StopMOH(ctx, id)) // a second stop is still 204
	e.must(e.sw.StartMOH(ctx, id, ""))
	e.must(e.sim.Hangup(ctx, id, 0))
	hr := e.wait("far-end hangup", is(ChannelHangup, id))
	if hr.Cause != 16 || hr.Soft {
		t.Fatalf("far-end hangup %+v", hr)
	}
	e.wait("StasisEnd", is(StasisEnd, id))
	if err := e.sw.StopMOH(ctx, id); !errors.Is(err, ErrGone) {
		t.Fatalf("MOH stop after hangup: %v", err)
	}
}

func TestSimOriginateBridgeAndListings(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	e.sim.SetEndpoint("PJSIP", "a101", arisim.EndpointBehaviour{AnswerAfterMs: 2000})
	caller, _ := e.inbound("+15551230003", "2000", nil)
	e.must(e.sw.Answer(ctx, caller))
	e.must(e.sw.Originate(ctx, Originate{Endpoint: "PJSIP/a101", ChannelID: "agent-1", AppArgs: "agent,call-1",
		CallerID: `"Hotline" <2000>`, Timeout: 15 * time.Second, Variables: map[string]string{"CALL_ID": "call-1"}}))
	ss := e.wait("agent StasisStart", is(StasisStart, "agent-1"))
	if !slices.Equal(ss.Args, []string{"agent", "call-1"}) || ss.Channel.State != "Up" {
		t.Fatalf("agent StasisStart %+v", ss)
	}
	var statuses []string
	for _, ev := range e.evs.snapshot() {
		if ev.Type == Dial && ev.Channel.ID == "agent-1" {
			statuses = append(statuses, ev.DialStatus)
		}
	}
	if !slices.Equal(statuses, []string{"", "RINGING", "ANSWER"}) {
		t.Fatalf("dial statuses %q", statuses)
	}
	if err := e.sw.Originate(ctx, Originate{Endpoint: "PJSIP/a101", ChannelID: "agent-1"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate channel id: %v", err)
	}

	e.must(e.sw.CreateBridge(ctx, "br-1", "mixing"))
	e.must(e.sw.AddToBridge(ctx, "br-1", caller, "agent-1"))
	for _, ch := range []string{caller, "agent-1"} {
		if ev := e.wait("entered bridge", is(EnteredBridge, ch)); ev.BridgeID != "br-1" {
			t.Fatalf("entered %+v", ev)
		}
	}
	bridges, err := e.sw.Bridges(ctx)
	e.must(err)
	if len(bridges) != 1 || bridges[0].ID != "br-1" || bridges[0].Kind != "mixing" ||
		!slices.Equal(slices.Sorted(slices.Values(bridges[0].Channels)), slices.Sorted(slices.Values([]string{caller, "agent-1"}))) {
		t.Fatalf("bridges %+v", bridges)
	}
	chans, err := e.sw.Channels(ctx)
	e.must(err)
	byID := map[string]Channel{}
	for _, c := range chans {
		byID[c.ID] = c
	}
	if c := byID[caller]; c.BridgeID != "br-1" || c.Caller != "+15551230003" || c.State != "Up" || c.Created.IsZero() {
		t.Fatalf("caller listed as %+v (all %+v)", c, chans)
	}
	if c := byID["agent-1"]; c.BridgeID != "br-1" || c.Name == "" {
		t.Fatalf("agent listed as %+v", c)
	}

	e.must(e.sw.PlayBridge(ctx, "br-1", "beep-1", "sound:beep"))
	fin := e.wait("bridge beep", func(ev Event) bool { return ev.Type == PlaybackFinished && ev.PlaybackID == "beep-1" })
	if fin.BridgeID != "br-1" || fin.State != "done" {
		t.Fatalf("bridge playback %+v", fin)
	}
	e.must(e.sw.PlayBridge(ctx, "br-1", "beep-2", "sound:beep", "sound:beep"))
	e.wait("bridge list", func(ev Event) bool { return ev.Type == PlaybackFinished && ev.PlaybackID == "beep-2" })

	// The agent hangs up: the caller leaves the bridge, the agent is destroyed.
	e.must(e.sim.Hangup(ctx, "agent-1", 16))
	if hr := e.wait("agent hangup", is(ChannelHangup, "agent-1")); hr.Cause != 16 || hr.Soft {
		t.Fatalf("agent hangup %+v", hr)
	}
	if cd := e.wait("agent destroyed", is(ChannelDestroyed, "agent-1")); cd.Cause != 16 {
		t.Fatalf("agent destroyed %+v", cd)
	}
	e.must(e.sw.RemoveFromBridge(ctx, "br-1", caller))
	e.wait("caller left", is(LeftBridge, caller))
	if err := e.sw.AddToBridge(ctx, "br-1", "agent-1"); !errors.Is(err, ErrGone) {
		t.Fatalf("adding a hung-up channel: %v", err)
	}
	e.must(e.sw.DestroyBridge(ctx, "br-1"))
	if err := e.sw.DestroyBridge(ctx, "br-1"); !errors.Is(err, ErrGone) {
		t.Fatalf("destroying twice: %v", err)
	}
	if err := e.sw.PlayBridge(ctx, "br-1", "z", "sound:beep", "sound:beep"); !errors.Is(err, ErrGone) {
		t.Fatalf("playing to a destroyed bridge: %v", err)
	}
	bridges, err = e.sw.Bridges(ctx)
	e.must(err)
	if len(bridges) != 0 {
		t.Fatalf("bridges after destroy %+v", bridges)
	}
}

func TestSimOriginateNoAnswerAndOffline(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	e.sim.SetEndpoint("PJSIP", "a102", arisim.EndpointBehaviour{NoAnswer: true})
	e.sim.SetEndpoint("PJSIP", "a103", arisim.EndpointBehaviour{Offline: true})
	// Hang the ringing leg up while handling its RINGING (before the ring
	// timeout can pass in virtual time).
	e.evs.setHook(func(ev Event) {
		if ev.Type == Dial && ev.Channel.ID == "agent-2" && ev.DialStatus == "RINGING" {
			if err := e.sw.Hangup(ctx, "agent-2", "no_answer"); err != nil {
				t.Errorf("hangup ringing leg: %v", err)
			}
		}
	})
	e.must(e.sw.Originate(ctx, Originate{Endpoint: "PJSIP/a102", ChannelID: "agent-2", AppArgs: "agent,call-2", Timeout: 20 * time.Second}))
	e.wait("no answer", func(ev Event) bool {
		return ev.Type == Dial && ev.Channel.ID == "agent-2" && ev.DialStatus == "NOANSWER"
	})
	if hr := e.wait("hangup request", is(ChannelHangup, "agent-2")); hr.Cause != 32 || !hr.Soft {
		t.Fatalf("hangup request %+v", hr)
	}
	if cd := e.wait("destroyed", is(ChannelDestroyed, "agent-2")); cd.Cause != 19 {
		t.Fatalf("destroyed %+v", cd)
	}
	if n := e.count(is(StasisStart, "agent-2")); n != 0 {
		t.Fatalf("a leg that never answered entered Stasis")
	}

	err := e.sw.Originate(ctx, Originate{Endpoint: "PJSIP/a103", ChannelID: "agent-3", AppArgs: "agent,call-3", Timeout: 20 * time.Second})
	var ae *APIError
	if errors.Is(err, ErrGone) || !errors.As(err, &ae) || ae.Status != 500 || ae.Message != "Allocation failed" {
		t.Fatalf("offline endpoint: %v", err)
	}
}

func TestSimRecord(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	id, _ := e.inbound("+15551230004", "3000", nil)
	e.must(e.sw.Answer(ctx, id))
	// The caller presses # as soon as the recording starts (in virtual time,
	// before the 60 s maximum can pass).
	e.evs.setHook(func(ev Event) {
		if ev.ARIType == "RecordingStarted" && ev.Recording == "msg-1" {
			if err := e.sim.SendDTMF(ctx, id, "#", 0); err != nil {
				t.Errorf("send #: %v", err)
			}
		}
	})
	e.must(e.sw.Record(ctx, id, "msg-1", 60*time.Second, true, "#"))
	fin := e.wait("recording finished", func(ev Event) bool { return ev.Type == RecordingFinished && ev.Recording == "msg-1" })
	if fin.State != "done" || fin.Channel.ID != id || fin.Duration >= 60*time.Second {
		t.Fatalf("RecordingFinished %+v", fin)
	}
	e.wait("the # is still delivered", func(ev Event) bool { return ev.Type == ChannelDtmf && ev.Digit == "#" })
	if err := e.sw.Record(ctx, id, "msg-1", time.Minute, false, "#"); !errors.Is(err, ErrExists) || errors.Is(err, ErrGone) {
		t.Fatalf("recording the same name again: %v", err)
	}
	e.must(e.sw.Record(ctx, id, "msg-2", 0, false, ""))
	e.wait("msg-2 started", func(ev Event) bool { return ev.ARIType == "RecordingStarted" && ev.Recording == "msg-2" })
	e.must(e.sw.StopRecording(ctx, "msg-2"))
	if fin := e.wait("msg-2 finished", func(ev Event) bool { return ev.Type == RecordingFinished && ev.Recording == "msg-2" }); fin.State != "done" {
		t.Fatalf("stopped recording %+v", fin)
	}
	if err := e.sw.StopRecording(ctx, "msg-2"); !errors.Is(err, ErrGone) {
		t.Fatalf("stopping a finished recording: %v", err)
	}
}

func TestSimReconnectAfterDrop(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	id, _ := e.inbound("+15551230005", "1000", nil)
	e.must(e.sw.Answer(ctx, id))
	e.must(e.sw.StartMOH(ctx, id, ""))
	e.dropSockets()
	e.waitConnected(2)
	if st := e.sw.Stats(); st.Connects != 2 {
		t.Fatalf("connects %d", st.Connects)
	}
	// Re-adoption: the channel is still in the application.
	chans, err := e.sw.Channels(ctx)
	e.must(err)
	if len(chans) != 1 || chans[0].ID != id || chans[0].State != "Up" {
		t.Fatalf("channels after reconnect %+v", chans)
	}
	// Events flow again on the new connection.
	e.must(e.sim.SendDTMF(ctx, id, "7", 0))
	if dt := e.wait("digit after reconnect", is(ChannelDtmf, id)); dt.Digit != "7" {
		t.Fatalf("DTMF %+v", dt)
	}
	var order []string
	for _, ev := range e.evs.snapshot() {
		if ev.Type == Connected || ev.Type == ChannelDtmf {
			order = append(order, ev.ARIType)
		}
	}
	if want := []string{"Connected", "Connected", "ChannelDtmfReceived"}; !slices.Equal(order, want) {
		t.Fatalf("Connected/DTMF order %v, want %v", order, want)
	}
}

func TestSimInjectedUnknownEventsAreSkipped(t *testing.T) {
	e := newSimEnv(t)
	ctx := ctxT(t)
	id, _ := e.inbound("+15551230006", "1000", nil)
	e.postSim("/_sim/events?app=hotline", `{"type":"ChannelTransfer","refer_to":{"requested_destination":{"exten":"2000"}}}`)
	e.postSim("/_sim/events?app=hotline", `{"type":"ChannelToneDetected","channel":{"id":"`+id+`"}}`)
	e.postSim("/_sim/events?app=hotline&raw=1", `{"type":"StasisStart","timestamp":"2026-11-28T09:00:00.000Z"}`)
	e.postSim("/_sim/events?app=hotline", `{"type":"ChannelVarset","variable":"MARK","value":"1","channel":{"id":"`+id+`"}}`)
	mark := e.wait("the event after the unknown ones", func(ev Event) bool { return ev.ARIType == "ChannelVarset" && ev.Channel.ID == id })
	if mark.Time.IsZero() {
		t.Fatalf("varset %+v", mark)
	}
	if st := e.sw.Stats(); st.Undecodable != 3 {
		t.Fatalf("undecodable %d, want 3", st.Undecodable)
	}
	e.must(e.sw.Answer(ctx, id))
	e.wait("state change after", is(ChannelStateChange, id))
}
