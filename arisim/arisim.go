// Package arisim is an ARI simulator: Asterisk 22 as ARI applications see it,
// over real HTTP and WebSocket (/ari/...), plus simulated far ends (callers
// and agents' phones) driven by a Go API and a control API (/_sim/...).
//
// All simulator timing goes through the injected clock.Clock (prompt
// durations, DTMF gaps, ring and talk times, patience), every HTTP handler
// runs under clk.Hold(), and every event frame written to an application's
// WebSocket is announced with clk.Handoff(1) before it is queued, so the
// simulator runs exactly under clock.Virtual. See README.md.
package arisim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/publicservice/hotline/clock"
)

// Options configures a simulator.
type Options struct {
	// Clock is the time source (clock.Real() when nil).
	Clock clock.Clock
	// User and Password are the ARI credentials (basic auth or api_key=user:password).
	User, Password string
	// Apps are application names registered from the start (GET /applications
	// lists them even before their WebSocket connects).
	Apps []string
	// SoundsDir is an optional sounds directory laid out as <dir>/<lang>/<name>.wav|.ulaw|.alaw|.gsm|.sln16|.sln;
	// prompt durations are computed from the files found there.
	SoundsDir string
	// MissingSounds are sound names that behave like missing files (PlaybackStarted then
	// PlaybackFinished with state failed; GET /sounds/{id} 404).
	MissingSounds []string
	// Seed makes generated ids (playback UUIDs) and random far-end behaviour deterministic.
	Seed int64
	// Logger receives the simulator's logs (slog.Default() when nil).
	Logger *slog.Logger
	// AsteriskID is the entity id in every event (default 02:fc:00:00:00:01).
	AsteriskID string
	// InboundContext is the dialplan context inbound calls arrive in (default hotline-in).
	InboundContext string
	// KeepCalls bounds the ground-truth records kept (GET /_sim/calls, Calls): beyond it the oldest
	// ended calls are dropped; calls in progress are always kept. 0 keeps every record (tests and
	// simulated days, which compare every call); `hotline arisim` and the demo set a bound.
	KeepCalls int
	// FallbackApp is where the dialplan hands a new inbound call whose application has no
	// WebSocket connected ("" hangs the call up, as a dialplan with only Hangup() would).
	FallbackApp string
	// Contexts are extra dialplan contexts that exist for POST /channels/{id}/continue (the call
	// then hangs up after a goodbye prompt); after-stasis, hotline-in, default, from-internal and
	// hotline-fallback always exist. Continuing to any other context hangs up at once.
	Contexts []string
	// FlushTimeout bounds (in wall time) how long a REST reply waits for the events it caused
	// to be written to the application's WebSocket first (default 500 ms; ari/v5's whole
	// request timeout is 2 s).
	FlushTimeout time.Duration
}

// Sim is one simulated Asterisk. It is safe for concurrent use.
type Sim struct {
	opts  Options
	clk   clock.Clock
	log   *slog.Logger
	media *mediaTable

	mu         sync.Mutex
	rng        *rand.Rand
	started    time.Time
	idBase     int64
	idSeq      int
	nameSeq    map[string]int // per tech/context name counters
	channels   map[string]*channel
	bridges    map[string]*bridge
	playbacks  map[string][]*playback
	liveRecs   map[string]*liveRecording
	stored     map[string]*storedRecording
	globals    map[string]string
	apps       map[string]*application
	endpoints  map[string]*endpoint // "PJSIP/agent1"
	localCtx   map[string]EndpointBehaviour
	calls      []*Call
	callSeq    uint64          // last Call.Seq given
	evicted    uint64          // ended calls dropped from the window (Options.KeepCalls)
	ended      map[string]bool // channel ids of calls that have hung up
	conns      map[*wsConn]struct{}
	seqCounter int
	touched    map[*wsConn]uint64
	closed     bool
	failRecs   string            // while set: recordings fail at once with this cause
	failNamed  map[string]string // recording name → cause: that recording fails at once
	// abruptCloses counts application WebSockets closed without a close frame.
	abruptCloses int

	srvMu sync.Mutex
	srv   *http.Server
}

// New returns a simulator. Close it when done.
func New(opts Options) *Sim {
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.AsteriskID == "" {
		opts.AsteriskID = "02:fc:00:00:00:01"
	}
	if opts.InboundContext == "" {
		opts.InboundContext = "hotline-in"
	}
	if opts.FlushTimeout <= 0 {
		opts.FlushTimeout = 500 * time.Millisecond
	}
	s := &Sim{
		opts:      opts,
		clk:       opts.Clock,
		log:       opts.Logger.With("component", "arisim"),
		rng:       rand.New(rand.NewSource(opts.Seed)),
		nameSeq:   map[string]int{},
		channels:  map[string]*channel{},
		bridges:   map[string]*bridge{},
		playbacks: map[string][]*playback{},
		liveRecs:  map[string]*liveRecording{},
		stored:    map[string]*storedRecording{},
		globals:   map[string]string{},
		apps:      map[string]*application{},
		endpoints: map[string]*endpoint{},
		localCtx: map[string]EndpointBehaviour{
			"sim-agent":          {AnswerAfterMs: 1000},
			"sim-agent-noanswer": {NoAnswer: true},
		},
		ended:   map[string]bool{},
		conns:   map[*wsConn]struct{}{},
		touched: map[*wsConn]uint64{},
	}
	s.media = newMediaTable(opts.SoundsDir, opts.MissingSounds)
	s.started = s.clk.Now()
	s.idBase = s.started.Unix()
	for _, a := range opts.Apps {
		s.appLocked(a)
	}
	return s
}

// Clock returns the simulator's clock.
func (s *Sim) Clock() clock.Clock { return s.clk }

// Handler returns the http.Handler serving /ari/... and /_sim/....
func (s *Sim) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// ListenAndServe serves the simulator on addr until ctx is done or Close is called.
func (s *Sim) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("arisim: listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves the simulator on ln until ctx is done or Close is called.
func (s *Sim) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.srvMu.Lock()
	s.srv = srv
	s.srvMu.Unlock()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("arisim: serve: %w", err)
	}
	return nil
}

// Close stops the server (if any), closes every WebSocket and stops far-end timers.
func (s *Sim) Close() error {
	s.srvMu.Lock()
	srv := s.srv
	s.srvMu.Unlock()
	var err error
	if srv != nil {
		err = srv.Close()
	}
	s.mu.Lock()
	s.closed = true
	conns := make([]*wsConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	for _, ch := range s.channels {
		ch.stopTimers()
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
	if err != nil {
		return fmt.Errorf("arisim: close: %w", err)
	}
	return nil
}

// now is the current time on the simulator's clock.
func (s *Sim) now() time.Time { return s.clk.Now() }

// ts formats the current time as Asterisk does.
func (s *Sim) ts() string { return clock.FormatARI(s.clk.Now()) }

// newChannelID returns "<unix seconds>.<n>" like Asterisk's uniqueids.
func (s *Sim) newChannelIDLocked() string {
	id := fmt.Sprintf("%d.%d", s.idBase, s.idSeq)
	s.idSeq++
	return id
}

// nextNameLocked returns the next per-key counter as Asterisk's 8-digit hex suffix.
func (s *Sim) nextNameLocked(key string) string {
	n := s.nameSeq[key]
	s.nameSeq[key] = n + 1
	return fmt.Sprintf("%08x", n)
}

// uuidLocked returns a random (seeded) version 4 UUID.
func (s *Sim) uuidLocked() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(s.rng.Intn(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// application is a Stasis application known to the simulator.
type application struct {
	name string
	conn *wsConn // nil while no WebSocket is connected
	// The event filter (PUT applications/{name}/eventFilter): the objects
	// as given, matched by their "type" as Asterisk does.
	allowed, disallowed []map[string]any
}

// allows reports whether the application's event filter lets an event of
// type typ through: allowed when the allowed list is empty or names it, and
// the disallowed list does not (Asterisk's app_event_allowed).
func (a *application) allows(typ string) bool {
	return (len(a.allowed) == 0 || filterNames(a.allowed, typ)) && !filterNames(a.disallowed, typ)
}

func filterNames(list []map[string]any, typ string) bool {
	for _, o := range list {
		if t, _ := o["type"].(string); t == typ {
			return true
		}
	}
	return false
}

func (s *Sim) appLocked(name string) *application {
	a := s.apps[name]
	if a == nil {
		a = &application{name: name}
		s.apps[name] = a
	}
	return a
}

// Connected reports whether app has a WebSocket connected.
func (s *Sim) Connected(app string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[app]
	return a != nil && a.conn != nil
}

func (s *Sim) sortedChannelsLocked() []*channel {
	out := make([]*channel, 0, len(s.channels))
	for _, c := range s.channels {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
