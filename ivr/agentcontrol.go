package ivr

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/telephony"
)

// AgentCall is the call an agent is being offered or is talking on, as the
// agent panel shows it (personal data: the number is shown to the agent and
// never logged).
type AgentCall struct {
	CallID     string    `json:"call_id"`
	State      string    `json:"state"` // ringing, talking; consulted in an attended transfer: consult_ringing, consulting
	Agent      string    `json:"agent"`
	Number     string    `json:"number"`
	Language   string    `json:"language"`
	Department string    `json:"department"`
	Queue      string    `json:"queue"`
	IVRPath    []string  `json:"ivr_path"`
	Arrived    time.Time `json:"arrived"`
	Enqueued   time.Time `json:"enqueued"`
	Answered   time.Time `json:"answered,omitzero"`
	// WaitSeconds is the time waited in the queue (until now while ringing).
	WaitSeconds float64 `json:"wait_seconds"`
	Held        bool    `json:"held"`
	Muted       bool    `json:"muted"`
	Callback    bool    `json:"callback"`
	// Transfer is the attended transfer in progress (or how the last one
	// failed), to the agent who started it and to the agent consulted.
	Transfer *TransferView `json:"transfer,omitempty"`
}

// Call-control actions of the agent panel.
const (
	ActAnswer   = "answer"   // the ringing agent answers (simulator: Options.AnswerAgent)
	ActReject   = "reject"   // the ringing agent declines: the caller keeps their place, the agent is paused
	ActHold     = "hold"     // the caller hears music on hold (HOLD event)
	ActResume   = "resume"   // back to the conversation (UNHOLD event)
	ActMute     = "mute"     // the caller no longer hears the agent
	ActUnmute   = "unmute"   //
	ActHangup   = "hangup"   // the agent ends the call (the caller goes on to the survey)
	ActTransfer = "transfer" // blind transfer to "queue:<id>" or "agent:<id>" (BLINDTRANSFER event)
	// ActAttended starts an attended transfer to "agent:<id>" or
	// "queue:<id>" (the queue's next agent): the caller on hold, a
	// consultation leg rings the other agent (transfer.go).
	ActAttended = "attended_transfer"
	ActComplete = "transfer_complete" // the caller goes to the consulted agent (ATTENDEDTRANSFER event)
	ActCancel   = "transfer_cancel"   // the consultation ends, the caller is back with the agent
)

var errCallEnded = hotline.Errorf(hotline.ECONFLICT, "the call has ended")

// inCall runs f on the call's actor and waits for it (ENOTFOUND when this
// controller has no such call).
func (ctl *Controller) inCall(ctx context.Context, callID string, f func(c *call) error) error {
	ctl.mu.Lock()
	c := ctl.calls[callID]
	ctl.mu.Unlock()
	if c == nil {
		return hotline.Errorf(hotline.ENOTFOUND, "no call %q in progress here", callID)
	}
	done := make(chan error, 1)
	hold := ctl.clk.Hold()
	c.post(msg{fn: func() { done <- f(c) }, release: func() {
		select { // the call ended before f ran
		case done <- errCallEnded:
		default:
		}
		hold()
	}})
	ctx, cancel := context.WithTimeout(ctx, 2*ctl.opt.CommandTimeout)
	defer cancel()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("ivr: call %s busy: %w", callID, ctx.Err())
	}
}

// stateFor is agent's part in the call: ringing or talking (the call's
// agent), consult_ringing or consulting (the agent consulted in an attended
// transfer), "" for none.
func (c *call) stateFor(agent string) string {
	switch {
	case agent == "":
	case c.offer != nil && !c.offer.settled && c.offer.m.Agent.ID == agent:
		return "ringing"
	case c.match != nil && (c.st == stTalking || c.st == stConsult) && c.match.Agent.ID == agent:
		return "talking"
	case c.consult != nil && c.consult.m.Agent.ID == agent:
		if c.consult.answered {
			return "consulting"
		}
		return "consult_ringing"
	}
	return ""
}

// AgentCall returns the call callID as agent sees it: ENOTFOUND unless the
// agent is being offered it or talking on it.
func (ctl *Controller) AgentCall(ctx context.Context, agent, callID string) (AgentCall, error) {
	if !ctl.owns(callID) {
		return ctl.remote(ctx, remoteCmd{Op: opCall, Agent: agent, Call: callID})
	}
	return ctl.agentCall(ctx, agent, callID)
}

func (ctl *Controller) agentCall(ctx context.Context, agent, callID string) (AgentCall, error) {
	var out AgentCall
	err := ctl.inCall(ctx, callID, func(c *call) error {
		st := c.stateFor(agent)
		if st == "" {
			return hotline.Errorf(hotline.ENOTFOUND, "agent %s is not on call %s", agent, callID)
		}
		now := c.now()
		wait := c.rec.Wait
		if st == "ringing" {
			wait = now.Sub(c.rec.Enqueued)
		}
		out = AgentCall{CallID: c.id, State: st, Agent: agent, Number: c.number, Language: c.rec.Language,
			Department: c.rec.Department, Queue: c.queue, IVRPath: append([]string(nil), c.rec.IVRPath...),
			Arrived: c.rec.Arrived, Enqueued: c.rec.Enqueued, Answered: c.rec.Answered, WaitSeconds: wait.Seconds(),
			Held: c.held, Muted: c.muted, Callback: c.kind == kindCallback}
		if c.consult != nil {
			out.Transfer = c.consult.view()
		} else if st == "talking" {
			out.Transfer = c.consulted
		}
		return nil
	})
	return out, err
}

// Control applies a call-control action of agent to call callID; target
// names a transfer's destination ("queue:<id>" or "agent:<id>"). ECONFLICT
// when the action does not fit the call's state, EFORBIDDEN when the call is
// not the agent's. A call owned by another controller is handed to it
// (remote.go).
func (ctl *Controller) Control(ctx context.Context, agent, callID, action, target string) error {
	if !ctl.owns(callID) {
		_, err := ctl.remote(ctx, remoteCmd{Op: opControl, Agent: agent, Call: callID, Action: action, Target: target})
		return err
	}
	return ctl.control(ctx, agent, callID, action, target)
}

func (ctl *Controller) control(ctx context.Context, agent, callID, action, target string) error {
	if action == ActAnswer {
		// The far end answers outside the actor: the StasisStart that follows
		// is handled in order by it.
		var ch string
		err := ctl.inCall(ctx, callID, func(c *call) error {
			switch c.stateFor(agent) {
			case "ringing":
				ch = c.offer.ch
			case "consult_ringing":
				ch = c.consult.ch
			default:
				return hotline.Errorf(hotline.ECONFLICT, "call %s is not ringing for agent %s", callID, agent)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if ctl.opt.AnswerAgent == nil {
			return hotline.Errorf(hotline.ECONFLICT, "answer on the softphone: with a real Asterisk the browser's SIP phone answers")
		}
		return ctl.opt.AnswerAgent(ctx, ch)
	}
	return ctl.inCall(ctx, callID, func(c *call) error { return c.control(agent, action, target) })
}

func (c *call) control(agent, action, target string) error {
	st := c.stateFor(agent)
	switch st {
	case "":
		return hotline.Errorf(hotline.EFORBIDDEN, "call %s is not agent %s's", c.id, agent)
	case "consult_ringing", "consulting":
		// The consulted agent may refuse or end the consultation only.
		if action != ActReject && action != ActHangup {
			return hotline.Errorf(hotline.ECONFLICT, "%s: you are consulted on this call (reject or hang up only)", action)
		}
		if c.consult.answered {
			c.consultLegGone("hung_up")
			return nil
		}
		ch := c.consult.ch
		c.consultFailed("rejected", false)
		c.hangup(ch, "busy")
		return nil
	}
	talking := func() error {
		if st != "talking" {
			return hotline.Errorf(hotline.ECONFLICT, "%s needs a connected call (the call is %s)", action, st)
		}
		if c.st == stConsult && action != ActComplete && action != ActCancel && action != ActMute && action != ActUnmute && action != ActHangup {
			return hotline.Errorf(hotline.ECONFLICT, "%s: a consultation is in progress (complete or cancel it first)", action)
		}
		return nil
	}
	ctx, cancel := c.ctx()
	defer cancel()
	switch action {
	case ActReject:
		if st != "ringing" {
			return hotline.Errorf(hotline.ECONFLICT, "only a ringing call can be rejected")
		}
		ch := c.offer.ch
		c.offerFailed("rejected", false, true)
		c.hangup(ch, "busy")
		return nil
	case ActHold, ActResume:
		if err := talking(); err != nil {
			return err
		}
		if (action == ActHold) == c.held {
			return hotline.Errorf(hotline.ECONFLICT, "the call is already %s", map[bool]string{true: "on hold", false: "not on hold"}[c.held])
		}
		c.reacted()
		if action == ActHold {
			if err := c.holdCaller(ctx); err != nil {
				return fmt.Errorf("hold: %w", err)
			}
			c.held = true
			c.event(hotline.EvHold, agent, 0, 0, 0, "")
			return nil
		}
		if err := c.resumeCaller(ctx); err != nil {
			return fmt.Errorf("resume: %w", err)
		}
		c.held = false
		c.event(hotline.EvUnhold, agent, 0, 0, 0, "")
		return nil
	case ActMute, ActUnmute:
		if err := talking(); err != nil {
			return err
		}
		ctl, ok := c.sw().(telephony.Controls)
		if !ok {
			return hotline.Errorf(hotline.ENOTIMPLEMENTED, "this switch cannot mute")
		}
		var err error
		if action == ActMute {
			err = ctl.Mute(ctx, c.agentCh, "in")
		} else {
			err = ctl.Unmute(ctx, c.agentCh, "in")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", action, err)
		}
		c.muted = action == ActMute
		return nil
	case ActHangup:
		if err := talking(); err != nil {
			return err
		}
		c.endHold("hangup")
		// The agent leg's hang-up event ends the agent's part (agentGone).
		c.hangup(c.agentCh, "normal")
		return nil
	case ActTransfer:
		if err := talking(); err != nil {
			return err
		}
		return c.blindTransfer(agent, target)
	case ActAttended:
		if err := talking(); err != nil {
			return err
		}
		return c.startConsult(agent, target)
	case ActComplete, ActCancel:
		if err := talking(); err != nil {
			return err
		}
		if action == ActCancel {
			return c.cancelConsult()
		}
		return c.completeConsult(agent)
	}
	return hotline.Errorf(hotline.EINVALID, "unknown call action %q (want answer, reject, hold, resume, mute, unmute, hangup, transfer, %s, %s or %s)",
		action, ActAttended, ActComplete, ActCancel)
}

// Snoop modes of the supervisors' actions.
const (
	SnoopListen  = "listen"  // hear both sides; nobody hears the supervisor
	SnoopWhisper = "whisper" // hear both sides; only the agent hears the supervisor
	SnoopBarge   = "barge"   // join the conversation: both hear the supervisor
)

// Snoop connects the supervisor's endpoint (e.g. their browser softphone,
// PJSIP/sup1) to call callID: listen and whisper through an ARI snoop channel
// on the agent's leg bridged with the supervisor's channel, barge by adding
// the supervisor's channel to the call's bridge. It returns the supervisor's
// channel id once their phone is ringing; the bridging happens when it
// answers. Hanging up the supervisor's phone ends it.
func (ctl *Controller) Snoop(ctx context.Context, callID, mode, endpoint string) (string, error) {
	ctrl, ok := ctl.sw.(telephony.Controls)
	if !ok {
		return "", hotline.Errorf(hotline.ENOTIMPLEMENTED, "this switch cannot snoop")
	}
	if mode != SnoopListen && mode != SnoopWhisper && mode != SnoopBarge {
		return "", hotline.Errorf(hotline.EINVALID, "mode %q: want listen, whisper or barge", mode)
	}
	var agentCh, bridge string
	err := ctl.inCall(ctx, callID, func(c *call) error {
		if c.st != stTalking || c.agentCh == "" {
			return hotline.Errorf(hotline.ECONFLICT, "call %s is not connected to an agent", callID)
		}
		agentCh, bridge = c.agentCh, c.bridge
		return nil
	})
	if err != nil {
		return "", err
	}
	id := ctl.newID("sup-")
	supCh, snoopCh := id, id+"-snoop"
	if err := ctl.sw.Originate(ctx, telephony.Originate{Endpoint: endpoint, ChannelID: supCh, AppArgs: "supervisor," + callID,
		CallerID: mode, Timeout: 30 * time.Second}); err != nil {
		return "", fmt.Errorf("ivr: ring the supervisor: %w", err)
	}
	go func() {
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), 40*time.Second)
		err := ctl.connectSupervisor(bg, ctrl, mode, supCh, snoopCh, agentCh, bridge)
		cancel()
		if err != nil {
			ctl.log.Warn("supervisor "+mode+" failed", "call", callID, "err", err)
		} else {
			ctl.superviseUntilGone(ctrl, supCh, agentCh)
		}
		ctl.endSupervision(mode, supCh, snoopCh)
	}()
	return supCh, nil
}

// superviseUntilGone returns when the supervisor's phone or the agent's leg
// is gone (or the controller stops). Nothing in the call's own events
// tells about the supervisor's channel, so both are read every 250 ms.
func (ctl *Controller) superviseUntilGone(ctrl telephony.Controls, supCh, agentCh string) {
	gone := func(ch string) bool {
		ctx, cancel := ctl.cmdCtx()
		defer cancel()
		_, err := ctrl.ChannelState(ctx, ch)
		return telephony.IsGone(err)
	}
	for !gone(supCh) && !gone(agentCh) {
		select {
		case <-ctl.runCtx.Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// endSupervision tears down what a listen, whisper or barge left: the
// supervisor's phone (when the call ended first), the snoop channel (on a
// real Asterisk it outlives the supervisor's hang-up: it lasts as long as
// the channel it spies on) and the supervisor's bridge. The call itself is
// left as it is.
func (ctl *Controller) endSupervision(mode, supCh, snoopCh string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctl.runCtx), ctl.opt.CommandTimeout)
	defer cancel()
	warn := func(what string, err error) {
		if err != nil && !telephony.IsGone(err) {
			ctl.log.Warn("end supervision: "+what, "channel", supCh, "err", err)
		}
	}
	warn("hang up the supervisor", ctl.sw.Hangup(ctx, supCh, "normal"))
	if mode == SnoopBarge {
		return
	}
	warn("hang up the snoop", ctl.sw.Hangup(ctx, snoopCh, "normal"))
	warn("destroy the bridge", ctl.sw.DestroyBridge(ctx, supCh+"-br"))
}

func (ctl *Controller) connectSupervisor(ctx context.Context, ctrl telephony.Controls, mode, supCh, snoopCh, agentCh, bridge string) error {
	for { // wait for the supervisor to answer
		st, err := ctrl.ChannelState(ctx, supCh)
		if err != nil {
			return fmt.Errorf("supervisor's phone: %w", err)
		}
		if st == "Up" {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if mode == SnoopBarge {
		return ctl.sw.AddToBridge(ctx, bridge, supCh)
	}
	whisper := "none"
	if mode == SnoopWhisper {
		whisper = "out" // to the agent only
	}
	if err := ctrl.Snoop(ctx, agentCh, snoopCh, "both", whisper, "snoop,"+supCh); err != nil {
		return fmt.Errorf("snoop: %w", err)
	}
	br := supCh + "-br"
	if err := ctl.sw.CreateBridge(ctx, br, "mixing"); err != nil {
		return fmt.Errorf("bridge: %w", err)
	}
	if err := ctl.sw.AddToBridge(ctx, br, snoopCh, supCh); err != nil {
		return errors.Join(fmt.Errorf("bridge: %w", err), ctl.sw.DestroyBridge(ctx, br))
	}
	return nil
}
