// Package telephony is the controller's own small view of Asterisk: the few
// operations the call journey needs and the events it reacts to. The ARI
// implementation (ari.go) drives Asterisk through github.com/CyCoreSystems/ari/v5
// (v5.3.1); the simulator in arisim speaks the same ARI, so a real Asterisk
// and the simulator are interchangeable behind this interface.
//
// # Why the ARI implementation reads events itself
//
// ARI (NewARI) uses ari/v5 for every REST call but never native.Connect /
// Client.Connect, because the library's WebSocket listener is unsafe for a
// long-running controller:
//   - an event type it does not know (ChannelTransfer, ChannelToneDetected,
//     ApplicationRegistered, CallBroadcast, RESTResponse, ...) fails to decode
//     and the nil event is still sent to its bus, which panics with the bus
//     lock held (process death or deadlock); Asterisk sends such events on
//     attended transfers and tone detection;
//   - its bus drops events silently when a subscription's 100-slot buffer is
//     full;
//   - it reconnects blindly every second and tells nobody, while Asterisk
//     replays nothing: the controller must re-adopt channels.
//
// So ARI.Run keeps its own WebSocket (gorilla/websocket) to
// {WebsocketURL}?app=<app> with basic auth, decodes the frequent event types
// in one pass over the frame (fastdecode.go, scan.go) and every other frame
// with the library's own decoder (ari.DecodeEvent), logs, counts and skips
// frames it cannot decode, and hands every other event, converted to Event,
// through an unbounded in-memory queue to Events() in arrival order: never a
// drop (or, after SetHandler, to the handler on the reader's goroutine). It
// reconnects with backoff (100 ms doubling to 2 s) and queues a Connected
// event after every successful connection. At each connection it also sets
// the application's event filter (eventfilter.go): Asterisk is asked not to
// send the dozen event types the controller never reads (more than half of a
// call's events). As the library's client is never
// connected its bus is nil: this package calls no Subscribe and no handle
// method that waits for events.
//
// Two more library defects are worked around: ari/v5 calls take no context
// and v5.3.1's HTTP client has no timeout at all (native.RequestTimeout is
// declared but unused), so every call runs in a goroutine that the method
// abandons at ctx's deadline, and the client gets an http.Client with a hard
// timeout (ARIOptions.RequestTimeout) and a transport that keeps ARI's error
// message (the library drops the body), set through reflection into the
// unexported field of the pinned v5.3.1 client (checked; a different layout is
// logged and the library's client kept); and ChannelHandle.Play with several
// media sends them as one JSON string, so lists are played with one direct
// request using the comma-separated media query form.
package telephony

import (
	"context"
	"errors"
	"time"
)

// ErrGone is wrapped by errors about a channel, bridge or playback that no
// longer exists or left the application (ARI 404, 409, 422).
var ErrGone = errors.New("telephony: gone")

// Switch is what the controller asks of one Asterisk server. Every method
// takes a context and returns within its deadline even though ari/v5's calls
// take no context. Errors wrap ErrGone when the channel, bridge or playback no
// longer exists (404, 409 or 422 from a resource that hung up meanwhile).
type Switch interface {
	// Node names the Asterisk server (its entity id, or the configured name).
	Node() string
	// App is the Stasis application name this switch serves.
	App() string

	Answer(ctx context.Context, channel string) error
	// Hangup hangs a channel up; reason is ARI's (normal, busy, no_answer, ...).
	Hangup(ctx context.Context, channel, reason string) error
	// Play plays media URIs in order on a channel as one playback with the
	// given id (ids are the caller's choice so events can be matched).
	Play(ctx context.Context, channel, playbackID string, media ...string) error
	// PlayBridge plays media to every channel of a bridge.
	PlayBridge(ctx context.Context, bridge, playbackID string, media ...string) error
	// StopPlayback stops a playback (DTMF does not stop prompts on Asterisk).
	StopPlayback(ctx context.Context, playbackID string) error
	StartMOH(ctx context.Context, channel, class string) error
	StopMOH(ctx context.Context, channel string) error
	// Originate places a call to endpoint (e.g. PJSIP/a101) that enters this
	// application with appArgs when answered.
	Originate(ctx context.Context, req Originate) error
	CreateBridge(ctx context.Context, id, kind string) error
	AddToBridge(ctx context.Context, bridge string, channels ...string) error
	RemoveFromBridge(ctx context.Context, bridge, channel string) error
	DestroyBridge(ctx context.Context, bridge string) error
	// Record starts a live recording of a channel (format wav), ended by
	// terminateOn ("#"), maxDuration or StopRecording.
	Record(ctx context.Context, channel, name string, maxDuration time.Duration, beep bool, terminateOn string) error
	StopRecording(ctx context.Context, name string) error
	// RecordingStored reports whether a finished recording was stored: false
	// (and no error) when Asterisk could not write it.
	RecordingStored(ctx context.Context, name string) (bool, error)
	// SetVariable sets a channel variable or function, e.g.
	// CHANNEL(language) (the language of number:, digits: and sound: media).
	SetVariable(ctx context.Context, channel, name, value string) error
	// Continue hands a channel back to the dialplan at context,extension,
	// priority (StasisEnd comes before the reply; the application hears
	// nothing more of the channel).
	Continue(ctx context.Context, channel, context, extension string, priority int) error
	// Channels lists the channels currently in this application (to re-adopt
	// them after a restart); Bridges lists its bridges.
	Channels(ctx context.Context) ([]Channel, error)
	Bridges(ctx context.Context) ([]Bridge, error)

	// Events delivers every event for the application, in arrival order,
	// until ctx passed to Run ends. Events the ari/v5 library cannot decode
	// are logged and skipped, never fatal.
	Events() <-chan Event
	// Run connects the event WebSocket and keeps it connected (reconnecting
	// with backoff) until ctx ends. After every (re)connection it delivers a
	// Connected event, so the controller re-adopts what is in Stasis.
	Run(ctx context.Context) error
}

// Originate is a request to call an endpoint into the application.
type Originate struct {
	Endpoint  string
	ChannelID string
	AppArgs   string
	CallerID  string
	Timeout   time.Duration // ring timeout; Asterisk hangs up unanswered after it
	Variables map[string]string
}

// Channel is a channel as listed by Asterisk.
type Channel struct {
	ID       string
	Name     string
	State    string // Down, Ring, Ringing, Up, ...
	Caller   string
	Dialled  string
	Language string   // CHANNEL(language) as Asterisk reports it ("en" by default)
	Args     []string // the Stasis args, where known
	Created  time.Time
	BridgeID string
}

// Bridge is a bridge as listed by Asterisk.
type Bridge struct {
	ID       string
	Kind     string
	Channels []string
}

// EventType names the events the controller reacts to.
type EventType string

// Event types (ARI names, plus Connected which the reader adds).
const (
	Connected          EventType = "Connected" // the WebSocket (re)connected
	StasisStart        EventType = "StasisStart"
	StasisEnd          EventType = "StasisEnd"
	ChannelStateChange EventType = "ChannelStateChange"
	ChannelDtmf        EventType = "ChannelDtmfReceived"
	ChannelHangup      EventType = "ChannelHangupRequest"
	ChannelDestroyed   EventType = "ChannelDestroyed"
	PlaybackStarted    EventType = "PlaybackStarted"
	PlaybackFinished   EventType = "PlaybackFinished"
	RecordingStarted   EventType = "RecordingStarted"
	RecordingFinished  EventType = "RecordingFinished"
	RecordingFailed    EventType = "RecordingFailed"
	Dial               EventType = "Dial"
	EnteredBridge      EventType = "ChannelEnteredBridge"
	LeftBridge         EventType = "ChannelLeftBridge"
	Other              EventType = "Other" // any other decodable event
)

// Event is one ARI event reduced to what the controller uses.
type Event struct {
	Type       EventType
	ARIType    string    // the ARI event type as received
	Time       time.Time // the event's own timestamp
	Channel    Channel   // the channel concerned (for Dial: the peer)
	Args       []string  // StasisStart args
	Digit      string    // DTMF
	PlaybackID string    // Playback*
	State      string    // Playback*/Recording* state ("done", "failed", ...); channel state for StateChange
	Cause      int       // hangup cause
	Soft       bool      // ChannelHangupRequest soft
	DialStatus string    // Dial
	BridgeID   string    // Entered/LeftBridge
	Recording  string    // Recording* name
	Duration   time.Duration
	// Received is the wall time the reader read the event's frame (zero for
	// Connected): reaction times are measured from it.
	Received time.Time
	// Done must be called once the event has been handled (it releases the
	// virtual clock's hold taken for it; a no-op on real time).
	Done func()
}
