package arisim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// parseCallerID reads "Name <number>" or a bare number.
func parseCallerID(s string) CallerID {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "<"); i >= 0 && strings.HasSuffix(s, ">") {
		return CallerID{Name: strings.Trim(strings.TrimSpace(s[:i]), `"`), Number: s[i+1 : len(s)-1]}
	}
	return CallerID{Number: s}
}

// lookupBehaviourLocked finds how an endpoint behaves; ok is false when it does not exist.
func (s *Sim) lookupBehaviourLocked(tech, resource string) (EndpointBehaviour, string, bool) {
	if tech == "Local" {
		if ep := s.endpoints["Local/"+resource]; ep != nil {
			return ep.b, "", true
		}
		_, ctx, _ := strings.Cut(resource, "@")
		b, ok := s.localCtx[ctx]
		return b, "", ok
	}
	key := tech + "/" + resource
	if ep := s.endpoints[key]; ep != nil {
		return ep.b, key, true
	}
	if _, after, ok := strings.Cut(resource, "@"); ok {
		if ep := s.endpoints[tech+"/"+after]; ep != nil {
			return ep.b, tech + "/" + after, true
		}
	}
	if before, _, ok := strings.Cut(resource, "/"); ok {
		if ep := s.endpoints[tech+"/"+before]; ep != nil {
			return ep.b, tech + "/" + before, true
		}
	}
	return EndpointBehaviour{}, "", false
}

// originateLocked is POST /channels and POST /channels/{id}.
func (s *Sim) originateLocked(q *req, id string) reply {
	ep := q.get("endpoint")
	if ep == "" {
		return errReply(400, "Endpoint must be specified")
	}
	app, exten := q.get("app"), q.get("extension")
	if app == "" && exten == "" {
		return errReply(400, "Application or extension must be specified")
	}
	tech, resource, ok := strings.Cut(ep, "/")
	if !ok || tech == "" || resource == "" {
		return errReply(400, "Invalid endpoint specified")
	}
	otherID := q.get("otherChannelId")
	if otherID == "" && id != "" && strings.HasPrefix(ep, "Local/") {
		otherID = id + ";2" // Asterisk names the other half after the given id
	}
	for _, x := range []string{id, otherID} {
		if x != "" && s.channels[x] != nil {
			return errReply(409, "Channel with given unique ID already exists")
		}
	}
	switch tech {
	case "Local", "PJSIP", "SIP", "IAX2", "DAHDI":
	default:
		return allocationFailed
	}
	b, epKey, known := s.lookupBehaviourLocked(tech, resource)
	if tech != "Local" && (!known || b.Offline) {
		return allocationFailed
	}
	caller := parseCallerID(q.get("callerId"))
	own := q.get("callerId") == "" && tech != "Local" && b.CallerID != ""
	if own {
		caller = parseCallerID(b.CallerID)
	}
	timeout := q.int("timeout", 30)
	args := splitList(q.get("appArgs"))
	var ch, half *channel
	if tech == "Local" {
		lext, lctx, _ := strings.Cut(resource, "@")
		if lctx == "" {
			lctx = "default"
		}
		base := "Local/" + resource + "-" + s.nextNameLocked("Local")
		ch = s.newChannelLocked(id, base+";1", kindOriginated, caller,
			dialplanJSON{Context: lctx, Exten: lext, Priority: 1, AppName: "AppDial2", AppData: "(Outgoing Line)"})
		half = s.newChannelLocked(otherID, base+";2", kindLocalHalf, caller, dialplanJSON{Context: lctx, Exten: lext, Priority: 1})
		half.state = "Ring"
		ch.partner, half.partner = half, ch
		ch.dialstr = resource
	} else {
		dctx := "default"
		if b.Context != "" {
			dctx = b.Context
		}
		ch = s.newChannelLocked(id, tech+"/"+epName(resource)+"-"+s.nextNameLocked(tech), kindOriginated, caller,
			dialplanJSON{Context: dctx, Exten: "s", Priority: 1, AppName: "AppDial2", AppData: "(Outgoing Line)"})
		if own {
			ch.connected = CallerID{} // the endpoint's own caller id is not a connected line
		}
		if tech == "PJSIP" {
			ch.protocolID = s.callIDLocked()
		}
		ch.dialstr = resource
		ch.endpoint = epKey
		if e := s.endpoints[epKey]; e != nil {
			e.channels[ch.id] = ch
		}
	}
	ch.behaviour = b
	ch.ringing = true
	if app != "" {
		ch.subs[app] = true
		if half != nil {
			half.subs[app] = true
		}
	}
	s.recordOutboundLocked(ch, app, ep)
	for k, v := range q.objs["variables"] {
		if half == nil {
			s.setChannelVarLocked(ch, k, v)
			continue
		}
		// a Local channel: the variable (or CALLERID(...)) applies to the ;1 half, while
		// Asterisk reports ChannelVarset on the dialplan (;2) half, which also gets plain variables
		saved := ch.subs
		ch.subs = nil
		s.setChannelVarLocked(ch, k, v)
		ch.subs = saved
		if !strings.Contains(k, "(") {
			half.vars[k] = v
		}
		s.emitVarsetLocked(half, k, v)
	}
	if half != nil {
		half.connected = ch.caller // the ;2 half is connected to the ;1 half's caller id
	}
	resp := ch.json()
	if tech == "Local" && !known {
		// no such context: both halves go away at once with cause 0
		ch.addTimer(s.clk.AfterFunc(0, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if ch.gone {
				return
			}
			s.recordHangupLocked(ch, 0, "system")
			s.emitDestroyedLocked(half, 0)
			s.emitDestroyedLocked(ch, 0)
			s.removeChannelLocked(half)
			s.removeChannelLocked(ch)
		}))
		return okReply(http.StatusOK, resp)
	}
	ch.addTimer(s.clk.AfterFunc(0, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.startRingingLocked(ch, app, args, time.Duration(timeout)*time.Second)
	}))
	return okReply(http.StatusOK, resp)
}

// callIDLocked is a SIP Call-ID shaped as PJSIP makes them (a UUID), from
// the channel counter (the seeded generator is left alone).
func (s *Sim) callIDLocked() string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", s.seqCounter, s.seqCounter)
}

func epName(resource string) string {
	if _, after, ok := strings.Cut(resource, "@"); ok {
		return after
	}
	if before, _, ok := strings.Cut(resource, "/"); ok {
		return before
	}
	return resource
}

// startRingingLocked runs the far end of an originated leg: Dial "", Ringing, then answer,
// reject or ring on per the endpoint's behaviour, until the originate timeout.
func (s *Sim) startRingingLocked(ch *channel, app string, args []string, timeout time.Duration) {
	if ch.gone {
		return
	}
	b := ch.behaviour
	ch.ringApp, ch.ringArgs = app, args
	s.emitDialLocked(ch, "")
	s.setStateLocked(ch, "Ringing")
	s.emitDialLocked(ch, "RINGING")
	if timeout > 0 {
		ch.ringTimeout = s.clk.AfterFunc(timeout, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if ch.gone || !ch.ringing {
				return
			}
			s.recordHangupLocked(ch, 19, "system")
			s.hangupRingingLocked(ch, 19, false)
		})
		ch.addTimer(ch.ringTimeout)
	}
	if b.NoAnswer {
		return
	}
	delay := time.Duration(b.AnswerAfterMs) * time.Millisecond
	ch.addTimer(s.clk.AfterFunc(delay, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if ch.gone || !ch.ringing {
			return
		}
		if b.RejectCause > 0 {
			s.rejectLocked(ch, b.RejectCause)
			return
		}
		s.answerOriginatedLocked(ch, app, args)
	}))
}

// answerOriginatedLocked is the far end answering: state Up, Dial ANSWER, StasisStart.
func (s *Sim) answerOriginatedLocked(ch *channel, app string, args []string) {
	ch.ringing = false
	if ch.ringTimeout != nil {
		ch.ringTimeout.Stop()
	}
	if p := ch.partner; p != nil {
		s.setStateLocked(p, "Up")
	}
	s.setStateLocked(ch, "Up")
	s.emitDialLocked(ch, "ANSWER")
	s.recordAnswerLocked(ch)
	if app == "" {
		return
	}
	if ch.partner != nil {
		s.emitVarsetLocked(ch, "STASISSTATUS", "")
	}
	s.enterStasisLocked(ch, app, args)
}
