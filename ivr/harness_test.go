package ivr_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/telephony"
)

// Monday 30 November 2026, 12:00 UTC: open hours for the test config.
var testStart = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

const (
	didMain  = "1000"
	didGen   = "1001" // straight to the general department
	didNight = "1002" // straight to a department closed now
)

// testConfigYAML builds the test configuration with every prompt. Its
// queues wait when nobody serves them (when_unstaffed: wait) so that tests
// can queue callers before signing agents in; unstaffed_test.go tests the
// other rules.
// media overrides the media URI of prompt keys (both languages).
func testConfigYAML(media map[string]string) string {
	var b strings.Builder
	b.WriteString(`timezone: UTC
languages: [en, es]
hotline:
  name: Test Line
  numbers:
    - {did: "1000"}
    - {did: "1001", department: gen}
    - {did: "1002", department: night}
  menu_timeout: 3s
  menu_retries: 2
  default_queue: general
  complaints_queue: complaints
  menu:
    - {digit: "0", action: officer}
survey:
  enabled: true
  default_opt_in: true
  retries: 1
departments:
  - id: gen
    names: {en: General, es: General}
    digit: "1"
    queue: general
    menu:
      - {digit: "1", action: info}
      - {digit: "2", action: officer}
      - {digit: "3", action: complaint}
      - {digit: "4", action: compliment}
      - {digit: "5", action: ticket}
      - {digit: "6", action: officer, queue: slow}
  - id: night
    names: {en: Night, es: Noche}
    digit: "2"
    hours: ["mon-sun 01:00-02:00"]
    queue: nightq
    menu:
      - {digit: "2", action: officer}
queues:
  - {id: general, department: gen, announce_every: 20s, ring_timeout: 8s, wrap_up: 3s, callback: true, when_unstaffed: wait}
  - {id: complaints, department: gen, announce_every: 20s, ring_timeout: 8s, wrap_up: 3s, when_unstaffed: wait}
  - {id: nightq, department: night, ring_timeout: 8s, when_unstaffed: wait}
  - {id: slow, department: gen, announce_every: 30s, ring_timeout: 8s, max_wait: 45s, when_unstaffed: wait}
agents:
  - {id: a1, name: Ann, skills: [general, complaints, nightq, slow]}
  - {id: a2, name: Bob, skills: [general, complaints]}
  - {id: a3, name: Cy, skills: [general, complaints]}
prompts:
`)
	keys := append([]string{}, config.RequiredPrompts...)
	keys = append(keys, "menu_gen", "hours_gen", "info_gen", "menu_night", "hours_night")
	for _, lang := range []string{"en", "es"} {
		fmt.Fprintf(&b, "  %s:\n", lang)
		for _, k := range keys {
			if m, ok := media[k]; ok {
				fmt.Fprintf(&b, "    %s: {text: \"%s %s\", media: \"%s\"}\n", k, lang, k, m)
				continue
			}
			fmt.Fprintf(&b, "    %s: \"%s %s\"\n", k, lang, k)
		}
	}
	return b.String()
}

func quietLogger() *slog.Logger {
	if os.Getenv("IVR_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// env is one test's world: a virtual clock, Redis (own prefix), Postgres
// (own schema), the writer, and any number of nodes (simulator + controller).
type env struct {
	t        *testing.T
	ctx      context.Context
	clk      *clock.Virtual
	cfg      *config.Config
	rdb      redis.UniversalClient
	prefix   string
	q        *queue.Queues
	db       *store.DB
	apiToken string // agentchange_test.go
	// soundsDir, when set, is the simulators' sounds directory (only its
	// files and the core sounds play).
	soundsDir string
	w         *store.Writer
	j         *store.AgentJournal
	log       *slog.Logger
}

func newEnv(t *testing.T, cfgYAML string) *env { return newEnvOn(t, cfgYAML, nil) }

// newEnvOn is newEnv on a Redis of the test's own (nil: REDIS_URL).
func newEnvOn(t *testing.T, cfgYAML string, own redis.UniversalClient) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := quietLogger()
	clk := clock.NewVirtual(testStart, clock.WithStallAfter(2*time.Second), clock.WithLogger(log))
	t.Cleanup(clk.Close)
	if cfgYAML == "" {
		cfgYAML = testConfigYAML(nil)
	}
	cfg, err := config.Parse([]byte(cfgYAML), "test.yaml")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	rdb := own
	if rdb == nil {
		url := os.Getenv("REDIS_URL")
		if url == "" {
			url = "redis://127.0.0.1:6379"
		}
		ropt, err := redis.ParseURL(url)
		if err != nil {
			t.Fatal(err)
		}
		rdb = redis.NewClient(ropt)
	}
	var rb [6]byte
	_, _ = rand.Read(rb[:])
	prefix := "ivrtest-" + hex.EncodeToString(rb[:])
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), "{"+prefix+"}*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
		_ = rdb.Close()
	})
	db := storetest.MustOpenDB(t)
	j := store.NewAgentJournal(db, log)
	t.Cleanup(func() { _ = j.Close(context.Background()) })
	q := queue.New(rdb, clk, queue.Options{Prefix: prefix, ShortAbandon: cfg.ShortAbandon(), Threshold: cfg.Threshold,
		OnAgentChange: j.Record})
	w := store.NewWriter(db, log, store.WriterOptions{})
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	return &env{t: t, ctx: ctx, clk: clk, cfg: cfg, rdb: rdb, prefix: prefix, q: q, db: db, w: w, j: j, log: log}
}

// login logs agents in (their endpoints must be set on the simulators).
func (e *env) login(ids ...string) {
	e.t.Helper()
	for _, id := range ids {
		a := e.cfg.Agent(id)
		if err := e.q.Login(e.ctx, agents.Agent{ID: a.ID, Name: a.Name, Endpoint: a.Endpoint, Skills: a.Skills}, e.clk.Now()); err != nil {
			e.t.Fatalf("login %s: %v", id, err)
		}
	}
}

// node is one simulated Asterisk with its controller.
type node struct {
	e      *env
	name   string
	sim    *arisim.Sim
	url    string
	ctl    *ivr.Controller
	cancel context.CancelFunc
	done   chan error
	prefix string // call id = prefix + channel id
}

func (e *env) newSim(name string, missing ...string) *node {
	e.t.Helper()
	sim := arisim.New(arisim.Options{Clock: e.clk, User: "hotline", Password: "secret", Apps: []string{"hotline"},
		Seed: 1, Logger: e.log, AsteriskID: name, MissingSounds: missing, SoundsDir: e.soundsDir})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = sim.Serve(e.ctx, ln) }()
	e.t.Cleanup(func() { _ = sim.Close() })
	return &node{e: e, name: name, sim: sim, url: "http://" + ln.Addr().String() + "/ari"}
}

// start runs a controller (with a fresh Switch) on the node's simulator.
func (n *node) start(id string) { n.startWith(id, nil) }

// startWith runs a controller with options adjusted by opt.
func (n *node) startWith(id string, opt func(*ivr.Options)) {
	e := n.e
	e.t.Helper()
	sw, err := telephony.NewARI(telephony.ARIOptions{URL: n.url, Application: "hotline", Username: "hotline",
		Password: "secret", Node: n.name, Clock: e.clk, Logger: e.log})
	if err != nil {
		e.t.Fatal(err)
	}
	o := ivr.Options{ID: id, Config: e.cfg, Switch: sw, Queues: e.q, Writer: e.w, Clock: e.clk,
		Logger: e.log.With("node", n.name), CallbackEndpoint: func(num string) string { return "PJSIP/" + num },
		AgentStates: e.j.Load}
	if opt != nil {
		opt(&o)
	}
	n.prefix = o.CallIDPrefix
	ctl, err := ivr.New(o)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	n.ctl, n.cancel, n.done = ctl, cancel, make(chan error, 1)
	go func() { n.done <- ctl.Run(ctx) }()
	e.t.Cleanup(func() { n.kill() })
	checkFor(e.t, 10*time.Second, "controller connected", func() bool { return n.sim.Connected("hotline") })
}

// kill cancels the controller's Run without any cleanup of its calls.
func (n *node) kill() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		n.e.t.Errorf("controller %s did not stop", n.name)
	}
	n.cancel = nil
}

// agent sets a simulated agent phone.
func (n *node) agent(id string, b arisim.EndpointBehaviour) { n.sim.SetEndpoint("PJSIP", id, b) }

// call places a simulated inbound call.
func (n *node) call(from, did string, sc *arisim.Script) string {
	n.e.t.Helper()
	id, err := n.sim.Inbound(n.e.ctx, "hotline", from, did, sc)
	if err != nil {
		n.e.t.Fatalf("inbound: %v", err)
	}
	return id
}

func (n *node) truth(ch string) arisim.Call {
	c, _ := n.sim.CallOf(ch)
	return c
}

// checkFor polls cond (wall time) until it holds or the limit passes.
func checkFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var far = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// records returns every call record written so far, by id.
func (e *env) records() map[string]hotline.CallRecord {
	e.t.Helper()
	if err := e.w.Flush(e.ctx); err != nil {
		e.t.Logf("flush: %v", err)
	}
	calls, err := e.db.Calls(e.ctx, time.Time{}, far)
	if err != nil {
		e.t.Fatalf("calls: %v", err)
	}
	out := map[string]hotline.CallRecord{}
	for _, c := range calls {
		out[c.ID] = c
	}
	return out
}

// waitRecord waits for the record of call id.
func (e *env) waitRecord(id string) hotline.CallRecord {
	e.t.Helper()
	var rec hotline.CallRecord
	checkFor(e.t, 30*time.Second, "call record "+id, func() bool {
		r, ok := e.records()[id]
		rec = r
		return ok
	})
	return rec
}

func (e *env) events(callID string) []hotline.QueueEvent {
	e.t.Helper()
	_ = e.w.Flush(e.ctx)
	evs, err := e.db.QueueEvents(e.ctx, time.Time{}, far, "")
	if err != nil {
		e.t.Fatalf("queue events: %v", err)
	}
	var out []hotline.QueueEvent
	for _, ev := range evs {
		if callID == "" || ev.CallID == callID {
			out = append(out, ev)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// eventTypes: testenv.EventTypes (WRAPUPEND left out).
var eventTypes = testenv.EventTypes

func (e *env) ratings() []store.Rating {
	e.t.Helper()
	_ = e.w.Flush(e.ctx)
	rs, err := e.db.Ratings(e.ctx, time.Time{}, far)
	if err != nil {
		e.t.Fatalf("ratings: %v", err)
	}
	return rs
}

func near(a, b time.Time, tol time.Duration) bool {
	d := a.Sub(b)
	return d <= tol && d >= -tol
}

// checkAnswerTimes compares a record with the simulator's ground truth:
// queue entry = first MOH, answer = first bridge entered (within 50 ms).
func checkAnswerTimes(t *testing.T, rec hotline.CallRecord, truth arisim.Call) {
	t.Helper()
	if truth.FirstMOH.IsZero() || len(truth.Bridges) == 0 {
		t.Fatalf("ground truth of %s has no MOH or bridge: %+v", rec.ID, truth)
	}
	if !near(rec.Enqueued, truth.FirstMOH, 50*time.Millisecond) {
		t.Errorf("%s enqueued %v, ground truth first MOH %v", rec.ID, rec.Enqueued, truth.FirstMOH)
	}
	if !near(rec.Answered, truth.Bridges[0].Entered, 50*time.Millisecond) {
		t.Errorf("%s answered %v, ground truth bridged %v", rec.ID, rec.Answered, truth.Bridges[0].Entered)
	}
	want := truth.Bridges[0].Entered.Sub(truth.FirstMOH)
	if d := rec.Wait - want; d > 50*time.Millisecond || d < -50*time.Millisecond {
		t.Errorf("%s wait %v, ground truth %v", rec.ID, rec.Wait, want)
	}
}

// press builds a script press relative to the previous one.
func press(digits string, afterMs int) arisim.Press {
	return arisim.Press{Digits: digits, AfterMs: afterMs}
}
