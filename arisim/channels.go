package arisim

import (
	"net/http"
	"strings"
)

// stasisChannel finds a channel that must be in Stasis (404 / 409 otherwise).
func (s *Sim) stasisChannel(id string) (*channel, reply, bool) {
	ch := s.channels[id]
	if ch == nil {
		return nil, errReply(404, "Channel not found"), false
	}
	if ch.stasisApp == "" {
		return nil, errReply(409, "Channel not in Stasis application"), false
	}
	return ch, reply{}, true
}

// chanOp wraps a handler that needs a channel in Stasis.
func chanOp(f func(s *Sim, q *req, ch *channel) reply) handlerFunc {
	return func(s *Sim, q *req) reply {
		ch, rep, ok := s.stasisChannel(q.vars["id"])
		if !ok {
			return rep
		}
		return f(s, q, ch)
	}
}

var muteDirections = map[string]bool{"both": true, "in": true, "out": true}

func init() {
	handle("GET", "channels", func(s *Sim, q *req) reply {
		out := []channelJSON{}
		for _, ch := range s.sortedChannelsLocked() {
			out = append(out, ch.json())
		}
		return okReply(200, out)
	})
	handle("POST", "channels", func(s *Sim, q *req) reply { return s.originateLocked(q, q.get("channelId")) })
	handle("POST", "channels/{id}", func(s *Sim, q *req) reply { return s.originateLocked(q, q.vars["id"]) })
	handle("GET", "channels/{id}", func(s *Sim, q *req) reply {
		ch := s.channels[q.vars["id"]]
		if ch == nil {
			return errReply(404, "Channel not found")
		}
		return okReply(200, ch.json())
	})
	handle("DELETE", "channels/{id}", func(s *Sim, q *req) reply {
		ch := s.channels[q.vars["id"]]
		if ch == nil {
			return errReply(404, "Channel not found")
		}
		cause := 16
		if rc := q.get("reason_code"); rc != "" {
			cause = q.int("reason_code", 16)
		} else if r := q.get("reason"); r != "" {
			c, ok := hangupReasons[r]
			if !ok {
				return errReply(400, "Invalid reason for hangup reason provided")
			}
			cause = c
		}
		s.hangupLocked(ch, cause, true, "app")
		return noContent
	})
	handle("POST", "channels/{id}/answer", chanOp(func(s *Sim, q *req, ch *channel) reply {
		s.answerLocked(ch)
		return noContent
	}))
	okOp := chanOp(func(s *Sim, q *req, ch *channel) reply { return noContent })
	handle("POST", "channels/{id}/ring", okOp)
	handle("DELETE", "channels/{id}/ring", okOp)
	// Hold emits no ChannelHold/ChannelUnhold events (as recorded); there is no /unhold.
	handle("POST", "channels/{id}/hold", okOp)
	handle("DELETE", "channels/{id}/hold", okOp)
	handle("POST", "channels/{id}/silence", okOp)
	handle("DELETE", "channels/{id}/silence", okOp)
	muteOp := chanOp(func(s *Sim, q *req, ch *channel) reply {
		d := q.get("direction")
		if d != "" && !muteDirections[d] {
			return errReply(400, "Invalid direction specified")
		}
		return noContent
	})
	handle("POST", "channels/{id}/mute", muteOp)
	handle("DELETE", "channels/{id}/mute", muteOp)
	handle("POST", "channels/{id}/moh", chanOp(func(s *Sim, q *req, ch *channel) reply {
		// an unknown class still answers 204 (Asterisk falls back to default)
		ch.moh = true
		s.onMOHLocked(ch)
		return noContent
	}))
	handle("DELETE", "channels/{id}/moh", chanOp(func(s *Sim, q *req, ch *channel) reply {
		if ch.moh && ch.call != nil {
			ch.call.LastMOHStop = s.now()
		}
		ch.moh = false
		return noContent
	}))
	handle("POST", "channels/{id}/play", chanOp(func(s *Sim, q *req, ch *channel) reply {
		return s.playLocked(q, ch, nil, "")
	}))
	handle("POST", "channels/{id}/play/{playbackId}", chanOp(func(s *Sim, q *req, ch *channel) reply {
		return s.playLocked(q, ch, nil, q.vars["playbackId"])
	}))
	handle("POST", "channels/{id}/dtmf", func(s *Sim, q *req) reply {
		ch := s.channels[q.vars["id"]]
		if ch == nil {
			return errReply(404, "Channel not found")
		}
		if q.get("dtmf") == "" {
			return errReply(400, "DTMF is required")
		}
		if ch.stasisApp == "" {
			return errReply(409, "Channel not in Stasis application")
		}
		s.recordAppDTMFLocked(ch, q.get("dtmf"))
		return noContent
	})
	handle("GET", "channels/{id}/variable", func(s *Sim, q *req) reply {
		name := q.get("variable")
		if name == "" {
			return errReply(400, "Variable name is required")
		}
		ch := s.channels[q.vars["id"]]
		if ch == nil {
			return errReply(404, "Provided channel was not found")
		}
		v, ok := s.channelVarLocked(ch, name)
		if !ok {
			return errReply(404, "Provided variable was not found")
		}
		return okReply(200, map[string]string{"value": v})
	})
	handle("POST", "channels/{id}/variable", func(s *Sim, q *req) reply {
		name := q.get("variable")
		if name == "" {
			return errReply(400, "Variable name is required")
		}
		ch := s.channels[q.vars["id"]]
		if ch == nil {
			return errReply(404, "Channel not found")
		}
		s.setChannelVarLocked(ch, name, q.get("value"))
		return noContent
	})
	handle("POST", "channels/{id}/continue", chanOp(func(s *Sim, q *req, ch *channel) reply {
		s.continueLocked(ch, q.get("context"))
		return noContent
	}))
	handle("POST", "channels/{id}/snoop", chanOp(func(s *Sim, q *req, ch *channel) reply {
		return s.snoopLocked(q, ch, q.get("snoopId"))
	}))
	handle("POST", "channels/{id}/snoop/{snoopId}", chanOp(func(s *Sim, q *req, ch *channel) reply {
		return s.snoopLocked(q, ch, q.vars["snoopId"])
	}))
	handle("POST", "channels/{id}/record", chanOp(func(s *Sim, q *req, ch *channel) reply {
		return s.recordLocked(q, ch, nil)
	}))
}

// channelVarLocked reads a channel variable or dialplan function.
func (s *Sim) channelVarLocked(ch *channel, name string) (string, bool) {
	switch strings.ToUpper(name) {
	case "CALLERID(NUM)":
		return ch.caller.Number, true
	case "CALLERID(NAME)":
		return ch.caller.Name, true
	case "CALLERID(ALL)":
		return `"` + ch.caller.Name + `" <` + ch.caller.Number + `>`, true
	case "CONNECTEDLINE(NUM)":
		return ch.connected.Number, true
	case "CONNECTEDLINE(NAME)":
		return ch.connected.Name, true
	case "CHANNEL(NAME)":
		return ch.name, true
	case "CHANNEL(STATE)":
		return ch.state, true
	case "UNIQUEID", "CHANNEL(UNIQUEID)":
		return ch.id, true
	case "EXTEN":
		return ch.dp.Exten, true
	case "CONTEXT":
		return ch.dp.Context, true
	case "CHANNEL(LANGUAGE)":
		return ch.lang, true
	}
	if v, ok := ch.vars[name]; ok {
		return v, true
	}
	if v, ok := s.globals[name]; ok {
		return v, true
	}
	return "", false
}

func (s *Sim) setChannelVarLocked(ch *channel, name, value string) {
	switch strings.ToUpper(name) {
	case "CALLERID(NUM)":
		ch.caller.Number = value
	case "CALLERID(NAME)":
		ch.caller.Name = value
	case "CHANNEL(LANGUAGE)":
		ch.lang = value
	default:
		ch.vars[name] = value
	}
	s.emitVarsetLocked(ch, name, value)
}

// continueLocked leaves Stasis back to the dialplan; the simulated dialplan then ends the
// call (at once for an unknown context, after a goodbye prompt otherwise).
func (s *Sim) continueLocked(ch *channel, context string) {
	s.leaveStasisLocked(ch)
	ch.dp = dialplanJSON{Context: context, Exten: ch.dp.Exten, Priority: 1}
	if context == "" {
		ch.dp.Context = s.opts.InboundContext
	}
	delay := s.media.sound(ch.lang, "vm-goodbye").d
	if context == "" || !s.knownContext(context) {
		delay = 0
	}
	ch.addTimer(s.clk.AfterFunc(delay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !ch.gone {
			s.recordHangupLocked(ch, 16, "system")
			s.removeChannelLocked(ch)
			if ch.partner != nil {
				s.removeChannelLocked(ch.partner)
			}
		}
	}))
}

// knownContext reports whether the simulated dialplan has a context for /continue.
func (s *Sim) knownContext(c string) bool {
	switch c {
	case "after-stasis", "hotline-in", "default", "from-internal", "hotline-fallback":
		return true
	}
	for _, x := range s.opts.Contexts {
		if x == c {
			return true
		}
	}
	return false
}

// snoopLocked creates a Snoop channel on ch in the given application (200, not 201).
func (s *Sim) snoopLocked(q *req, ch *channel, id string) reply {
	for _, k := range []string{"spy", "whisper"} {
		if v := q.get(k); v != "" && v != "none" && !muteDirections[v] {
			return errReply(400, "Invalid direction specified for "+k)
		}
	}
	app := q.get("app")
	if app == "" {
		return errReply(400, "Missing parameter app")
	}
	if id != "" && s.channels[id] != nil {
		return errReply(409, "Channel with given unique ID already exists")
	}
	name := "Snoop/" + ch.id + "-" + s.nextNameLocked("Snoop")
	sn := s.newChannelLocked(id, name, kindSnoop, CallerID{}, dialplanJSON{Context: "default", Exten: "s", Priority: 1})
	sn.state = "Up"
	sn.connected = CallerID{}
	sn.snoopOf = ch
	sn.snoopDirs = [2]string{q.get("spy"), q.get("whisper")}
	ch.snoops = append(ch.snoops, sn)
	resp := sn.json()
	s.enterStasisLocked(sn, app, splitList(q.get("appArgs")))
	return okReply(http.StatusOK, resp)
}
