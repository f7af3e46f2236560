package arisim

import "fmt"

// AnswerFarEnd makes the far end of a ringing originated channel answer now,
// as a person picking up their phone: the channel goes Up, Dial ANSWER, and
// it enters the application it was originated into. With an endpoint set to
// {"no_answer": true} this is how a test (or the agent panel against the
// simulator) answers an agent's phone. Control API:
// POST /_sim/channels/{id}/answer (204; 404 when not ringing).
func (s *Sim) AnswerFarEnd(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[id]
	if ch == nil || ch.gone || !ch.ringing {
		return fmt.Errorf("arisim: channel %q is not ringing", id)
	}
	s.answerOriginatedLocked(ch, ch.ringApp, ch.ringArgs)
	return nil
}

// Snoop is one snoop channel on a channel, as the simulator saw it created.
type Snoop struct {
	ChannelID string `json:"channel_id"` // the snoop channel
	Of        string `json:"of"`         // the channel snooped on
	Spy       string `json:"spy"`        // in, out, both, none ("" = none)
	Whisper   string `json:"whisper"`
	// BridgedWith are the other channels of the bridge the snoop channel is in now.
	BridgedWith []string `json:"bridged_with"`
	Gone        bool     `json:"gone"`
}

// Snoops lists the snoop channels created on channel id (listen, whisper).
func (s *Sim) Snoops(id string) []Snoop {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[id]
	if ch == nil {
		return nil
	}
	out := []Snoop{}
	for _, sn := range ch.snoops {
		v := Snoop{ChannelID: sn.id, Of: id, Spy: sn.snoopDirs[0], Whisper: sn.snoopDirs[1], BridgedWith: []string{}, Gone: sn.gone}
		if b := sn.bridge; b != nil {
			for _, o := range b.channels {
				if o != sn {
					v.BridgedWith = append(v.BridgedWith, o.id)
				}
			}
		}
		out = append(out, v)
	}
	return out
}
