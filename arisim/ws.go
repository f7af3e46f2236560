package arisim

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/publicservice/hotline/clock"
)

// wsConn is one application WebSocket. Frames are queued by the simulator
// (under its lock) and written by one writer goroutine per connection.
type wsConn struct {
	ws   *websocket.Conn
	apps []string

	mu      sync.Mutex
	queue   [][]byte
	enq     uint64 // frames queued so far
	written uint64 // frames written (or dropped at close) so far
	closed  bool
	wake    chan struct{} // signalled when frames are queued or the connection closes
	notify  chan struct{} // closed (and replaced) whenever written advances
	clk     clock.Clock
}

func newWSConn(ws *websocket.Conn, apps []string, clk clock.Clock) *wsConn {
	return &wsConn{ws: ws, apps: apps, wake: make(chan struct{}, 1), notify: make(chan struct{}), clk: clk}
}

// enqueue queues one frame; it calls clk.Handoff(1) for it (the reader calls Taken(1)).
func (c *wsConn) enqueue(clk clock.Clock, frame []byte) (uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, false
	}
	clk.Handoff(1)
	c.queue = append(c.queue, frame)
	c.enq++
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return c.enq, true
}

// writer writes queued frames in order until the connection closes.
func (c *wsConn) writer() {
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.mu.Unlock()
			<-c.wake
			c.mu.Lock()
		}
		if c.closed {
			c.dropLocked()
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue = nil
		c.mu.Unlock()
		for i, f := range batch {
			_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if err := c.ws.WriteMessage(websocket.TextMessage, f); err != nil {
				c.mu.Lock()
				c.closed = true
				// frames never written are not in flight any more
				c.clk.Taken(len(batch) - i)
				c.written += uint64(len(batch) - i)
				c.dropLocked()
				c.signalLocked()
				c.mu.Unlock()
				_ = c.ws.Close()
				return
			}
			c.mu.Lock()
			c.written++
			c.signalLocked()
			c.mu.Unlock()
		}
	}
}

func (c *wsConn) dropLocked() {
	if n := len(c.queue); n > 0 {
		c.clk.Taken(n)
		c.written += uint64(n)
		c.queue = nil
	}
	c.signalLocked()
}

func (c *wsConn) signalLocked() {
	close(c.notify)
	c.notify = make(chan struct{})
}

// waitWritten waits until frame n has been written, the connection closed, or the deadline passed.
// The deadline is a wall-clock guard against a client that stopped reading, not simulated time.
func (c *wsConn) waitWritten(n uint64, deadline time.Time) {
	for {
		c.mu.Lock()
		if c.written >= n || c.closed {
			c.mu.Unlock()
			return
		}
		ch := c.notify
		c.mu.Unlock()
		d := time.Until(deadline)
		if d <= 0 {
			return
		}
		t := time.NewTimer(d)
		select {
		case <-ch:
			t.Stop()
		case <-t.C:
			return
		}
	}
}

func (c *wsConn) close() {
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	c.mu.Unlock()
	_ = c.ws.Close()
}

var upgrader = websocket.Upgrader{
	ReadBufferSize: 1024, WriteBufferSize: 16 * 1024,
	CheckOrigin: func(*http.Request) bool { return true },
}

const missingAppHTML = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\r\n<html><head>\r\n<title>400 Bad Request</title>\r\n</head><body>\r\n<h1>Bad Request</h1>\r\n<p>HTTP request is missing param: [app]</p>\r\n<hr />\r\n<address>Asterisk/22.10.1</address>\r\n</body></html>\r\n"

// serveEvents is GET /ari/events?app=a[,b]: the application WebSocket.
func (s *Sim) serveEvents(w http.ResponseWriter, r *http.Request) {
	release := s.clk.Hold() // until the connection is registered (not while it stays open)
	defer release()
	if !s.authorized(r) {
		writeJSON(w, http.StatusUnauthorized, msg("Authentication required"))
		return
	}
	apps := splitList(r.URL.Query().Get("app"))
	if len(apps) == 0 {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(missingAppHTML))
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		s.log.Warn("websocket upgrade failed", "err", err)
		return
	}
	c := newWSConn(ws, apps, s.clk)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.conns[c] = struct{}{}
	for _, name := range apps {
		a := s.appLocked(name)
		a.conn = c // the newest connection for an application receives its events
	}
	if strings.EqualFold(r.URL.Query().Get("subscribeAll"), "true") {
		s.log.Debug("subscribeAll requested", "apps", apps)
	}
	s.mu.Unlock()
	s.log.Info("application connected", "apps", apps)
	go c.writer()
	release()
	// reader: discard client frames until the connection ends
	var rerr error
	for {
		if _, _, rerr = ws.ReadMessage(); rerr != nil {
			break
		}
	}
	c.close()
	s.mu.Lock()
	if ce, ok := rerr.(*websocket.CloseError); (!ok || ce.Code == websocket.CloseAbnormalClosure) && !s.closed {
		// No close frame: Asterisk logs "Web socket closed abruptly".
		s.abruptCloses++
		s.log.Warn("Web socket closed abruptly", "apps", apps)
	}
	delete(s.conns, c)
	delete(s.touched, c)
	for _, name := range apps {
		if a := s.apps[name]; a != nil && a.conn == c {
			a.conn = nil
		}
	}
	s.mu.Unlock()
	s.log.Info("application disconnected", "apps", apps)
}

// AbruptCloses counts the application WebSockets that ended without a close
// frame from the application (Asterisk logs "Web socket closed abruptly").
func (s *Sim) AbruptCloses() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.abruptCloses
}
