package arisim

import (
	"sort"
	"time"
)

// Call is the simulator's ground-truth record of one call (one channel's life as the far
// end saw it), as GET /_sim/calls returns it.
type Call struct {
	// Seq numbers the records in the order the calls started, from 1: GET /_sim/calls?after=<seq> pages.
	Seq       uint64 `json:"seq"`
	ChannelID string `json:"channel_id"`
	// Direction is "inbound" (a simulated caller) or "outbound" (an originate).
	Direction string    `json:"direction"`
	App       string    `json:"app"`
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	Endpoint  string    `json:"endpoint,omitempty"`
	Entered   time.Time `json:"entered"`
	Answered  time.Time `json:"answered,omitzero"`
	FirstMOH  time.Time `json:"first_moh,omitzero"`
	// LastMOHStop is when the application last stopped the channel's music on hold.
	LastMOHStop time.Time     `json:"last_moh_stop,omitzero"`
	Bridges     []BridgeVisit `json:"bridges,omitempty"`
	HungUp      time.Time     `json:"hung_up,omitzero"`
	// HungUpBy is caller, app, agent (the far end of an originated leg) or system.
	HungUpBy string `json:"hung_up_by,omitempty"`
	Cause    int    `json:"cause"`
	// Digits the far end sent (received by the application as ChannelDtmfReceived).
	Digits []DigitSent `json:"digits,omitempty"`
	// AppDigits the application sent to the far end (POST /channels/{id}/dtmf).
	AppDigits string `json:"app_digits,omitempty"`
	// FailedAtEntry: the application had no WebSocket when the call arrived.
	FailedAtEntry bool   `json:"failed_at_entry,omitempty"`
	Fallback      string `json:"fallback,omitempty"`
	// Continued is the dialplan context the application handed the channel
	// back to (POST /channels/{id}/continue), e.g. hotline-fallback.
	Continued string `json:"continued,omitempty"`
	// Redirected is the endpoint the application redirected the channel to.
	Redirected string `json:"redirected,omitempty"`
	// Abandoned: the caller ran out of patience waiting.
	Abandoned bool `json:"abandoned,omitempty"`
	// Recorded are the stored recordings the application made of the channel (a message left).
	Recorded []string `json:"recorded,omitempty"`
	// Heard are the media played to the channel, in order, each as
	// "<language>:<media URI>" (e.g. "es:number:3"): the language Asterisk
	// played it in (the play's lang, else the channel's language).
	Heard []string `json:"heard,omitempty"`
}

// BridgeVisit is one stay of a channel in a bridge.
type BridgeVisit struct {
	BridgeID string    `json:"bridge_id"`
	Type     string    `json:"type"`
	Entered  time.Time `json:"entered"`
	Left     time.Time `json:"left,omitzero"`
	// With are the other channels in the bridge during the stay (any bridge type).
	With []string `json:"with,omitempty"`
	// Talked: a mixing bridge shared with another channel (a conversation, not a queue).
	Talked bool `json:"talked,omitempty"`
}

// DigitSent is one DTMF digit from the far end.
type DigitSent struct {
	Digit string    `json:"digit"`
	At    time.Time `json:"at"`
}

// Calls returns a copy of every call record, oldest first.
func (s *Sim) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, 0, len(s.calls))
	for _, c := range s.calls {
		out = append(out, c.clone())
	}
	return out
}

// clone is a deep copy of the record.
func (c *Call) clone() Call {
	cp := *c
	cp.Bridges = append([]BridgeVisit(nil), c.Bridges...)
	for i := range cp.Bridges {
		cp.Bridges[i].With = append([]string(nil), c.Bridges[i].With...)
	}
	cp.Digits = append([]DigitSent(nil), c.Digits...)
	cp.Recorded = append([]string(nil), c.Recorded...)
	cp.Heard = append([]string(nil), c.Heard...)
	return cp
}

// HungUp reports how many of the given channels' calls have hung up, without
// copying any record (for polling while thousands of calls run).
func (s *Sim) HungUp(ids map[string]bool) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id := range ids {
		if s.ended[id] {
			n++
		}
	}
	return n
}

// CallOf returns the record of the call on a channel.
func (s *Sim) CallOf(channelID string) (Call, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.calls {
		if c.ChannelID == channelID {
			return c.clone(), true
		}
	}
	return Call{}, false
}

func (s *Sim) recordInboundLocked(ch *channel, app, from, to string) *Call {
	s.callSeq++
	c := &Call{Seq: s.callSeq, ChannelID: ch.id, Direction: "inbound", App: app, From: from, To: to, Entered: s.now()}
	s.calls = append(s.calls, c)
	ch.call = c
	return c
}

func (s *Sim) recordOutboundLocked(ch *channel, app, ep string) {
	s.callSeq++
	c := &Call{Seq: s.callSeq, ChannelID: ch.id, Direction: "outbound", App: app, Endpoint: ep, Entered: s.now()}
	s.calls = append(s.calls, c)
	ch.call = c
}

func (s *Sim) recordAnswerLocked(ch *channel) {
	if ch.call != nil && ch.call.Answered.IsZero() {
		ch.call.Answered = s.now()
	}
}

func (s *Sim) recordHangupLocked(ch *channel, cause int, who string) {
	if c := ch.call; c != nil && c.HungUp.IsZero() {
		c.HungUp, c.HungUpBy, c.Cause = s.now(), who, cause
		s.ended[c.ChannelID] = true
		s.trimCallsLocked()
	}
}

func (s *Sim) recordDigitLocked(ch *channel, d string) {
	if ch.call != nil {
		ch.call.Digits = append(ch.call.Digits, DigitSent{Digit: d, At: s.now()})
	}
}

func (s *Sim) recordAppDTMFLocked(ch *channel, d string) {
	if ch.call != nil {
		ch.call.AppDigits += d
	}
}

func (s *Sim) recordBridgeEnterLocked(ch *channel, b *bridge, others []*channel) {
	for _, o := range others {
		if o.call != nil && len(o.call.Bridges) > 0 {
			v := &o.call.Bridges[len(o.call.Bridges)-1]
			if v.BridgeID == b.id && v.Left.IsZero() {
				v.With = appendUnique(v.With, ch.id)
				v.Talked = v.Talked || b.btype == "mixing"
			}
		}
	}
	if ch.call == nil {
		return
	}
	v := BridgeVisit{BridgeID: b.id, Type: b.btype, Entered: s.now()}
	for _, o := range others {
		v.With = appendUnique(v.With, o.id)
	}
	v.Talked = len(others) > 0 && b.btype == "mixing"
	ch.call.Bridges = append(ch.call.Bridges, v)
}

func (s *Sim) recordBridgeLeaveLocked(ch *channel, b *bridge) {
	if ch.call == nil || len(ch.call.Bridges) == 0 {
		return
	}
	v := &ch.call.Bridges[len(ch.call.Bridges)-1]
	if v.BridgeID == b.id && v.Left.IsZero() {
		v.Left = s.now()
	}
}

func appendUnique(l []string, x string) []string {
	for _, y := range l {
		if y == x {
			return l
		}
	}
	return append(l, x)
}

// CallsPage returns the records with Seq > after, oldest first, at most limit
// (0: all), and how many ended calls were dropped from the window so far
// (Options.KeepCalls).
func (s *Sim) CallsPage(after uint64, limit int) ([]Call, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := sort.Search(len(s.calls), func(i int) bool { return s.calls[i].Seq > after })
	n := len(s.calls) - i
	if limit > 0 && limit < n {
		n = limit
	}
	out := make([]Call, 0, n)
	for _, c := range s.calls[i : i+n] {
		out = append(out, c.clone())
	}
	return out, s.evicted
}

// trimCallsLocked drops the oldest ended calls once the records exceed
// KeepCalls by an eighth (so that trimming is amortised), down to KeepCalls.
func (s *Sim) trimCallsLocked() {
	keep := s.opts.KeepCalls
	if keep <= 0 || len(s.calls) <= keep+keep/8 {
		return
	}
	excess := len(s.calls) - keep
	kept := s.calls[:0]
	for _, c := range s.calls {
		if excess > 0 && !c.HungUp.IsZero() {
			excess--
			s.evicted++
			delete(s.ended, c.ChannelID)
			continue
		}
		kept = append(kept, c)
	}
	clear(s.calls[len(kept):])
	s.calls = kept
}
