package arisim

import (
	"encoding/json"
	"sort"
)

// event is one ARI event; fields are omitted when unset, as Asterisk does.
type event struct {
	Type        string         `json:"type"`
	Timestamp   string         `json:"timestamp"`
	Cause       *int           `json:"cause,omitempty"`
	CauseTxt    *string        `json:"cause_txt,omitempty"`
	Soft        bool           `json:"soft,omitempty"`
	Args        *[]string      `json:"args,omitempty"`
	Digit       string         `json:"digit,omitempty"`
	DurationMs  *int           `json:"duration_ms,omitempty"`
	Variable    *string        `json:"variable,omitempty"`
	Value       *string        `json:"value,omitempty"`
	Dialstatus  *string        `json:"dialstatus,omitempty"`
	Forward     *string        `json:"forward,omitempty"`
	Dialstring  *string        `json:"dialstring,omitempty"`
	Eventname   string         `json:"eventname,omitempty"`
	Userevent   map[string]any `json:"userevent,omitempty"`
	Playback    *playbackJSON  `json:"playback,omitempty"`
	Recording   *recordingJSON `json:"recording,omitempty"`
	Bridge      *bridgeJSON    `json:"bridge,omitempty"`
	Channel     *channelJSON   `json:"channel,omitempty"`
	Peer        *channelJSON   `json:"peer,omitempty"`
	AsteriskID  string         `json:"asterisk_id"`
	Application string         `json:"application"`
}

func ptr[T any](v T) *T { return &v }

func (s *Sim) newEvent(typ string) *event {
	return &event{Type: typ, Timestamp: s.ts(), AsteriskID: s.opts.AsteriskID}
}

// sendLocked writes ev to every application in apps that has a WebSocket.
func (s *Sim) sendLocked(apps map[string]bool, ev *event) {
	if len(apps) == 0 {
		return
	}
	names := make([]string, 0, len(apps))
	for a := range apps {
		names = append(names, a)
	}
	if len(names) > 1 {
		sort.Strings(names)
	}
	for _, name := range names {
		a := s.apps[name]
		if a == nil || a.conn == nil {
			continue // events for a disconnected application are dropped, not queued
		}
		if !a.allows(ev.Type) {
			continue
		}
		ev.Application = name
		frame, err := json.Marshal(ev)
		if err != nil {
			s.log.Error("marshal event", "type", ev.Type, "err", err)
			continue
		}
		s.enqueueLocked(a.conn, frame)
	}
}

// enqueueLocked queues one frame on c, announcing it to the clock first.
func (s *Sim) enqueueLocked(c *wsConn, frame []byte) {
	if n, ok := c.enqueue(s.clk, frame); ok {
		s.touched[c] = n
	}
}

// chanEventLocked sends ev about ch to ch's applications.
func (s *Sim) chanEventLocked(ch *channel, ev *event) {
	j := ch.json()
	ev.Channel = &j
	s.sendLocked(ch.subs, ev)
}

func union(a, b map[string]bool) map[string]bool {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func (s *Sim) emitStateChangeLocked(ch *channel) {
	s.chanEventLocked(ch, s.newEvent("ChannelStateChange"))
}

func (s *Sim) emitVarsetLocked(ch *channel, name, value string) {
	ev := s.newEvent("ChannelVarset")
	ev.Variable, ev.Value = ptr(name), ptr(value)
	s.chanEventLocked(ch, ev)
}

func (s *Sim) emitHangupRequestLocked(ch *channel, cause int, soft bool) {
	ev := s.newEvent("ChannelHangupRequest")
	ev.Cause, ev.Soft = ptr(cause), soft
	s.chanEventLocked(ch, ev)
}

func (s *Sim) emitDestroyedLocked(ch *channel, cause int) {
	ev := s.newEvent("ChannelDestroyed")
	ev.Cause, ev.CauseTxt = ptr(cause), ptr(causeText(cause))
	s.chanEventLocked(ch, ev)
}

func (s *Sim) emitDialLocked(peer *channel, status string) {
	ev := s.newEvent("Dial")
	ev.Dialstatus, ev.Forward, ev.Dialstring = ptr(status), ptr(""), ptr(peer.dialstr)
	j := peer.json()
	ev.Peer = &j
	s.sendLocked(peer.subs, ev)
}

func (s *Sim) emitStasisStartLocked(ch *channel, args []string) {
	ev := s.newEvent("StasisStart")
	if args == nil {
		args = []string{}
	}
	ev.Args = &args
	s.chanEventLocked(ch, ev)
}

func (s *Sim) emitBridgeChannelLocked(typ string, b *bridge, ch *channel) {
	ev := s.newEvent(typ)
	bj := b.json()
	ev.Bridge = &bj
	j := ch.json()
	ev.Channel = &j
	s.sendLocked(union(ch.subs, b.subs), ev)
}
