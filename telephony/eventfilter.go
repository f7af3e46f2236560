package telephony

import (
	"context"
	"net/http"
	"net/url"
)

// The event filter. Asterisk sends an application every event of its
// channels and bridges; more than half of a call's are ones the controller
// never reacts to: ChannelVarset for every variable the dialplan sets,
// ChannelDialplan for every step, caller id and connected line updates,
// bridge and channel creation, the start and the continuation of each
// playback (only its end matters), channel state changes (an agent's leg is
// known answered by its StasisStart, ringing by Dial), channels entering and
// leaving bridges (the controller adds and removes them itself, and waits for
// the answers). At each connection the reader
// asks Asterisk not to send them (PUT /applications/{app}/eventFilter,
// Asterisk 16.3 and later), which spares Asterisk their encoding and the
// controller their reading and decoding. A refusal (an Asterisk without
// filters) is logged and changes nothing: the events then arrive and are
// dropped as before.

// DefaultDisallowedEvents are the ARI event types the controller does not
// use: what ARIOptions.DisallowEvents defaults to.
var DefaultDisallowedEvents = []string{
	"ChannelVarset", "ChannelDialplan", "ChannelCallerId", "ChannelConnectedLine",
	"BridgeCreated", "BridgeDestroyed", "ChannelCreated", "PlaybackStarted", "PlaybackContinuing",
	"ChannelStateChange", "ChannelEnteredBridge", "ChannelLeftBridge",
}

// disallowed is the filter's list of event types (nil: no filter is set).
func (a *ARI) disallowed() []string {
	if a.opts.DisallowEvents == nil {
		return DefaultDisallowedEvents
	}
	if len(a.opts.DisallowEvents) == 0 {
		return nil
	}
	return a.opts.DisallowEvents
}

// setEventFilter asks Asterisk not to send the disallowed event types to
// the application; an error is logged (once per reader) and ignored.
func (a *ARI) setEventFilter(ctx context.Context) {
	types := a.disallowed()
	if len(types) == 0 {
		return
	}
	list := make([]map[string]string, 0, len(types))
	for _, t := range types {
		list = append(list, map[string]string{"type": t})
	}
	err := a.rest(ctx, "event filter", a.opts.Application, http.MethodPut,
		"/applications/"+url.PathEscape(a.opts.Application)+"/eventFilter", nil,
		map[string]any{"disallowed": list})
	if err != nil {
		if a.filterWarned.CompareAndSwap(false, true) {
			a.log.Warn("ARI: cannot set the application's event filter; unused events are read and dropped", "err", err)
		}
		return
	}
	a.stats.filtered.Store(true)
}
