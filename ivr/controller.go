// Package ivr is the call controller: one explicit state machine per call
// (see call.go for the states and the transition table), driven by the
// telephony events of one Asterisk (a telephony.Switch), by its own timers
// (clock.AfterFunc) and by the matches the queue's atomic dispatch pushes to
// this controller's inbox.
//
// Each call is an actor: every event, timer and match concerning it is posted
// to its ordered, unbounded mailbox and handled one at a time, never blocking
// on anything but the Switch, Redis and the store Writer's queue. Work is
// bracketed for the virtual clock: an event's hold is released (Event.Done)
// only after it was handled; timer callbacks and inbox messages take a
// clk.Hold that is released after the actor handled them.
package ivr

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/telephony"
)

// Recorder receives what the controller measures: queue events as they
// happen, the call record when the call ends, survey ratings and recorded
// messages. *store.Writer implements it.
type Recorder interface {
	Call(c *hotline.CallRecord)
	Events(events ...hotline.QueueEvent)
	Rating(r store.Rating)
	Message(m store.Message)
}

var _ Recorder = (*store.Writer)(nil)

// Options configures a Controller.
type Options struct {
	// ID names this controller: the owner of its callers in the shared queue
	// (matches for them reach its inbox) and of its saved in-progress calls.
	// A restarted controller must keep its ID to re-adopt its calls.
	ID string
	// Config is the hotline configuration (menus, prompts, hours, queues).
	Config *config.Config
	// CallIDPrefix is put before the caller's channel id to make the call id
	// (e.g. "ast1-"): needed when several Asterisk servers share one Redis and
	// their channel ids may collide (two servers started in the same second
	// without a systemname). Default "": the call id is the channel id.
	CallIDPrefix string
	// Switch is this controller's Asterisk.
	Switch telephony.Switch
	// Queues is the shared Redis queue state.
	Queues *queue.Queues
	// Writer receives queue events, call records, ratings and messages
	// (normally a *store.Writer).
	Writer Recorder
	// Clock is the time source shared with the queue (and, in simulations,
	// with the simulator). Default clock.Real().
	Clock clock.Clock
	// Logger; default slog.Default().
	Logger *slog.Logger
	// CallbackEndpoint maps a caller's number to the endpoint that calls it
	// back. Default: the configuration's hotline.callback_dial template
	// (config.DefaultCallbackDial, PJSIP/{number}@provider).
	CallbackEndpoint func(number string) string
	// CallbackRing is how long a callback rings the citizen (default 30 s).
	CallbackRing time.Duration
	// PlaybackSafety is how long a prompt may play before the controller
	// gives up waiting for its PlaybackFinished (an unknown media scheme
	// never finishes on Asterisk). Default 3 min.
	PlaybackSafety time.Duration
	// CommandTimeout bounds each Switch command in wall time (default 5 s).
	CommandTimeout time.Duration
	// MOHClass is the music-on-hold class ("" is Asterisk's default).
	MOHClass string
	// ExternalSwitch: the caller runs Switch.Run itself; by default
	// Controller.Run runs it.
	ExternalSwitch bool
	// MatchWait is how long one NextMatch call blocks (wall time, default 1 s).
	MatchWait time.Duration
	// BeforeMatch, when set, is called with each match popped from this
	// controller's inbox before it is handed to its call; a test holds a
	// match on its way there by blocking in it. Nil in production.
	BeforeMatch func(m queue.Match)
	// MaxCalls sheds load: while this many calls are in progress, a new
	// inbound call is refused at once (hung up with reason congestion,
	// recorded with disposition failed and IVR path "shed") instead of
	// pushing an overloaded Asterisk further. 0: no limit.
	MaxCalls int
	// FallbackContext is the dialplan context new calls are handed back to
	// (POST /channels/{id}/continue, extension s, priority 1) while the
	// controller drains (default "hotline-fallback" of the shipped
	// extensions.conf: the fallback message or queue).
	FallbackContext string
	// Adaptive, when set, sheds load as MaxCalls does but with a limit that
	// follows Asterisk's measured load (see AdaptiveLimit; feed it the ARI
	// request times, e.g. telephony.ARIOptions.ObserveRequest; the controller
	// feeds it the setup times it measures, see AdaptiveLimit.SetupTarget).
	// Both apply when both are set.
	Adaptive *AdaptiveLimit
	// OnEvent, when set, is called after each handled telephony event that
	// caused a Switch command, with its reaction time (see Controller.Reaction).
	// It runs on the call's goroutine: keep it short.
	OnEvent func(ev telephony.EventType, reaction time.Duration)
	// AnswerAgent, when set, makes a ringing agent leg answer at the far end
	// (the simulator's AnswerFarEnd): the agent panel's answer button against
	// the simulator. Nil with a real Asterisk, where the agent's browser
	// softphone (JsSIP) answers the SIP call itself. See agentcontrol.go.
	AnswerAgent func(ctx context.Context, channel string) error
	// Tickets, when set, reads a ticket's status back to a caller who types
	// its reference, turns recorded messages into tickets, and sends a
	// department's information by SMS (tickets.go).
	Tickets TicketDesk

	// Redis faults and dead controllers (guard.go). AgentStates loads the
	// agents' last sign-in states from outside Redis (store.AgentJournal's
	// Load); without it a Redis that lost its data gets its agents back
	// only from the calls in progress.
	AgentStates func(ctx context.Context) ([]agents.Record, error)
	// Heartbeat is how often (wall time) the controller renews its lease and
	// checks that Redis still has its data (default 1 s; the sweep of dead
	// controllers runs every second beat).
	Heartbeat time.Duration
	// LeaseTTL is how long a lease outlives its last renewal: a controller
	// silent that long is dead for good and swept (default 10 s).
	LeaseTTL time.Duration
	// RebuildSettle is how long a rebuild waits, after restoring this
	// controller's calls, before signing agents in again from AgentStates, so
	// that every controller has put back the agents busy with its calls first
	// (default 4 heartbeats).
	RebuildSettle time.Duration
}

// Controller drives the calls of one Asterisk.
type Controller struct {
	drainers *drainers // run the calls' mailboxes (drainers.go)

	opt Options
	id  string
	cfg *config.Config
	sw  telephony.Switch
	q   *queue.Queues
	w   Recorder
	clk clock.Clock
	log *slog.Logger

	runCtx   context.Context
	stopped  atomic.Bool
	draining atomic.Bool

	mu     sync.Mutex
	calls  map[string]*call // by call id
	chans  map[string]*call // by channel id (caller, agent and callback legs)
	pbs    map[string]*call // by playback id
	recs   map[string]*call // by recording name
	adopt1 chan struct{}    // closed after the first adoption
	once1  sync.Once

	stats     [nCategories]atomic.Int64
	reaction  *Histogram
	seq       atomic.Int64
	shedCount atomic.Int64
	inst      string // distinguishes this run's playback ids from a predecessor's

	guard guardState // Redis health, rebuilds, sweeps (guard.go)
	in    *inlet     // events routed on the Switch's reader (inlet.go)
}

// New checks the options and returns a controller; Run starts it.
func New(opt Options) (*Controller, error) {
	switch {
	case opt.ID == "":
		return nil, hotline.Errorf(hotline.EINVALID, "ivr: controller id is empty")
	case opt.Config == nil:
		return nil, hotline.Errorf(hotline.EINVALID, "ivr: no configuration")
	case opt.Switch == nil:
		return nil, hotline.Errorf(hotline.EINVALID, "ivr: no switch")
	case opt.Queues == nil:
		return nil, hotline.Errorf(hotline.EINVALID, "ivr: no queues")
	case opt.Writer == nil:
		return nil, hotline.Errorf(hotline.EINVALID, "ivr: no writer")
	}
	if opt.Clock == nil {
		opt.Clock = clock.Real()
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.CallbackEndpoint == nil {
		opt.CallbackEndpoint = opt.Config.CallbackEndpoint
	}
	if opt.FallbackContext == "" {
		opt.FallbackContext = "hotline-fallback"
	}
	if opt.CallbackRing <= 0 {
		opt.CallbackRing = 30 * time.Second
	}
	if opt.PlaybackSafety <= 0 {
		opt.PlaybackSafety = 3 * time.Minute
	}
	if opt.CommandTimeout <= 0 {
		opt.CommandTimeout = 5 * time.Second
	}
	if opt.MatchWait <= 0 {
		opt.MatchWait = time.Second
	}
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = time.Second
	}
	if opt.LeaseTTL <= 0 {
		opt.LeaseTTL = 10 * time.Second
	}
	if opt.LeaseTTL < 3*opt.Heartbeat {
		opt.LeaseTTL = 3 * opt.Heartbeat
	}
	if opt.RebuildSettle <= 0 {
		opt.RebuildSettle = 4 * opt.Heartbeat
	}
	return &Controller{
		opt: opt, id: opt.ID, cfg: opt.Config, sw: opt.Switch, q: opt.Queues, w: opt.Writer,
		clk: opt.Clock, log: opt.Logger.With("controller", opt.ID),
		calls: map[string]*call{}, chans: map[string]*call{}, pbs: map[string]*call{}, recs: map[string]*call{},
		adopt1: make(chan struct{}), reaction: NewHistogram(), runCtx: context.Background(),
		inst: instanceToken(), drainers: newDrainers(),
	}, nil
}

// ID is the controller's id (owner in the queue).
func (ctl *Controller) ID() string { return ctl.id }

// Run handles calls until ctx ends. On return, calls in progress are left
// in Stasis with their state saved in Redis, for the next controller with
// the same id to re-adopt.
func (ctl *Controller) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ctl.runCtx = ctx
	var wg sync.WaitGroup
	errc := make(chan error, 1)
	if hs, ok := ctl.sw.(eventHandlerSetter); ok && !ctl.opt.ExternalSwitch {
		ctl.in = newInlet()
		hs.SetHandler(ctl.handleEvent)
	}
	var backlog <-chan struct{} // nil: no inlet
	if ctl.in != nil {
		backlog = ctl.in.wake
	}
	if !ctl.opt.ExternalSwitch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := ctl.sw.Run(ctx); err != nil && ctx.Err() == nil {
				errc <- err
				cancel()
			}
		}()
	}
	wg.Add(3)
	go func() { defer wg.Done(); ctl.matchLoop(ctx) }()
	go func() { defer wg.Done(); ctl.commandLoop(ctx) }()
	go func() { defer wg.Done(); ctl.guardLoop(ctx) }()

	events := ctl.sw.Events()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-backlog:
			ctl.routeBacklog()
		case ev, ok := <-events:
			if !ok {
				break loop
			}
			// Reaction times count the reader's queue too.
			ctl.route(ev, arrivedAt(ev))
		}
	}
	ctl.stopped.Store(true)
	wg.Wait()
	if ctl.in != nil {
		ctl.releaseBacklog()
	}
	// Release every event still queued (their holds) and drop everything.
	for {
		select {
		case ev, ok := <-events:
			if ok {
				done(ev)
				continue
			}
		default:
		}
		select {
		case err := <-errc:
			return err
		default:
		}
		return nil
	}
}

func done(ev telephony.Event) {
	if ev.Done != nil {
		ev.Done()
	}
}

// cmdCtx bounds one Switch or Redis command.
func (ctl *Controller) cmdCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctl.runCtx, ctl.opt.CommandTimeout)
}

// route hands an event to the actor of its call, creating calls for new
// inbound channels.
func (ctl *Controller) route(ev telephony.Event, arrived time.Time) {
	if ctl.stopped.Load() {
		done(ev)
		return
	}
	switch ev.Type {
	case telephony.Other:
		// ChannelVarset, ChannelDialplan, ...: no call reacts to them (a
		// third of a call's events on Asterisk); not worth waking its goroutine.
		done(ev)
		return
	case telephony.Connected:
		ctl.readopt(ev)
		return
	case telephony.StasisStart:
		args := ev.Args
		if len(args) == 0 {
			args = ev.Channel.Args
		}
		ctl.mu.Lock()
		c := ctl.chans[ev.Channel.ID]
		ctl.mu.Unlock()
		if c != nil {
			c.post(msg{ev: &ev, arrived: arrived, release: ev.Done})
			return
		}
		kind := ""
		if len(args) > 0 {
			kind = args[0]
		}
		switch kind {
		case "agent", "callback":
			callID := ""
			if len(args) > 1 {
				callID = args[1]
			}
			ctl.mu.Lock()
			c = ctl.calls[callID]
			if c != nil {
				ctl.bindChanLocked(ev.Channel.ID, c)
			}
			ctl.mu.Unlock()
			if c != nil {
				c.post(msg{ev: &ev, arrived: arrived, release: ev.Done})
				return
			}
			ctl.log.Info("stray leg, hanging up", "channel", ev.Channel.ID, "kind", kind, "call", callID)
			ctl.hangupStray(ev.Channel.ID, ev)
			return
		case "inbound":
			if ctl.draining.Load() {
				ctl.handBack(ev)
				return
			}
			if ctl.overloaded() {
				ctl.shed(ev)
				return
			}
			c = ctl.newCall(ev.Channel.ID, kindInbound)
			c.post(msg{ev: &ev, arrived: arrived, release: ev.Done})
			return
		default:
			// Not a call of the journey (e.g. a supervisor's snoop channel
			// with args of its own): left alone for whoever created it.
			ctl.log.Debug("Stasis entry not for the controller", "channel", ev.Channel.ID, "kind", kind)
			done(ev)
			return
		}
	}
	ctl.mu.Lock()
	c := ctl.chans[ev.Channel.ID]
	if c == nil && ev.PlaybackID != "" {
		c = ctl.pbs[ev.PlaybackID]
	}
	if c == nil && ev.Recording != "" {
		c = ctl.recs[ev.Recording]
	}
	ctl.mu.Unlock()
	if c == nil {
		done(ev)
		return
	}
	c.post(msg{ev: &ev, arrived: arrived, release: ev.Done})
}

// overloaded reports whether MaxCalls calls are in progress, or the
// adaptive limit refuses one more.
func (ctl *Controller) overloaded() bool {
	if ctl.opt.MaxCalls <= 0 && ctl.opt.Adaptive == nil {
		return false
	}
	ctl.mu.Lock()
	n := len(ctl.calls)
	ctl.mu.Unlock()
	if ctl.opt.MaxCalls > 0 && n >= ctl.opt.MaxCalls {
		return true
	}
	return ctl.opt.Adaptive != nil && !ctl.opt.Adaptive.Allow(ctl.clk.Now(), n)
}

// shed refuses a new inbound call while overloaded and records it.
func (ctl *Controller) shed(ev telephony.Event) {
	n := ctl.shedCount.Add(1)
	if n == 1 || n%100 == 0 {
		args := []any{"max_calls", ctl.opt.MaxCalls, "refused_so_far", n}
		if a := ctl.opt.Adaptive; a != nil {
			args = append(args, "adaptive_limit", a.Limit(), "ari_p90", a.Latency(), "setup_p90", a.SetupLatency())
		}
		ctl.log.Warn("overloaded: refusing new calls", args...)
	}
	ctl.turnAway(ev, "shed", false)
}

// turnAway is how a new inbound call the controller will not serve leaves
// it (load shedding, draining): recorded at once as failed with IVR path
// path, then handed back to the dialplan fallback (fallback) or refused
// with congestion; a fallback that fails is refused too. ev is released
// when that is done.
func (ctl *Controller) turnAway(ev telephony.Event, path string, fallback bool) {
	now := ctl.clk.Now()
	did := ""
	if len(ev.Args) > 1 {
		did = ev.Args[1]
	}
	rec := &hotline.CallRecord{ID: ctl.opt.CallIDPrefix + ev.Channel.ID, Node: ctl.sw.Node(), Caller: ev.Channel.Caller,
		Dialled: did, IVRPath: []string{path}, Arrived: now, Ended: now, HungUpBy: "system", Disposition: hotline.DispFailed}
	go func() {
		defer done(ev)
		// Here, not on the event reader: a full writer buffer spools to disk.
		ctl.w.Call(rec)
		ctx, cancel := ctl.cmdCtx()
		defer cancel()
		if fallback {
			err := ctl.sw.Continue(ctx, ev.Channel.ID, ctl.opt.FallbackContext, "s", 1)
			if err == nil || errors.Is(err, telephony.ErrGone) {
				return
			}
			ctl.log.Warn("hand a new call to the fallback", "channel", ev.Channel.ID, "path", path, "err", err)
		}
		if err := ctl.sw.Hangup(ctx, ev.Channel.ID, "congestion"); err != nil && !errors.Is(err, telephony.ErrGone) {
			ctl.log.Warn("refuse a new call", "channel", ev.Channel.ID, "path", path, "err", err)
		}
	}()
}

// hangupStray hangs a channel up outside any call, then releases ev.
func (ctl *Controller) hangupStray(ch string, ev telephony.Event) {
	go func() {
		defer done(ev)
		ctx, cancel := ctl.cmdCtx()
		defer cancel()
		if err := ctl.sw.Hangup(ctx, ch, "normal"); err != nil && !errors.Is(err, telephony.ErrGone) {
			ctl.log.Warn("hangup stray channel", "channel", ch, "err", err)
		}
	}()
}

// newCall registers a call whose id is its caller channel's id.
func (ctl *Controller) newCall(ch string, k callKind) *call {
	c := &call{ctl: ctl, id: ctl.opt.CallIDPrefix + ch, ch: ch, kind: k, timers: map[timerKind]*ctimer{}}
	c.log = ctl.log.With("call", c.id)
	ctl.mu.Lock()
	ctl.calls[c.id] = c
	ctl.bindChanLocked(ch, c)
	ctl.mu.Unlock()
	ctl.stats[catOf(stNew)].Add(1)
	return c
}

// forget removes every routing entry of c: the channels and recordings it
// bound, and its current playback (others were unbound when they ended).
func (ctl *Controller) forget(c *call) {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	if ctl.calls[c.id] == c {
		delete(ctl.calls, c.id)
	}
	for _, k := range c.boundChans {
		if ctl.chans[k] == c {
			delete(ctl.chans, k)
		}
	}
	for _, k := range c.boundRecs {
		if ctl.recs[k] == c {
			delete(ctl.recs, k)
		}
	}
	if c.pb != "" && ctl.pbs[c.pb] == c {
		delete(ctl.pbs, c.pb)
	}
	c.boundChans, c.boundRecs = nil, nil
}

func (ctl *Controller) bindChan(ch string, c *call) {
	ctl.mu.Lock()
	ctl.bindChanLocked(ch, c)
	ctl.mu.Unlock()
}

// bindChanLocked routes channel ch's events to c (ctl.mu held).
func (ctl *Controller) bindChanLocked(ch string, c *call) {
	ctl.chans[ch] = c
	c.boundChans = append(c.boundChans, ch)
}

// bindRecLocked routes recording name's events to c (ctl.mu held).
func (ctl *Controller) bindRecLocked(name string, c *call) {
	ctl.recs[name] = c
	c.boundRecs = append(c.boundRecs, name)
}

func (ctl *Controller) bindPlayback(id string, c *call) {
	ctl.mu.Lock()
	ctl.pbs[id] = c
	ctl.mu.Unlock()
}

func (ctl *Controller) unbindPlayback(id string) {
	ctl.mu.Lock()
	delete(ctl.pbs, id)
	ctl.mu.Unlock()
}

func (ctl *Controller) bindRecording(name string, c *call) {
	ctl.mu.Lock()
	ctl.bindRecLocked(name, c)
	ctl.mu.Unlock()
}

// matchLoop pops this controller's dispatch inbox and posts each match to
// its call (a callback leg is started for callers waiting for a callback).
// From the first adoption on it serves the command list too (remote.go).
func (ctl *Controller) matchLoop(ctx context.Context) {
	select {
	case <-ctx.Done():
		return
	case <-ctl.adopt1:
	}
	ctl.dispatchAll(ctx)
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		m, held, cmd, err := ctl.q.NextMatchOrCommand(ctx, ctl.id, ctl.opt.MatchWait)
		if cmd != nil {
			go ctl.serveCommand(ctx, cmd)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			ctl.log.Warn("dispatch inbox", "err", err)
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, 2*time.Second)
			continue
		}
		backoff = 50 * time.Millisecond
		if m == nil {
			continue
		}
		if held == nil {
			held = func() {}
		}
		if f := ctl.opt.BeforeMatch; f != nil {
			f(*m)
		}
		ctl.deliver(*m, held)
	}
}

// deliver posts a match to its call, or handles it when no call here owns
// it any more.
func (ctl *Controller) deliver(m queue.Match, release func()) {
	if ctl.stopped.Load() {
		release()
		return
	}
	ctl.mu.Lock()
	c := ctl.calls[m.Caller.CallID]
	ctl.mu.Unlock()
	if c != nil {
		c.post(msg{fn: func() { c.onMatch(m) }, release: release})
		return
	}
	if m.Caller.Callback != "" {
		c = ctl.newCallbackCall(m)
		c.post(msg{fn: func() { c.startCallback(m) }, release: release})
		return
	}
	// The caller is gone (hung up while being dispatched): free the agent.
	go func() {
		defer release()
		ctx, cancel := ctl.cmdCtx()
		defer cancel()
		at := ctl.clk.Now()
		if _, _, err := ctl.q.Leave(ctx, m.Caller.Queue, m.Caller.CallID, at, hotline.EvAbandon); err != nil {
			ctl.log.Warn("leave after match for a gone caller", "call", m.Caller.CallID, "err", err)
		}
		if err := ctl.q.OfferCancelled(ctx, m, at); err != nil {
			ctl.log.Warn("offer cancelled for a gone caller", "call", m.Caller.CallID, "err", err)
		}
		ctl.dispatch(ctx, m.Caller.Queue)
	}()
}

// dispatch runs the queue's atomic dispatch; matches reach the owners' inboxes.
func (ctl *Controller) dispatch(ctx context.Context, q string) {
	if q == "" {
		return
	}
	if _, err := ctl.q.Dispatch(ctx, q, ctl.clk.Now()); err != nil && ctx.Err() == nil {
		ctl.log.Warn("dispatch", "queue", q, "err", err)
	}
}

// dispatchAll runs a dispatch of every configured queue: at start, callers
// and pending callbacks that waited while no controller ran are offered to
// the agents free now.
func (ctl *Controller) dispatchAll(ctx context.Context) {
	release := ctl.clk.Hold()
	defer release()
	qs := make([]string, len(ctl.cfg.Queues))
	for i := range ctl.cfg.Queues {
		qs[i] = ctl.cfg.Queues[i].ID
	}
	ctl.dispatchQueues(ctx, qs)
}

// dispatchQueues runs the dispatch of several queues, in order, in one round trip.
func (ctl *Controller) dispatchQueues(ctx context.Context, qs []string) {
	if _, err := ctl.q.DispatchQueues(ctx, qs, ctl.clk.Now()); err != nil && ctx.Err() == nil {
		ctl.log.Warn("dispatch", "queues", qs, "err", err)
	}
}

// Dispatch runs a dispatch of queue q now (e.g. after an agent logged in or
// unpaused from the agent panel).
func (ctl *Controller) Dispatch(ctx context.Context, q string) error {
	_, err := ctl.q.Dispatch(ctx, q, ctl.clk.Now())
	return err
}

// agentFree schedules, at the end of an agent's wrap-up, a dispatch of every
// queue the agent serves; ended (if set) is told the time the wrap-up ended.
func (ctl *Controller) agentFree(skills []string, wrap time.Duration, ended func(at time.Time)) {
	f := func() {
		if ctl.stopped.Load() {
			return
		}
		if ended != nil {
			ended(ctl.clk.Now())
		}
		ctx, cancel := ctl.cmdCtx()
		defer cancel()
		ctl.dispatchQueues(ctx, skills)
	}
	if wrap <= 0 {
		release := ctl.clk.Hold()
		go func() { defer release(); f() }()
		return
	}
	ctl.clk.AfterFunc(wrap, f)
}

// Stats are live counts of this controller's calls by phase.
type Stats struct {
	Menu, Waiting, Ringing, Talking, Survey, Other int
}

func (s Stats) String() string {
	return fmt.Sprintf("menu %d, waiting %d, ringing %d, talking %d, survey %d, other %d",
		s.Menu, s.Waiting, s.Ringing, s.Talking, s.Survey, s.Other)
}

// Stats returns the live counts of calls by phase.
func (ctl *Controller) Stats() Stats {
	g := func(c category) int { return int(ctl.stats[c].Load()) }
	return Stats{Menu: g(catMenu), Waiting: g(catWaiting), Ringing: g(catRinging), Talking: g(catTalking),
		Survey: g(catSurvey), Other: g(catOther)}
}

// Reaction is the histogram of reaction times: for each handled event that
// caused a Switch command, the wall time from the reader reading the event's
// WebSocket frame (decoding and queueing included) to that first command.
func (ctl *Controller) Reaction() *Histogram { return ctl.reaction }

// CallIDs lists the calls in progress (for tests and the demo).
func (ctl *Controller) CallIDs() []string {
	ctl.mu.Lock()
	defer ctl.mu.Unlock()
	out := make([]string, 0, len(ctl.calls))
	for id := range ctl.calls {
		out = append(out, id)
	}
	return out
}

// newID returns prefix + a suffix unique to this controller run (playback
// ids: a restarted controller must not reuse its predecessor's, whose
// playbacks may still be going on).
func (ctl *Controller) newID(prefix string) string {
	return prefix + ctl.inst + fmt.Sprint(ctl.seq.Add(1))
}

func instanceToken() string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "."
}

func isGone(err error) bool { return telephony.IsGone(err) }
