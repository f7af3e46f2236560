package astbench

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// MinimalOptions configures the minimal application: the baseline of what
// ARI allows for the benchmark's call, with the controller's audio and none
// of its logic (no menus to interpret, no queue, no records).
type MinimalOptions struct {
	ARI *ARI
	// App is the Stasis application name ("hotline", so that calls enter it
	// through the shipped dialplan exactly as they enter the controller).
	App string
	// Menus are the media lists played one after the other, each followed by
	// a wait for one key (a key during the prompt stops it, as the controller
	// does).
	Menus [][]string
	// Hold is played once after the last menu key, before hold music (the
	// controller's queue entry prompt; may be empty).
	Hold []string
	// Ringing is played while the agent rings, instead of hold music, and
	// stopped by the bridge (the controller's "connecting"; may be empty).
	Ringing []string
	// Agents is how many benchmark agents (Local channels of the
	// bench-agent context) calls are spread over, in turn.
	Agents int
	// Survey is played after the agent hangs up, followed by a wait for one
	// key; Thanks is played after that key, then the caller is hung up.
	Survey, Thanks []string
	// KeyTimeout bounds each wait for a key (default 10 s).
	KeyTimeout time.Duration
	// DisallowEvents, when set, is the application's event filter (PUT
	// /applications/{app}/eventFilter) once connected: the benchmark gives
	// it the controller's (telephony.DefaultDisallowedEvents) but the
	// ChannelLeftBridge it waits for, so that neither reads events it does
	// not use.
	DisallowEvents []string
	Logger         *slog.Logger
}

// RunMinimal runs the minimal application until ctx ends. ready is closed
// once its WebSocket is connected.
func RunMinimal(ctx context.Context, o MinimalOptions, ready chan<- struct{}) error {
	if o.KeyTimeout <= 0 {
		o.KeyTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Agents <= 0 {
		o.Agents = 1
	}
	m := &minimal{o: o, calls: map[string]chan Event{}}
	connected := make(chan struct{})
	go func() {
		select {
		case <-connected:
		case <-ctx.Done():
			return
		}
		if len(o.DisallowEvents) > 0 {
			if err := o.ARI.Filter(ctx, o.App, o.DisallowEvents); err != nil {
				o.Logger.Warn("minimal application: event filter refused", "err", err)
			}
		}
		if ready != nil {
			close(ready)
		}
	}()
	err := o.ARI.Events(ctx, o.App, connected, func(ev Event) { m.route(ctx, ev) })
	m.wg.Wait()
	return err
}

type minimal struct {
	o     MinimalOptions
	mu    sync.Mutex
	calls map[string]chan Event // by caller channel id
	next  int                   // next agent
	wg    sync.WaitGroup
}

// callOf maps a channel id to its call: the agent leg is <caller>-a.
func callOf(ev Event) string {
	id := ev.ChannelID()
	if id == "" && ev.Playback != nil {
		id = strings.TrimPrefix(ev.Playback.Target, "channel:")
	}
	return strings.TrimSuffix(id, "-a")
}

func (m *minimal) route(ctx context.Context, ev Event) {
	id := callOf(ev)
	if id == "" {
		return
	}
	m.mu.Lock()
	ch := m.calls[id]
	if ch == nil && ev.Type == "StasisStart" && len(ev.Args) > 0 && ev.Args[0] == "inbound" {
		ch = make(chan Event, 256)
		m.calls[id] = ch
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.run(ctx, id, ch)
			m.mu.Lock()
			delete(m.calls, id)
			m.mu.Unlock()
		}()
	}
	m.mu.Unlock()
	if ch != nil {
		ch <- ev
	}
}

// mcall is one call of the minimal application, run by one goroutine.
type mcall struct {
	m      *minimal
	ctx    context.Context
	id     string
	ev     <-chan Event
	gone   bool
	agent  bool // the agent leg is in Stasis
	agentX bool // the agent leg ended
	// unbridged: the caller left the bridge (it was destroyed)
	unbridged bool
	n         int
	stage     string // where the journey is (for the logs)
}

var errGone = fmt.Errorf("astbench: caller gone")

func (m *minimal) run(ctx context.Context, id string, ev <-chan Event) {
	c := &mcall{m: m, ctx: ctx, id: id, ev: ev}
	// A request refused with 4xx reads as "caller gone" (errGone) only when
	// the caller's channel really ended: otherwise the call failed and the
	// caller, still up, is hung up (a call set up and never ended otherwise).
	if err := c.journey(); err != nil && !c.gone && ctx.Err() == nil {
		m.o.Logger.Warn("minimal app: call failed", "call", id, "stage", c.stage, "err", err)
		_ = c.rest(http.MethodDelete, "/channels/"+id, nil)
	} else if err != nil {
		// The benchmark's callers never hang up by themselves: the driver
		// (after its linger time) or the shutdown cut this call.
		m.o.Logger.Warn("minimal app: call cut", "call", id, "stage", c.stage, "err", err)
	}
	if c.agent && !c.agentX {
		_ = c.rest(http.MethodDelete, "/channels/"+id+"-a", nil)
	}
	// drain until the caller's channel is gone
	for !c.gone {
		select {
		case e := <-ev:
			c.note(e)
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Second):
			return
		}
	}
}

func (c *mcall) rest(method, path string, q url.Values) error {
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	return c.m.o.ARI.Do(ctx, method, path, q, nil)
}

// note records what an event says about the legs.
func (c *mcall) note(e Event) {
	switch e.Type {
	case "StasisEnd", "ChannelDestroyed":
		if e.ChannelID() == c.id {
			c.gone = true
		} else if e.ChannelID() == c.id+"-a" {
			c.agentX = true
		}
	case "StasisStart":
		if e.ChannelID() == c.id+"-a" {
			c.agent = true
		}
	case "ChannelLeftBridge":
		if e.ChannelID() == c.id {
			c.unbridged = true
		}
	}
}

// next waits for the next event (errGone once the caller left).
func (c *mcall) next(timeout time.Duration) (Event, error) {
	if c.gone {
		return Event{}, errGone
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case e := <-c.ev:
		c.note(e)
		if c.gone {
			return e, errGone
		}
		return e, nil
	case <-t.C:
		return Event{}, fmt.Errorf("astbench: nothing for %v", timeout)
	case <-c.ctx.Done():
		return Event{}, c.ctx.Err()
	}
}

// play plays media and waits for its end; with key, a key ends it early
// (the playback is stopped) and is returned.
func (c *mcall) play(media []string, key bool) (string, error) {
	if len(media) == 0 {
		return "", nil
	}
	c.n++
	pb := fmt.Sprintf("%s~%d", c.id, c.n)
	if err := c.rest(http.MethodPost, "/channels/"+c.id+"/play", url.Values{"media": {strings.Join(media, ",")}, "playbackId": {pb}}); err != nil {
		if isGone(err) {
			return "", errGone
		}
		return "", err
	}
	for {
		e, err := c.next(5 * time.Minute)
		if err != nil {
			return "", err
		}
		switch {
		case e.Type == "PlaybackFinished" && e.Playback != nil && e.Playback.ID == pb:
			return "", nil
		case key && e.Type == "ChannelDtmfReceived" && e.ChannelID() == c.id:
			_ = c.rest(http.MethodDelete, "/playbacks/"+pb, nil)
			return e.Digit, nil
		}
	}
}

// key waits for one key.
func (c *mcall) key() (string, error) {
	deadline := time.Now().Add(c.m.o.KeyTimeout)
	for {
		e, err := c.next(time.Until(deadline))
		if err != nil {
			return "", err
		}
		if e.Type == "ChannelDtmfReceived" && e.ChannelID() == c.id {
			return e.Digit, nil
		}
	}
}

func (c *mcall) menu(media []string) error {
	k, err := c.play(media, true)
	if err == nil && k == "" {
		_, err = c.key()
	}
	return err
}

// journey: answer, menus, hold music while the agent is called, bridge,
// survey, thanks, hang-up.
func (c *mcall) journey() error {
	o := c.m.o
	if _, err := c.next(time.Second); err != nil { // the StasisStart
		return err
	}
	if err := c.rest(http.MethodPost, "/channels/"+c.id+"/answer", nil); err != nil {
		return err
	}
	for _, m := range o.Menus {
		if err := c.menu(m); err != nil {
			return err
		}
	}
	if _, err := c.play(o.Hold, false); err != nil {
		return err
	}
	// While the agent rings: the ringing prompt (stopped by the bridge), or
	// hold music.
	ring := ""
	if len(o.Ringing) > 0 {
		c.n++
		ring = fmt.Sprintf("%s~%d", c.id, c.n)
		if err := c.rest(http.MethodPost, "/channels/"+c.id+"/play", url.Values{"media": {strings.Join(o.Ringing, ",")}, "playbackId": {ring}}); err != nil {
			return err
		}
	} else if err := c.rest(http.MethodPost, "/channels/"+c.id+"/moh", nil); err != nil {
		return err
	}
	c.stage = "originating the agent"
	agent := c.id + "-a"
	c.m.mu.Lock()
	endpoint := agentEndpoint(c.m.next % o.Agents)
	c.m.next++
	c.m.mu.Unlock()
	if err := c.rest(http.MethodPost, "/channels", url.Values{"endpoint": {endpoint}, "app": {o.App},
		"appArgs": {"agent," + c.id}, "channelId": {agent}, "timeout": {"15"}}); err != nil {
		return err
	}
	for !c.agent {
		if c.agentX {
			return fmt.Errorf("astbench: agent leg ended before answering")
		}
		if _, err := c.next(20 * time.Second); err != nil {
			return err
		}
	}
	c.stage = "bridging"
	bridge := c.id + "-b"
	if err := c.rest(http.MethodPost, "/bridges/"+bridge, url.Values{"type": {"mixing"}}); err != nil {
		return err
	}
	bridged := true
	defer func() {
		if bridged {
			_ = c.rest(http.MethodDelete, "/bridges/"+bridge, nil)
		}
	}()
	if ring != "" {
		if err := c.rest(http.MethodDelete, "/playbacks/"+ring, nil); err != nil && !isGone(err) {
			return err
		}
	} else if err := c.rest(http.MethodDelete, "/channels/"+c.id+"/moh", nil); err != nil {
		return err
	}
	if err := c.rest(http.MethodPost, "/bridges/"+bridge+"/addChannel", url.Values{"channel": {c.id + "," + agent}}); err != nil {
		return err
	}
	c.stage = "talking"
	for !c.agentX {
		if _, err := c.next(5 * time.Minute); err != nil {
			return err
		}
	}
	// The caller is taken out of the bridge before it is destroyed: a play
	// request after a bridge was destroyed with the caller in it was
	// accepted and never started on this Asterisk for 1–5 calls in most
	// 15–20 s steps at 3–10 calls/s (the caller left in silence). The
	// controller has always done so (ivr/connect.go agentGone).
	if err := c.rest(http.MethodPost, "/bridges/"+bridge+"/removeChannel", url.Values{"channel": {c.id}}); err != nil {
		return err
	}
	bridged = false
	if err := c.rest(http.MethodDelete, "/bridges/"+bridge, nil); err != nil {
		return err
	}
	// The survey may only be played once the caller is out of the bridge:
	// a play request racing the departure is refused.
	c.stage = "leaving the bridge"
	for !c.unbridged {
		if _, err := c.next(10 * time.Second); err != nil {
			return err
		}
	}
	c.stage = "survey"
	if err := c.menu(o.Survey); err != nil {
		return err
	}
	if _, err := c.play(o.Thanks, false); err != nil {
		return err
	}
	return c.rest(http.MethodDelete, "/channels/"+c.id, nil)
}
