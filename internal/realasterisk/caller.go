package realasterisk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Event is one ARI event as the caller driver sees it.
type Event struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Channel   *struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
	} `json:"channel"`
	Playback *struct {
		ID        string `json:"id"`
		MediaURI  string `json:"media_uri"`
		TargetURI string `json:"target_uri"`
		State     string `json:"state"`
		Language  string `json:"language"`
	} `json:"playback"`
	Digit       string          `json:"digit"`
	DialplanApp string          `json:"dialplan_app"`
	AppData     string          `json:"dialplan_app_data"`
	Application string          `json:"application"`
	Cause       int             `json:"cause"`
	Raw         json.RawMessage `json:"-"`
	At          time.Time       `json:"-"` // when the driver read it
}

// AsteriskTime is the event's own timestamp (Asterisk's clock), or the
// time it was read when it has none.
func (e Event) AsteriskTime() time.Time {
	if t, err := time.Parse("2006-01-02T15:04:05.000-0700", e.Timestamp); err == nil {
		return t
	}
	return e.At
}

// ChannelID is the event's channel id, or the playback's target channel.
func (e Event) ChannelID() string {
	if e.Channel != nil {
		return e.Channel.ID
	}
	if e.Playback != nil {
		return strings.TrimPrefix(e.Playback.TargetURI, "channel:")
	}
	return ""
}

// Callers is a second ARI application (subscribed to all events) that owns
// the ;1 half of every caller's Local channel.
type Callers struct {
	ast  *Asterisk
	App  string
	ws   *websocket.Conn
	mu   sync.Mutex
	cond chan struct{} // closed and replaced on each event
	evs  []Event
	done chan struct{}
}

// Callers connects the caller application's WebSocket. Close it when done
// (Stop of the Asterisk closes it as well).
func (a *Asterisk) Callers(ctx context.Context) (*Callers, error) {
	app := "hotline-test-callers-" + rnd(4)
	u := strings.Replace(a.ARIURL, "http://", "ws://", 1) + "/events?" + url.Values{
		"app": {app}, "api_key": {a.ARIUser + ":" + a.ARIPassword}, "subscribeAll": {"true"}}.Encode()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("realasterisk: callers websocket: %w", err)
	}
	c := &Callers{ast: a, App: app, ws: ws, cond: make(chan struct{}), done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *Callers) read() {
	defer close(c.done)
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var e Event
		if json.Unmarshal(msg, &e) != nil {
			continue
		}
		e.Raw = msg
		e.At = time.Now()
		c.mu.Lock()
		c.evs = append(c.evs, e)
		close(c.cond)
		c.cond = make(chan struct{})
		c.mu.Unlock()
	}
}

// Close disconnects the caller application.
func (c *Callers) Close() { c.ws.Close(); <-c.done }

// Events returns every event read so far.
func (c *Callers) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.evs...)
}

// Wait returns the first event (from index from on) that match accepts,
// waiting for it until ctx ends.
func (c *Callers) Wait(ctx context.Context, match func(Event) bool) (Event, error) {
	i := 0
	for {
		c.mu.Lock()
		evs, ch := c.evs, c.cond
		c.mu.Unlock()
		for ; i < len(evs); i++ {
			if match(evs[i]) {
				return evs[i], nil
			}
		}
		select {
		case <-ch:
		case <-c.done:
			return Event{}, fmt.Errorf("realasterisk: callers websocket closed")
		case <-ctx.Done():
			return Event{}, fmt.Errorf("realasterisk: waiting for an event: %w", ctx.Err())
		}
	}
}

// Call is one caller: Local/<did>@from-trunk whose ;1 half (Channel) the
// test owns and whose ;2 half (HotlineChannel) runs the shipped dialplan.
type Call struct {
	c              *Callers
	Channel        string
	HotlineChannel string
	DID, From      string
	Placed         time.Time
}

// Call originates a caller into the shipped [from-trunk] context with the
// dialled number did and the caller id from.
func (c *Callers) Call(ctx context.Context, did, from string) (*Call, error) {
	id := "caller-" + rnd(6)
	call := &Call{c: c, Channel: id, HotlineChannel: id + "-h", DID: did, From: from, Placed: time.Now()}
	err := c.ast.ARI(ctx, http.MethodPost, "/channels", map[string]string{
		"endpoint": "Local/" + did + "@from-trunk", "app": c.App, "appArgs": "caller",
		"channelId": call.Channel, "otherChannelId": call.HotlineChannel, "callerId": from, "timeout": "120",
		// As from the provider trunk (pjsip.conf allows ulaw first): a Local
		// channel originated without formats is slin192, and every 8 kHz
		// prompt is then resampled to 192 kHz.
		"formats": "ulaw",
	}, nil)
	if err != nil {
		return nil, err
	}
	return call, nil
}

// WaitAnswered waits until the hotline answers (the ;1 half enters the caller application).
func (call *Call) WaitAnswered(ctx context.Context) error {
	_, err := call.c.Wait(ctx, func(e Event) bool {
		return e.Type == "StasisStart" && e.Application == call.c.App && e.ChannelID() == call.Channel
	})
	return err
}

// WaitEnded waits until the caller's half is destroyed (whoever hung up).
func (call *Call) WaitEnded(ctx context.Context) error {
	_, err := call.c.Wait(ctx, func(e Event) bool {
		return e.Type == "ChannelDestroyed" && e.ChannelID() == call.Channel
	})
	return err
}

// Ended says whether the caller's half is gone.
func (call *Call) Ended() bool {
	for _, e := range call.c.Events() {
		if e.Type == "ChannelDestroyed" && e.ChannelID() == call.Channel {
			return true
		}
	}
	return false
}

// WaitPlayback waits for a PlaybackStarted on the hotline's half whose media
// contains media (e.g. "hotline/menu_main") and returns it.
func (call *Call) WaitPlayback(ctx context.Context, media string) (Event, error) {
	return call.c.Wait(ctx, func(e Event) bool {
		return e.Type == "PlaybackStarted" && e.ChannelID() == call.HotlineChannel && strings.Contains(e.Playback.MediaURI, media)
	})
}

// Playbacks returns the PlaybackStarted and PlaybackContinuing events on the
// hotline's half (one per media item, in order).
func (call *Call) Playbacks() []Event {
	var out []Event
	for _, e := range call.Events() {
		if (e.Type == "PlaybackStarted" || e.Type == "PlaybackContinuing") && e.ChannelID() == call.HotlineChannel {
			out = append(out, e)
		}
	}
	return out
}

// WaitFor waits for the first event that match accepts (among all events
// the caller application sees).
func (call *Call) WaitFor(ctx context.Context, match func(Event) bool) (Event, error) {
	return call.c.Wait(ctx, match)
}

// WaitEntered waits until the hotline's half reaches Stasis(hotline,…) in
// the dialplan (the controller's StasisStart follows at once) and returns
// that event: its Asterisk timestamp is the call's entry.
func (call *Call) WaitEntered(ctx context.Context) (Event, error) {
	return call.c.Wait(ctx, func(e Event) bool {
		return e.Type == "ChannelDialplan" && e.ChannelID() == call.HotlineChannel && e.DialplanApp == "Stasis"
	})
}

// WaitHotlineUp waits until the hotline answers its half (ChannelStateChange
// to Up) and returns that event: its Asterisk timestamp is the answer.
func (call *Call) WaitHotlineUp(ctx context.Context) (Event, error) {
	return call.c.Wait(ctx, func(e Event) bool {
		return e.Type == "ChannelStateChange" && e.ChannelID() == call.HotlineChannel && e.Channel.State == "Up"
	})
}

// WaitEvent waits for an event of type typ on either half of the call.
func (call *Call) WaitEvent(ctx context.Context, typ string) (Event, error) {
	return call.c.Wait(ctx, func(e Event) bool {
		return e.Type == typ && (e.ChannelID() == call.Channel || e.ChannelID() == call.HotlineChannel)
	})
}

// Events returns the events of both halves so far.
func (call *Call) Events() []Event {
	var out []Event
	for _, e := range call.c.Events() {
		if id := e.ChannelID(); id == call.Channel || id == call.HotlineChannel {
			out = append(out, e)
		}
	}
	return out
}

// DTMF sends digits from the caller (100 ms each, 100 ms apart).
func (call *Call) DTMF(ctx context.Context, digits string) error {
	return call.c.ast.ARI(ctx, http.MethodPost, "/channels/"+call.Channel+"/dtmf",
		map[string]string{"dtmf": digits, "duration": "100", "between": "100"}, nil)
}

// Play plays media to the hotline from the caller's half (the caller
// speaking). The caller's ARI commands wait until it ends.
func (call *Call) Play(ctx context.Context, media string) error {
	return call.c.ast.ARI(ctx, http.MethodPost, "/channels/"+call.Channel+"/play", map[string]string{"media": media}, nil)
}

// Hangup hangs up the caller's half (a caller putting the phone down).
func (call *Call) Hangup(ctx context.Context) error {
	err := call.c.ast.ARI(ctx, http.MethodDelete, "/channels/"+call.Channel, nil, nil)
	if err != nil && strings.Contains(err.Error(), " 404 ") {
		return nil
	}
	return err
}

func rnd(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
