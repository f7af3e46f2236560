package asterisktest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/internal/realasterisk"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// binary is the hotline binary built from this tree by buildHotline.
var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func buildHotline(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hotline-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "hotline")
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/hotline")
		cmd.Dir = realasterisk.RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/hotline: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// world is one telephone system with its controller: the real Asterisk or
// the simulator, each with a `hotline serve` child process, a Postgres
// schema and a Redis prefix of its own.
type world struct {
	t       *testing.T
	name    string // "asterisk" or "simulator"
	ast     *realasterisk.Asterisk
	callers *realasterisk.Callers
	sim     *arisim.Sim
	ariURL  string
	ariPass string
	db      *store.DB
	dsn     string
	rdb     *redis.Client
	prefix  string
	cfgPath string
	id      string // the controller's id, kept across its restarts
	spool   string // its writer's spool directory
	serve   *serveProc
	token   string // bearer token of a supervisor account for the staff API (h-web's sign-in)
	mu      sync.Mutex
	phones  map[string]*realasterisk.SIPPhone
	setTo   map[string]phone
}

// behaviour is what an agent's phone was last set to do.
func (w *world) behaviour(id string) phone {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.setTo[id]
}

func (w *world) real() bool { return w.ast != nil }

// newWorld prepares Postgres, Redis and the configuration (cfg, the hotline
// YAML); the telephone side is set by the caller (ast or sim).
func newWorld(t *testing.T, name, cfg string) *world {
	t.Helper()
	db, dsn := storetest.MustOpenDBSchema(t)
	rdb := testenv.MustRedis(t)
	w := &world{t: t, name: name, db: db, dsn: dsn, rdb: rdb, prefix: "asttest-" + name + "-" + rnd(), phones: map[string]*realasterisk.SIPPhone{}, setTo: map[string]phone{}}
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := rdb.Keys(ctx, "{"+w.prefix+"}*").Result()
		if len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
	})
	w.id = "ctl-" + name + "-" + rnd()
	w.spool = t.TempDir()
	w.cfgPath = filepath.Join(t.TempDir(), "suite.yaml")
	if err := os.WriteFile(w.cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// realWorld starts a real Asterisk with SIPp-capable agents, for a
// controller configured with cfg.
func realWorld(t *testing.T, ctx context.Context, cfg string) *world {
	t.Helper()
	a, err := realasterisk.Start(ctx, realasterisk.Options{DeskPhones: deskPhones(), Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("console log: %s", tailFile(a.ConsoleLog, 3000))
		}
		if err := a.Stop(); err != nil {
			t.Error(err)
		}
	})
	w := newWorld(t, "asterisk", cfg)
	w.ast, w.ariURL, w.ariPass = a, a.ARIURL, a.ARIPassword
	cs, err := a.Callers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	w.callers = cs
	return w
}

func deskPhones() []string {
	var out []string
	for i := 101; i <= 115; i++ {
		out = append(out, fmt.Sprintf("a%d", i))
	}
	return out
}

// simWorld starts the simulator on real time, for a controller configured
// with cfg.
func simWorld(t *testing.T, ctx context.Context, cfg string) *world {
	t.Helper()
	w := newWorld(t, "simulator", cfg)
	var eps []string
	for i := 101; i <= 115; i++ {
		eps = append(eps, fmt.Sprintf("a%d", i))
	}
	sim := arisim.New(arisim.Options{Clock: clock.Real(), User: "hotline", Password: "simsecret", Apps: []string{"hotline"},
		SoundsDir: filepath.Join(realasterisk.RepoRoot(), "asterisk-config", "sounds"), Seed: 1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	go func() { _ = sim.Serve(sctx, ln) }()
	t.Cleanup(func() { cancel(); _ = sim.Close() })
	for _, id := range eps {
		sim.SetEndpoint("PJSIP", id, arisim.EndpointBehaviour{Offline: true})
	}
	w.sim, w.ariURL, w.ariPass = sim, "http://"+ln.Addr().String()+"/ari", "simsecret"
	return w
}

// serveProc is one `hotline serve` child process.
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	log  string
	done chan struct{}
}

// startServe runs `hotline serve` against the world's ARI and waits until its
// WebSocket is connected (healthz ok).
func (w *world) startServe(t *testing.T, ctx context.Context, flags ...string) {
	t.Helper()
	if w.serve != nil {
		w.serve.kill() // one controller at a time
	}
	bin := buildHotline(t)
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	logf, err := os.CreateTemp("", "hotline-serve-"+w.name+"-*.log")
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-id", w.id, "-spool-dir", w.spool,
		"-redis-prefix", w.prefix, "-config", w.cfgPath, "-drain", "20s"}, flags...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ARI_URL="+w.ariURL, "ARI_USER=hotline", "ARI_PASSWORD="+w.ariPass,
		"DATABASE_URL="+w.dsn, "REDIS_URL="+testenv.RedisURL(), "HOTLINE_DEBUG=1")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sp := &serveProc{cmd: cmd, addr: fmt.Sprintf("http://127.0.0.1:%d", port), log: logf.Name(), done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(sp.done) }()
	w.serve = sp
	t.Cleanup(func() {
		sp.kill()
		if t.Failed() {
			t.Logf("%s controller log (tail): %s", w.name, tailFile(sp.log, 4000))
		}
		if os.Getenv("HOTLINE_KEEP_ASTERISK") == "" {
			os.Remove(sp.log)
		}
	})
	checkFor(t, 60*time.Second, w.name+" controller connected", func() bool {
		select {
		case <-sp.done:
			t.Fatalf("hotline serve exited: %s", tailFile(sp.log, 3000))
		default:
		}
		resp, err := http.Get(sp.addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	if w.token == "" { // every staff route needs an account: a supervisor's bearer token
		user := exec.Command(bin, "user", "add", "-username", "test-"+w.name, "-role", "supervisor", "-config", w.cfgPath)
		user.Env = append(os.Environ(), "DATABASE_URL="+w.dsn, "HOTLINE_PASSWORD=asterisktest-"+w.name)
		if out, err := user.CombinedOutput(); err != nil {
			t.Fatalf("hotline user add: %v: %s", err, out)
		}
		tok := exec.Command(bin, "user", "token", "-username", "test-"+w.name, "-name", "asterisktest")
		tok.Env = append(os.Environ(), "DATABASE_URL="+w.dsn)
		out, err := tok.Output()
		if err != nil {
			t.Fatalf("hotline user token: %v", err)
		}
		w.token = strings.TrimSpace(string(out))
	}
}

// kill sends SIGKILL (no drain, no cleanup) and waits for the exit.
func (sp *serveProc) kill() {
	if sp.cmd.Process == nil {
		return
	}
	select {
	case <-sp.done:
		return
	default:
	}
	_ = sp.cmd.Process.Signal(syscall.SIGKILL)
	<-sp.done
}

// term sends SIGTERM (the drain) without waiting.
func (sp *serveProc) term() { _ = sp.cmd.Process.Signal(syscall.SIGTERM) }

// agentAction posts to the controller's agent API (login, logout, available, pause).
func (w *world) agentAction(t *testing.T, id, action string) {
	t.Helper()
	if st := w.postAgent(t, id, action); st != http.StatusOK {
		t.Fatalf("%s agent %s %s: %d", w.name, id, action, st)
	}
}

// signIn signs agent id in unless another journey sharing the agent did
// already (409, and the agent is signed in).
func (w *world) signIn(t *testing.T, id string) {
	t.Helper()
	st := w.postAgent(t, id, "login")
	if st == http.StatusConflict {
		if state, _ := w.agentState(t, id); state != "" && state != "logged_out" {
			return
		}
	}
	if st != http.StatusOK {
		t.Fatalf("%s agent %s login: %d", w.name, id, st)
	}
}

// postAgent posts action to agent id and returns the status.
func (w *world) postAgent(t *testing.T, id, action string) int {
	t.Helper()
	path := "/api/v1/agents/" + id + "/" + action
	if action == "pause" {
		path += "?reason=break" // a configured pause reason
	}
	req, _ := http.NewRequest(http.MethodPost, w.serve.addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+w.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s agent %s %s: %v", w.name, id, action, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// agentState reads one agent's state and reason from the controller's API.
func (w *world) agentState(t *testing.T, id string) (state, reason string) {
	var list struct {
		Agents []struct {
			ID, State, Reason string
		} `json:"agents"`
	}
	req, _ := http.NewRequest(http.MethodGet, w.serve.addr+"/api/v1/agents", nil)
	req.Header.Set("Authorization", "Bearer "+w.token)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("GET /api/v1/agents: %d", resp.StatusCode)
		} else {
			err = json.NewDecoder(resp.Body).Decode(&list)
		}
	}
	if err != nil {
		t.Fatalf("agents: %v", err)
	}
	for _, a := range list.Agents {
		if a.ID == id {
			return a.State, a.Reason
		}
	}
	return "", ""
}

// setAgent makes an agent's phone behave as b (a SIPp phone registered on the
// real Asterisk; an endpoint behaviour on the simulator). offline: no phone.
func (w *world) setAgent(t *testing.T, ctx context.Context, id string, b phone) {
	t.Helper()
	w.mu.Lock()
	w.setTo[id] = b
	w.mu.Unlock()
	if !w.real() {
		w.sim.SetEndpoint("PJSIP", id, b.sim())
		return
	}
	w.mu.Lock()
	old := w.phones[id]
	delete(w.phones, id)
	w.mu.Unlock()
	if old != nil {
		old.Stop()
	}
	if b.offline {
		return
	}
	var p *realasterisk.SIPPhone
	var err error
	if id == "provider" {
		p, err = w.ast.StartProvider(ctx, b.sipp())
	} else {
		p, err = w.ast.StartAgent(ctx, id, b.sipp())
	}
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.phones[id] = p
	w.mu.Unlock()
}

// phone is an agent's (or the provider's) behaviour in both worlds.
type phone struct {
	answerAfter, talk time.Duration
	never, busy       bool
	offline           bool
}

func (p phone) sim() arisim.EndpointBehaviour {
	switch {
	case p.offline:
		return arisim.EndpointBehaviour{Offline: true}
	case p.never:
		return arisim.EndpointBehaviour{NoAnswer: true}
	case p.busy:
		return arisim.EndpointBehaviour{RejectCause: 17}
	}
	return arisim.EndpointBehaviour{AnswerAfterMs: int(p.answerAfter.Milliseconds()), TalkMs: int(p.talk.Milliseconds())}
}

func (p phone) sipp() realasterisk.Behaviour {
	switch {
	case p.never:
		return realasterisk.NeverAnswer()
	case p.busy:
		return realasterisk.Busy()
	}
	return realasterisk.Answer(p.answerAfter, p.talk)
}

// ---- Postgres ----

var far = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

func (w *world) record(t *testing.T, id string) (hotline.CallRecord, bool) {
	calls, err := w.db.Calls(context.Background(), time.Time{}, far)
	if err != nil {
		t.Fatalf("%s calls: %v", w.name, err)
	}
	for _, c := range calls {
		if c.ID == id {
			return c, true
		}
	}
	return hotline.CallRecord{}, false
}

// waitRecord polls Postgres for the record of call id.
func (w *world) waitRecord(t *testing.T, id string, limit time.Duration) hotline.CallRecord {
	t.Helper()
	var rec hotline.CallRecord
	checkFor(t, limit, w.name+" call record "+id, func() bool {
		r, ok := w.record(t, id)
		rec = r
		return ok
	})
	return rec
}

func (w *world) events(t *testing.T, id string) []hotline.QueueEvent {
	evs, err := w.db.QueueEvents(context.Background(), time.Time{}, far, "")
	if err != nil {
		t.Fatalf("%s queue events: %v", w.name, err)
	}
	var out []hotline.QueueEvent
	for _, ev := range evs {
		if ev.CallID == id {
			out = append(out, ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// eventTypes: testenv.EventTypes (WRAPUPEND left out).
var eventTypes = testenv.EventTypes

func (w *world) ratings(t *testing.T, id string) []store.Rating {
	rs, err := w.db.Ratings(context.Background(), time.Time{}, far)
	if err != nil {
		t.Fatalf("%s ratings: %v", w.name, err)
	}
	var out []store.Rating
	for _, r := range rs {
		if r.CallID == id {
			out = append(out, r)
		}
	}
	return out
}

func (w *world) messages(t *testing.T, id string) []store.Message {
	ms, err := w.db.Messages(context.Background(), time.Time{}, far, "")
	if err != nil {
		t.Fatalf("%s messages: %v", w.name, err)
	}
	var out []store.Message
	for _, m := range ms {
		if m.CallID == id {
			out = append(out, m)
		}
	}
	return out
}
