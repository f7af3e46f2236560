package telephony

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/CyCoreSystems/ari/v5"
	"github.com/gorilla/websocket"
)

// ReaderStats counts what the event reader saw since NewARI.
type ReaderStats struct {
	Connects    int64 // successful WebSocket (re)connections
	DialFails   int64 // failed connection attempts
	Frames      int64 // WebSocket frames read
	Delivered   int64 // events handed to the consumer (Connected included)
	Undecodable int64 // frames ari.DecodeEvent could not decode (skipped)
	Queued      int64 // events read but not yet taken by the consumer
	Requests    int64 // REST requests sent to ARI
	// Filtered: Asterisk accepted the event filter (DisallowEvents) at the
	// last connection.
	Filtered bool
}

type readerStats struct {
	connects, dialFails, frames, delivered, undecodable atomic.Int64
	filtered                                            atomic.Bool
}

// Connected reports whether the events WebSocket is up now.
func (a *ARI) Connected() bool { return a.connected.Load() }

// Stats returns the reader's counters.
func (a *ARI) Stats() ReaderStats {
	return ReaderStats{
		Connects:    a.stats.connects.Load(),
		DialFails:   a.stats.dialFails.Load(),
		Frames:      a.stats.frames.Load(),
		Delivered:   a.stats.delivered.Load(),
		Undecodable: a.stats.undecodable.Load(),
		Queued:      int64(a.q.len()),
		Requests:    a.requests.Load(),
		Filtered:    a.stats.filtered.Load(),
	}
}

// RequestsByKind counts the REST requests sent since NewARI by kind
// ("POST channels/play": method, resource and operation, no ids).
func (a *ARI) RequestsByKind() map[string]int64 {
	out := map[string]int64{}
	a.byKind.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// Events delivers every event of the application in arrival order. The
// channel is closed when Run returns. Call ev.Done() after handling each one.
// After SetHandler nothing is delivered on it (it is still closed).
func (a *ARI) Events() <-chan Event { return a.out }

// SetHandler makes the reader call h with every event, Connected included,
// in arrival order on the reader's own goroutine, instead of delivering them
// on Events: one goroutine hand-off less an event. h must return quickly
// (while it runs no frame is read, and Asterisk drops a WebSocket it cannot
// write to) and call ev.Done() once it has handled ev, as for Events. Call
// it before Run.
func (a *ARI) SetHandler(h func(Event)) {
	if a.running.Load() {
		panic("telephony: SetHandler after Run")
	}
	a.handler = h
}

// Run connects the event WebSocket and keeps it connected until ctx ends,
// reconnecting with backoff (BackoffMin doubling to BackoffMax, waited on the
// shared clock). After every successful connection it queues a Connected
// event before any event read on that connection. It returns ctx's error.
// Run may be called only once. The backoff waits are clk.AfterFunc timers: on
// a paused clock.Virtual a reconnection waits for Advance.
func (a *ARI) Run(ctx context.Context) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("telephony: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		a.pump(ctx)
	}()
	backoff := a.opts.BackoffMin
	for ctx.Err() == nil {
		conn, err := a.connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			a.stats.dialFails.Add(1)
			a.log.Warn("ARI events: connect failed", "err", err, "retry_in", backoff)
			if !a.wait(ctx, backoff) {
				break
			}
			backoff = min(2*backoff, a.opts.BackoffMax)
			continue
		}
		backoff = a.opts.BackoffMin
		err = a.readLoop(ctx, conn)
		if ctx.Err() != nil {
			break
		}
		a.log.Warn("ARI events: connection lost, reconnecting", "err", err, "retry_in", backoff)
		if !a.wait(ctx, backoff) {
			break
		}
		backoff = min(2*backoff, a.opts.BackoffMax)
	}
	<-pumped
	// The reader (this goroutine) may have queued an event after the pump
	// gave the rest back: release it too.
	for _, ev := range a.q.drain() {
		release(ev)
	}
	close(a.out)
	return ctx.Err()
}

// wait waits d on the shared clock (AfterFunc, so a virtual clock advances
// to it when idle); false if ctx ended first.
func (a *ARI) wait(ctx context.Context, d time.Duration) bool {
	fired := make(chan struct{})
	t := a.clk.AfterFunc(d, func() { close(fired) })
	select {
	case <-fired:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}

// connect dials the events WebSocket (basic auth, ?app=), fetches the node
// name, and queues a Connected event. The dial runs under a clock hold so a
// virtual clock does not move while connecting.
func (a *ARI) connect(ctx context.Context) (*websocket.Conn, error) {
	release := a.clk.Hold()
	defer release()
	u, err := url.Parse(a.opts.WebsocketURL)
	if err != nil {
		return nil, fmt.Errorf("events URL: %w", err)
	}
	q := u.Query()
	q.Set("app", a.opts.Application)
	u.RawQuery = q.Encode()
	h := http.Header{}
	if a.opts.Username != "" {
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.opts.Username+":"+a.opts.Password)))
	}
	d := websocket.Dialer{HandshakeTimeout: a.opts.RequestTimeout, ReadBufferSize: 64 << 10}
	dctx, cancel := context.WithTimeout(ctx, a.opts.RequestTimeout)
	defer cancel()
	conn, resp, err := d.DialContext(dctx, u.String(), h)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: HTTP %s: %w", u.Redacted(), resp.Status, err)
		}
		return nil, fmt.Errorf("dial %s: %w", u.Redacted(), err)
	}
	conn.SetReadLimit(16 << 20)
	a.stats.filtered.Store(false)
	a.setEventFilter(ctx)
	if a.opts.Node == "" {
		a.fetchNode(ctx)
	}
	a.stats.connects.Add(1)
	a.log.Info("ARI events connected", "node", a.Node())
	ev := Event{Type: Connected, ARIType: string(Connected), Time: a.clk.Now(), Done: a.clk.Hold(), Received: time.Now()}
	if a.handler != nil {
		a.stats.delivered.Add(1)
		a.handler(ev)
	} else {
		a.enqueue(ev)
	}
	return conn, nil
}

// fetchNode reads the Asterisk entity id; on failure the previous one stays.
func (a *ARI) fetchNode(ctx context.Context) {
	var info *ari.AsteriskInfo
	err := a.call(ctx, "asterisk info", "", func() (err error) {
		info, err = a.client.Asterisk().Info(nil)
		return err
	})
	if err != nil {
		a.log.Warn("ARI: cannot read asterisk info", "err", err)
		return
	}
	if id := info.SystemInfo.EntityID; id != "" {
		a.node.Store(&id)
	}
}

// readLoop reads frames until the connection fails or ctx ends. Every frame
// takes a clock hold and then Taken(1) (the sender called Handoff(1)); the
// hold is the event's Done, or released at once for a skipped frame.
func (a *ARI) readLoop(ctx context.Context, conn *websocket.Conn) error {
	stop := context.AfterFunc(ctx, func() {
		// A close frame first: Asterisk logs "Web socket closed abruptly"
		// for a connection that just ends.
		_ = conn.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(websocket.CloseNormalClosure, "application stopping"), time.Now().Add(time.Second))
		_ = conn.Close()
	})
	defer stop()
	defer conn.Close()
	a.connected.Store(true)
	defer a.connected.Store(false)
	alive := func() {}
	if iv := a.opts.PingInterval; iv > 0 {
		// Liveness of the socket is wall time, not simulated time: a dead peer
		// (no FIN) would otherwise block ReadMessage until TCP gives up.
		alive = func() { _ = conn.SetReadDeadline(time.Now().Add(3 * iv)) }
		alive()
		conn.SetPongHandler(func(string) error { alive(); return nil })
		pctx, cancel := context.WithCancel(ctx)
		defer cancel()
		go pinger(pctx, conn, iv)
	}
	for {
		typ, data, err := conn.ReadMessage()
		if err != nil {
			return err
		}
		received := time.Now()
		alive()
		hold := a.clk.Hold()
		a.clk.Taken(1)
		a.stats.frames.Add(1)
		if typ != websocket.TextMessage && typ != websocket.BinaryMessage {
			hold()
			continue
		}
		ev, err := a.decode(data)
		if err != nil {
			a.stats.undecodable.Add(1)
			a.logUndecodable(data, err)
			hold()
			continue
		}
		ev.Done = hold
		ev.Received = received
		if a.handler != nil {
			a.stats.delivered.Add(1)
			a.handler(ev)
			continue
		}
		// Nothing queued or in the pump's hands: hand the event straight to
		// a waiting consumer (one goroutine switch less per event), else
		// queue it behind the others.
		if a.queued.Load() == 0 {
			select {
			case a.out <- ev:
				a.stats.delivered.Add(1)
				continue
			default:
			}
		}
		a.enqueue(ev)
	}
}

// enqueue queues ev for the pump (only the goroutine of Run calls it, so a
// zero a.queued seen there means nothing is ahead of its next event).
func (a *ARI) enqueue(ev Event) {
	a.queued.Add(1)
	a.q.push(ev)
}

// decode decodes one frame: the frequent types in one pass (fastDecode),
// the others with the library's decoder, converted.
func (a *ARI) decode(data []byte) (Event, error) {
	if ev, ok := fastDecode(data); ok {
		return ev, nil
	}
	e, err := ari.DecodeEvent(data)
	if err != nil {
		return Event{}, err
	}
	if e == nil {
		return Event{}, errors.New("no event decoded")
	}
	return convert(e), nil
}

// pinger pings every interval until ctx ends or a write fails (gorilla
// allows one concurrent writer of control frames besides the reader).
func pinger(ctx context.Context, conn *websocket.Conn, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(every)) != nil {
				return
			}
		}
	}
}

// logUndecodable warns once per ARI type, then logs at debug level.
func (a *ARI) logUndecodable(data []byte, err error) {
	var m struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(data, &m)
	if _, seen := a.seenBad.LoadOrStore(m.Type, true); seen {
		a.log.Debug("ARI events: skipping undecodable frame", "type", m.Type, "err", err)
		return
	}
	a.log.Warn("ARI events: skipping undecodable frame (further ones of this type at debug level)",
		"type", m.Type, "err", err, "frame", truncate(data, 200))
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// pump moves events from the unbounded queue to the consumer, in order.
// When ctx ends, events not yet taken are released (Done) and dropped.
func (a *ARI) pump(ctx context.Context) {
	defer func() {
		for _, ev := range a.q.drain() {
			release(ev)
		}
	}()
	for {
		ev, ok := a.q.pop()
		if !ok {
			select {
			case <-a.q.wait():
				continue
			case <-ctx.Done():
				return
			}
		}
		select {
		case a.out <- ev:
			a.stats.delivered.Add(1)
			a.queued.Add(-1)
		case <-ctx.Done():
			release(ev)
			return
		}
	}
}

func release(ev Event) {
	if ev.Done != nil {
		ev.Done()
	}
}

// eventQueue is an unbounded FIFO: the reader never blocks on the consumer
// and never drops an event.
type eventQueue struct {
	mu     sync.Mutex
	items  []Event
	head   int
	signal chan struct{}
}

func newEventQueue() *eventQueue { return &eventQueue{signal: make(chan struct{}, 1)} }

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	q.items = append(q.items, ev)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pop() (Event, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.items) {
		return Event{}, false
	}
	ev := q.items[q.head]
	q.items[q.head] = Event{}
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 1024 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
	return ev, true
}

func (q *eventQueue) wait() <-chan struct{} { return q.signal }

func (q *eventQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) - q.head
}

func (q *eventQueue) drain() []Event {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := append([]Event(nil), q.items[q.head:]...)
	q.items, q.head = nil, 0
	return out
}
