package telephony

import (
	"reflect"
	"strings"
	"time"

	"github.com/CyCoreSystems/ari/v5"
)

// convert reduces a decoded ari/v5 event to an Event (Done is set by the
// reader). Event types the controller does not react to become Other, with
// ARIType and, where the event has them, the channel / playback / bridge.
func convert(e ari.Event) Event {
	ev := Event{Type: Other, ARIType: e.GetType()}
	switch x := e.(type) {
	case *ari.StasisStart:
		ev.Type, ev.Time = StasisStart, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.Args = append([]string(nil), x.Args...)
		ev.Channel.Args = ev.Args
	case *ari.StasisEnd:
		ev.Type, ev.Time = StasisEnd, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
	case *ari.ChannelStateChange:
		ev.Type, ev.Time = ChannelStateChange, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.State = x.Channel.State
	case *ari.ChannelDtmfReceived:
		ev.Type, ev.Time = ChannelDtmf, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.Digit = x.Digit
		ev.Duration = time.Duration(x.DurationMs) * time.Millisecond
	case *ari.ChannelHangupRequest:
		ev.Type, ev.Time = ChannelHangup, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.Cause, ev.Soft = x.Cause, x.Soft
	case *ari.ChannelDestroyed:
		ev.Type, ev.Time = ChannelDestroyed, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.Cause = x.Cause
		ev.State = x.CauseTxt
	case *ari.PlaybackStarted:
		ev.Type, ev.Time = PlaybackStarted, eventTime(x.EventData)
		playback(&ev, &x.Playback)
	case *ari.PlaybackContinuing:
		ev.Time = eventTime(x.EventData)
		playback(&ev, &x.Playback)
	case *ari.PlaybackFinished:
		ev.Type, ev.Time = PlaybackFinished, eventTime(x.EventData)
		playback(&ev, &x.Playback)
	case *ari.RecordingStarted:
		ev.Type, ev.Time = RecordingStarted, eventTime(x.EventData)
		recording(&ev, &x.Recording)
	case *ari.RecordingFinished:
		ev.Type, ev.Time = RecordingFinished, eventTime(x.EventData)
		recording(&ev, &x.Recording)
	case *ari.RecordingFailed:
		ev.Type, ev.Time = RecordingFailed, eventTime(x.EventData)
		recording(&ev, &x.Recording)
	case *ari.Dial:
		ev.Type, ev.Time = Dial, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Peer)
		ev.DialStatus = x.Dialstatus
	case *ari.ChannelEnteredBridge:
		ev.Type, ev.Time = EnteredBridge, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.BridgeID = x.Bridge.ID
		ev.Channel.BridgeID = x.Bridge.ID
	case *ari.ChannelLeftBridge:
		ev.Type, ev.Time = LeftBridge, eventTime(x.EventData)
		ev.Channel = channelFrom(&x.Channel)
		ev.BridgeID = x.Bridge.ID
	case *ari.BridgeCreated:
		ev.Time, ev.BridgeID = eventTime(x.EventData), x.Bridge.ID
	case *ari.BridgeDestroyed:
		ev.Time, ev.BridgeID = eventTime(x.EventData), x.Bridge.ID
	case *ari.ChannelVarset:
		ev.Time, ev.Channel = eventTime(x.EventData), channelFrom(&x.Channel)
	case *ari.ChannelDialplan:
		ev.Time, ev.Channel = eventTime(x.EventData), channelFrom(&x.Channel)
	case *ari.ChannelCallerID:
		ev.Time, ev.Channel = eventTime(x.EventData), channelFrom(&x.Channel)
	case *ari.ChannelConnectedLine:
		ev.Time, ev.Channel = eventTime(x.EventData), channelFrom(&x.Channel)
	case *ari.ChannelCreated:
		ev.Time, ev.Channel = eventTime(x.EventData), channelFrom(&x.Channel)
	default:
		if v := reflect.ValueOf(e); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			if f := v.Elem().FieldByName("Timestamp"); f.IsValid() && f.Type() == reflect.TypeOf(ari.DateTime{}) {
				ev.Time = time.Time(f.Interface().(ari.DateTime))
			}
		}
		if c, ok := e.(interface{ GetChannelIDs() []string }); ok {
			if ids := c.GetChannelIDs(); len(ids) > 0 {
				ev.Channel.ID = ids[0]
			}
		}
	}
	return ev
}

// eventTime is the event's own timestamp (Asterisk's
// 2026-11-28T20:29:58.415+0000, parsed by ari.DateTime).
func eventTime(d ari.EventData) time.Time { return time.Time(d.Timestamp) }

func playback(ev *Event, p *ari.PlaybackData) {
	ev.PlaybackID, ev.State = p.ID, p.State
	target(ev, p.TargetURI)
}

func recording(ev *Event, r *ari.LiveRecordingData) {
	ev.Recording, ev.State = r.Name, r.State
	ev.Duration = time.Duration(r.Duration)
	target(ev, r.TargetURI)
}

// target fills the channel or bridge of a "channel:<id>" / "bridge:<id>" URI.
func target(ev *Event, uri string) {
	kind, id, ok := strings.Cut(uri, ":")
	if !ok {
		return
	}
	switch kind {
	case "channel":
		ev.Channel.ID = id
	case "bridge":
		ev.BridgeID = id
	}
}
