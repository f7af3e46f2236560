package arisim

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"time"
)

// EndpointBehaviour is how a simulated endpoint (an agent's phone PJSIP/<name>, a callback
// number through a trunk, Local/<ext>@<context>) answers an originate.
type EndpointBehaviour struct {
	// AnswerAfterMs: ring this long, then answer (0 answers at once).
	AnswerAfterMs int `json:"answer_after_ms,omitempty"`
	// NoAnswer: ring until the originate timeout or a hangup.
	NoAnswer bool `json:"no_answer,omitempty"`
	// RejectCause: refuse the call with this cause (17 busy, 21 rejected, 34 congestion …)
	// after AnswerAfterMs of ringing.
	RejectCause int `json:"reject_cause,omitempty"`
	// Offline: the endpoint exists but has no registered contact: originate fails with
	// 500 {"error":"Allocation failed"}.
	Offline bool `json:"offline,omitempty"`
	// TalkMs: once answered and bridged with another channel, the far end hangs up
	// (cause 16) after this long; 0 never hangs up by itself.
	TalkMs int `json:"talk_ms,omitempty"`
	// TalkJitterMs adds a seeded uniform random 0..TalkJitterMs to TalkMs.
	TalkJitterMs int `json:"talk_jitter_ms,omitempty"`
	// CallerID is the endpoint's own caller id (pjsip.conf callerid=, e.g.
	// `"Marcia Ebanks" <101>`): a channel originated to it without callerId
	// carries it, as on Asterisk (trace pjsip_agent_ringing).
	CallerID string `json:"callerid,omitempty"`
	// Context is the endpoint's context (pjsip.conf context=): the dialplan
	// context of a channel originated to it (default "default").
	Context string `json:"context,omitempty"`
}

type endpoint struct {
	tech, resource string
	b              EndpointBehaviour
	channels       map[string]*channel
}

// SetEndpoint configures (or replaces) a simulated endpoint. Only configured PJSIP endpoints
// exist; Local contexts default to sim-agent (answers after 1 s) and sim-agent-noanswer.
// For tech Local, resource is "<ext>@<context>" or "@<context>" for the whole context.
func (s *Sim) SetEndpoint(tech, resource string, b EndpointBehaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tech == "Local" && strings.HasPrefix(resource, "@") {
		s.localCtx[resource[1:]] = b
		return
	}
	key := tech + "/" + resource
	if ep := s.endpoints[key]; ep != nil {
		ep.b = b
		return
	}
	s.endpoints[key] = &endpoint{tech: tech, resource: resource, b: b, channels: map[string]*channel{}}
}

// Press is one DTMF press (one or more digits) of a simulated caller.
type Press struct {
	// Digits to press, one after another GapMs apart.
	Digits string `json:"digits"`
	// AfterMs: wait this long before the first digit, counted from the previous press's last
	// digit (From "previous", the default), from the application's answer ("answer"), from the
	// call's entry ("entry"), from the first music on hold ("moh": the caller reached a queue),
	// or, in AfterBridge, from leaving the bridge.
	AfterMs int    `json:"after_ms"`
	From    string `json:"from,omitempty"`
	// GapMs between the digits of this press (default 350).
	GapMs int `json:"gap_ms,omitempty"`
}

// Script is a simulated caller's behaviour.
type Script struct {
	// Name is the caller id name.
	Name string `json:"name,omitempty"`
	// Presses are the DTMF presses made after the call is answered.
	Presses []Press `json:"presses,omitempty"`
	// PatienceMs: hang up if not yet bridged to another channel this long after music on
	// hold first started on the channel (queue entry). 0: infinitely patient.
	PatienceMs int `json:"patience_ms,omitempty"`
	// MaxDurationMs: hang up this long after entering, whatever happens. 0: no limit.
	MaxDurationMs int `json:"max_duration_ms,omitempty"`
	// HangupAfterAnswerMs: hang up this long after the application answers (0: never).
	HangupAfterAnswerMs int `json:"hangup_after_answer_ms,omitempty"`
	// AfterBridge are presses after leaving a bridge in which the caller talked to another
	// channel (the post-call survey); the first is relative to leaving the bridge.
	AfterBridge []Press `json:"after_bridge,omitempty"`
	// HangupAfterBridgeMs: hang up this long after leaving such a bridge if the application
	// has not hung up (0: never).
	HangupAfterBridgeMs int `json:"hangup_after_bridge_ms,omitempty"`
	// Local makes the call arrive as the recording harness's did: a Local channel pair whose
	// ;2 half runs Stasis and whose ;1 half (not in Stasis) is the caller.
	Local bool `json:"local,omitempty"`
	// Vars are channel variables set on the caller's channel(s).
	Vars map[string]string `json:"vars,omitempty"`
}

// CallerModel generates random caller scripts from a seed.
type CallerModel struct {
	// Menu is the digits pressed, one press each, MenuGapMs apart after answer.
	Menu      []string
	MenuGapMs int
	// PatienceMeanMs is the mean of the exponential patience (0: infinitely patient).
	PatienceMeanMs int
	// SurveyDigits to choose from after the agent leaves (empty: no survey answer).
	SurveyDigits string
	// SurveyAfterMs is when the survey digit is pressed after leaving the bridge.
	SurveyAfterMs int
	// HangupAfterBridgeMs: hang up after the survey.
	HangupAfterBridgeMs int
}

// Script draws one caller's script from rng.
func (m CallerModel) Script(rng *rand.Rand) *Script {
	sc := &Script{HangupAfterBridgeMs: m.HangupAfterBridgeMs}
	for i, d := range m.Menu {
		p := Press{Digits: d, AfterMs: m.MenuGapMs/2 + rng.Intn(m.MenuGapMs+1)}
		if i == 0 {
			p.From = "answer"
		}
		sc.Presses = append(sc.Presses, p)
	}
	if m.PatienceMeanMs > 0 {
		sc.PatienceMs = int(rng.ExpFloat64() * float64(m.PatienceMeanMs))
	}
	if m.SurveyDigits != "" {
		d := m.SurveyDigits[rng.Intn(len(m.SurveyDigits))]
		sc.AfterBridge = []Press{{Digits: string(d), AfterMs: m.SurveyAfterMs}}
	}
	return sc
}

// ErrAppNotConnected is returned by Inbound when the application has no WebSocket: the call
// failed at entry (STASISSTATUS=FAILED) and went to the fallback.
var ErrAppNotConnected = errors.New("arisim: stasis application not active")

// ErrNoChannel is returned for an unknown channel id.
var ErrNoChannel = errors.New("arisim: channel not found")

// Inbound makes a simulated caller from `from` dial `to`, entering app as a dialplan
// Stasis(app,inbound,<to>) would: state Ring, args ["inbound", to]. It returns the Stasis
// channel's id. script may be nil (a caller that waits and never presses anything).
func (s *Sim) Inbound(ctx context.Context, app, from, to string, script *Script) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("arisim: inbound: %w", err)
	}
	release := s.clk.Hold()
	defer release()
	var id string
	var err error
	s.runLocked(func() reply {
		id, err = s.inboundLocked(app, from, to, script)
		return reply{}
	})
	return id, err
}

func (s *Sim) inboundLocked(app, from, to string, script *Script) (string, error) {
	if script == nil {
		script = &Script{}
	}
	caller := CallerID{Name: script.Name, Number: from}
	ctxName := s.opts.InboundContext
	dp := dialplanJSON{Context: ctxName, Exten: to, Priority: 1}
	var ch *channel
	if script.Local {
		base := "Local/" + to + "@" + ctxName + "-" + s.nextNameLocked("Local")
		half := s.newChannelLocked("", base+";1", kindCallerHalf, caller,
			dialplanJSON{Context: ctxName, Exten: to, Priority: 1, AppName: "AppDial2", AppData: "(Outgoing Line)"})
		half.state = "Up"
		ch = s.newChannelLocked("", base+";2", kindInbound, caller, dp)
		ch.partner, half.partner = half, ch
		for k, v := range script.Vars {
			half.vars[k] = v
		}
	} else {
		ch = s.newChannelLocked("", "PJSIP/trunk-"+s.nextNameLocked("PJSIP"), kindInbound, caller, dp)
	}
	for k, v := range script.Vars {
		ch.vars[k] = v
	}
	ch.state = "Ring"
	ch.script = script
	ch.dp.Priority = 2
	call := s.recordInboundLocked(ch, app, from, to)
	a := s.apps[app]
	if a == nil || a.conn == nil {
		call.FailedAtEntry = true
		s.log.Warn("Stasis app not active", "app", app)
		if fb := s.apps[s.opts.FallbackApp]; s.opts.FallbackApp != "" && fb != nil && fb.conn != nil {
			call.Fallback = s.opts.FallbackApp
			s.enterStasisLocked(ch, s.opts.FallbackApp, []string{"inbound", to})
			s.startScriptLocked(ch)
			return ch.id, fmt.Errorf("%w: %s (handed to %s)", ErrAppNotConnected, app, s.opts.FallbackApp)
		}
		call.HungUpBy = "system"
		s.recordHangupLocked(ch, 16, "system")
		if ch.partner != nil {
			s.removeChannelLocked(ch.partner)
		}
		s.removeChannelLocked(ch)
		return ch.id, fmt.Errorf("%w: %s", ErrAppNotConnected, app)
	}
	s.enterStasisLocked(ch, app, []string{"inbound", to})
	s.startScriptLocked(ch)
	return ch.id, nil
}

// SendDTMF makes the far end of a channel press digits gap apart (0: 350 ms).
func (s *Sim) SendDTMF(ctx context.Context, channelID, digits string, gap time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("arisim: dtmf: %w", err)
	}
	release := s.clk.Hold()
	defer release()
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channelID]
	if ch != nil && (ch.kind == kindCallerHalf || ch.kind == kindLocalHalf) && ch.partner != nil {
		ch = ch.partner
	}
	if ch == nil {
		return fmt.Errorf("%w: %s", ErrNoChannel, channelID)
	}
	if err := checkDigits("digits", digits); err != nil {
		return err
	}
	if gap < 0 {
		return invalid("gap: %s: want 0 or more", gap)
	}
	s.pressLocked(ch, strings.ToUpper(digits), gap)
	return nil
}

// Hangup makes the far end of a channel hang up with cause (0: 16, normal clearing).
func (s *Sim) Hangup(ctx context.Context, channelID string, cause int) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("arisim: hangup: %w", err)
	}
	if cause == 0 {
		cause = 16
	}
	release := s.clk.Hold()
	defer release()
	var err error
	s.runLocked(func() reply {
		ch := s.channels[channelID]
		if ch == nil {
			err = fmt.Errorf("%w: %s", ErrNoChannel, channelID)
			return reply{}
		}
		who := "caller"
		if ch.kind == kindOriginated || ch.kind == kindLocalHalf {
			who = "agent"
		}
		if ch.kind == kindOriginated && ch.ringing {
			s.rejectLocked(ch, cause)
			return reply{}
		}
		s.hangupLocked(ch, cause, false, who)
		return reply{}
	})
	return err
}
