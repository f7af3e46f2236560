package ivr

import (
	"encoding/json"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/queue"
)

// finish ends the call: the call record goes to the Writer, the saved state
// is deleted, and the call is forgotten.
func (c *call) finish() {
	if c.st == stEnded || c.finishing {
		return
	}
	c.finishing = true
	c.stopAll()
	if c.pb != "" {
		c.ctl.unbindPlayback(c.pb)
		c.pb, c.pbThen = "", nil
	}
	if c.offer != nil && !c.offer.settled {
		// Should not happen (callerGone settles offers); never leave an agent ringing.
		o := c.offer
		o.settled = true
		c.hangup(o.ch, "normal")
		ctx, cancel := c.ctx()
		c.warn("offer cancelled", c.ctl.q.OfferCancelled(ctx, o.m, c.now()))
		cancel()
	}
	if c.match != nil {
		c.releaseAgent(c.now())
	}
	c.destroyBridge()
	c.rec.Ended = c.now()
	if c.rec.HungUpBy == "" {
		c.rec.HungUpBy = "caller"
	}
	if c.rec.Disposition == "" {
		switch {
		case !c.rec.Answered.IsZero():
			c.rec.Disposition = hotline.DispAnswered
		case c.heard:
			c.rec.Disposition = hotline.DispSelfServed
		default:
			c.rec.Disposition = hotline.DispIVRHangup
		}
	}
	// Forgotten before the record is written: whoever sees the record (a
	// test, the load shedding's count of calls) sees the call gone too.
	c.ctl.forget(c)
	if c.rec.ID != "" && !c.rec.Arrived.IsZero() {
		rec := c.rec
		rec.IVRPath = append([]string(nil), c.rec.IVRPath...)
		rec.Offers = append([]hotline.AgentOffer(nil), c.rec.Offers...)
		c.ctl.w.Call(&rec)
	}
	ctx, cancel := c.ctx()
	c.warn("delete call state", c.ctl.q.DeleteCall(ctx, c.ctl.id, c.id))
	cancel()
	c.to(stEnded)
	c.ctl.forget(c)
}

// savedCall is a call's state kept in Redis for re-adoption.
type savedCall struct {
	ID       string      `json:"id"`
	Channel  string      `json:"channel"`
	Kind     callKind    `json:"kind"`
	State    string      `json:"state"`
	CbOf     string      `json:"cb_of,omitempty"`
	Queue    string      `json:"queue,omitempty"`
	Dept     string      `json:"dept,omitempty"`
	Number   string      `json:"number,omitempty"`
	InQueue  bool        `json:"in_queue,omitempty"`
	Playback string      `json:"playback,omitempty"`
	Offer    *savedOffer `json:"offer,omitempty"`
	// Consult: an attended transfer's consultation (transfer.go).
	Consult   *savedOffer        `json:"consult,omitempty"`
	Match     *queue.Match       `json:"match,omitempty"`
	CbMatch   *queue.Match       `json:"cb_match,omitempty"`
	AgentChan string             `json:"agent_channel,omitempty"`
	Bridge    string             `json:"bridge,omitempty"`
	RecName   string             `json:"rec_name,omitempty"`
	Heard     bool               `json:"heard,omitempty"`
	Survey    *bool              `json:"survey,omitempty"`
	Record    hotline.CallRecord `json:"record"`
}

type savedOffer struct {
	Match   queue.Match `json:"match"`
	Channel string      `json:"channel"`
	At      int64       `json:"at"` // unix micro
	Idx     int         `json:"idx"`
	Direct  bool        `json:"direct,omitempty"` // a named agent of a transfer
	// Consultations: the target, the first agent, the agents' bridge.
	Target string `json:"target,omitempty"`
	From   string `json:"from,omitempty"`
	Bridge string `json:"bridge,omitempty"`
}

func (c *call) snapshot() savedCall {
	s := savedCall{ID: c.id, Channel: c.ch, Kind: c.kind, State: c.st.String(), CbOf: c.cbOf, Queue: c.queue,
		Number: c.number, InQueue: c.inQueue, Playback: c.pb, Match: c.match, CbMatch: c.cbMatch,
		AgentChan: c.agentCh, Bridge: c.bridge, RecName: c.recName, Heard: c.heard, Record: c.rec}
	if c.surveySet {
		opt := c.surveyOpt
		s.Survey = &opt
	}
	if c.dept != nil {
		s.Dept = c.dept.ID
	}
	if o := c.offer; o != nil && !o.settled {
		s.Offer = &savedOffer{Match: o.m, Channel: o.ch, At: o.at.UnixMicro(), Idx: o.idx, Direct: o.direct}
	}
	if k := c.consult; k != nil {
		s.Consult = &savedOffer{Match: k.m, Channel: k.ch, At: k.at.UnixMicro(), Idx: k.idx, Target: k.target, From: k.from,
			Bridge: k.bridge}
	}
	return s
}

// save writes the call's state for re-adoption (on every state change).
func (c *call) save() error {
	if c.ctl.stopped.Load() {
		return nil
	}
	b, err := json.Marshal(c.snapshot())
	if err != nil {
		c.log.Error("encode call state", "err", err)
		return nil
	}
	ctx, cancel := c.ctx()
	err = c.ctl.q.SaveCall(ctx, c.ctl.id, c.id, b)
	cancel()
	c.warn("save call state", err)
	return err
}
