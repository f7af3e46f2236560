package ivr_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// proxy forwards TCP connections to target; drop closes every open one (the
// application's WebSocket goes down; Asterisk keeps the channels in Stasis).
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.drop() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, u); c.Close() }()
		}
	}()
	return p
}

func (p *proxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// The events WebSocket drops (controller still running); while it is down
// the waiting caller hangs up and the event is lost. After the automatic
// reconnection the controller lists the channels, finds the caller gone and
// records the abandon.
func TestReconnectFindsLostHangup(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	addr := strings.TrimSuffix(strings.TrimPrefix(n.url, "http://"), "/ari")
	p := newProxy(t, addr)
	n.url = "http://" + p.ln.Addr().String() + "/ari"
	n.start("ctl1")
	hold := e.clk.Hold()
	e.clk.AfterFunc(10*time.Second, e.clk.Pause)
	ch := n.call("3455550096", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	hold()
	checkFor(t, 10*time.Second, "caller waiting at 10 s", func() bool {
		return n.ctl.Stats().Waiting == 1 && e.clk.Now().Sub(testStart) == 10*time.Second
	})
	p.drop()
	checkFor(t, 10*time.Second, "WebSocket down", func() bool { return !n.sim.Connected("hotline") })
	if err := n.sim.Hangup(e.ctx, ch, 16); err != nil {
		t.Fatal(err)
	}
	e.clk.Resume() // the reconnection backoff runs on the shared clock
	checkFor(t, 10*time.Second, "WebSocket up again", func() bool { return n.sim.Connected("hotline") })
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAbandoned || rec.HungUpBy != "caller" {
		t.Fatalf("record %+v", rec)
	}
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,ABANDON" {
		t.Errorf("events %s", got)
	}
	live, err := e.q.Live(e.ctx, "general", e.clk.Now())
	if err != nil || live.Waiting != 0 {
		t.Errorf("queue %+v %v", live, err)
	}
}
