package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/realasterisk"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// The panel test's hotline: one department and queue, agent a101 (the
// shipped WebRTC endpoint), the DID going to the main menu (0: an officer).
const (
	panelDID    = "3459493000"
	panelCaller = "+13455550177"
	panelQueue  = "qpanel"
)

func panelConfig() string {
	var b strings.Builder
	b.WriteString(`timezone: UTC
languages: [en, es]
hotline:
  name: Panel Line
  numbers:
    - {did: "` + panelDID + `"}
  menu_timeout: 4s
  menu_retries: 2
  default_queue: qpanel
  complaints_queue: qpanel
  menu:
    - {digit: "0", action: officer}
survey:
  enabled: true
  default_opt_in: true
  retries: 1
departments:
  - id: dpanel
    names: {en: Panel, es: Panel}
    queue: qpanel
    menu:
      - {digit: "2", action: officer}
queues:
  - {id: qpanel, department: dpanel, wrap_up: 2s}
agents:
  - {id: a101, name: Agent 101, skills: [qpanel], languages: [en, es]}
prompts:
`)
	for _, lang := range []string{"en", "es"} {
		fmt.Fprintf(&b, "  %s:\n", lang)
		for _, k := range config.RequiredPrompts {
			fmt.Fprintf(&b, "    %s: \"%s %s\"\n", k, lang, k)
		}
		for _, k := range []string{"menu", "hours", "info"} {
			fmt.Fprintf(&b, "    %s_dpanel: {text: \"%s\", media: \"sound:%s/hotline/%s_dvdl\"}\n", k, k, lang, k)
		}
	}
	return b.String()
}

var (
	buildOnce  sync.Once
	hotlineBin string
	buildErr   error
)

// buildHotline builds cmd/hotline from this tree once per test binary.
func buildHotline(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hotline-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		hotlineBin = filepath.Join(dir, "hotline")
		cmd := exec.Command("go", "build", "-o", hotlineBin, "./cmd/hotline")
		cmd.Dir = realasterisk.RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hotline: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return hotlineBin
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// needRealBrowserAsterisk skips unless the real Asterisk, node, chromium and
// playwright-core are all here, saying which is missing; scripts/test.sh
// sets HOTLINE_E2E_ASTERISK=later for its main run, as scripts/test-asterisk.sh
// runs these tests after it.
func needRealBrowserAsterisk(t *testing.T) string {
	t.Helper()
	if os.Getenv("HOTLINE_E2E_ASTERISK") == "later" {
		t.Skip("run by scripts/test-asterisk.sh with the real-Asterisk suite (HOTLINE_E2E_ASTERISK=later)")
	}
	if _, ok := realasterisk.Script(); !ok {
		t.Skip("NOT run against a real Asterisk: ../shared/asterisk/asterisk.sh (or HOTLINE_ASTERISK_SH) not present")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("NOT run: node not installed (scripts/tools.sh installs it)")
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skip("NOT run: " + chromiumPath + " not installed (scripts/tools.sh installs Debian's chromium)")
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core")); err != nil {
		t.Fatal("e2e/node_modules/playwright-core missing: run `cd e2e && npm ci` (scripts/tools.sh does)")
	}
	return node
}

// panelRig is the real Asterisk with `hotline serve` (built from this tree)
// serving the staff pages, the softphone configured for its WSS transport.
type panelRig struct {
	ast     *realasterisk.Asterisk
	callers *realasterisk.Callers
	db      *store.DB
	base    string // http://127.0.0.1:PORT of hotline serve
	log     string
}

func startPanelRig(t *testing.T, ctx context.Context, password string) *panelRig {
	t.Helper()
	r := &panelRig{}
	ast, err := realasterisk.Start(ctx, realasterisk.Options{Log: t.Logf})
	if errors.Is(err, realasterisk.ErrNotPresent) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("Asterisk console log: %s", tail(ast.ConsoleLog, 3000))
		}
		_ = ast.Stop()
	})
	r.ast = ast
	cs, err := ast.Callers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	r.callers = cs

	db, dsn := storetest.MustOpenDBSchema(t)
	r.db = db
	rdb := testenv.MustRedis(t)
	prefix := "panel-" + fmt.Sprint(time.Now().UnixNano())
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), "{"+prefix+"}*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "panel.yaml")
	if err := os.WriteFile(cfgPath, []byte(panelConfig()), 0o644); err != nil {
		t.Fatal(err)
	}
	pwPath := filepath.Join(dir, "sip-passwords")
	if err := os.WriteFile(pwPath, []byte("# endpoint id, SIP password (as in pjsip.conf)\na101 "+ast.AgentPassword("a101")+"\ns201 "+ast.AgentPassword("s201")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := buildHotline(t)
	port := freePort(t)
	logf, err := os.CreateTemp("", "hotline-serve-panel-*.log")
	if err != nil {
		t.Fatal(err)
	}
	r.log = logf.Name()
	cmd := exec.Command(bin, "serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-id", "panel-test", "-spool-dir", t.TempDir(),
		"-redis-prefix", prefix, "-config", cfgPath, "-insecure-cookies")
	cmd.Env = append(os.Environ(), "ARI_URL="+ast.ARIURL, "ARI_USER="+ast.ARIUser, "ARI_PASSWORD="+ast.ARIPassword,
		"DATABASE_URL="+dsn, "REDIS_URL="+testenv.RedisURL(), "HOTLINE_DEBUG=1",
		fmt.Sprintf("HOTLINE_SIP_WS=wss://127.0.0.1:%d/ws", ast.WSSPort), "HOTLINE_SIP_PASSWORDS_FILE="+pwPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("hotline serve log (tail): %s", tail(r.log, 6000))
		}
		os.Remove(r.log)
	})
	r.base = fmt.Sprintf("http://127.0.0.1:%d", port)
	checkFor(t, 60*time.Second, "hotline serve connected to Asterisk", func() bool {
		select {
		case <-done:
			t.Fatalf("hotline serve exited: %s", tail(r.log, 3000))
		default:
		}
		resp, err := http.Get(r.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	for _, u := range [][]string{{"agent1", "agent", "-agent", "a101"}, {"supervisor1", "supervisor", "-sip", "s201"}} {
		args := []string{"user", "add", "-username", u[0], "-role", u[1], "-config", cfgPath, u[2], u[3]}
		add := exec.Command(bin, args...)
		add.Env = append(os.Environ(), "DATABASE_URL="+dsn, "HOTLINE_PASSWORD="+password)
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("hotline user add %s: %v: %s", u[0], err, out)
		}
	}
	return r
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// TestAgentPanelOnRealAsterisk: the agent panel served by `hotline serve`
// against the real Asterisk. agent1 signs in; the panel's JsSIP registers
// a101 over WSS with the shipped WebRTC template; the agent goes available;
// a caller (Local channel into [from-trunk]) is offered and the panel shows
// the ringing call's context; the agent answers in the panel and audio flows
// both ways (Chromium's getStats and `pjsip show channelstats`); hold and
// resume; a supervisor listens, whispers and barges from the supervisor page
// with the page's own browser phone (s201 over WSS) as the target, checked
// by who hears whom (snoop_asterisk_test.go), each audited and each leaving
// the call intact; the agent
// hangs up and wraps up with a code. The call record names a101, answered.
func TestAgentPanelOnRealAsterisk(t *testing.T) {
	node := needRealBrowserAsterisk(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	const password = "panel test password"
	r := startPanelRig(t, ctx, password)

	var (
		mu   sync.Mutex
		call *realasterisk.Call
	)
	current := func() *realasterisk.Call { mu.Lock(); defer mu.Unlock(); return call }
	reply := func(w http.ResponseWriter, v any, err error) {
		if err != nil {
			t.Logf("control: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_ = json.NewEncoder(w).Encode(v)
	}
	// The node script asks for the telephone side through this server.
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/call": // a caller: English, then 0 for an officer
			c, err := r.callers.Call(ctx, panelDID, panelCaller)
			if err == nil {
				mu.Lock()
				call = c
				mu.Unlock()
				go func() {
					if _, err := c.WaitPlayback(ctx, "hotline/language_menu"); err != nil {
						return
					}
					_ = c.DTMF(ctx, "1")
					if _, err := c.WaitPlayback(ctx, "hotline/main_menu"); err != nil {
						return
					}
					_ = c.DTMF(ctx, "0")
				}()
			}
			reply(w, map[string]string{"channel": panelCaller}, err)
		case "/speak": // the caller speaks (a prompt played from the caller's half) until /quiet
			reply(w, "ok", r.ast.ARI(ctx, http.MethodPost, "/channels/"+current().Channel+"/play",
				map[string]string{"media": "sound:en/hotline/main_menu", "playbackId": "caller-speaks"}, nil))
		case "/quiet":
			err := r.ast.ARI(ctx, http.MethodDelete, "/playbacks/caller-speaks", nil, nil)
			if err != nil && strings.Contains(err.Error(), " 404 ") {
				err = nil
			}
			reply(w, "ok", err)
		case "/rtp": // a101's packets as Asterisk counts them
			out, err := r.ast.CLI(ctx, "pjsip show channelstats")
			rx, tx := channelStats(out, "a101-")
			reply(w, map[string]int{"rx": rx, "tx": tx}, err)
		case "/ear": // what the caller hears for a few seconds: music on hold, or nothing
			name := req.URL.Query().Get("name")
			v, err := r.listenToCaller(ctx, current(), name)
			if err == nil {
				t.Logf("%s: the caller heard RMS %.4f", name, v)
			}
			reply(w, map[string]float64{"rms": v, "audible": audible}, err)
		case "/snoop/start": // the supervisor's leg is connected: start recording what the caller hears
			res, err := r.snoopStart(ctx, t, current(), req.URL.Query().Get("mode"))
			reply(w, res, err)
		case "/snoop/speak": // the caller speaks (until /snoop/quiet) while the page measures the supervisor's ear
			reply(w, "ok", r.snoopSpeak(ctx, current(), req.URL.Query().Get("mode")))
		case "/snoop/quiet":
			reply(w, "ok", r.snoopQuiet(ctx, req.URL.Query().Get("mode")))
		case "/snoop/end": // the supervisor hung up in the page: what everyone heard, nothing left, the call intact
			q := req.URL.Query()
			agentEnergy, _ := strconv.ParseFloat(q.Get("agent_energy"), 64)
			supEnergy, _ := strconv.ParseFloat(q.Get("sup_energy"), 64)
			supQuiet, _ := strconv.ParseFloat(q.Get("sup_quiet"), 64)
			res, err := r.snoopEnd(ctx, t, current(), q.Get("mode"), q.Get("sup"), agentEnergy, supEnergy, supQuiet)
			reply(w, res, err)
		default:
			http.NotFound(w, req)
		}
	}))
	defer control.Close()

	silence := filepath.Join(t.TempDir(), "silence.wav")
	if err := os.WriteFile(silence, silentWAV(10), 0o644); err != nil {
		t.Fatal(err)
	}
	// The supervisor's fake microphone: speech (a prompt) all the time.
	speech := filepath.Join(realasterisk.RepoRoot(), "asterisk-config", "sounds", "en", "hotline", "main_menu.wav")
	cmd := exec.CommandContext(ctx, node, "panel_asterisk.mjs", r.base, control.URL, silence, speech)
	cmd.Env = append(os.Environ(), "HOTLINE_E2E_PASSWORD="+password, "CHROMIUM="+chromiumPath)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	t.Logf("browser flow:\n%s", stderr.String())
	if err != nil {
		t.Fatalf("browser flow failed: %v", err)
	}
	var seen struct {
		Steps []string                  `json:"steps"`
		Heard map[string]map[string]any `json:"heard"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &seen); err != nil {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	t.Logf("steps: %v", seen.Steps)

	// Postgres: the call record, the hold, the wrap-up and the audit rows.
	c := current()
	var rec *hotline.CallRecord
	checkFor(t, 60*time.Second, "the call record", func() bool {
		calls, err := r.db.Calls(ctx, time.Time{}, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			if calls[i].ID == c.HotlineChannel {
				rec = &calls[i]
			}
		}
		return rec != nil
	})
	if rec.Agent != "a101" || rec.Disposition != hotline.DispAnswered || rec.Queue != panelQueue || rec.Answered.IsZero() {
		t.Fatalf("call record: agent %q, disposition %q, queue %q, answered %v; want a101, answered, %s", rec.Agent, rec.Disposition, rec.Queue, rec.Answered, panelQueue)
	}
	evs, err := r.db.QueueEvents(ctx, time.Time{}, time.Now().Add(time.Hour), panelQueue)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		if e.CallID == c.HotlineChannel {
			types = append(types, string(e.Type))
		}
	}
	for _, want := range []string{"CONNECT", "HOLD", "UNHOLD", "COMPLETEAGENT", "WRAPUPEND"} {
		if !strings.Contains(" "+strings.Join(types, " ")+" ", " "+want+" ") {
			t.Errorf("queue events of the call %v lack %s", types, want)
		}
	}
	var code string
	if err := r.db.Pool().QueryRow(ctx, `SELECT code FROM call_wrapups WHERE call_id = $1`, c.HotlineChannel).Scan(&code); err != nil || code != "resolved" {
		t.Errorf("wrap-up of the call: code %q, %v; want resolved", code, err)
	}
	rows, err := r.db.Pool().Query(ctx, `SELECT action FROM supervisor_audit WHERE call_id = $1 AND actor = 'supervisor1' ORDER BY time`, c.HotlineChannel)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	rows.Close()
	if strings.Join(actions, ",") != "listen,whisper,barge" {
		t.Errorf("supervisor_audit actions on the call: %v; want listen, whisper, barge", actions)
	}
}

// silentWAV is seconds of 8 kHz 16-bit mono silence: the agent's fake
// microphone, so that what the caller hears comes only from the supervisor.
func silentWAV(seconds int) []byte {
	n := 8000 * 2 * seconds
	var b bytes.Buffer
	le := func(v uint32, size int) {
		for i := 0; i < size; i++ {
			b.WriteByte(byte(v >> (8 * i)))
		}
	}
	b.WriteString("RIFF")
	le(uint32(36+n), 4)
	b.WriteString("WAVEfmt ")
	le(16, 4)
	le(1, 2)
	le(1, 2)
	le(8000, 4)
	le(16000, 4)
	le(2, 2)
	le(16, 2)
	b.WriteString("data")
	le(uint32(n), 4)
	b.Write(make([]byte, n))
	return b.Bytes()
}
