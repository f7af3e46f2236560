package simulation

import (
	"fmt"
	"math/rand"
	"sort"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/config"
)

// plannedCall is one simulated caller: when they call, what they will press,
// and which queue they mean to reach (the driver's own intention, used for
// the ground truth's service-level threshold).
type plannedCall struct {
	At       time.Duration // after the start of the day
	From     string
	DID      string
	Queue    string // "" when the caller does not mean to queue
	Language string
	Script   *arisim.Script
	Survey   string // digit the caller will press in the survey ("" none)
	Dept     string // the department chosen in the main menu ("" for main-menu queues)
	// Callback: the caller asks for a callback while waiting (key 2), and answers when called back.
	Callback bool
	// Message: the department is closed when the caller arrives; they leave a message (key 2, then #).
	Message bool
}

// route is one way through the menus to a queue.
type route struct {
	digits []string // after the language choice
	queue  string
	weight int
}

// routes lists every main-menu → department-menu path that ends in a queue.
func routes(cfg *config.Config) []route {
	var out []route
	for i := range cfg.Departments {
		d := &cfg.Departments[i]
		if d.Digit == "" {
			continue
		}
		for _, e := range d.Menu {
			if !e.Action.Queued() {
				continue
			}
			q := e.Queue
			if q == "" {
				switch e.Action {
				case config.ActionOfficer:
					q = d.Queue
				default:
					q = cfg.Hotline.ComplaintsQueue
				}
			}
			if q == "" {
				continue
			}
			w := 1
			if e.Action == config.ActionOfficer {
				w = 6 // most callers want an officer
			}
			out = append(out, route{digits: []string{d.Digit, e.Digit}, queue: q, weight: w})
		}
	}
	for _, e := range cfg.Hotline.Menu {
		if !e.Action.Queued() {
			continue
		}
		q := e.Queue
		if q == "" {
			if e.Action == config.ActionOfficer {
				q = cfg.Hotline.DefaultQueue
			} else {
				q = cfg.Hotline.ComplaintsQueue
			}
		}
		if q != "" {
			out = append(out, route{digits: []string{e.Digit}, queue: q, weight: 2})
		}
	}
	return out
}

// mainNumber is the first hotline number that leads to the main menu.
func mainNumber(cfg *config.Config) (string, error) {
	for _, n := range cfg.Hotline.Numbers {
		if n.Department == "" {
			return n.DID, nil
		}
	}
	return "", fmt.Errorf("simulation: the configuration has no hotline number leading to the main menu")
}

// Callers draws simulated callers from a seed: their menu choices, their
// patience in the queue and their survey answer.
type Callers struct {
	cfg          *config.Config
	rng          *rand.Rand
	did          string
	routes       []route
	total        int
	patienceMean time.Duration
	// MenuGap is the pause before each menu key (default 2–6 s, drawn).
	MenuGap func(rng *rand.Rand) time.Duration
	// SurveyShare is the share of answered callers who answer the survey (default 0.9).
	SurveyShare float64
	// ShortShare is the share of callers who give up within 5 s of queueing (default 0.05).
	ShortShare float64
	// Uniform: every caller takes the first route in the first language
	// (benchmarks: calls then move in step on the virtual clock).
	Uniform bool
	// CallbackShare is the share of callers to a queue that offers callbacks who ask for one
	// while waiting (default 0: the simulated day sets it; answering a callback needs the
	// caller's number as a simulator endpoint).
	CallbackShare float64
}

// NewCallers returns a generator of callers for cfg.
func NewCallers(cfg *config.Config, seed int64, patienceMean time.Duration) (*Callers, error) {
	did, err := mainNumber(cfg)
	if err != nil {
		return nil, err
	}
	rs := routes(cfg)
	if len(rs) == 0 {
		return nil, fmt.Errorf("simulation: no menu path in the configuration leads to a queue")
	}
	g := &Callers{cfg: cfg, rng: rand.New(rand.NewSource(seed)), did: did, routes: rs, patienceMean: patienceMean,
		SurveyShare: 0.9, ShortShare: 0.05}
	for _, r := range rs {
		g.total += r.weight
	}
	return g, nil
}

// Next draws one caller.
func (g *Callers) Next() plannedCall {
	rng := g.rng
	var c plannedCall
	c.From = fmt.Sprintf("+1345%07d", 5000000+rng.Intn(4999999))
	c.DID = g.did
	langDigit := "1"
	c.Language = g.cfg.Languages[0]
	if len(g.cfg.Languages) > 1 && rng.Float64() < 0.3 && !g.Uniform {
		langDigit, c.Language = "2", g.cfg.Languages[1]
	}
	pick := rng.Intn(g.total)
	var r route
	for _, r = range g.routes {
		if pick < r.weight || g.Uniform {
			break
		}
		pick -= r.weight
	}
	c.Queue = r.queue
	if len(r.digits) == 2 {
		if d := g.cfg.DepartmentByDigit(r.digits[0]); d != nil {
			c.Dept = d.ID
		}
	}
	gap := func() int {
		if g.MenuGap != nil {
			return int(g.MenuGap(rng).Milliseconds())
		}
		return 2000 + rng.Intn(4000)
	}
	sc := &arisim.Script{}
	// Callers press while the menu prompt plays.
	sc.Presses = append(sc.Presses, arisim.Press{Digits: langDigit, AfterMs: gap() + 1000, From: "answer"})
	for _, d := range r.digits {
		sc.Presses = append(sc.Presses, arisim.Press{Digits: d, AfterMs: gap()})
	}
	// Patience in the queue: exponential; a few give up within seconds
	// (short abandons).
	if rng.Float64() < g.ShortShare {
		sc.PatienceMs = 500 + rng.Intn(4000)
	} else if g.patienceMean > 0 {
		sc.PatienceMs = 1000 + int(rng.ExpFloat64()*float64(g.patienceMean.Milliseconds()))
	}
	if q := g.cfg.Queue(c.Queue); g.CallbackShare > 0 && q != nil && q.Callback && rng.Float64() < g.CallbackShare {
		// Key 2 while waiting (callback_offer); waits for as long as it takes until then.
		c.Callback = true
		sc.PatienceMs = 0
		sc.Presses = append(sc.Presses, arisim.Press{Digits: "2", AfterMs: 15000 + rng.Intn(60000), From: "moh"})
	}
	if rng.Float64() < g.SurveyShare {
		c.Survey = surveyDigit(rng)
		sc.AfterBridge = []arisim.Press{{Digits: c.Survey, AfterMs: 1500 + rng.Intn(3000)}}
	}
	sc.HangupAfterBridgeMs = 30000
	sc.MaxDurationMs = int((4 * time.Hour).Milliseconds())
	c.Script = sc
	return c
}

// plan draws the day's callers from the seed, with arrival times spread
// uniformly over the day (a Poisson process given the number of calls).
func plan(cfg *config.Config, o Options) ([]plannedCall, error) {
	g, err := NewCallers(cfg, o.Seed, o.PatienceMean)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(o.Seed + 2))
	day := time.Duration(o.Hours * float64(time.Hour))
	at := make([]time.Duration, o.Calls)
	for i := range at {
		at[i] = time.Duration(rng.Int63n(int64(day)))
	}
	sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
	g.CallbackShare = 0.05
	calls := make([]plannedCall, o.Calls)
	for i := range calls {
		calls[i] = g.Next()
		calls[i].At = at[i]
		leaveMessageIfClosed(cfg, &calls[i], o.Start.Add(at[i]))
	}
	return calls, nil
}

// leaveMessageIfClosed: a caller whose department is closed for the whole
// minute and a half after arrival (the menus take less) hears the hours and
// leaves a message after the menus: key 2 (after_hours_options), a few seconds of speech, #.
// Callers arriving near opening or closing time are left as they are.
func leaveMessageIfClosed(cfg *config.Config, c *plannedCall, at time.Time) {
	if c.Dept == "" {
		return
	}
	open1, _ := cfg.IsOpen(c.Dept, at)
	open2, _ := cfg.IsOpen(c.Dept, at.Add(90*time.Second))
	if open1 || open2 {
		return
	}
	sc := c.Script
	// The menu keys stay (the queue's hours are checked when the caller would join it); then the message key.
	sc.Presses = append(sc.Presses[:3:3], arisim.Press{Digits: "2", AfterMs: 3000},
		arisim.Press{Digits: "#", AfterMs: 12000 + len(c.From)*200})
	sc.PatienceMs, sc.AfterBridge = 0, nil
	c.Message, c.Callback, c.Survey, c.Queue = true, false, "", ""
}

// surveyDigit draws a keypad answer: 1 very happy 45%, 2 happy 30%, 3 unhappy
// 15%, 4 very unhappy 10% (under the default keypad mapping).
func surveyDigit(rng *rand.Rand) string {
	switch p := rng.Float64(); {
	case p < 0.45:
		return "1"
	case p < 0.75:
		return "2"
	case p < 0.90:
		return "3"
	default:
		return "4"
	}
}
