package arisim

import (
	"time"
)

// startScriptLocked arms the timers that do not wait for the answer.
func (s *Sim) startScriptLocked(ch *channel) {
	sc := ch.script
	if sc.MaxDurationMs > 0 {
		s.afterLocked(ch, ms(sc.MaxDurationMs), func() { s.hangupLocked(ch, 16, false, "caller") })
	}
	s.schedulePressesLocked(ch, sc.Presses, "entry", ch.created)
}

// afterLocked runs f under the lock after d unless ch is gone by then.
func (s *Sim) afterLocked(ch *channel, d time.Duration, f func()) {
	ch.addTimer(s.clk.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !ch.gone {
			f()
		}
	}))
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// schedulePressesLocked starts every chain of presses anchored at `from` ("entry",
// "answer" or "bridge") at time at. A press with From "" or "previous" follows the press
// before it; the first press defaults to "answer" ("bridge" for AfterBridge lists).
func (s *Sim) schedulePressesLocked(ch *channel, presses []Press, from string, at time.Time) {
	s.schedulePressesIfLocked(ch, presses, from, at, nil)
}

// schedulePressesIfLocked is schedulePressesLocked with presses made only while
// valid() holds (nil: always).
func (s *Sim) schedulePressesIfLocked(ch *channel, presses []Press, from string, at time.Time, valid func() bool) {
	eff := func(i int) string {
		f := presses[i].From
		if f == "" {
			if i > 0 {
				return "previous"
			}
			if from == "bridge" {
				return "bridge"
			}
			return "answer"
		}
		return f
	}
	var run func(i int, base time.Time)
	run = func(i int, base time.Time) {
		p := presses[i]
		due := base.Add(ms(p.AfterMs))
		s.afterLocked(ch, max(due.Sub(s.now()), 0), func() {
			if valid != nil && !valid() {
				return
			}
			end := s.pressLocked(ch, p.Digits, ms(p.GapMs))
			if i+1 < len(presses) && eff(i+1) == "previous" {
				run(i+1, end)
			}
		})
	}
	for i := range presses {
		if eff(i) == from {
			run(i, at)
		}
	}
}

// pressLocked makes the far end press digits gap apart starting now (after any digits still
// being sent); it returns when the last digit will have been received.
func (s *Sim) pressLocked(ch *channel, digits string, gap time.Duration) time.Time {
	if gap <= 0 {
		gap = 350 * time.Millisecond
	}
	start := s.now()
	if ch.dtmfBusy.After(start) {
		start = ch.dtmfBusy
	}
	var last time.Time
	for i, d := range digits {
		at := start.Add(100*time.Millisecond + time.Duration(i)*gap)
		digit := string(d)
		last = at
		s.afterLocked(ch, at.Sub(s.now()), func() { s.dtmfReceivedLocked(ch, digit) })
	}
	ch.dtmfBusy = last.Add(gap - 100*time.Millisecond)
	return last
}

// dtmfReceivedLocked is one digit from the far end arriving on ch.
func (s *Sim) dtmfReceivedLocked(ch *channel, digit string) {
	s.recordDigitLocked(ch, digit)
	ev := s.newEvent("ChannelDtmfReceived")
	ev.Digit, ev.DurationMs = digit, ptr(100)
	s.chanEventLocked(ch, ev)
	if r := ch.rec; r != nil && r.terminates(digit) {
		s.finishRecordingLocked(r, "done")
	}
}

// onAnsweredLocked starts the script's answer-relative timers.
func (s *Sim) onAnsweredLocked(ch *channel) {
	s.recordAnswerLocked(ch)
	sc := ch.script
	if sc == nil {
		return
	}
	if sc.HangupAfterAnswerMs > 0 {
		s.afterLocked(ch, ms(sc.HangupAfterAnswerMs), func() { s.hangupLocked(ch, 16, false, "caller") })
	}
	s.schedulePressesLocked(ch, sc.Presses, "answer", s.now())
}

// onMOHLocked notes music on hold starting on ch (channel MOH or its bridge's MOH).
func (s *Sim) onMOHLocked(ch *channel) {
	if ch.talked && ch.bridge == nil {
		// Music after talking, outside a bridge: a hold (or a transfer's wait),
		// not the end of the conversation.
		ch.postGen++
	}
	if ch.mohOnce {
		return
	}
	ch.mohOnce = true
	if ch.call != nil {
		ch.call.FirstMOH = s.now()
	}
	if sc := ch.script; sc != nil {
		s.schedulePressesLocked(ch, sc.Presses, "moh", s.now())
	}
	if sc := ch.script; sc != nil && sc.PatienceMs > 0 && !ch.talked {
		s.afterLocked(ch, ms(sc.PatienceMs), func() {
			if !ch.talked {
				if ch.call != nil {
					ch.call.Abandoned = true
				}
				s.hangupLocked(ch, 16, false, "caller")
			}
		})
	}
}

// onBridgedWithOtherLocked notes ch talking to another channel in a mixing bridge.
func (s *Sim) onBridgedWithOtherLocked(ch *channel) {
	first := !ch.talked
	ch.talked, ch.talkedHere = true, true
	b := ch.behaviour
	if first && ch.kind == kindOriginated && b.TalkMs > 0 {
		d := ms(b.TalkMs)
		if b.TalkJitterMs > 0 {
			d += ms(s.rng.Intn(b.TalkJitterMs + 1))
		}
		s.afterLocked(ch, d, func() { s.hangupLocked(ch, 16, false, "agent") })
	}
}

// onLeftBridgeLocked starts the post-bridge behaviour (survey presses, hang up) when ch
// leaves a bridge in which it talked to another channel.
func (s *Sim) onLeftBridgeLocked(ch *channel, talked bool) {
	sc := ch.script
	if sc == nil || !talked {
		return
	}
	gen := ch.postGen
	valid := func() bool { return ch.postGen == gen }
	s.schedulePressesIfLocked(ch, sc.AfterBridge, "bridge", s.now(), valid)
	if sc.HangupAfterBridgeMs > 0 {
		s.afterLocked(ch, ms(sc.HangupAfterBridgeMs), func() {
			if ch.bridge == nil && valid() {
				s.hangupLocked(ch, 16, false, "caller")
			}
		})
	}
}
