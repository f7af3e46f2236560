package arisim

import (
	"net/http"
	"time"

	"github.com/publicservice/hotline/clock"
)

// playback is one /play request: a list of media played in order on a channel or bridge.
type playback struct {
	id        string
	items     []mediaItem
	idx       int
	target    string
	ch        *channel
	br        *bridge
	lang      string
	state     string // queued, playing, done, failed
	timer     clock.Timer
	itemEnd   time.Time
	paused    bool
	remaining time.Duration
	skip      time.Duration
	finished  bool
}

func (pb *playback) json() playbackJSON {
	j := playbackJSON{ID: pb.id, MediaURI: pb.items[pb.idx].uri, TargetURI: pb.target, Language: pb.lang, State: pb.state}
	if pb.idx+1 < len(pb.items) {
		j.NextMediaURI = pb.items[pb.idx+1].uri
	}
	return j
}

func (s *Sim) pbSubs(pb *playback) map[string]bool {
	if pb.ch != nil {
		return pb.ch.subs
	}
	return pb.br.subs
}

func (s *Sim) emitPlaybackLocked(pb *playback, typ string) {
	ev := s.newEvent(typ)
	j := pb.json()
	ev.Playback = &j
	s.sendLocked(s.pbSubs(pb), ev)
}

func (pb *playback) queue() *[]*playback {
	if pb.ch != nil {
		return &pb.ch.plays
	}
	return &pb.br.plays
}

// mediaList reads the media parameter: a comma-separated query value (of repeated media=
// parameters Asterisk plays only the last) or a JSON array; a JSON string is one URI, so
// {"media":"sound:a,sound:b"} (what ari/v5 sends for several media) plays as one missing file.
func mediaList(q *req) []string {
	return q.list("media")
}

// playLocked queues a playback on a channel or bridge and returns the 201 reply.
func (s *Sim) playLocked(q *req, ch *channel, br *bridge, id string) reply {
	uris := mediaList(q)
	if len(uris) == 0 {
		return errReply(500, "Failed to queue media for playback")
	}
	if id == "" {
		id = q.get("playbackId")
	}
	if id == "" {
		id = s.uuidLocked()
	}
	lang := q.get("lang")
	if lang == "" && ch != nil {
		lang = ch.lang // Asterisk plays in the channel's language (CHANNEL(language))
	}
	if lang == "" {
		lang = "en"
	}
	pb := &playback{id: id, lang: lang, state: "queued", ch: ch, br: br,
		skip: time.Duration(q.int("skipms", 3000)) * time.Millisecond}
	if ch != nil {
		pb.target = "channel:" + ch.id
	} else {
		pb.target = "bridge:" + br.id
	}
	for _, u := range uris {
		pb.items = append(pb.items, s.resolveLocked(u, lang))
	}
	resp := pb.json()
	s.playbacks[id] = append(s.playbacks[id], pb)
	qp := pb.queue()
	*qp = append(*qp, pb)
	if len(*qp) == 1 {
		s.startPlaybackLocked(pb)
	}
	return okReply(http.StatusCreated, resp)
}

func (s *Sim) startPlaybackLocked(pb *playback) {
	if b := pb.br; b != nil && b.btype == "mixing" && len(b.channels) == 1 {
		// the announcer playing into the bridge is the lone channel's other party
		s.setConnectedLocked(b.channels[0], CallerID{})
	}
	pb.state = "playing"
	s.emitPlaybackLocked(pb, "PlaybackStarted")
	s.startItemLocked(pb)
}

func (s *Sim) startItemLocked(pb *playback) {
	it := pb.items[pb.idx]
	if pb.ch != nil && pb.ch.call != nil {
		pb.ch.call.Heard = append(pb.ch.call.Heard, pb.lang+":"+it.uri)
	}
	switch it.kind {
	case mediaOK:
		s.scheduleItemLocked(pb, it.d)
	case mediaFailed:
		if pb.idx+1 < len(pb.items) {
			s.itemDoneLocked(pb)
		} else {
			s.finishPlaybackLocked(pb, "failed")
		}
	case mediaForever:
		// plays until stopped
	case mediaVanish:
		// Asterisk forgets it at once: no further event, GET is 404, the queue moves on
		s.dropPlaybackLocked(pb)
	}
}

func (s *Sim) scheduleItemLocked(pb *playback, d time.Duration) {
	pb.itemEnd = s.now().Add(d)
	idx := pb.idx
	pb.timer = s.clk.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if pb.finished || pb.paused || pb.idx != idx {
			return
		}
		s.itemDoneLocked(pb)
	})
}

func (s *Sim) itemDoneLocked(pb *playback) {
	if pb.idx+1 < len(pb.items) {
		pb.state = "continuing"
		s.emitPlaybackLocked(pb, "PlaybackContinuing")
		pb.idx++
		pb.state = "playing"
		s.emitPlaybackLocked(pb, "PlaybackStarted")
		s.startItemLocked(pb)
		return
	}
	s.finishPlaybackLocked(pb, "done")
}

// finishPlaybackLocked ends pb with PlaybackFinished and starts the next queued playback.
func (s *Sim) finishPlaybackLocked(pb *playback, state string) {
	if pb.finished {
		return
	}
	pb.state = state
	s.emitPlaybackLocked(pb, "PlaybackFinished")
	s.dropPlaybackLocked(pb)
}

// dropPlaybackLocked forgets pb without an event and starts the next queued playback.
func (s *Sim) dropPlaybackLocked(pb *playback) {
	pb.finished = true
	if pb.timer != nil {
		pb.timer.Stop()
	}
	list := s.playbacks[pb.id]
	for i, x := range list {
		if x == pb {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(s.playbacks, pb.id)
	} else {
		s.playbacks[pb.id] = list
	}
	qp := pb.queue()
	wasHead := len(*qp) > 0 && (*qp)[0] == pb
	for i, x := range *qp {
		if x == pb {
			*qp = append((*qp)[:i:i], (*qp)[i+1:]...)
			break
		}
	}
	if wasHead && len(*qp) > 0 {
		s.startPlaybackLocked((*qp)[0])
	}
}

// stopTargetPlaybacksLocked ends what plays on a hung-up channel or destroyed bridge: the
// playing one with PlaybackFinished in the given state (Asterisk reports "failed" when the
// channel hangs up mid-file), queued ones silently.
func (s *Sim) stopTargetPlaybacksLocked(qp *[]*playback, state string) {
	list := append([]*playback(nil), (*qp)...)
	*qp = nil
	for i, pb := range list {
		if i == 0 && pb.state != "queued" {
			pb.state = state
			s.emitPlaybackLocked(pb, "PlaybackFinished")
		}
		pb.finished = true
		if pb.timer != nil {
			pb.timer.Stop()
		}
		l := s.playbacks[pb.id]
		for j, x := range l {
			if x == pb {
				l = append(l[:j:j], l[j+1:]...)
				break
			}
		}
		if len(l) == 0 {
			delete(s.playbacks, pb.id)
		} else {
			s.playbacks[pb.id] = l
		}
	}
}

func (s *Sim) findPlaybackLocked(id string) *playback {
	if l := s.playbacks[id]; len(l) > 0 {
		return l[0]
	}
	return nil
}

func init() {
	handle("GET", "playbacks/{id}", func(s *Sim, q *req) reply {
		pb := s.findPlaybackLocked(q.vars["id"])
		if pb == nil {
			return errReply(404, "Playback not found")
		}
		return okReply(200, pb.json())
	})
	handle("DELETE", "playbacks/{id}", func(s *Sim, q *req) reply {
		pb := s.findPlaybackLocked(q.vars["id"])
		if pb == nil {
			return errReply(404, "Playback not found")
		}
		switch {
		case pb.state == "queued":
			s.dropPlaybackLocked(pb)
		case pb.items[pb.idx].say:
			// Asterisk answers 204 but cannot interrupt a say (digits:, number:, characters:)
		default:
			s.finishPlaybackLocked(pb, "done")
		}
		return noContent
	})
	handle("POST", "playbacks/{id}/control", func(s *Sim, q *req) reply {
		op := q.get("operation")
		pb := s.findPlaybackLocked(q.vars["id"])
		switch op {
		case "restart", "pause", "unpause", "reverse", "forward":
		case "":
			return errReply(400, "Missing parameter operation")
		default:
			if pb == nil {
				return errReply(404, "Playback not found")
			}
			return errReply(400, "Invalid operation "+op)
		}
		if pb == nil {
			return errReply(404, "Playback not found")
		}
		if pb.state == "queued" {
			return errReply(409, "Playback not playing")
		}
		s.controlPlaybackLocked(pb, op)
		return noContent
	})
}

func (s *Sim) controlPlaybackLocked(pb *playback, op string) {
	it := pb.items[pb.idx]
	timed := it.kind == mediaOK
	switch op {
	case "pause":
		if pb.paused {
			return
		}
		pb.paused = true
		if timed && pb.timer != nil {
			pb.timer.Stop()
			pb.remaining = pb.itemEnd.Sub(s.now())
		}
	case "unpause":
		if !pb.paused {
			return
		}
		pb.paused = false
		if timed {
			s.scheduleItemLocked(pb, max(pb.remaining, 0))
		}
		s.emitPlaybackLocked(pb, "PlaybackStarted")
	case "restart":
		if timed && !pb.paused {
			pb.timer.Stop()
			s.scheduleItemLocked(pb, it.d)
		} else if timed {
			pb.remaining = it.d
		}
	case "forward", "reverse":
		if !timed {
			return
		}
		left := pb.remaining
		if !pb.paused {
			left = pb.itemEnd.Sub(s.now())
		}
		if op == "forward" {
			left -= pb.skip
		} else {
			left = min(left+pb.skip, it.d)
		}
		left = max(left, 0)
		if pb.paused {
			pb.remaining = left
		} else {
			pb.timer.Stop()
			s.scheduleItemLocked(pb, left)
		}
	}
}
