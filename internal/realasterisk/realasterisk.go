// Package realasterisk runs the real Asterisk 22 of ../shared/asterisk for
// tests, with the project's own asterisk-config/ (placeholders filled, every
// port a free loopback one), and drives it: SIPp agents and a SIPp provider,
// and callers made of Local channels into the shipped [from-trunk] context.
//
// API (for the tests of other packages):
//
//	sh, ok := realasterisk.Script()           // asterisk.sh, or ok=false: skip ("not present")
//	ast, err := realasterisk.Start(ctx, realasterisk.Options{DeskPhones: []string{"a101", "a102"}})
//	defer ast.Stop()
//	ast.ARIURL, ast.ARIUser, ast.ARIPassword   // for telephony.NewARI / hotline serve (ARI_URL, ARI_USER, ARI_PASSWORD)
//	ast.SIPPort, ast.WSSPort, ast.HTTPPort      // transport-udp, https/wss (tlsbindaddr) and ARI ports
//	ast.ProviderPort                            // where the provider trunk (callbacks) points: run ast.StartProvider
//	ast.AgentPassword("a101"), ast.ConsoleLog, ast.RunDir, ast.Version
//	out, err := ast.CLI(ctx, "pjsip show contacts")
//
//	ag, err := ast.StartAgent(ctx, "a101", realasterisk.Answer(2*time.Second, 5*time.Second)) // registers, waits until online
//	ag, err := ast.StartAgent(ctx, "a102", realasterisk.NeverAnswer())   // or realasterisk.Busy()
//	ag.Invites()                                                          // INVITEs received so far
//	ag.Stop()                                                             // unregisters (SIPp killed, contact removed)
//	pv, err := ast.StartProvider(ctx, realasterisk.Answer(time.Second, 3*time.Second)) // the trunk's far end
//
//	cs, err := ast.Callers(ctx)                 // a second ARI application owning the callers' ;1 halves
//	c, err := cs.Call(ctx, "3459491000", "+13455550100") // Local/<did>@from-trunk: ;2 enters Stasis(hotline,inbound,<did>)
//	c.HotlineChannel                            // the ;2 half the controller sees (its call id is prefix+this)
//	c.WaitAnswered(ctx); c.DTMF(ctx, "1"); c.Hangup(ctx); c.WaitEnded(ctx)
//	c.WaitPlayback(ctx, "hotline/menu_main")   // a PlaybackStarted on the ;2 half whose media contains this
//	c.Events()                                  // every event seen on either half
//
// Options.TestExtensions adds one test-only dialplan include (hotline-test.conf);
// nothing in the shipped files is weakened. DeskPhones switches the named
// agents from the WebRTC template to the shipped desk-phone template (the
// documented operator step), which SIPp agents need.
package realasterisk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// ErrNotPresent says that ../shared/asterisk (or HOTLINE_ASTERISK_SH) is absent.
var ErrNotPresent = errors.New("realasterisk: asterisk.sh not present")

// RepoRoot is the repository root (the directory holding go.mod), found from
// this source file.
func RepoRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Script returns the asterisk.sh to use: HOTLINE_ASTERISK_SH, or
// <repo>/../shared/asterisk/asterisk.sh. ok is false when it does not exist.
func Script() (path string, ok bool) {
	path = os.Getenv("HOTLINE_ASTERISK_SH")
	if path == "" {
		path = filepath.Join(RepoRoot(), "..", "shared", "asterisk", "asterisk.sh")
	}
	fi, err := os.Stat(path)
	return path, err == nil && !fi.IsDir()
}

// Options of one Asterisk.
type Options struct {
	// ConfigDir is the asterisk-config to copy (default <repo>/asterisk-config).
	ConfigDir string
	// DeskPhones are the agents switched to the agent-deskphone template (SIPp agents).
	DeskPhones []string
	// TestExtensions is dialplan text written to hotline-test.conf and included
	// at the end of extensions.conf ("" for none).
	TestExtensions string
	// Script is asterisk.sh (default Script()).
	Script string
	// Log receives progress lines (default none).
	Log func(format string, args ...any)
}

// Asterisk is one running Asterisk.
type Asterisk struct {
	RunDir, ConfDir string
	ARIURL          string // http://127.0.0.1:PORT/ari
	ARIUser         string
	ARIPassword     string
	HTTPPort        int
	SIPPort         int // transport-udp
	WSSPort         int // http.conf tlsbindaddr: wss://127.0.0.1:WSSPort/ws
	RTPStart        int
	RTPEnd          int
	ProviderPort    int    // the provider trunk's host is 127.0.0.1:ProviderPort
	ProviderUser    string // PROVIDER_USER
	Version         string // from GET /ari/asterisk/info
	ConsoleLog      string
	PID             int

	script    string
	passwords map[string]string
	log       func(string, ...any)
	mu        sync.Mutex
	stopped   bool
	procs     []*exec.Cmd
}

// AgentPassword is the digest password filled in for an agent (a101 …) or a supervisor's phone (s201 …).
func (a *Asterisk) AgentPassword(id string) string { return a.passwords[id] }

// Start copies the configuration with its placeholders filled, starts
// Asterisk with asterisk.sh in a fresh /tmp/ast-* directory and returns once
// ARI answers. It returns ErrNotPresent when asterisk.sh is absent.
func Start(ctx context.Context, opt Options) (*Asterisk, error) {
	if opt.Script == "" {
		s, ok := Script()
		if !ok {
			return nil, fmt.Errorf("%w (%s)", ErrNotPresent, s)
		}
		opt.Script = s
	}
	if opt.ConfigDir == "" {
		opt.ConfigDir = filepath.Join(RepoRoot(), "asterisk-config")
	}
	if opt.Log == nil {
		opt.Log = func(string, ...any) {}
	}
	run, err := os.MkdirTemp("/tmp", "ast-")
	if err != nil {
		return nil, fmt.Errorf("realasterisk: %w", err)
	}
	a := &Asterisk{RunDir: run, ConfDir: filepath.Join(run, "conf"), ARIUser: "hotline", script: opt.Script, log: opt.Log,
		ConsoleLog: filepath.Join(run, "var", "log", "asterisk", "console.log"), passwords: map[string]string{}}
	if err := a.writeConfig(opt); err != nil {
		os.RemoveAll(run)
		return nil, err
	}
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, opt.Script, "start", a.ConfDir, a.RunDir)
	cmd.Stdout, cmd.Stderr = &out, &errb
	opt.Log("realasterisk: starting Asterisk in %s (ARI 127.0.0.1:%d, SIP udp %d, WSS %d, RTP %d-%d, provider %d)",
		run, a.HTTPPort, a.SIPPort, a.WSSPort, a.RTPStart, a.RTPEnd, a.ProviderPort)
	if err := cmd.Run(); err != nil {
		tail, _ := os.ReadFile(a.ConsoleLog)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		return nil, fmt.Errorf("realasterisk: %s start: %w\n%s\nconsole log tail:\n%s", opt.Script, err, errb.String(), tail)
	}
	fmt.Sscan(strings.TrimSpace(out.String()), &a.PID)
	info, err := a.info(ctx)
	if err != nil {
		a.Stop()
		return nil, err
	}
	a.Version = info
	opt.Log("realasterisk: Asterisk %s running (pid %d, console log %s)", a.Version, a.PID, a.ConsoleLog)
	return a, nil
}

func (a *Asterisk) info(ctx context.Context) (string, error) {
	var v struct {
		System struct {
			Version string `json:"version"`
		} `json:"system"`
	}
	if err := a.ARI(ctx, http.MethodGet, "/asterisk/info", nil, &v); err != nil {
		return "", err
	}
	return v.System.Version, nil
}

// ARI makes one REST request with the hotline user's credentials. path
// starts with "/" (after /ari); query may be nil; out (if not nil) receives
// the JSON reply. Statuses above 299 are errors carrying ARI's message.
func (a *Asterisk) ARI(ctx context.Context, method, path string, query map[string]string, out any) error {
	return ariDo(ctx, a.ARIURL, a.ARIUser, a.ARIPassword, method, path, query, out)
}

var httpc = &http.Client{Timeout: 10 * time.Second}

func ariDo(ctx context.Context, base, user, pass, method, path string, query map[string]string, out any) error {
	u := base + path
	if len(query) > 0 {
		q := make([]string, 0, len(query))
		for k, v := range query {
			q = append(q, urlEscape(k)+"="+urlEscape(v))
		}
		u += "?" + strings.Join(q, "&")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return fmt.Errorf("ari %s %s: %w", method, path, err)
	}
	req.SetBasicAuth(user, pass)
	resp, err := httpc.Do(req)
	if err != nil {
		return fmt.Errorf("ari %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode > 299 {
		return fmt.Errorf("ari %s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(body))
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("ari %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// CLI runs one Asterisk CLI command (asterisk -rx) and returns its output.
func (a *Asterisk) CLI(ctx context.Context, command string) (string, error) {
	out, err := exec.CommandContext(ctx, a.script, "cli", a.RunDir, command).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("realasterisk: cli %q: %w: %s", command, err, out)
	}
	return string(out), nil
}

// Stop stops the SIPp agents and Asterisk, and removes RunDir unless the
// environment sets HOTLINE_KEEP_ASTERISK=1. It is safe to call twice.
func (a *Asterisk) Stop() error {
	a.mu.Lock()
	if a.stopped {
		a.mu.Unlock()
		return nil
	}
	a.stopped = true
	procs := a.procs
	a.mu.Unlock()
	for _, p := range procs {
		stopProc(p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, a.script, "stop", a.RunDir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("realasterisk: stop: %w: %s", err, out)
	}
	if os.Getenv("HOTLINE_KEEP_ASTERISK") == "" {
		os.RemoveAll(a.RunDir)
	}
	return nil
}

func (a *Asterisk) track(c *exec.Cmd) {
	a.mu.Lock()
	a.procs = append(a.procs, c)
	a.mu.Unlock()
}

// freeTCP returns a free loopback TCP port.
func freeTCP() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// freeUDP returns a free loopback UDP port.
func freeUDP() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
