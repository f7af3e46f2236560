package telephony

import (
	"encoding/json"
	"time"

	"github.com/CyCoreSystems/ari/v5"
)

// The events a call produces by the dozen are decoded in one pass into the
// few fields the controller reads (fastDecode), instead of ari.DecodeEvent's
// two passes into the library's full types (every channel snapshot with its
// caller, connected line, dialplan and variables). Any other type, and any
// frame the fast path is not sure about, goes through ari.DecodeEvent and
// convert, so both give the same Event (TestFastDecodeMatchesLibrary holds
// it to that on every recorded frame).

type fastChannel struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	State  string `json:"state"`
	Caller *struct {
		Number string `json:"number"`
	} `json:"caller"`
	Dialplan *struct {
		Exten string `json:"exten"`
	} `json:"dialplan"`
	Creationtime *string `json:"creationtime"`
	Language     string  `json:"language"`
}

type fastTarget struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	State     string `json:"state"`
	TargetURI string `json:"target_uri"`
	Duration  int    `json:"duration"`
}

type fastFrame struct {
	Type       string       `json:"type"`
	Timestamp  *string      `json:"timestamp"`
	Channel    *fastChannel `json:"channel"`
	Peer       *fastChannel `json:"peer"`
	Args       []string     `json:"args"`
	Digit      string       `json:"digit"`
	DurationMs int          `json:"duration_ms"`
	Cause      int          `json:"cause"`
	CauseTxt   string       `json:"cause_txt"`
	Soft       bool         `json:"soft"`
	Dialstatus string       `json:"dialstatus"`
	Bridge     *struct {
		ID string `json:"id"`
	} `json:"bridge"`
	Playback  *fastTarget `json:"playback"`
	Recording *fastTarget `json:"recording"`
}

// fastTypes are the types fastDecode handles.
var fastTypes = map[string]EventType{
	"StasisStart": StasisStart, "StasisEnd": StasisEnd, "ChannelStateChange": ChannelStateChange,
	"ChannelDtmfReceived": ChannelDtmf, "ChannelHangupRequest": ChannelHangup, "ChannelDestroyed": ChannelDestroyed,
	"PlaybackStarted": PlaybackStarted, "PlaybackContinuing": Other, "PlaybackFinished": PlaybackFinished,
	"Dial": Dial, "ChannelEnteredBridge": EnteredBridge, "ChannelLeftBridge": LeftBridge,
	"ChannelVarset": Other, "ChannelDialplan": Other, "ChannelCallerId": Other, "ChannelConnectedLine": Other,
}

// fastDecode decodes the frequent event types; ok is false when the frame
// must go through the library's decoder instead.
func fastDecode(data []byte) (ev Event, ok bool) {
	var f fastFrame
	if !scanFrame(data, &f) {
		f = fastFrame{}
		if json.Unmarshal(data, &f) != nil {
			return Event{}, false
		}
	}
	typ, known := fastTypes[f.Type]
	if !known || f.Timestamp == nil {
		return Event{}, false
	}
	ts, err := time.Parse(ari.DateFormat, *f.Timestamp)
	if err != nil {
		return Event{}, false
	}
	ev = Event{Type: typ, ARIType: f.Type, Time: ts}
	channel := func(c *fastChannel) bool {
		if c == nil {
			return true
		}
		ch := Channel{ID: c.ID, Name: c.Name, State: c.State, Language: c.Language}
		if c.Caller != nil {
			ch.Caller = c.Caller.Number
		}
		if c.Dialplan != nil {
			ch.Dialled = c.Dialplan.Exten
		}
		if c.Creationtime != nil {
			t, err := time.Parse(ari.DateFormat, *c.Creationtime)
			if err != nil {
				return false // the library refuses the whole event
			}
			ch.Created = time.Unix(t.Unix(), int64(t.Nanosecond())).UTC()
		}
		ev.Channel = ch
		return true
	}
	switch f.Type {
	case "Dial":
		ok = channel(f.Peer)
		ev.DialStatus = f.Dialstatus
	case "PlaybackStarted", "PlaybackContinuing", "PlaybackFinished":
		if f.Playback == nil {
			return Event{}, false
		}
		ev.PlaybackID, ev.State = f.Playback.ID, f.Playback.State
		target(&ev, f.Playback.TargetURI)
		ok = true
	default:
		if f.Channel == nil {
			return Event{}, false
		}
		ok = channel(f.Channel)
	}
	if !ok {
		return Event{}, false
	}
	switch f.Type {
	case "StasisStart":
		if len(f.Args) > 0 {
			ev.Args = f.Args
		} else {
			ev.Args = nil
		}
		ev.Channel.Args = ev.Args
	case "ChannelStateChange":
		ev.State = f.Channel.State
	case "ChannelDtmfReceived":
		ev.Digit = f.Digit
		ev.Duration = time.Duration(f.DurationMs) * time.Millisecond
	case "ChannelHangupRequest":
		ev.Cause, ev.Soft = f.Cause, f.Soft
	case "ChannelDestroyed":
		ev.Cause, ev.State = f.Cause, f.CauseTxt
	case "ChannelEnteredBridge", "ChannelLeftBridge":
		if f.Bridge == nil {
			return Event{}, false
		}
		ev.BridgeID = f.Bridge.ID
		if f.Type == "ChannelEnteredBridge" {
			ev.Channel.BridgeID = f.Bridge.ID
		}
	}
	return ev, true
}
