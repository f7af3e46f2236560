package astbench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Press is one key the simulated caller presses: when a prompt whose media
// contains Media finishes (Started: starts, the caller who knows the menu)
// on the hotline's half of the call (ARI applications), or when the dialplan
// reaches Read(<Read>,...) (Asterisk's Queue() path). Agent marks the key
// that leads to the agent (setup time counts from it); Survey the survey
// answer.
type Press struct {
	Media, Read, Key       string
	Started, Agent, Survey bool
}

// CallerScript is the benchmark's caller: English, the general queue, and
// "very happy" in the survey.
var CallerScript = []Press{
	{Media: "hotline/language_menu", Read: "LANG", Key: "1"},
	{Media: "hotline/main_menu", Started: true, Read: "DEPT", Key: "0", Agent: true},
	{Media: "hotline/survey_question", Read: "RATING", Key: "1", Survey: true},
}

// Driver places the benchmark's calls: each is a Local channel whose ;1
// half belongs to the driver's own ARI application and whose ;2 half goes
// through the dialplan to the application under test (or to Queue()). The
// driver subscribes to the ;2 half's events to know when to press keys and
// when the caller reached an agent.
type Driver struct {
	ARI    *ARI
	App    string // the driver's own Stasis application
	Script []Press
	Logger *slog.Logger

	mu    sync.Mutex
	calls map[string]*dcall // by both halves' channel ids
	seq   int
	run   string
}

// NewDriver returns a driver using application app.
func NewDriver(ari *ARI, app string, log *slog.Logger) *Driver {
	if log == nil {
		log = slog.Default()
	}
	return &Driver{ARI: ari, App: app, Script: CallerScript, Logger: log, calls: map[string]*dcall{},
		run: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)}
}

// Run reads the driver application's events until ctx ends; ready is
// closed once connected.
func (d *Driver) Run(ctx context.Context, ready chan<- struct{}) error {
	connected := make(chan struct{})
	errc := make(chan error, 1)
	go func() { errc <- d.ARI.Events(ctx, d.App, connected, func(ev Event) { d.handle(ctx, ev) }) }()
	select {
	case err := <-errc:
		return err
	case <-connected:
	}
	// Bridge events reach an application subscribed to a channel only for
	// its own bridges: subscribe to every bridge to see callers reach agents.
	if err := d.ARI.Do(ctx, http.MethodPost, "/applications/"+d.App+"/subscription", url.Values{"eventSource": {"bridge:"}}, nil); err != nil {
		return err
	}
	close(ready)
	return <-errc
}

// dcall is one call as the caller saw it.
type dcall struct {
	c1, c2                            string
	offered, answered, keyed, bridged time.Time
	surveyed, ended                   time.Time
	pressed                           map[int]bool
	audio                             []string // what the caller heard: media started, dialplan Playback/Read prompts
	err                               error
	done                              chan struct{}
}

// Complete: the caller reached an agent, answered the survey and the call ended.
func (c *dcall) Complete() bool {
	return !c.bridged.IsZero() && !c.surveyed.IsZero() && !c.ended.IsZero() && c.err == nil
}

// errStillUp: the call had not ended when the driver gave up on it.
var errStillUp = errors.New("astbench: call still up")

// failure says why a call that is not Complete failed.
func (c *dcall) failure() string {
	stage := "after the survey key"
	switch {
	case c.answered.IsZero():
		stage = "not answered"
	case c.bridged.IsZero():
		stage = "no agent"
	case c.surveyed.IsZero():
		stage = "no survey key"
	}
	switch {
	case errors.Is(c.err, errStillUp):
		return "still up, " + stage
	case c.err != nil:
		return c.err.Error()
	}
	return stage
}

// Setup is the time from the key that leads to the agent to the bridge
// (+Inf when the caller never reached an agent).
func (c *dcall) Setup() time.Duration {
	if c.keyed.IsZero() || c.bridged.IsZero() {
		return time.Duration(math.MaxInt64)
	}
	return c.bridged.Sub(c.keyed)
}

func (d *Driver) handle(ctx context.Context, ev Event) {
	id := ev.ChannelID()
	if id == "" && ev.Playback != nil {
		id = strings.TrimPrefix(ev.Playback.Target, "channel:")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	c := d.calls[id]
	if c == nil {
		return
	}
	if d.Logger.Enabled(ctx, slog.LevelDebug) {
		media := ""
		if ev.Playback != nil {
			media = ev.Playback.MediaURI
		}
		d.Logger.Debug("bench caller event", "type", ev.Type, "channel", id, "media", media, "app", ev.DialplanApp, "data", ev.DialplanArg)
	}
	switch ev.Type {
	case "StasisStart":
		if id == c.c1 && c.answered.IsZero() {
			c.answered = ev.Received
		}
	case "ChannelEnteredBridge":
		if id == c.c2 && c.bridged.IsZero() {
			c.bridged = ev.Received
		}
	case "ChannelDestroyed":
		if c.ended.IsZero() {
			c.ended = ev.Received
			delete(d.calls, c.c1)
			delete(d.calls, c.c2)
			close(c.done)
		}
	case "PlaybackStarted", "PlaybackFinished", "ChannelDialplan":
		if id != c.c2 {
			return
		}
		switch {
		case ev.Type == "PlaybackStarted" && ev.Playback != nil:
			c.audio = append(c.audio, ev.Playback.MediaURI)
		case ev.Type == "ChannelDialplan" && (ev.DialplanApp == "Playback" || ev.DialplanApp == "Read" || ev.DialplanApp == "Queue"):
			c.audio = append(c.audio, ev.DialplanApp+"("+ev.DialplanArg+")")
		}
		for i, p := range d.Script {
			if c.pressed[i] {
				continue
			}
			want := "PlaybackFinished"
			if p.Started {
				want = "PlaybackStarted"
			}
			hit := ev.Type == want && ev.Playback != nil && p.Media != "" && strings.Contains(ev.Playback.MediaURI, p.Media)
			hit = hit || ev.Type == "ChannelDialplan" && ev.DialplanApp == "Read" && p.Read != "" && strings.HasPrefix(ev.DialplanArg, p.Read+",")
			if !hit {
				continue
			}
			c.pressed[i] = true
			if p.Agent {
				c.keyed = time.Now()
			}
			if p.Survey {
				c.surveyed = time.Now()
			}
			go d.press(ctx, c, p.Key)
			return
		}
	}
}

func (d *Driver) press(ctx context.Context, c *dcall, key string) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.ARI.Do(ctx, http.MethodPost, "/channels/"+c.c1+"/dtmf", url.Values{"dtmf": {key}}, nil); err != nil && !isGone(err) {
		d.Logger.Debug("bench caller: press", "err", err)
	}
}

// call places one call to endpoint (Local/<exten>@<context>).
func (d *Driver) call(ctx context.Context, endpoint string) *dcall {
	d.mu.Lock()
	d.seq++
	c := &dcall{c1: fmt.Sprintf("bc%s-%d", d.run, d.seq), offered: time.Now(), pressed: map[int]bool{}, done: make(chan struct{})}
	c.c2 = c.c1 + "h"
	d.calls[c.c1], d.calls[c.c2] = c, c
	n := d.seq
	d.mu.Unlock()
	fail := func(err error) {
		d.mu.Lock()
		defer d.mu.Unlock()
		c.err = err
		if c.ended.IsZero() {
			c.ended = time.Now()
			delete(d.calls, c.c1)
			delete(d.calls, c.c2)
			close(c.done)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := d.ARI.Do(rctx, http.MethodPost, "/channels", url.Values{"endpoint": {endpoint}, "app": {d.App},
		"channelId": {c.c1}, "otherChannelId": {c.c2}, "callerId": {fmt.Sprintf("+1345555%04d", n%10000)}, "timeout": {"30"},
		// As from the provider trunk (pjsip.conf: ulaw first). Without it a
		// Local channel is slin192, and Asterisk spends three quarters of
		// its CPU resampling every 8 kHz prompt to 192 kHz.
		"formats": {"ulaw"}}, nil)
	if err != nil {
		fail(err)
		return c
	}
	if err := d.ARI.Do(rctx, http.MethodPost, "/applications/"+d.App+"/subscription", url.Values{"eventSource": {"channel:" + c.c2}}, nil); err != nil && !isGone(err) {
		d.Logger.Debug("bench caller: subscribe", "err", err)
	}
	return c
}

// StepResult is what one offered rate gave.
type StepResult struct {
	Rate      float64 `json:"offered_calls_per_second"`
	Offered   int     `json:"offered"`
	Answered  int     `json:"answered"`
	SetUp     int     `json:"set_up"`
	SetUp1s   int     `json:"set_up_within_1s"`
	Completed int     `json:"completed"`
	Failed    int     `json:"failed"`
	// Failures counts the failed calls by what went wrong: the first thing
	// missing ("not answered", "no agent", "no survey key"), prefixed by
	// "still up, " when the driver had to hang the call up, or the error
	// placing the call.
	Failures map[string]int `json:"failures,omitempty"`
	// SetupP50/P99 are in ms, over every offered call (a call that never
	// reached an agent counts as infinitely slow: then the figure is null).
	SetupP50 *float64 `json:"setup_p50_ms"`
	SetupP99 *float64 `json:"setup_p99_ms"`
	// Pass: at least 99% of offered calls were set up within 1 s.
	Pass bool `json:"pass"`
	// Wall is from the first offer until every call ended.
	Wall float64 `json:"wall_seconds"`
	// Audio is what the first complete call heard, in order.
	Audio []string `json:"audio_of_first_complete_call,omitempty"`
}

// Offer places calls to endpoint at rate a second for dur, waits for every
// call to end (hanging up those still up after linger), and returns the
// calls.
func (d *Driver) Offer(ctx context.Context, endpoint string, rate float64, dur, linger time.Duration) []*dcall {
	n := int(math.Round(rate * dur.Seconds()))
	if n < 1 {
		n = 1
	}
	start := time.Now()
	calls := make([]*dcall, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		if w := time.Until(at); w > 0 {
			select {
			case <-ctx.Done():
				n = i
			case <-time.After(w):
			}
		}
		if ctx.Err() != nil {
			n = i
			break
		}
		wg.Add(1)
		go func(i int) { defer wg.Done(); calls[i] = d.call(ctx, endpoint) }(i)
	}
	wg.Wait()
	calls = calls[:n]
	deadline := time.Now().Add(linger)
	for _, c := range calls {
		select {
		case <-c.done:
			continue
		case <-time.After(time.Until(deadline)):
		case <-ctx.Done():
		}
		d.mu.Lock()
		if c.ended.IsZero() && c.err == nil {
			c.err = fmt.Errorf("%w after %v", errStillUp, linger)
		}
		d.mu.Unlock()
		hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = d.ARI.Do(hctx, http.MethodDelete, "/channels/"+c.c1, nil, nil)
		cancel()
	}
	return calls
}

// Summarise turns the calls of one offered rate into a StepResult.
func (d *Driver) Summarise(rate float64, calls []*dcall) StepResult {
	d.mu.Lock()
	defer d.mu.Unlock()
	r := StepResult{Rate: rate, Offered: len(calls)}
	setups := make([]time.Duration, 0, len(calls))
	var first, last time.Time
	for _, c := range calls {
		if first.IsZero() || c.offered.Before(first) {
			first = c.offered
		}
		if c.ended.After(last) {
			last = c.ended
		}
		if !c.answered.IsZero() {
			r.Answered++
		}
		s := c.Setup()
		setups = append(setups, s)
		if !c.bridged.IsZero() {
			r.SetUp++
			if s <= time.Second {
				r.SetUp1s++
			}
		}
		if c.Complete() {
			r.Completed++
			if r.Audio == nil {
				r.Audio = c.audio
			}
		} else {
			r.Failed++
			if r.Failures == nil {
				r.Failures = map[string]int{}
			}
			why := c.failure()
			r.Failures[why]++
			d.Logger.Debug("bench call failed", "call", c.c1, "why", why, "heard", c.audio, "offered", c.offered.Format("15:04:05.000"))
		}
	}
	r.SetupP50, r.SetupP99 = quantileMS(setups, 0.50), quantileMS(setups, 0.99)
	r.Pass = len(calls) > 0 && float64(r.SetUp1s) >= 0.99*float64(len(calls))
	if !first.IsZero() && last.After(first) {
		r.Wall = math.Round(last.Sub(first).Seconds()*100) / 100
	}
	return r
}

// quantileMS is the q-quantile (nearest rank) in ms, or nil when it falls on
// a call that was never set up.
func quantileMS(d []time.Duration, q float64) *float64 {
	if len(d) == 0 {
		return nil
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	k := int(math.Ceil(q*float64(len(s)))) - 1
	k = max(0, min(k, len(s)-1))
	if s[k] == time.Duration(math.MaxInt64) {
		return nil
	}
	v := math.Round(float64(s[k])/float64(time.Microsecond)) / 1000
	return &v
}
