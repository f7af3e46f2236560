package ivr

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/telephony"
)

// state is where a call is in its journey.
type state int

// The call states. Menus (language, main, department, ticket, closed,
// max-wait, survey) share the prompt-and-collect mechanism of menu.go.
const (
	stNew           state = iota // channel known, not answered yet
	stLanguage                   // greeting + language menu
	stMainMenu                   // departments
	stDeptMenu                   // one department's menu
	stInfo                       // an information message, then the department menu again
	stTicket                     // collecting a ticket number ending with #
	stClosed                     // after hours: the hours, then 1 callback / 2 message
	stMaxWait                    // waited too long (left the queue): 1 callback / 2 message
	stRecording                  // recording a message
	stWaiting                    // in a queue: MOH and periodic announcements
	stRinging                    // in a queue, an agent is being rung
	stTalking                    // bridged with an agent
	stSurvey                     // the satisfaction survey
	stClosing                    // a last prompt, then hang up
	stCallbackDial               // callback leg: ringing the citizen
	stCallbackHello              // callback leg: announcing the callback
	stConsult                    // the caller on hold while the agent consults another (attended transfer)
	stEnded                      // finished; nothing more happens
)

var stateNames = [...]string{"new", "language", "main_menu", "dept_menu", "info", "ticket", "closed", "max_wait",
	"recording", "waiting", "ringing", "talking", "survey", "closing", "callback_dial", "callback_hello", "consult", "ended"}

func (s state) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "state?"
}

func parseState(s string) state {
	for i, n := range stateNames {
		if n == s {
			return state(i)
		}
	}
	return stNew
}

// transitions is the table of allowed state changes. Every state may go to
// stEnded (hang-up) and stClosing (a last prompt, e.g. after an error).
var transitions = map[state][]state{
	stNew:           {stCallbackDial, stLanguage, stMainMenu, stDeptMenu, stWaiting, stClosed, stSurvey, stTalking, stRinging, stRecording},
	stLanguage:      {stMainMenu, stDeptMenu, stWaiting, stClosed, stLanguage},
	stMainMenu:      {stDeptMenu, stTicket, stWaiting, stClosed, stMainMenu, stRecording},
	stDeptMenu:      {stInfo, stTicket, stWaiting, stClosed, stMainMenu, stDeptMenu, stRecording},
	stInfo:          {stDeptMenu, stInfo, stTicket, stWaiting, stClosed, stMainMenu, stRecording},
	stTicket:        {stWaiting, stClosed, stTicket, stMainMenu, stDeptMenu}, // back to the menu after a status
	stClosed:        {stRecording, stClosed},
	stMaxWait:       {stRecording, stMaxWait},
	stRecording:     {stWaiting, stClosed},                                    // after a failed recording
	stWaiting:       {stRinging, stMaxWait, stWaiting, stClosed, stRecording}, // the last two: left an unstaffed queue
	stRinging:       {stWaiting, stTalking, stClosed, stRecording},            // the last two: a named agent did not take a transfer, its queue is closed or unstaffed
	stTalking:       {stSurvey, stWaiting, stRinging, stConsult},              // blind transfer to a queue or a named agent; consultation
	stConsult:       {stTalking},                                              // consultation completed, cancelled or failed
	stSurvey:        {stSurvey, stRecording},                                  // a voice comment after a poor rating
	stClosing:       {},
	stCallbackDial:  {stCallbackHello},
	stCallbackHello: {stRinging, stWaiting},
	stEnded:         {},
}

func allowed(from, to state) bool {
	if to == stEnded || to == stClosing {
		return from != stEnded
	}
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// category groups states for Stats.
type category int

const (
	catMenu category = iota
	catWaiting
	catRinging
	catTalking
	catSurvey
	catOther
	catNone
	nCategories
)

func catOf(s state) category {
	switch s {
	case stLanguage, stMainMenu, stDeptMenu, stInfo, stTicket, stClosed, stMaxWait, stRecording:
		return catMenu
	case stWaiting:
		return catWaiting
	case stRinging:
		return catRinging
	case stTalking, stConsult:
		return catTalking
	case stSurvey:
		return catSurvey
	case stEnded:
		return catNone
	}
	return catOther
}

type callKind int

const (
	kindInbound  callKind = iota // a citizen calling in
	kindCallback                 // the hotline calling a citizen back
)

// msg is one mailbox item: an event or a function (timer, match, adoption).
type msg struct {
	ev      *telephony.Event
	fn      func()
	arrived time.Time // wall time the event arrived (reaction times)
	release func()
}

type timerKind int

const (
	tPlayback timerKind = iota // safety: a playback that never finishes
	tInput                     // menu input / inter-digit timeout
	tAnnounce                  // next position announcement
	tMaxWait                   // queue max wait
	tRing                      // agent (or callback) ring timeout
	tGrace                     // waiting for a RecordingFinished after hang-up
	nTimers
)

type ctimer struct {
	t   clock.Timer
	gen int
}

// offer is one agent being rung for this call.
type offer struct {
	m       queue.Match
	ch      string // agent channel id
	at      time.Time
	idx     int // index in rec.Offers
	settled bool
	// direct: a named agent reserved by a transfer (Queues.Reserve), not a
	// match of the dispatch: the caller is in no queue meanwhile.
	direct bool
	// ringingAt: wall arrival of the agent leg's Dial RINGING (its phone
	// rings: the time until the answer is the agent's, not Asterisk's).
	ringingAt time.Time
}

// call is one call's actor and state. Every field below the mailbox is
// touched only by the actor's goroutine.
type call struct {
	ctl *Controller
	id  string
	ch  string // caller channel id (callback legs: the outbound leg)
	// chanLang is the channel's CHANNEL(language) as last known ("": unknown).
	chanLang string
	kind     callKind
	log      *slog.Logger

	mu      sync.Mutex
	box     []msg
	running bool

	st      state
	rec     hotline.CallRecord
	number  string // caller number (never logged)
	dept    *config.Department
	queue   string
	qcfg    *config.Queue
	timers  map[timerKind]*ctimer
	tgen    int
	arrived time.Time // wall arrival of the event being handled (zero once reacted)
	evAt    time.Time // wall arrival of the event being handled (zero for timers, matches)
	// setupFrom is the wall arrival of the key that put the caller in a
	// queue with an agent free at once: the setup measured for adaptive
	// shedding runs from it to the bridge (connect.go).
	setupFrom time.Time
	reaction  time.Duration // its reaction time, -1 while none

	// prompt and collection (menu.go)
	pb     string // current playback id
	pbThen func() // what to do when it finishes
	digits string
	tries  int
	heard  bool // heard an information message
	// msgFailed: a message could not be recorded (not offered again).
	msgFailed bool
	// unstaffedMenu: the closed-style menu is the unstaffed queue's offer;
	// unstaffedHops counts moves to another queue (when_unstaffed queue:<id>).
	unstaffedMenu bool
	unstaffedHops int
	// surveyOpt: opted in to the post-call survey (default_opt_in, changed
	// by the survey key while waiting); surveySet once decided.
	surveyOpt, surveySet bool
	// recovery: the caller rated the call poorly and is being offered a
	// voice comment (1) or a supervisor's callback (2) (tickets.go).
	recovery bool
	// boundChans and boundRecs are the routing keys this call registered
	// (guarded by ctl.mu), so forget deletes only those.
	boundChans, boundRecs []string

	// queue (wait.go, connect.go)
	inQueue bool
	mohOn   bool
	offer   *offer
	match   *queue.Match // the connected match
	agentCh string
	bridge  string
	recName string
	// recStarted is the RecordingStarted event's time (Asterisk's
	// RecordingFinished gives the length in whole seconds only).
	recStarted time.Time
	cbOf       string // callback leg: the original call id
	cbMatch    *queue.Match
	gone       bool // caller channel gone
	pending    bool // waiting, but not queued yet: Redis was unreachable when the caller arrived
	finishing  bool
	dirty      bool // state to save after the current message
	// held and muted by the agent (agentcontrol.go)
	held, muted bool
	// aside: the caller is out of the agent's bridge for a hold (hold.go)
	aside bool
	// consult is the consultation of an attended transfer (transfer.go);
	// consulted says how the last one ended, for the first agent's panel.
	consult   *consult
	consulted *TransferView
}

// post appends m to the mailbox and makes sure a goroutine drains it.
func (c *call) post(m msg) {
	c.mu.Lock()
	c.box = append(c.box, m)
	if c.running {
		c.mu.Unlock()
		return
	}
	c.running = true
	c.mu.Unlock()
	c.ctl.drainers.run(c)
}

func (c *call) drain() {
	for {
		c.mu.Lock()
		if len(c.box) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		m := c.box[0]
		c.box[0] = msg{}
		c.box = c.box[1:]
		c.mu.Unlock()
		c.handle(m)
		if m.release != nil {
			m.release()
		}
	}
}

func (c *call) handle(m msg) {
	if c.ctl.stopped.Load() {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("call handler panicked", "panic", r, "state", c.st)
		}
	}()
	defer c.flush()
	c.evAt = time.Time{}
	if m.ev != nil {
		c.arrived, c.reaction, c.evAt = m.arrived, -1, m.arrived
		c.onEvent(*m.ev)
		c.arrived = time.Time{}
		if f := c.ctl.opt.OnEvent; f != nil && c.reaction >= 0 {
			f(m.ev.Type, c.reaction)
		}
		return
	}
	c.arrived = time.Time{}
	if c.st == stEnded {
		return
	}
	m.fn()
}

// flush saves the call's state once after a message whose handling changed
// it (a new state or a new playback), for re-adoption.
func (c *call) flush() {
	if c.dirty && c.st != stEnded {
		c.save()
	}
	c.dirty = false
}

// reacted records the reaction time of the event being handled at its first
// Switch command.
func (c *call) reacted() {
	if c.arrived.IsZero() {
		return
	}
	d := time.Since(c.arrived)
	c.arrived = time.Time{}
	c.reaction = d
	c.ctl.reaction.Observe(d)
}

// to moves the call to state next, following the transition table, and
// saves the call's state for re-adoption.
func (c *call) to(next state) {
	if c.st == next && next != stWaiting {
		c.dirty = true
		return
	}
	if !allowed(c.st, next) {
		c.log.Error("illegal call state transition", "from", c.st, "to", next)
	}
	c.log.Debug("state", "from", c.st, "to", next, "at", c.now())
	c.ctl.stats[catOf(c.st)].Add(-1)
	c.ctl.stats[catOf(next)].Add(1)
	c.st = next
	c.dirty = true
}

// now is the clock's time at the moment the controller acts.
func (c *call) now() time.Time { return c.ctl.clk.Now() }

// after starts (or restarts) the timer of kind k.
func (c *call) after(k timerKind, d time.Duration, f func()) {
	c.stop(k)
	c.tgen++
	gen := c.tgen
	ct := &ctimer{gen: gen}
	ct.t = c.ctl.clk.AfterFunc(d, func() {
		release := c.ctl.clk.Hold()
		c.post(msg{fn: func() {
			if cur := c.timers[k]; cur == nil || cur.gen != gen {
				return
			}
			delete(c.timers, k)
			f()
		}, release: release})
	})
	c.timers[k] = ct
}

// stop cancels the timer of kind k.
func (c *call) stop(k timerKind) {
	if t := c.timers[k]; t != nil {
		t.t.Stop()
		delete(c.timers, k)
	}
}

func (c *call) stopAll() {
	for k := range c.timers {
		c.stop(k)
	}
}

// ---- Switch commands (every one marks the reaction time) ----

func (c *call) sw() telephony.Switch { return c.ctl.sw }

func (c *call) ctx() (context.Context, context.CancelFunc) { return c.ctl.cmdCtx() }

func (c *call) warn(op string, err error) {
	if err == nil {
		return
	}
	if isGone(err) {
		c.log.Debug(op+": gone", "err", err)
		return
	}
	if c.ctl.runCtx.Err() != nil {
		return
	}
	c.log.Warn(op, "state", c.st, "err", err)
}

func (c *call) answer() error {
	c.reacted()
	ctx, cancel := c.ctx()
	defer cancel()
	return c.sw().Answer(ctx, c.ch)
}

func (c *call) hangup(ch, reason string) {
	c.reacted()
	ctx, cancel := c.ctx()
	defer cancel()
	c.warn("hangup", c.sw().Hangup(ctx, ch, reason))
}

func (c *call) startMOH() {
	c.reacted()
	ctx, cancel := c.ctx()
	defer cancel()
	if err := c.sw().StartMOH(ctx, c.ch, c.ctl.opt.MOHClass); err != nil {
		c.warn("start moh", err)
		return
	}
	c.mohOn = true
}

func (c *call) stopMOH() {
	if !c.mohOn {
		return
	}
	c.reacted()
	ctx, cancel := c.ctx()
	defer cancel()
	c.warn("stop moh", c.sw().StopMOH(ctx, c.ch))
	c.mohOn = false
}

// media resolves prompt keys (or literal media URIs containing ':') in the
// caller's language.
func (c *call) media(keys ...string) []string {
	out := make([]string, 0, len(keys))
	lang := c.rec.Language
	if lang == "" {
		lang = c.ctl.cfg.DefaultLanguage()
	}
	for _, k := range keys {
		if k == "" {
			continue
		}
		if strings.Contains(k, ":") {
			out = append(out, k)
			continue
		}
		m := c.ctl.cfg.Prompt(lang, k)
		if m == "" {
			m = config.DefaultMedia(lang, k)
		}
		out = append(out, m)
	}
	return out
}

// ---- records ----

func (c *call) event(t hotline.QueueEventType, agent string, wait, talk time.Duration, pos int, data string) {
	c.ctl.w.Events(hotline.QueueEvent{Time: c.now(), CallID: c.queueCallID(), Queue: c.queue, Agent: agent, Type: t,
		Wait: wait, Talk: talk, Position: pos, Data: data})
}

// queueCallID is the call id the queue and the queue events know: a
// callback leg reports under the call that asked for it.
func (c *call) queueCallID() string {
	if c.cbOf != "" {
		return c.cbOf
	}
	return c.id
}

func (c *call) path(step string) { c.rec.IVRPath = append(c.rec.IVRPath, step) }
