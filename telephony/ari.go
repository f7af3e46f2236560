package telephony

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/CyCoreSystems/ari/v5"
	"github.com/CyCoreSystems/ari/v5/client/native"

	"github.com/publicservice/hotline/clock"
)

// ARIOptions configures an ARI switch.
type ARIOptions struct {
	// URL is ARI's REST root, e.g. http://127.0.0.1:8088/ari.
	URL string
	// WebsocketURL is the events endpoint, e.g. ws://127.0.0.1:8088/ari/events;
	// by default derived from URL (http→ws, https→wss, + "/events").
	WebsocketURL string
	// Application is the Stasis application name (required).
	Application string
	Username    string
	Password    string
	// Node names the Asterisk server; if empty, the entity id from
	// GET /asterisk/info (fetched on every connection) is used.
	Node string
	// Clock is the shared clock (default clock.Real()).
	Clock  clock.Clock
	Logger *slog.Logger
	// RequestTimeout bounds every REST call whose context has no deadline, and
	// is the hard timeout of the HTTP client under ari/v5 (default 5 s).
	RequestTimeout time.Duration
	// Backoff of reconnection: starts at BackoffMin, doubles up to BackoffMax
	// (defaults 100 ms and 2 s).
	BackoffMin, BackoffMax time.Duration
	// PingInterval is how often (wall time) the reader pings Asterisk; a
	// connection silent for 3 intervals (no frame, no pong) is dropped and
	// re-dialled. Default 10 s; negative disables.
	PingInterval time.Duration
	// ObserveRequest, when set, is told how long each REST request to ARI
	// took (wall time to the answer's headers; to the whole answer for the
	// call path's requests, whose answers are a few hundred bytes at most),
	// e.g. for adaptive load shedding (ivr.AdaptiveLimit.Observe).
	ObserveRequest func(took time.Duration)
	// DisallowEvents are the ARI event types Asterisk is asked not to send
	// the application (its event filter, set at every connection; see
	// eventfilter.go). nil: DefaultDisallowedEvents; empty: no filter.
	DisallowEvents []string
}

// ARI implements Switch over ARI with github.com/CyCoreSystems/ari/v5 for
// REST and its own event reader (see the package documentation).
type ARI struct {
	opts   ARIOptions
	client *native.Client
	wire   http.RoundTripper // the call path's requests (rest.go): every one has a deadline
	clk    clock.Clock
	log    *slog.Logger

	node atomic.Pointer[string]

	q       *eventQueue
	out     chan Event
	queued  atomic.Int64 // events pushed to q and not yet delivered by pump
	running atomic.Bool
	handler func(Event) // SetHandler: events go to it, not to out

	stats    readerStats
	requests *atomic.Int64 // REST requests sent (countedTransport)
	byKind   *sync.Map     // the same by kind of request
	// connected is true while the events WebSocket is up.
	connected atomic.Bool
	seenBad   sync.Map // ARI types already logged as undecodable
	// filterWarned: a refused event filter was logged once.
	filterWarned atomic.Bool
}

var _ Switch = (*ARI)(nil)

// NewARI builds an ARI switch. It does not touch the network; Run connects.
func NewARI(opts ARIOptions) (*ARI, error) {
	if opts.Application == "" {
		return nil, errors.New("telephony: ARIOptions.Application is required")
	}
	if opts.URL == "" {
		opts.URL = "http://localhost:8088/ari"
	}
	opts.URL = strings.TrimRight(opts.URL, "/")
	if _, err := url.Parse(opts.URL); err != nil {
		return nil, fmt.Errorf("telephony: ARI URL: %w", err)
	}
	if opts.WebsocketURL == "" {
		switch {
		case strings.HasPrefix(opts.URL, "https://"):
			opts.WebsocketURL = "wss://" + strings.TrimPrefix(opts.URL, "https://") + "/events"
		case strings.HasPrefix(opts.URL, "http://"):
			opts.WebsocketURL = "ws://" + strings.TrimPrefix(opts.URL, "http://") + "/events"
		default:
			return nil, fmt.Errorf("telephony: cannot derive the events URL from %q", opts.URL)
		}
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 5 * time.Second
	}
	if opts.BackoffMin <= 0 {
		opts.BackoffMin = 100 * time.Millisecond
	}
	if opts.BackoffMax < opts.BackoffMin {
		opts.BackoffMax = max(2*time.Second, opts.BackoffMin)
	}
	if opts.PingInterval == 0 {
		opts.PingInterval = 10 * time.Second
	}
	log := opts.Logger.With("component", "telephony", "app", opts.Application)

	// native.New only fills options: no connection, no bus. Nothing below
	// may call Bus(), Subscribe or a handle method that waits for events.
	client := native.New(&native.Options{
		Application:  opts.Application,
		URL:          opts.URL,
		WebsocketURL: opts.WebsocketURL,
		Username:     opts.Username,
		Password:     opts.Password,
	})
	requests := new(atomic.Int64)
	byKind := new(sync.Map)
	// The library's requests go through net/http's transport; the call
	// path's (rest.go) through the wire transport, which falls back to the
	// same net/http transport for https.
	std := newTransport()
	var base http.RoundTripper = countedTransport{next: std, n: requests, byKind: byKind}
	var wire http.RoundTripper = countedTransport{next: newWireTransport(std), n: requests, byKind: byKind}
	if opts.ObserveRequest != nil {
		base = timedTransport{next: base, observe: opts.ObserveRequest}
		wire = timedTransport{next: wire, observe: opts.ObserveRequest}
	}
	tr := errorBodyTransport{next: base}
	if !installHTTPClient(client, http.Client{Transport: tr, Timeout: opts.RequestTimeout}) {
		log.Warn("ari/v5 client layout not as expected: using its default HTTP client (no ARI messages in errors)")
	}
	a := &ARI{
		opts:     opts,
		client:   client,
		wire:     wire,
		clk:      opts.Clock,
		log:      log,
		q:        newEventQueue(),
		out:      make(chan Event),
		requests: requests,
		byKind:   byKind,
	}
	if opts.Node != "" {
		n := opts.Node
		a.node.Store(&n)
	}
	return a, nil
}

// Node names the Asterisk server: the configured name, else the entity id
// fetched at the last connection ("" before the first).
func (a *ARI) Node() string {
	if p := a.node.Load(); p != nil {
		return *p
	}
	return ""
}

// App is the Stasis application name.
func (a *ARI) App() string { return a.opts.Application }

// call runs f (an ari/v5 call, which takes no context) and returns at ctx's
// deadline at the latest. ari/v5 offers no per-call context or timeout, so f
// runs in its own goroutine; if ctx ends first the goroutine finishes in the
// background, bounded by the HTTP client's hard timeout (RequestTimeout).
// The call holds the clock while in flight (a virtual clock must not advance
// between the request and Asterisk's handling of it).
func (a *ARI) call(ctx context.Context, op, id string, f func() error) error {
	if err := ctx.Err(); err != nil {
		return &APIError{Op: op, ID: id, Err: err}
	}
	release := a.clk.Hold()
	defer release()
	var cancel context.CancelFunc
	if _, ok := ctx.Deadline(); !ok {
		ctx, cancel = context.WithTimeout(ctx, a.opts.RequestTimeout)
		defer cancel()
	}
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return wrapErr(op, id, err)
	case <-ctx.Done():
		return &APIError{Op: op, ID: id, Err: ctx.Err()}
	}
}

func chanKey(id string) *ari.Key   { return ari.NewKey(ari.ChannelKey, id) }
func bridgeKey(id string) *ari.Key { return ari.NewKey(ari.BridgeKey, id) }

// Answer answers a channel (204 also when already answered).
func (a *ARI) Answer(ctx context.Context, channel string) error {
	return a.rest(ctx, "answer", channel, http.MethodPost, chanPath(channel)+"/answer", nil, nil)
}

// Hangup hangs a channel up with an ARI reason (default normal).
func (a *ARI) Hangup(ctx context.Context, channel, reason string) error {
	var q url.Values
	if reason != "" {
		q = url.Values{"reason": {reason}}
	}
	return a.rest(ctx, "hangup", channel, http.MethodDelete, chanPath(channel), q, nil)
}

// Play plays media in order on a channel as one playback (see playDirect
// for several items).
func (a *ARI) Play(ctx context.Context, channel, playbackID string, media ...string) error {
	switch len(media) {
	case 0:
		return &APIError{Op: "play", ID: channel, Err: errors.New("no media")}
	}
	return a.playDirect(ctx, "channels", channel, playbackID, media)
}

// PlayBridge plays media in order to every channel of a bridge.
func (a *ARI) PlayBridge(ctx context.Context, bridge, playbackID string, media ...string) error {
	switch len(media) {
	case 0:
		return &APIError{Op: "play bridge", ID: bridge, Err: errors.New("no media")}
	}
	return a.playDirect(ctx, "bridges", bridge, playbackID, media)
}

// StopPlayback stops a playback (PlaybackFinished then says "done").
func (a *ARI) StopPlayback(ctx context.Context, playbackID string) error {
	return a.rest(ctx, "stop playback", playbackID, http.MethodDelete, "/playbacks/"+url.PathEscape(playbackID), nil, nil)
}

// StartMOH starts music on hold on a channel (class "" = default).
func (a *ARI) StartMOH(ctx context.Context, channel, class string) error {
	var q url.Values
	if class != "" {
		q = url.Values{"mohClass": {class}}
	}
	return a.rest(ctx, "start moh", channel, http.MethodPost, chanPath(channel)+"/moh", q, nil)
}

// StopMOH stops music on hold on a channel (204 even when none plays).
func (a *ARI) StopMOH(ctx context.Context, channel string) error {
	return a.rest(ctx, "stop moh", channel, http.MethodDelete, chanPath(channel)+"/moh", nil, nil)
}

// Originate calls req.Endpoint into this application. The ring timeout is
// sent in whole seconds, rounded up (minimum 1); zero or negative leaves
// Asterisk's default (30 s).
func (a *ARI) Originate(ctx context.Context, req Originate) error {
	r := ari.OriginateRequest{
		Endpoint:  req.Endpoint,
		App:       a.opts.Application,
		AppArgs:   req.AppArgs,
		ChannelID: req.ChannelID,
		CallerID:  req.CallerID,
		Timeout:   ringSeconds(req.Timeout),
		Variables: req.Variables,
	}
	return a.rest(ctx, "originate", req.ChannelID, http.MethodPost, "/channels", nil, r)
}

func ringSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return max(1, int((d+time.Second-1)/time.Second))
}

// CreateBridge creates a bridge (kind e.g. "mixing" or "holding").
func (a *ARI) CreateBridge(ctx context.Context, id, kind string) error {
	return a.rest(ctx, "create bridge", id, http.MethodPost, bridgePath(id), url.Values{"type": {kind}, "name": {id}}, nil)
}

// AddToBridge adds channels to a bridge: several in one request (ARI's
// comma-separated channel list; Asterisk adds none if one is missing), or,
// when an id holds a comma, one request each, in order.
func (a *ARI) AddToBridge(ctx context.Context, bridge string, channels ...string) error {
	if len(channels) > 1 && !slices.ContainsFunc(channels, func(ch string) bool { return ch == "" || strings.Contains(ch, ",") }) {
		items := make([]string, len(channels))
		for i, ch := range channels {
			items[i] = url.QueryEscape(ch)
		}
		// Commas stay literal: Asterisk splits the decoded value on them.
		return a.direct(ctx, "add to bridge", bridge, http.MethodPost,
			a.opts.URL+bridgePath(bridge)+"/addChannel?channel="+strings.Join(items, ","))
	}
	for _, ch := range channels {
		err := a.rest(ctx, "add to bridge", bridge, http.MethodPost, bridgePath(bridge)+"/addChannel", url.Values{"channel": {ch}}, nil)
		if err != nil {
			return fmt.Errorf("channel %s: %w", ch, err)
		}
	}
	return nil
}

// RemoveFromBridge removes a channel from a bridge.
func (a *ARI) RemoveFromBridge(ctx context.Context, bridge, channel string) error {
	return a.rest(ctx, "remove from bridge", bridge, http.MethodPost, bridgePath(bridge)+"/removeChannel", url.Values{"channel": {channel}}, nil)
}

// DestroyBridge deletes a bridge.
func (a *ARI) DestroyBridge(ctx context.Context, bridge string) error {
	return a.rest(ctx, "destroy bridge", bridge, http.MethodDelete, bridgePath(bridge), nil, nil)
}

// Record starts a wav live recording named name on a channel; it fails (409)
// if the name exists. maxDuration is rounded up to whole seconds (0 = none).
func (a *ARI) Record(ctx context.Context, channel, name string, maxDuration time.Duration, beep bool, terminateOn string) error {
	o := &ari.RecordingOptions{
		Format:      "wav",
		MaxDuration: time.Duration(ringSeconds(maxDuration)) * time.Second,
		Exists:      "fail",
		Beep:        beep,
		Terminate:   terminateOn,
	}
	return a.call(ctx, "record", channel, func() error {
		_, err := a.client.Channel().Record(chanKey(channel), name, o)
		return err
	})
}

// RecordingStored reports whether a finished recording is stored (GET
// /recordings/stored/{name}: 200, or 404 "Recording not found"). Asterisk 22
// ends a recording whose file it could not create with RecordingFinished
// "done" and duration 0, and stores nothing.
func (a *ARI) RecordingStored(ctx context.Context, name string) (bool, error) {
	err := a.call(ctx, "stored recording", name, func() error {
		_, err := a.client.StoredRecording().Data(ari.NewKey(ari.StoredRecordingKey, name))
		return err
	})
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound && strings.EqualFold(ae.Message, "recording not found") {
		return false, nil
	}
	return err == nil, err
}

// StopRecording stops a live recording and stores it.
func (a *ARI) StopRecording(ctx context.Context, name string) error {
	return a.call(ctx, "stop recording", name, func() error {
		return a.client.LiveRecording().Stop(ari.NewKey(ari.LiveRecordingKey, name))
	})
}
