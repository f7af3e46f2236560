package realasterisk

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// Behaviour is what a SIPp phone does with an INVITE.
type Behaviour struct {
	mode        string // answer, never, busy
	AnswerAfter time.Duration
	TalkFor     time.Duration // 0: until the far end hangs up
}

// Answer rings for after, answers, and hangs up after talk (0: never; the far end hangs up).
func Answer(after, talk time.Duration) Behaviour {
	return Behaviour{mode: "answer", AnswerAfter: after, TalkFor: talk}
}

// NeverAnswer rings until the INVITE is cancelled.
func NeverAnswer() Behaviour { return Behaviour{mode: "never"} }

// Busy answers 486 Busy Here.
func Busy() Behaviour { return Behaviour{mode: "busy"} }

// SIPPhone is one SIPp process: a registered agent or the provider's far end.
type SIPPhone struct {
	ID      string
	Port    int
	dir     string
	cmd     *exec.Cmd
	done    chan struct{}
	ast     *Asterisk
	msgFile string
}

// SIPpPath is the SIPp binary (Debian's sip-tester).
func SIPpPath() (string, error) { return exec.LookPath("sipp") }

// StartAgent starts a SIPp user agent that registers as agent id (digest
// auth with the filled-in password) and behaves as b on every INVITE. It
// returns once ARI reports the endpoint online. The agent must be one of
// Options.DeskPhones (SIPp speaks plain SIP over UDP, not WebRTC).
func (a *Asterisk) StartAgent(ctx context.Context, id string, b Behaviour) (*SIPPhone, error) {
	pw, ok := a.passwords[id]
	if !ok {
		return nil, fmt.Errorf("realasterisk: no agent %s in pjsip.conf", id)
	}
	port, err := freeUDP()
	if err != nil {
		return nil, fmt.Errorf("realasterisk: port: %w", err)
	}
	p := &SIPPhone{ID: id, Port: port, ast: a}
	reg, err := p.scenario("register.xml", "register", map[string]any{"User": id, "Password": pw, "Expires": 3600})
	if err != nil {
		return nil, err
	}
	uas, err := p.scenario("uas.xml", "uas", b.vars())
	if err != nil {
		return nil, err
	}
	if err := p.start(fmt.Sprintf("127.0.0.1:%d", a.SIPPort), "-sf", reg, "-oocsf", uas, "-m", "1", "-l", "1"); err != nil {
		return nil, err
	}
	if err := p.waitEndpoint(ctx, "online"); err != nil {
		p.Stop()
		return nil, err
	}
	return p, nil
}

// StartProvider starts the far end of the provider trunk: a SIPp UAS on
// ProviderPort that accepts registrations and treats every INVITE (a
// callback leg) as b.
func (a *Asterisk) StartProvider(ctx context.Context, b Behaviour) (*SIPPhone, error) {
	p := &SIPPhone{ID: "provider", Port: a.ProviderPort, ast: a}
	uas, err := p.scenario("uas.xml", "uas", b.vars())
	if err != nil {
		return nil, err
	}
	if err := p.start("", "-sf", uas); err != nil {
		return nil, err
	}
	// Asterisk qualified the provider's static contact at start-up, before
	// this far end listened: qualify again until the trunk is reachable (an
	// unreachable contact fails every originate with "Allocation failed").
	qctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		_, _ = a.CLI(qctx, "pjsip qualify provider")
		var ep struct {
			State string `json:"state"`
		}
		if err := a.ARI(qctx, http.MethodGet, "/endpoints/PJSIP/provider", nil, &ep); err == nil && ep.State == "online" {
			return p, nil
		}
		select {
		case <-qctx.Done():
			p.Stop()
			return nil, fmt.Errorf("realasterisk: the provider trunk never became reachable: %w", qctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (b Behaviour) vars() map[string]any {
	return map[string]any{"Mode": b.mode, "After": b.AnswerAfter.Milliseconds(), "Talk": b.TalkFor.Milliseconds()}
}

// scenario writes the SIPp scenario tpl ("register" or "uas", see
// scenarios) with vars to the file name in the phone's directory.
func (p *SIPPhone) scenario(name, tpl string, vars map[string]any) (string, error) {
	if p.dir == "" {
		d, err := os.MkdirTemp(p.ast.RunDir, "sipp-"+p.ID+"-")
		if err != nil {
			return "", fmt.Errorf("realasterisk: %w", err)
		}
		p.dir = d
	}
	var buf bytes.Buffer
	if err := scenarios.ExecuteTemplate(&buf, tpl, vars); err != nil {
		return "", fmt.Errorf("realasterisk: scenario %s: %w", name, err)
	}
	path := filepath.Join(p.dir, name)
	return path, os.WriteFile(path, buf.Bytes(), 0o644)
}

func (p *SIPPhone) start(remote string, args ...string) error {
	bin, err := SIPpPath()
	if err != nil {
		return fmt.Errorf("realasterisk: sipp (Debian package sip-tester) not found: %w", err)
	}
	mp, err := freeUDP()
	if err != nil {
		return fmt.Errorf("realasterisk: port: %w", err)
	}
	p.msgFile = filepath.Join(p.dir, "messages.log")
	all := []string{}
	if remote != "" {
		all = append(all, remote)
	}
	all = append(all, args...)
	all = append(all, "-i", "127.0.0.1", "-p", fmt.Sprint(p.Port), "-mp", fmt.Sprint(mp), "-nostdin", "-aa",
		"-trace_msg", "-message_file", p.msgFile, "-trace_err", "-error_file", filepath.Join(p.dir, "errors.log"))
	out, err := os.Create(filepath.Join(p.dir, "sipp.out"))
	if err != nil {
		return fmt.Errorf("realasterisk: %w", err)
	}
	cmd := exec.Command(bin, all...)
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("realasterisk: start sipp: %w", err)
	}
	p.cmd = cmd
	p.done = make(chan struct{})
	go func() { _ = cmd.Wait(); out.Close(); close(p.done) }()
	p.ast.track(cmd)
	return nil
}

// waitEndpoint polls ARI until PJSIP/<id> has the state (online, offline).
func (p *SIPPhone) waitEndpoint(ctx context.Context, state string) error {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var last string
	for {
		var ep struct {
			State string `json:"state"`
		}
		if err := p.ast.ARI(ctx, http.MethodGet, "/endpoints/PJSIP/"+p.ID, nil, &ep); err == nil {
			last = ep.State
			if ep.State == state {
				return nil
			}
		}
		select {
		case <-p.done:
			b, _ := os.ReadFile(filepath.Join(p.dir, "sipp.out"))
			return fmt.Errorf("realasterisk: sipp for %s exited: %s", p.ID, tail(b, 2000))
		case <-ctx.Done():
			b, _ := os.ReadFile(p.msgFile)
			return fmt.Errorf("realasterisk: endpoint PJSIP/%s is %q, not %q: %s", p.ID, last, state, tail(b, 3000))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Invites lists the Request-URIs of the INVITEs this phone received.
func (p *SIPPhone) Invites() []string {
	b, _ := os.ReadFile(p.msgFile)
	var out []string
	for _, m := range inviteRE.FindAllSubmatch(b, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

// InviteTimes lists when this phone received each INVITE (from SIPp's
// message log), in order.
func (p *SIPPhone) InviteTimes() []time.Time {
	b, _ := os.ReadFile(p.msgFile)
	var out []time.Time
	for _, m := range inviteTimeRE.FindAllSubmatch(b, -1) {
		if t, err := time.ParseInLocation("2006-01-02 15:04:05.000000", string(m[1]), time.Local); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// AnswerTimes lists when this phone sent each 200 OK to an INVITE (from
// SIPp's message log), in order.
func (p *SIPPhone) AnswerTimes() []time.Time {
	b, _ := os.ReadFile(p.msgFile)
	var out []time.Time
	for _, m := range answerTimeRE.FindAllSubmatch(b, -1) {
		if t, err := time.ParseInLocation("2006-01-02 15:04:05.000000", string(m[1]), time.Local); err == nil {
			out = append(out, t)
		}
	}
	return out
}

var answerTimeRE = regexp.MustCompile(`(?m)^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\s*\n[^\n]*message sent[^\n]*\n(?:\s*\n)*SIP/2\.0 200 OK\r?\n(?:[^\n]+\n)*?CSeq: \d+ INVITE`)

var inviteTimeRE = regexp.MustCompile(`(?m)^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\s*\n[^\n]*message received[^\n]*\n(?:\s*\n)*INVITE `)

var inviteRE = regexp.MustCompile(`(?m)message received[^\n]*\n(?:\s*\n)*INVITE (\S+@\S+) SIP/2\.0`)

// Messages is SIPp's log of every message sent and received.
func (p *SIPPhone) Messages() string {
	b, _ := os.ReadFile(p.msgFile)
	return string(b)
}

// Stop unregisters an agent (REGISTER with Expires: 0) and ends SIPp.
func (p *SIPPhone) Stop() {
	if p.cmd == nil {
		return
	}
	stopProc(p.cmd)
	if pw, ok := p.ast.passwords[p.ID]; ok {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		un := &SIPPhone{ID: p.ID, Port: p.Port, ast: p.ast, dir: p.dir}
		path, err := un.scenario("unregister.xml", "register", map[string]any{"User": p.ID, "Password": pw, "Expires": 0})
		if err == nil && un.start(fmt.Sprintf("127.0.0.1:%d", p.ast.SIPPort), "-sf", path, "-m", "1", "-l", "1") == nil {
			select {
			case <-un.done:
			case <-ctx.Done():
				stopProc(un.cmd)
			}
		}
		_ = un.waitEndpoint(ctx, "offline")
	}
	p.cmd = nil
}

func stopProc(c *exec.Cmd) {
	// c.ProcessState is written by the goroutine in Wait: not read here (a
	// data race); killing a process group that already exited is harmless.
	if c == nil || c.Process == nil {
		return
	}
	_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
	_ = c.Process.Kill()
	time.Sleep(10 * time.Millisecond)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
