package ivr

import (
	"fmt"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/telephony"
)

// Transfers by the agent on the call (agentcontrol.go routes the actions):
//
//   - blind to a queue ("queue:<id>"): the caller waits in that queue
//     (BLINDTRANSFER, the first agent's COMPLETEAGENT "transfer");
//   - blind to a named agent ("agent:<id>"): the agent, who must be signed
//     in and available, is reserved at once (Queues.Reserve; ECONFLICT and
//     nothing changes otherwise), the first agent's part ends as above and
//     the caller hears music while the named agent rings (state ringing, a
//     direct offer). Answered: CONNECT with "transfer". Not answered: the
//     caller joins the call's queue;
//   - attended ("queue:<id>" takes the queue's longest-idle available agent):
//     the caller is put on hold (music, HOLD), a consultation leg rings the
//     other agent (state consult); answered, the two agents talk in a bridge
//     of their own. Complete: the caller is bridged with the second agent,
//     the first goes to wrap-up (ATTENDEDTRANSFER with the hold and talk
//     times, COMPLETEAGENT "transfer", UNHOLD, CONNECT "attended_transfer" of
//     the second agent). Cancel: the consultation leg is hung up and the
//     caller is back with the first agent (UNHOLD). A consultation that is
//     not answered or refused leaves the caller on hold with the first
//     agent, who sees why (AgentCall.Transfer); the caller hanging up ends
//     the consultation too (COMPLETECALLER "consult").

// TransferView is a consultation as the agents' panels show it.
type TransferView struct {
	Mode   string `json:"mode"`   // attended
	Target string `json:"target"` // agent:<id> or queue:<id>
	From   string `json:"from"`   // the agent who started it
	Agent  string `json:"agent"`  // the agent consulted
	// State: ringing, talking (the agents talk), failed (not answered or
	// refused), ended (the consulted agent hung up).
	State   string `json:"state"`
	Outcome string `json:"outcome,omitempty"` // why it failed or ended: no_answer, rejected, failed, hung_up
}

// consult is one consultation leg of an attended transfer.
type consult struct {
	m        queue.Match // the consulted agent (Caller: this call)
	target   string
	from     string // the first agent
	ch       string // the consultation leg
	bridge   string // the agents' bridge once answered
	at       time.Time
	idx      int // index in rec.Offers
	answered bool
}

func (k *consult) view() *TransferView {
	st := "ringing"
	if k.answered {
		st = "talking"
	}
	return &TransferView{Mode: "attended", Target: k.target, From: k.from, Agent: k.m.Agent.ID, State: st}
}

// transferTarget checks "queue:<id>" or "agent:<id>" and returns the named
// agent or queue.
func (c *call) transferTarget(agent, target string) (agentID, queueID string, err error) {
	if q, ok := strings.CutPrefix(target, "queue:"); ok && c.ctl.cfg.Queue(q) != nil {
		if open, _ := c.ctl.cfg.QueueOpen(q, c.now()); !open {
			return "", "", hotline.Errorf(hotline.ECONFLICT, "queue %s is closed now", q)
		}
		return "", q, nil
	}
	if a, ok := strings.CutPrefix(target, "agent:"); ok && c.ctl.cfg.Agent(a) != nil {
		if a == agent {
			return "", "", hotline.Errorf(hotline.EINVALID, "transfer target %q is yourself", target)
		}
		return a, "", nil
	}
	return "", "", hotline.Errorf(hotline.EINVALID, "transfer target %q: want queue:<id> of a configured queue or agent:<id> of a configured agent", target)
}

// reserve rings-to-be the named agent, or a queue's next agent, for this call.
func (c *call) reserve(agentID, queueID string) (queue.Match, error) {
	ctx, cancel := c.ctx()
	defer cancel()
	now := c.now()
	a, err := c.ctl.q.Reserve(ctx, agentID, queueID, c.queueCallID(), c.queue, c.ctl.id, now)
	if err != nil {
		return queue.Match{}, err
	}
	return queue.Match{Caller: queue.Caller{CallID: c.queueCallID(), Queue: c.queue, Enqueued: c.rec.Enqueued, Owner: c.ctl.id,
		Language: c.rec.Language}, Agent: a, At: now}, nil
}

// endAgentPart ends the first agent's part of a transfer: their leg leaves
// the caller's bridge and is hung up, they go to wrap-up.
func (c *call) endAgentPart(agent, data string, now time.Time) {
	talk := now.Sub(c.rec.Answered)
	c.event(hotline.EvCompleteAgent, agent, c.rec.Wait, talk, 0, data)
	agentCh := c.agentCh
	c.agentCh = "" // its hang-up is not the end of the call any more
	c.releaseAgent(now)
	ctx, cancel := c.ctx()
	if c.bridge != "" && !c.aside {
		c.warn("remove from bridge", c.sw().RemoveFromBridge(ctx, c.bridge, c.ch))
	}
	cancel()
	c.destroyBridge()
	c.hangup(agentCh, "normal")
	if c.held {
		c.event(hotline.EvUnhold, agent, 0, 0, 0, "transfer")
	}
	c.held, c.muted, c.mohOn = false, false, c.held
}

// blindTransfer sends the caller to another queue or a named agent: the
// agent's part ends (wrap-up follows).
func (c *call) blindTransfer(agent, target string) error {
	agentID, q, err := c.transferTarget(agent, target)
	if err != nil {
		return err
	}
	now := c.now()
	if agentID == "" {
		c.event(hotline.EvBlindTransfer, agent, c.rec.Wait, now.Sub(c.rec.Answered), 0, target)
		c.endAgentPart(agent, "transfer", now)
		c.path("transfer:" + target)
		c.enterQueue(q)
		return nil
	}
	m, err := c.reserve(agentID, "")
	if err != nil {
		return err
	}
	c.event(hotline.EvBlindTransfer, agent, c.rec.Wait, now.Sub(c.rec.Answered), 0, target)
	c.endAgentPart(agent, "transfer", now)
	c.path("transfer:" + target)
	c.startMOH()
	c.ringAgentAs(m, true)
	return nil
}

// startConsult puts the caller on hold and rings the other agent.
func (c *call) startConsult(agent, target string) error {
	if c.consult != nil {
		return hotline.Errorf(hotline.ECONFLICT, "a consultation is in progress already")
	}
	agentID, q, err := c.transferTarget(agent, target)
	if err != nil {
		return err
	}
	m, err := c.reserve(agentID, q)
	if err != nil {
		return err
	}
	c.reacted()
	if !c.held {
		ctx, cancel := c.ctx()
		err := c.holdCaller(ctx)
		cancel()
		if err != nil {
			ctx, cancel := c.ctx()
			c.warn("unreserve", c.ctl.q.Unreserve(ctx, m.Agent.ID, c.queueCallID(), c.now()))
			cancel()
			return fmt.Errorf("hold for the consultation: %w", err)
		}
		c.held = true
		c.event(hotline.EvHold, agent, 0, 0, 0, "consult")
	}
	now := c.now()
	k := &consult{m: m, target: target, from: agent, ch: fmt.Sprintf("%s-t%d", c.id, len(c.rec.Offers)+1), at: now,
		idx: len(c.rec.Offers)}
	c.rec.Offers = append(c.rec.Offers, hotline.AgentOffer{Agent: m.Agent.ID, At: now})
	c.consult, c.consulted = k, nil
	c.ctl.bindChan(k.ch, c)
	c.path("consult:" + target)
	c.to(stConsult)
	ring := c.ringTimeout()
	c.after(tRing, ring, func() {
		if c.consult == k && !k.answered {
			c.consultFailed("no_answer", true)
		}
	})
	ctx, cancel := c.ctx()
	err = c.sw().Originate(ctx, telephony.Originate{Endpoint: c.agentEndpoint(m), ChannelID: k.ch,
		AppArgs: "agent," + c.id, CallerID: "consult " + agent, Timeout: ring + 5*time.Second,
		Variables: map[string]string{"HOTLINE_CALL": c.id, "HOTLINE_QUEUE": c.queue, "HOTLINE_CONSULT": agent}})
	cancel()
	if err != nil && c.consult == k {
		c.log.Info("consultation leg failed", "agent", m.Agent.ID, "err", err)
		c.consultFailed("failed", false)
		return hotline.Errorf(hotline.ECONFLICT, "agent %s's phone could not be rung", m.Agent.ID)
	}
	return nil
}

// consultAnswered: the consulted agent picked up: the first agent leaves
// the caller (on hold) for a bridge with them.
func (c *call) consultAnswered() {
	k := c.consult
	if k == nil || k.answered {
		return
	}
	c.stop(tRing)
	at := c.now()
	k.answered = true
	c.dirty = true // saved for re-adoption
	c.rec.Offers[k.idx].Outcome = "consulted"
	c.rec.Offers[k.idx].Ring = at.Sub(k.at)
	ctx, cancel := c.ctx()
	c.warn("consulted agent on the call", c.ctl.q.ReservedAnswered(ctx, k.m.Agent.ID, c.queueCallID(), at))
	cancel()
	c.reacted()
	k.bridge = "cbr-" + c.id
	ctx, cancel = c.ctx()
	defer cancel()
	if c.bridge != "" && c.agentCh != "" {
		c.warn("remove the first agent", c.sw().RemoveFromBridge(ctx, c.bridge, c.agentCh))
	}
	c.warn("consultation bridge", c.sw().CreateBridge(ctx, k.bridge, "mixing"))
	c.warn("consultation bridge", c.sw().AddToBridge(ctx, k.bridge, c.agentCh, k.ch))
}

// consultFailed: the consulted agent did not answer or refused: the caller
// stays on hold with the first agent, who sees why.
func (c *call) consultFailed(outcome string, hangup bool) {
	k := c.consult
	if k == nil || k.answered {
		return
	}
	c.stop(tRing)
	at := c.now()
	c.consult = nil
	if hangup {
		c.hangup(k.ch, "no_answer")
	}
	c.rec.Offers[k.idx].Outcome = outcome
	c.rec.Offers[k.idx].Ring = at.Sub(k.at)
	autoPause := c.qcfg == nil || c.qcfg.AutoPause
	c.event(hotline.EvRingNoAnswer, k.m.Agent.ID, 0, 0, 0, fmt.Sprintf("consult %s ring_ms=%d", outcome, at.Sub(k.at).Milliseconds()))
	ctx, cancel := c.ctx()
	err := c.ctl.q.NoAnswer(ctx, k.m, at, autoPause)
	cancel()
	c.warn("consultation not answered", err)
	if autoPause && err == nil {
		c.event(hotline.EvPause, k.m.Agent.ID, 0, 0, 0, "auto")
	}
	v := k.view()
	v.State, v.Outcome = "failed", outcome
	c.consulted = v
	c.to(stTalking)
}

// consultLegGone: the consultation leg hung up: before answering it is a
// failure; after, the consulted agent ended it and the first agent is back
// with the caller (still on hold).
func (c *call) consultLegGone(outcome string) {
	k := c.consult
	if k == nil {
		return
	}
	if !k.answered {
		c.consultFailed(outcome, false)
		return
	}
	c.dropConsult("hung_up")
	c.rejoin()
	v := k.view()
	v.State, v.Outcome = "ended", "hung_up"
	c.consulted = v
	c.to(stTalking)
}

// dropConsult ends the consultation: its leg hung up, the agents' bridge
// gone, the consulted agent available again (no wrap-up: they never had
// the caller).
func (c *call) dropConsult(outcome string) {
	k := c.consult
	if k == nil {
		return
	}
	c.consult = nil
	c.stop(tRing)
	at := c.now()
	if !k.answered {
		c.rec.Offers[k.idx].Outcome = outcome
		c.rec.Offers[k.idx].Ring = at.Sub(k.at)
	}
	if k.bridge != "" {
		ctx, cancel := c.ctx()
		c.warn("destroy consultation bridge", c.sw().DestroyBridge(ctx, k.bridge))
		cancel()
	}
	c.hangup(k.ch, "normal")
	ctx, cancel := c.ctx()
	c.warn("unreserve", c.ctl.q.Unreserve(ctx, k.m.Agent.ID, c.queueCallID(), at))
	cancel()
}

// rejoin puts the first agent's leg back in the caller's bridge.
func (c *call) rejoin() {
	if c.bridge == "" || c.agentCh == "" {
		return
	}
	ctx, cancel := c.ctx()
	c.warn("rejoin the caller", c.sw().AddToBridge(ctx, c.bridge, c.agentCh))
	cancel()
}

// unhold takes the caller off hold, back in the agent's bridge (UNHOLD
// with data).
func (c *call) unhold(data string) {
	if !c.held {
		return
	}
	ctx, cancel := c.ctx()
	c.warn("resume", c.resumeCaller(ctx))
	cancel()
	c.held = false
	agent := ""
	if c.match != nil {
		agent = c.match.Agent.ID
	}
	c.event(hotline.EvUnhold, agent, 0, 0, 0, data)
}

// cancelConsult: the first agent gives up the consultation and is back
// with the caller, off hold.
func (c *call) cancelConsult() error {
	if c.consult == nil {
		return hotline.Errorf(hotline.ECONFLICT, "no consultation in progress")
	}
	c.reacted()
	answered := c.consult.answered
	c.dropConsult("cancelled")
	if answered {
		c.rejoin()
	}
	c.unhold("consult_cancelled")
	c.consulted = nil
	c.to(stTalking)
	return nil
}

// completeConsult bridges the caller with the consulted agent; the first
// agent's part ends.
func (c *call) completeConsult(agent string) error {
	k := c.consult
	if k == nil {
		return hotline.Errorf(hotline.ECONFLICT, "no consultation in progress")
	}
	if !k.answered {
		return hotline.Errorf(hotline.ECONFLICT, "agent %s has not answered yet", k.m.Agent.ID)
	}
	c.reacted()
	now := c.now()
	c.consult = nil
	talk := now.Sub(c.rec.Answered)
	data := "agent:" + k.m.Agent.ID
	if strings.HasPrefix(k.target, "queue:") {
		data += " " + k.target
	}
	c.event(hotline.EvAttendedTransfer, agent, c.rec.Wait, talk, 0, data)
	c.event(hotline.EvCompleteAgent, agent, c.rec.Wait, talk, 0, "transfer")
	ctx, cancel := c.ctx()
	c.warn("destroy consultation bridge", c.sw().DestroyBridge(ctx, k.bridge))
	cancel()
	c.unhold("transfer")
	first := c.agentCh
	c.agentCh = k.ch // the first agent's hang-up is not the end of the call any more
	c.releaseAgent(now)
	c.muted = false
	ctx, cancel = c.ctx()
	if c.bridge != "" {
		c.warn("bridge the consulted agent", c.sw().AddToBridge(ctx, c.bridge, k.ch))
	}
	cancel()
	c.hangup(first, "normal")
	m := k.m
	c.match = &m
	c.rec.Agent = m.Agent.ID
	c.rec.Answered = now
	c.rec.Offers[k.idx].Outcome = "answered"
	c.event(hotline.EvConnect, m.Agent.ID, c.rec.Wait, 0, 0, "attended_transfer")
	c.path("attended:" + k.target)
	c.consulted = nil
	c.to(stTalking)
	return nil
}
