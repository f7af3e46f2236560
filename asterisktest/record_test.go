package asterisktest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/publicservice/hotline/internal/realasterisk"
)

// TestRecordTraces records real Asterisk sessions in the JSONL format of
// ../shared/ari/traces (see ../shared/ari/README.md) into the directory
// HOTLINE_RECORD_TRACES (arisim/testdata/traces holds the committed ones,
// which TestReplayTraces replays). It runs only when that variable is set:
//
//	HOTLINE_RECORD_TRACES=$PWD/arisim/testdata/traces go test -run TestRecordTraces ./asterisktest/
//
// The Asterisk runs the shipped configuration plus the recording harness
// contexts of ../shared/ari/recording-dialplan.conf as the test-only include.
func TestRecordTraces(t *testing.T) {
	dir := os.Getenv("HOTLINE_RECORD_TRACES")
	if dir == "" {
		t.Skip("HOTLINE_RECORD_TRACES not set")
	}
	needAsterisk(t)
	harness, err := os.ReadFile(filepath.Join(realasterisk.RepoRoot(), "..", "shared", "ari", "recording-dialplan.conf"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	a, err := realasterisk.Start(ctx, realasterisk.Options{DeskPhones: deskPhones(), TestExtensions: harnessContexts(string(harness)), Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	announce(t, &world{ast: a})
	for _, sc := range traceScenarios {
		t.Run(sc.name, func(t *testing.T) {
			r := newRecorder(t, a, sc.note)
			sc.run(ctx, t, r)
			time.Sleep(1500 * time.Millisecond) // trailing events
			r.close()
			if err := os.WriteFile(filepath.Join(dir, sc.name+".jsonl"), r.out.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// harnessContexts keeps the recording dialplan's harness contexts (not its
// [general], [globals] or [hotline-in], which the shipped dialplan has).
func harnessContexts(conf string) string {
	var b strings.Builder
	keep := false
	for _, line := range strings.Split(conf, "\n") {
		if strings.HasPrefix(line, "[") {
			name := strings.TrimSpace(line)
			keep = name != "[general]" && name != "[globals]" && name != "[hotline-in]"
		}
		if keep {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

type traceScenario struct {
	name, note string
	run        func(ctx context.Context, t *testing.T, r *recorder)
}

var traceScenarios = []traceScenario{
	{
		name: "missing_prompt",
		note: "scenario missing_prompt: inbound call via Local/1000@hotline-in (shipped dialplan), answer, play a prompt that does not exist (sound:hotline/no-such-prompt: 201, PlaybackStarted, PlaybackFinished failed), then one that exists, hang up",
		run: func(ctx context.Context, t *testing.T, r *recorder) {
			ch := r.inbound(ctx, "1000", "301")
			r.rest(ctx, false, "POST", "/channels/"+ch+"/answer", nil)
			r.playWait(ctx, ch, "sound:hotline/no-such-prompt")
			r.playWait(ctx, ch, "sound:hello-world")
			r.rest(ctx, false, "DELETE", "/channels/"+ch, nil)
		},
	},
	{
		name: "local_originate_app",
		note: "scenario local_originate_app: the app originates Local/302@sim-agent (rings 1 s, answers) straight into the app (app=hotline): Dial events and the ;1 half's StasisStart once answered; then the app hangs it up",
		run: func(ctx context.Context, t *testing.T, r *recorder) {
			r.rest(ctx, false, "POST", "/channels", url.Values{"endpoint": {"Local/302@sim-agent"}, "app": {"hotline"}, "appArgs": {"agent,test"}, "channelId": {"agentleg-302"}, "timeout": {"20"}})
			r.waitEvent(ctx, "StasisStart", "agentleg-302")
			r.rest(ctx, false, "DELETE", "/channels/agentleg-302", nil)
			r.waitEvent(ctx, "ChannelDestroyed", "agentleg-302")
		},
	},
	{
		name: "record_unwritable",
		note: "scenario record_unwritable: inbound call via Local/1000@hotline-in (shipped dialplan), answer, record msg-unwritable (wav, beep, terminateOn #, ifExists fail) whose file in the spool is a symbolic link into a path whose parent is a plain file: Asterisk cannot create it (app.c: Error creating writestream) and says RecordingStarted then RecordingFinished done, not RecordingFailed; the stored recording does not exist (404); hang up. The harness variable SIMRECFAIL_<name> tells the replay which recording cannot be written",
		run: func(ctx context.Context, t *testing.T, r *recorder) {
			const name = "msg-unwritable"
			unwritableRecording(t, r.a.RunDir, name)
			r.rest(ctx, true, "POST", "/asterisk/variable", url.Values{"variable": {"SIMRECFAIL_" + name}, "value": {"unwritable"}})
			ch := r.inbound(ctx, "1000", "303")
			r.rest(ctx, false, "POST", "/channels/"+ch+"/answer", nil)
			r.rest(ctx, false, "POST", "/channels/"+ch+"/record", url.Values{"name": {name}, "format": {"wav"}, "ifExists": {"fail"},
				"beep": {"true"}, "terminateOn": {"#"}, "maxDurationSeconds": {"120"}})
			r.waitEvent(ctx, "RecordingStarted", "")
			r.waitAnyEvent(ctx, "RecordingFinished", "RecordingFailed")
			r.rest(ctx, false, "GET", "/recordings/stored/"+name, nil)
			r.rest(ctx, false, "DELETE", "/channels/"+ch, nil)
		},
	},
	{
		name: "pjsip_agent_ringing",
		note: "scenario pjsip_agent_ringing: the app originates PJSIP/a101 (a SIPp desk phone registered with the shipped agent-deskphone template; it sends 180 Ringing at once and answers after 1 s) straight into the app (app=hotline): the order of ChannelStateChange Ringing and the Dial events on an originated PJSIP agent leg, then its StasisStart once answered; the app hangs it up. The harness variable SIMENDPOINT_PJSIP/a101 (arisim's endpoint behaviour in JSON) tells the replay how the phone behaves",
		run: func(ctx context.Context, t *testing.T, r *recorder) {
			ph, err := r.a.StartAgent(ctx, "a101", realasterisk.Answer(time.Second, 0))
			if err != nil {
				t.Fatal(err)
			}
			defer ph.Stop()
			r.rest(ctx, true, "POST", "/asterisk/variable", url.Values{"variable": {"SIMENDPOINT_PJSIP/a101"}, "value": {`{"answer_after_ms":1000,"callerid":"\"Marcia Ebanks\" <101>","context":"agents"}`}})
			r.rest(ctx, false, "POST", "/channels", url.Values{"endpoint": {"PJSIP/a101"}, "app": {"hotline"}, "appArgs": {"agent,test"}, "channelId": {"agentleg-a101"}, "timeout": {"20"}})
			r.waitEvent(ctx, "StasisStart", "agentleg-a101")
			r.rest(ctx, false, "DELETE", "/channels/agentleg-a101", nil)
			r.waitEvent(ctx, "ChannelDestroyed", "agentleg-a101")
		},
	},
}

// recorder is a minimal ARI client that logs every REST exchange and every
// WebSocket frame in the trace format.
type recorder struct {
	t     *testing.T
	a     *realasterisk.Asterisk
	mu    sync.Mutex
	out   bytes.Buffer
	seq   int
	start time.Time
	ws    *websocket.Conn
	evs   []map[string]any
	cond  chan struct{}
	done  chan struct{}
}

func newRecorder(t *testing.T, a *realasterisk.Asterisk, note string) *recorder {
	r := &recorder{t: t, a: a, start: time.Now(), cond: make(chan struct{}), done: make(chan struct{})}
	r.line(map[string]any{"kind": "note", "text": note})
	u := strings.Replace(a.ARIURL, "http://", "ws://", 1) + "/events?app=hotline&api_key=" + a.ARIUser + ":" + a.ARIPassword
	ws, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.ws = ws
	r.line(map[string]any{"kind": "ws", "url": "ws://127.0.0.1:8088/ari/events?app=hotline&api_key=hotline:hotline", "status": 101, "text": "connect"})
	go func() {
		defer close(r.done)
		for {
			_, msg, err := ws.ReadMessage()
			if err != nil {
				return
			}
			var ev map[string]any
			_ = json.Unmarshal(msg, &ev)
			r.mu.Lock()
			r.evs = append(r.evs, ev)
			close(r.cond)
			r.cond = make(chan struct{})
			r.mu.Unlock()
			r.line(map[string]any{"kind": "event", "raw": string(msg), "event": ev})
		}
	}()
	return r
}

func (r *recorder) close() {
	r.line(map[string]any{"kind": "ws", "text": "closed by client"})
	_ = r.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	r.ws.Close()
	<-r.done
}

func (r *recorder) line(m map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	now := time.Now()
	m["seq"] = r.seq
	m["ts"] = now.UTC().Format(time.RFC3339Nano)
	m["t_ms"] = float64(now.Sub(r.start).Microseconds()) / 1000
	b, _ := json.Marshal(m)
	r.out.Write(b)
	r.out.WriteByte('\n')
}

// rest makes one request (query parameters) and logs it; harness marks the
// far end's steering.
func (r *recorder) rest(ctx context.Context, harness bool, method, path string, q url.Values) []byte {
	u := r.a.ARIURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequestWithContext(ctx, method, u, nil)
	req.SetBasicAuth(r.a.ARIUser, r.a.ARIPassword)
	t0 := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", method, path, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := map[string]any{"kind": "rest", "method": method, "path": "/ari" + path, "status": resp.StatusCode,
		"response_raw": string(body), "duration_ms": float64(time.Since(t0).Microseconds()) / 1000}
	if harness {
		m["harness"] = true
	}
	if len(q) > 0 {
		m["query"] = q
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		m["content_type"] = ct
	}
	var parsed any
	if json.Unmarshal(body, &parsed) == nil {
		m["response"] = parsed
	}
	r.line(m)
	return body
}

// inbound places a harness caller Local/<did>@hotline-in whose ;1 half obeys
// SIMCMD_<token>, and returns the ;2 half's id once it is in Stasis.
func (r *recorder) inbound(ctx context.Context, did, token string) string {
	r.rest(ctx, true, "POST", "/asterisk/variable", url.Values{"variable": {"SIMCMD_" + token}, "value": {""}})
	body := r.rest(ctx, true, "POST", "/channels", url.Values{"endpoint": {"Local/" + did + "@hotline-in"}, "context": {"sim-caller"},
		"extension": {token}, "priority": {"1"}, "callerId": {"Alice <+15551230001>"}, "timeout": {"30"}})
	var ch struct{ ID string }
	_ = json.Unmarshal(body, &ch)
	ev := r.waitEvent(ctx, "StasisStart", "")
	id, _ := ev["channel"].(map[string]any)["id"].(string)
	if id == "" {
		r.t.Fatalf("no StasisStart for %s", ch.ID)
	}
	return id
}

// waitEvent waits for an event of type typ (on channel id, when given).
func (r *recorder) waitEvent(ctx context.Context, typ, id string) map[string]any {
	return r.await(ctx, "no "+typ+" event", func(e map[string]any) bool {
		if e["type"] != typ {
			return false
		}
		if id == "" {
			return true
		}
		c, _ := e["channel"].(map[string]any)
		return c != nil && c["id"] == id
	})
}

// waitAnyEvent waits for an event of one of the types.
func (r *recorder) waitAnyEvent(ctx context.Context, types ...string) map[string]any {
	return r.await(ctx, fmt.Sprintf("no %v event", types), func(e map[string]any) bool {
		typ, ok := e["type"].(string)
		return ok && slices.Contains(types, typ)
	})
}

// playWait plays media on ch and waits for its PlaybackFinished.
func (r *recorder) playWait(ctx context.Context, ch, media string) {
	id := "pb-" + rnd()
	r.rest(ctx, false, "POST", "/channels/"+ch+"/play/"+id, url.Values{"media": {media}})
	r.await(ctx, "playback "+id+" of "+media+" never finished", func(e map[string]any) bool {
		pb, _ := e["playback"].(map[string]any)
		return e["type"] == "PlaybackFinished" && pb != nil && pb["id"] == id
	})
}

// await returns the first event that match accepts, waiting for it until
// ctx ends (the test fails saying missing) or 20 s pass with no such event
// (missing "within 20 s").
func (r *recorder) await(ctx context.Context, missing string, match func(map[string]any) bool) map[string]any {
	i := 0
	for {
		r.mu.Lock()
		evs, ch := r.evs, r.cond
		r.mu.Unlock()
		for ; i < len(evs); i++ {
			if match(evs[i]) {
				return evs[i]
			}
		}
		select {
		case <-ch:
		case <-ctx.Done():
			r.t.Fatalf("%s", missing)
		case <-time.After(20 * time.Second):
			r.t.Fatalf("%s within 20 s", missing)
		}
	}
}
