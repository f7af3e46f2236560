package arisim

import (
	"strings"
)

// newChannelLocked creates a channel (id "" generates Asterisk's "<unix>.<n>").
func (s *Sim) newChannelLocked(id, name string, kind chanKind, caller CallerID, dp dialplanJSON) *channel {
	if id == "" {
		id = s.newChannelIDLocked()
	}
	ch := &channel{
		id: id, name: name, state: "Down", caller: caller, connected: caller,
		dp: dp, created: s.now(), lang: "en", vars: map[string]string{}, kind: kind, subs: map[string]bool{},
	}
	s.seqCounter++
	ch.seq = s.seqCounter
	s.channels[id] = ch
	return ch
}

// enterStasisLocked puts ch in app's Stasis and sends StasisStart.
func (s *Sim) enterStasisLocked(ch *channel, app string, args []string) {
	ch.stasisApp = app
	ch.subs[app] = true
	ch.dp.AppName = "Stasis"
	ch.dp.AppData = strings.Join(append([]string{app}, args...), ",")
	s.emitStasisStartLocked(ch, args)
}

// setStateLocked changes a channel's state with ChannelStateChange.
func (s *Sim) setStateLocked(ch *channel, state string) {
	if ch.state == state {
		return
	}
	ch.state = state
	s.emitStateChangeLocked(ch)
}

// answerLocked answers ch (the application's answer of an inbound call).
func (s *Sim) answerLocked(ch *channel) {
	if ch.state == "Up" {
		return
	}
	s.setStateLocked(ch, "Up")
	s.onAnsweredLocked(ch)
}

// hangupLocked ends ch. byApp is the application's DELETE (cause from its reason);
// otherwise the far end (or the system) hangs up with cause. who goes to the call record.
func (s *Sim) hangupLocked(ch *channel, cause int, byApp bool, who string) {
	if ch.gone {
		return
	}
	switch ch.kind {
	case kindLocalHalf:
		// the dialplan side of an originated Local channel hangs up: the far end of its ;1
		if p := ch.partner; p != nil && !p.gone {
			s.hangupLocked(p, cause, false, who)
			return
		}
		s.removeChannelLocked(ch)
		return
	case kindCallerHalf:
		if p := ch.partner; p != nil && !p.gone {
			s.hangupLocked(p, cause, false, who)
			return
		}
		s.removeChannelLocked(ch)
		return
	}
	s.recordHangupLocked(ch, cause, who)
	if ch.kind == kindOriginated && ch.ringing {
		s.hangupRingingLocked(ch, cause, byApp)
		return
	}
	local := ch.partner != nil && ch.kind == kindOriginated
	if byApp {
		s.emitHangupRequestLocked(ch, 32, true)
	} else if local {
		p := ch.partner
		s.emitHangupRequestLocked(p, 32, true)
		s.emitHangupRequestLocked(p, 16, true)
		s.emitHangupRequestLocked(ch, cause, false)
		s.emitDestroyedLocked(p, cause)
		s.removeChannelLocked(p)
	} else {
		s.emitHangupRequestLocked(ch, cause, false)
	}
	s.teardownLocked(ch)
	if ch.stasisApp != "" {
		s.chanEventLocked(ch, s.newEvent("StasisEnd"))
		if local {
			s.emitVarsetLocked(ch, "STASISSTATUS", "SUCCESS")
		}
	}
	switch ch.kind {
	case kindOriginated:
		if byApp && local && !ch.partner.gone {
			p := ch.partner
			s.emitHangupRequestLocked(p, 16, false)
			s.emitDestroyedLocked(ch, cause)
			s.emitHangupRequestLocked(p, 16, true)
			s.emitDestroyedLocked(p, 16)
			s.removeChannelLocked(p)
		} else {
			s.emitDestroyedLocked(ch, cause)
		}
	case kindInbound, kindSnoop:
		// entered Stasis from the dialplan (or a snoop): no ChannelDestroyed
		if p := ch.partner; p != nil {
			s.removeChannelLocked(p)
		}
	}
	s.removeChannelLocked(ch)
}

// hangupRingingLocked ends an originated leg that has not answered.
func (s *Sim) hangupRingingLocked(ch *channel, cause int, byApp bool) {
	if byApp {
		s.emitHangupRequestLocked(ch, 32, true)
		s.emitDialLocked(ch, "NOANSWER")
	}
	if p := ch.partner; p != nil {
		s.emitHangupRequestLocked(p, cause, false)
		s.emitDestroyedLocked(ch, cause)
		s.emitHangupRequestLocked(p, 16, true)
		s.emitDestroyedLocked(p, cause)
		s.removeChannelLocked(p)
	} else {
		s.emitDestroyedLocked(ch, cause)
	}
	s.removeChannelLocked(ch)
}

// rejectLocked is the far end refusing an originated leg with cause.
func (s *Sim) rejectLocked(ch *channel, cause int) {
	if ch.gone {
		return
	}
	s.recordHangupLocked(ch, cause, "agent")
	status := "CHANUNAVAIL"
	switch cause {
	case 17:
		status = "BUSY"
	case 34, 42:
		status = "CONGESTION"
	case 18, 19:
		status = "NOANSWER"
	}
	s.emitDialLocked(ch, status)
	if p := ch.partner; p != nil {
		s.emitHangupRequestLocked(p, cause, false)
		s.emitDestroyedLocked(p, cause)
		s.removeChannelLocked(p)
	}
	s.emitHangupRequestLocked(ch, cause, false)
	s.emitDestroyedLocked(ch, cause)
	s.removeChannelLocked(ch)
}

// teardownLocked stops what a hanging-up channel was doing: playbacks, recording,
// bridge membership, snoops.
func (s *Sim) teardownLocked(ch *channel) {
	s.stopTargetPlaybacksLocked(&ch.plays, "failed")
	if ch.rec != nil {
		s.finishRecordingLocked(ch.rec, "done")
	}
	if ch.bridge != nil {
		s.leaveBridgeLocked(ch, false)
	}
	for _, sn := range ch.snoops {
		if !sn.gone {
			s.hangupLocked(sn, 16, false, "system")
		}
	}
	ch.snoops = nil
}

// removeChannelLocked forgets ch.
func (s *Sim) removeChannelLocked(ch *channel) {
	if ch.gone {
		return
	}
	ch.gone = true
	ch.stopTimers()
	delete(s.channels, ch.id)
	if ch.endpoint != "" {
		if ep := s.endpoints[ch.endpoint]; ep != nil {
			delete(ep.channels, ch.id)
		}
	}
	if ch.bridge != nil {
		ch.bridge.remove(ch)
		ch.bridge = nil
	}
	if ch.snoopOf != nil {
		o := ch.snoopOf
		for i, x := range o.snoops {
			if x == ch {
				o.snoops = append(o.snoops[:i:i], o.snoops[i+1:]...)
				break
			}
		}
	}
	if ch.call != nil && ch.call.HungUp.IsZero() {
		s.ended[ch.call.ChannelID] = true
		ch.call.HungUp = s.now()
		if ch.call.HungUpBy == "" {
			ch.call.HungUpBy = "system"
		}
		s.trimCallsLocked()
	}
}

// leaveStasisLocked is /continue: StasisEnd, and the application stops hearing about ch.
func (s *Sim) leaveStasisLocked(ch *channel) {
	s.stopTargetPlaybacksLocked(&ch.plays, "done")
	if ch.bridge != nil {
		s.leaveBridgeLocked(ch, false)
	}
	s.chanEventLocked(ch, s.newEvent("StasisEnd"))
	ch.stasisApp = ""
	ch.subs = map[string]bool{}
}
