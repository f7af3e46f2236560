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
