// Package e2e holds the browser tests: Node scripts driving headless
// Chromium (playwright-core), run from Go tests.
package e2e

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/realasterisk"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/telephony"
)

const chromiumPath = "/usr/bin/chromium"

// agentEvent is one line of e2e/webrtc-agent.mjs.
type agentEvent struct {
	Event         string `json:"event"`
	From          string `json:"from"`
	Cause         string `json:"cause"`
	Message       string `json:"message"`
	RTPSent       int    `json:"rtp_sent"`
	RTPReceived   int    `json:"rtp_received"`
	BytesReceived int    `json:"bytes_received"`
}

// browserAgent is e2e/webrtc-agent.mjs running.
type browserAgent struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	mu    sync.Mutex
	evs   []agentEvent
	gone  bool // its stdout closed: the script exited
}

func (b *browserAgent) events() []agentEvent {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]agentEvent(nil), b.evs...)
}

func (b *browserAgent) exited() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gone
}

func (b *browserAgent) last(kind string) (agentEvent, bool) {
	evs := b.events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Event == kind {
			return evs[i], true
		}
	}
	return agentEvent{}, false
}

func (b *browserAgent) send(cmd string) { _, _ = io.WriteString(b.stdin, cmd+"\n") }

// startBrowserAgent runs the softphone of agent id registered over WSS.
func startBrowserAgent(t *testing.T, node, wss, uri, password string) *browserAgent {
	t.Helper()
	cmd := exec.Command(node, "webrtc-agent.mjs", "--wss", wss, "--uri", uri, "--password", password, "--answer-after-ms", "300", "--debug", fmt.Sprint(os.Getenv("WEBRTC_DEBUG") != ""))
	cmd.Dir = "."
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	b := &browserAgent{cmd: cmd, stdin: stdin}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev agentEvent
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			if ev.Event != "stats" || os.Getenv("WEBRTC_DEBUG") != "" {
				t.Logf("browser agent: %s", sc.Text())
			}
			b.mu.Lock()
			b.evs = append(b.evs, ev)
			b.mu.Unlock()
		}
		b.mu.Lock()
		b.gone = true
		b.mu.Unlock()
	}()
	t.Cleanup(func() {
		b.send("quit")
		_ = stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	return b
}

func checkFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// channelStats reads the receive and transmit packet counts of the channel
// whose name contains name in "pjsip show channelstats": after the channel
// come its up time, codec, then receive count, lost, %, jitter and transmit
// count.
func channelStats(out, name string) (rx, tx int) {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		for i, x := range f {
			if strings.Contains(x, name) && len(f) > i+7 {
				rx, _ = strconv.Atoi(f[i+3])
				tx, _ = strconv.Atoi(f[i+7])
				return rx, tx
			}
		}
	}
	return 0, 0
}

// A browser softphone (headless Chromium running JsSIP with fake media)
// registered as agent a101 over the shipped WSS transport and WebRTC
// endpoint template is offered a call by the controller, answers it, audio
// flows both ways (RTP counted by Chromium and by Asterisk), and the call
// record names agent a101.
func TestWebRTCAgentAnswersACall(t *testing.T) {
	node := needRealBrowserAsterisk(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ast, err := realasterisk.Start(ctx, realasterisk.Options{Log: t.Logf})
	if errors.Is(err, realasterisk.ErrNotPresent) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ast.Stop() })

	// The controller as serve wires it: the ARI adapter, Redis queue, Postgres records.
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := config.Sample()
	cfg.AlwaysOpen()
	clk := clock.Real()
	rdb := testenv.MustRedis(t)
	var rb [6]byte
	_, _ = rand.Read(rb[:])
	prefix := "webrtc-" + hex.EncodeToString(rb[:])
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), "{"+prefix+"}*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	q := queue.New(rdb, clk, queue.Options{Prefix: prefix, ShortAbandon: cfg.ShortAbandon(), Threshold: cfg.Threshold, Location: cfg.Location()})
	db := storetest.MustOpenDB(t)
	w := store.NewWriter(db, log, store.WriterOptions{})
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	sw, err := telephony.NewARI(telephony.ARIOptions{URL: ast.ARIURL, Application: "hotline", Username: ast.ARIUser, Password: ast.ARIPassword, Clock: clk, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := ivr.New(ivr.Options{ID: "webrtc-test", Config: cfg, Switch: sw, Queues: q, Writer: w, Clock: clk, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopCtl := context.WithCancel(context.Background())
	ctlDone := make(chan error, 1)
	go func() { ctlDone <- ctl.Run(runCtx) }()
	t.Cleanup(func() { stopCtl(); <-ctlDone })
	checkFor(t, 20*time.Second, "the controller connected to ARI", sw.Connected)

	// The browser registers as a101 over WSS.
	wss := fmt.Sprintf("wss://127.0.0.1:%d/ws", ast.WSSPort)
	b := startBrowserAgent(t, node, wss, "sip:a101@127.0.0.1", ast.AgentPassword("a101"))
	checkFor(t, 60*time.Second, "the browser registered as a101", func() bool {
		if e, ok := b.last("error"); ok {
			t.Fatalf("browser agent: %s", e.Message)
		}
		if b.exited() {
			t.Fatal("the browser agent script exited")
		}
		_, ok := b.last("registered")
		return ok
	})
	out, err := ast.CLI(ctx, "pjsip show contacts")
	if err != nil || !strings.Contains(out, "a101/") {
		t.Fatalf("a101 has no contact in Asterisk: %v\n%s", err, out)
	}
	var a101 config.Agent
	for _, a := range cfg.Agents {
		if a.ID == "a101" {
			a101 = a
		}
	}
	if err := q.Login(ctx, agents.Agent{ID: a101.ID, Name: a101.Name, Endpoint: a101.Endpoint, Skills: a101.Skills}, clk.Now()); err != nil {
		t.Fatal(err)
	}

	// A caller through the shipped dialplan: English, then 0 for an officer (general queue).
	cs, err := ast.Callers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	call, err := cs.Call(ctx, "3459491000", "+13455550100")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.WaitPlayback(ctx, "hotline/language_menu"); err != nil {
		t.Fatal(err)
	}
	if err := call.DTMF(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := call.WaitPlayback(ctx, "hotline/main_menu"); err != nil {
		t.Fatal(err)
	}
	if err := call.DTMF(ctx, "0"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, 60*time.Second, "the browser answered the controller's call", func() bool {
		if e, ok := b.last("ended"); ok {
			t.Fatalf("the browser's call ended before it was confirmed: %s", e.Cause)
		}
		_, ok := b.last("confirmed")
		return ok
	})
	// The caller speaks (a 16 s prompt played on the caller's own half): on
	// a bridge Asterisk sends RTP only for the audio it has.
	if err := ast.ARI(ctx, http.MethodPost, "/channels/"+call.Channel+"/play", map[string]string{"media": "sound:en/hotline/main_menu"}, nil); err != nil {
		t.Fatal(err)
	}
	// Audio both ways, as the browser counts it...
	var st agentEvent
	checkFor(t, 30*time.Second, "RTP both ways in the browser", func() bool {
		s, ok := b.last("stats")
		st = s
		return ok && s.RTPSent >= 25 && s.RTPReceived >= 25 && s.BytesReceived > 0
	})
	t.Logf("the browser counted %d RTP packets sent and %d received (%d bytes)", st.RTPSent, st.RTPReceived, st.BytesReceived)
	// ...and as Asterisk counts it on a101's channel.
	var rx, tx int
	checkFor(t, 30*time.Second, "RTP both ways on a101's channel in Asterisk", func() bool {
		out, err := ast.CLI(ctx, "pjsip show channelstats")
		if err != nil {
			return false
		}
		rx, tx = channelStats(out, "a101-")
		return rx >= 25 && tx >= 25
	})
	t.Logf("Asterisk counted %d packets received from and %d sent to the browser", rx, tx)

	// The officer hangs up; the caller answers the survey.
	b.send("hangup")
	if _, err := call.WaitPlayback(ctx, "hotline/survey_question"); err != nil {
		t.Fatal(err)
	}
	if err := call.DTMF(ctx, "1"); err != nil {
		t.Fatal(err)
	}
	if err := call.WaitEnded(ctx); err != nil {
		t.Fatal(err)
	}
	var rec *hotline.CallRecord
	checkFor(t, 30*time.Second, "the call record", func() bool {
		_ = w.Flush(ctx)
		calls, err := db.Calls(ctx, time.Time{}, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			if calls[i].ID == call.HotlineChannel {
				rec = &calls[i]
			}
		}
		return rec != nil
	})
	if rec.Agent != "a101" || rec.Disposition != hotline.DispAnswered || rec.Queue != "general" {
		t.Fatalf("call record: agent %q, disposition %q, queue %q; want a101, answered, general", rec.Agent, rec.Disposition, rec.Queue)
	}
}
