package arisim

import (
	"net/http"
	"strings"
	"time"
)

// localPropagation is how long a connected-line update takes to cross a Local channel.
const localPropagation = 15 * time.Millisecond

var bridgeTypes = map[string]string{
	"mixing": "mixing", "holding": "holding", "dtmf_events": "mixing", "proxy_media": "mixing",
	"video_sfu": "mixing", "video_single": "mixing", "sdp_label": "mixing",
}

// createBridgeLocked is POST /bridges and POST /bridges/{id}.
func (s *Sim) createBridgeLocked(q *req, id string) reply {
	btype := "mixing"
	if t := q.get("type"); t != "" {
		btype = ""
		for _, p := range splitList(t) {
			bt, ok := bridgeTypes[p]
			if !ok {
				return errReply(500, "Unable to create bridge. Possible duplicate bridge id '(null)'")
			}
			if btype == "" || bt == "holding" {
				btype = bt
			}
		}
	}
	if id == "" {
		id = q.get("bridgeId")
	}
	if id != "" {
		if b := s.bridges[id]; b != nil {
			return errReply(409, "Bridge with id '"+id+"' already exists")
		}
	} else {
		id = s.uuidLocked()
	}
	b := &bridge{id: id, name: q.get("name"), btype: btype, created: s.now(), subs: map[string]bool{}}
	s.bridges[id] = b
	return okReply(http.StatusOK, b.json())
}

// joinBridgeLocked adds ch to b (moving it out of another bridge first).
func (s *Sim) joinBridgeLocked(b *bridge, ch *channel) {
	if old := ch.bridge; old != nil {
		moved := old != b
		s.leaveBridgeLocked(ch, moved)
		if moved {
			// Asterisk drops the application's interest in a bridge a channel was moved out of:
			// deleting it later gives no BridgeDestroyed.
			for a := range ch.subs {
				delete(old.subs, a)
			}
		}
	}
	ch.bridge = b
	b.channels = append(b.channels, ch)
	for a := range ch.subs {
		b.subs[a] = true // Asterisk subscribes a channel's application to the bridge it joins
	}
	var others []*channel
	for _, o := range b.channels {
		if o != ch {
			others = append(others, o)
		}
	}
	s.emitBridgeChannelLocked("ChannelEnteredBridge", b, ch)
	if b.btype == "mixing" && len(b.channels) == 2 {
		// two parties: each sees the other as its connected line (after the Entered event)
		o := others[0]
		s.setConnectedLocked(o, ch.caller)
		s.setConnectedLocked(ch, o.caller)
	}
	s.recordBridgeEnterLocked(ch, b, others)
	if b.btype == "mixing" && len(others) > 0 {
		s.onBridgedWithOtherLocked(ch)
		for _, o := range others {
			s.onBridgedWithOtherLocked(o)
		}
	}
	if b.moh {
		s.onMOHLocked(ch)
	}
}

// setConnectedLocked updates ch's connected line with ChannelConnectedLine. The dialplan half
// of a Local channel takes it as its caller id a few milliseconds later (it crosses the Local
// channel's frame queue).
func (s *Sim) setConnectedLocked(ch *channel, id CallerID) {
	if ch.connected == id {
		return
	}
	ch.connected = id
	s.chanEventLocked(ch, s.newEvent("ChannelConnectedLine"))
	if p := ch.partner; p != nil && p.kind == kindLocalHalf {
		s.afterLocked(p, localPropagation, func() { p.caller = id })
	}
}

// leaveBridgeLocked takes ch out of its bridge with ChannelLeftBridge.
func (s *Sim) leaveBridgeLocked(ch *channel, moving bool) {
	b := ch.bridge
	if b == nil {
		return
	}
	b.remove(ch)
	ch.bridge = nil
	talked := ch.talkedHere
	ch.talkedHere = false
	if len(b.channels) == 0 {
		b.moh = false // the music stops with the last participant
	}
	s.emitBridgeChannelLocked("ChannelLeftBridge", b, ch)
	s.recordBridgeLeaveLocked(ch, b)
	if !moving {
		s.onLeftBridgeLocked(ch, talked)
	}
}

func (s *Sim) bridgeChannelsParam(q *req) ([]*channel, reply, bool) {
	ids := q.list("channel")
	if len(ids) == 0 {
		return nil, errReply(400, "Missing parameter channel"), false
	}
	var out []*channel
	for _, id := range ids {
		ch := s.channels[id]
		if ch == nil {
			return nil, errReply(400, "Channel not found"), false
		}
		out = append(out, ch)
	}
	return out, reply{}, true
}

func init() {
	handle("GET", "bridges", func(s *Sim, q *req) reply {
		out := []bridgeJSON{}
		for _, b := range s.bridges {
			out = append(out, b.json())
		}
		sortBridges(out)
		return okReply(200, out)
	})
	handle("POST", "bridges", func(s *Sim, q *req) reply { return s.createBridgeLocked(q, "") })
	handle("POST", "bridges/{id}", func(s *Sim, q *req) reply {
		if b := s.bridges[q.vars["id"]]; b != nil {
			if n := q.get("name"); n != "" {
				b.name = n
			}
			return okReply(200, b.json())
		}
		return s.createBridgeLocked(q, q.vars["id"])
	})
	handle("GET", "bridges/{id}", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		return okReply(200, b.json())
	}))
	handle("DELETE", "bridges/{id}", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		s.destroyBridgeLocked(b)
		return noContent
	}))
	handle("POST", "bridges/{id}/addChannel", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		chans, rep, ok := s.bridgeChannelsParam(q)
		if !ok {
			return rep
		}
		for _, ch := range chans {
			if ch.stasisApp == "" {
				return errReply(422, "Channel not in Stasis application")
			}
		}
		for _, ch := range chans {
			s.joinBridgeLocked(b, ch)
		}
		return noContent
	}))
	handle("POST", "bridges/{id}/removeChannel", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		chans, rep, ok := s.bridgeChannelsParam(q)
		if !ok {
			return rep
		}
		for _, ch := range chans {
			if ch.stasisApp == "" {
				return errReply(422, "Channel not in Stasis application")
			}
			if ch.bridge != b {
				return errReply(422, "Channel not in this bridge")
			}
		}
		for _, ch := range chans {
			s.leaveBridgeLocked(ch, false)
		}
		return noContent
	}))
	handle("POST", "bridges/{id}/moh", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		if !b.moh {
			b.moh = true
			for _, ch := range b.channels {
				s.onMOHLocked(ch)
			}
		}
		return noContent
	}))
	handle("DELETE", "bridges/{id}/moh", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		if !b.moh {
			return errReply(409, "Bridge isn't playing music")
		}
		b.moh = false
		return noContent
	}))
	handle("POST", "bridges/{id}/play", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		return s.playLocked(q, nil, b, "")
	}))
	handle("POST", "bridges/{id}/play/{playbackId}", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		return s.playLocked(q, nil, b, q.vars["playbackId"])
	}))
	handle("POST", "bridges/{id}/record", bridgeOp(func(s *Sim, q *req, b *bridge) reply {
		return s.recordLocked(q, nil, b)
	}))
}

// destroyBridgeLocked removes every channel (ChannelLeftBridge) and sends BridgeDestroyed.
func (s *Sim) destroyBridgeLocked(b *bridge) {
	for len(b.channels) > 0 {
		s.leaveBridgeLocked(b.channels[0], false)
	}
	s.stopTargetPlaybacksLocked(&b.plays, "done")
	b.gone = true
	delete(s.bridges, b.id)
	ev := s.newEvent("BridgeDestroyed")
	j := b.json()
	ev.Bridge = &j
	s.sendLocked(b.subs, ev)
}

func sortBridges(out []bridgeJSON) {
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && strings.Compare(out[j-1].Creationtime+out[j-1].ID, out[j].Creationtime+out[j].ID) > 0; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
}

// bridgeOp wraps a handler of /bridges/{id}/...: an unknown bridge is 404
// "Bridge not found".
func bridgeOp(f func(s *Sim, q *req, b *bridge) reply) func(s *Sim, q *req) reply {
	return func(s *Sim, q *req) reply {
		b := s.bridges[q.vars["id"]]
		if b == nil {
			return errReply(404, "Bridge not found")
		}
		return f(s, q, b)
	}
}
