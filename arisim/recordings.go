package arisim

import (
	"encoding/binary"
	"net/http"
	"strings"
	"time"

	"github.com/publicservice/hotline/clock"
)

// liveRecording is a recording in progress on a channel or bridge.
type liveRecording struct {
	name, format string
	target       string
	ch           *channel
	br           *bridge
	state        string
	terminateOn  string
	started      time.Time
	timer        clock.Timer
	paused       bool
	pausedAt     time.Time
	pausedFor    time.Duration
	subs         map[string]bool
	unwritable   bool // its file could not be created: it ends with nothing stored
}

func (r *liveRecording) json() recordingJSON {
	return recordingJSON{Name: r.name, Format: r.format, State: r.state, TargetURI: r.target}
}

func (r *liveRecording) terminates(digit string) bool {
	switch r.terminateOn {
	case "", "none":
		return false
	case "any":
		return true
	}
	return strings.Contains(r.terminateOn, digit)
}

// storedRecording is a finished recording.
type storedRecording struct {
	name, format string
	duration     time.Duration
}

var recordingFormats = map[string]bool{"wav": true, "gsm": true, "ulaw": true, "alaw": true, "sln": true, "sln16": true, "g722": true, "wav16": true}

// recordLocked is POST /channels/{id}/record and POST /bridges/{id}/record.
func (s *Sim) recordLocked(q *req, ch *channel, br *bridge) reply {
	name, format := q.get("name"), q.get("format")
	if name == "" {
		return errReply(400, "Recording name is required")
	}
	if format == "" {
		return errReply(400, "Recording format is required")
	}
	if !recordingFormats[format] {
		return errReply(422, "Format not supported by this channel")
	}
	ifExists := q.get("ifExists")
	switch ifExists {
	case "", "fail", "overwrite", "append":
	default:
		return errReply(400, "ifExists invalid")
	}
	switch t := q.get("terminateOn"); t {
	case "", "none", "any", "*", "#":
	default:
		return errReply(400, "terminateOn invalid")
	}
	if s.liveRecs[name] != nil || (s.stored[name] != nil && (ifExists == "" || ifExists == "fail")) {
		return errReply(409, "Recording '"+name+"' already exists and can not be overwritten")
	}
	r := &liveRecording{name: name, format: format, ch: ch, br: br, state: "queued",
		terminateOn: q.get("terminateOn"), started: s.now()}
	if ch != nil {
		if ch.rec != nil {
			return errReply(409, "Channel is already being recorded")
		}
		r.target, r.subs = "channel:"+ch.id, ch.subs
		ch.rec = r
	} else {
		r.target, r.subs = "bridge:"+br.id, br.subs
	}
	resp := r.json()
	s.liveRecs[name] = r
	r.state = "recording"
	s.emitRecordingLocked(r, "RecordingStarted")
	if s.failNamed[name] != "" || s.failRecs != "" {
		// Asterisk 22 cannot create the file (app.c "Error creating writestream"):
		// RecordingStarted, then, once the beep has played, RecordingFinished
		// "done" with duration 0, and nothing stored (GET /recordings/stored
		// answers 404). There is no RecordingFailed (trace record_unwritable).
		r.unwritable = true
		d := time.Duration(0)
		if q.get("beep") == "true" {
			d = defaultSounds["beep"]
		}
		r.timer = s.clk.AfterFunc(d, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.liveRecs[name] == r {
				s.unwritableLocked(r)
			}
		})
		return okReply(http.StatusCreated, resp)
	}
	if maxD := q.int("maxDurationSeconds", 0); maxD > 0 {
		r.timer = s.clk.AfterFunc(time.Duration(maxD)*time.Second, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.liveRecs[name] == r {
				s.finishRecordingLocked(r, "done")
			}
		})
	}
	return okReply(http.StatusCreated, resp)
}

func (s *Sim) emitRecordingLocked(r *liveRecording, typ string) {
	ev := s.newEvent(typ)
	j := r.json()
	if typ == "RecordingFinished" {
		j.Duration = ptr(int(s.recordedLocked(r) / time.Second))
	}
	ev.Recording = &j
	s.sendLocked(r.subs, ev)
}

func (s *Sim) recordedLocked(r *liveRecording) time.Duration {
	d := s.now().Sub(r.started) - r.pausedFor
	if r.paused {
		d -= s.now().Sub(r.pausedAt)
	}
	return max(d, 0)
}

// finishRecordingLocked ends a live recording (done: stored; canceled: discarded).
func (s *Sim) finishRecordingLocked(r *liveRecording, state string) {
	if s.liveRecs[r.name] != r {
		return
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.unwritable {
		s.unwritableLocked(r)
		return
	}
	d := s.recordedLocked(r)
	delete(s.liveRecs, r.name)
	if r.ch != nil && r.ch.rec == r {
		r.ch.rec = nil
	}
	r.state = state
	if state == "done" {
		s.stored[r.name] = &storedRecording{name: r.name, format: r.format, duration: d}
		if r.ch != nil && r.ch.call != nil {
			r.ch.call.Recorded = append(r.ch.call.Recorded, r.name)
		}
	}
	s.emitRecordingLocked(r, "RecordingFinished")
}

// wavFile returns a WAV file (8 kHz, 16-bit mono) of silence lasting d.
func wavFile(d time.Duration) []byte {
	n := int(d / time.Second * 16000)
	b := make([]byte, 44+n)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(n))
	return b
}

func init() {
	live := func(f func(s *Sim, r *liveRecording) reply) handlerFunc {
		return func(s *Sim, q *req) reply {
			r := s.liveRecs[q.vars["name"]]
			if r == nil {
				return errReply(404, "Recording not found")
			}
			return f(s, r)
		}
	}
	handle("GET", "recordings/live/{name}", live(func(s *Sim, r *liveRecording) reply { return okReply(200, r.json()) }))
	handle("POST", "recordings/live/{name}/stop", live(func(s *Sim, r *liveRecording) reply {
		s.finishRecordingLocked(r, "done")
		return noContent
	}))
	handle("DELETE", "recordings/live/{name}", live(func(s *Sim, r *liveRecording) reply {
		s.finishRecordingLocked(r, "canceled")
		return noContent
	}))
	handle("POST", "recordings/live/{name}/pause", live(func(s *Sim, r *liveRecording) reply {
		if !r.paused {
			r.paused, r.pausedAt, r.state = true, s.now(), "paused"
		}
		return noContent
	}))
	handle("DELETE", "recordings/live/{name}/pause", live(func(s *Sim, r *liveRecording) reply {
		if r.paused {
			r.paused, r.state = false, "recording"
			r.pausedFor += s.now().Sub(r.pausedAt)
		}
		return noContent
	}))
	handle("POST", "recordings/live/{name}/mute", live(func(s *Sim, r *liveRecording) reply { return noContent }))
	handle("DELETE", "recordings/live/{name}/mute", live(func(s *Sim, r *liveRecording) reply { return noContent }))
	handle("GET", "recordings/stored", func(s *Sim, q *req) reply {
		out := []map[string]string{}
		for _, r := range s.stored {
			out = append(out, map[string]string{"name": r.name, "format": r.format})
		}
		sortByName(out)
		return okReply(200, out)
	})
	stored := func(f func(s *Sim, r *storedRecording) reply) handlerFunc {
		return func(s *Sim, q *req) reply {
			r := s.stored[q.vars["name"]]
			if r == nil {
				return errReply(404, "Recording not found")
			}
			return f(s, r)
		}
	}
	handle("GET", "recordings/stored/{name}", stored(func(s *Sim, r *storedRecording) reply {
		return okReply(200, map[string]string{"name": r.name, "format": r.format})
	}))
	handle("DELETE", "recordings/stored/{name}", stored(func(s *Sim, r *storedRecording) reply {
		delete(s.stored, r.name)
		return noContent
	}))
	handle("GET", "recordings/stored/{name}/file", stored(func(s *Sim, r *storedRecording) reply {
		return reply{status: 200, raw: wavFile(r.duration), contentType: "audio/wav"}
	}))
	handle("POST", "recordings/stored/{name}/copy", func(s *Sim, q *req) reply {
		r := s.stored[q.vars["name"]]
		if r == nil {
			return errReply(404, "Recording not found")
		}
		dst := q.get("destinationRecordingName")
		if dst == "" {
			return errReply(400, "Missing parameter destinationRecordingName")
		}
		if s.stored[dst] != nil {
			return errReply(409, "A recording with the same name already exists on the system")
		}
		cp := *r
		cp.name = dst
		s.stored[dst] = &cp
		return okReply(200, map[string]string{"name": dst, "format": r.format})
	})
}

func sortByName(out []map[string]string) {
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j-1]["name"] > out[j]["name"]; j-- {
			out[j-1], out[j] = out[j], out[j-1]
		}
	}
}

// FailRecordings makes every recording started from now on fail as on
// Asterisk when it cannot write the file (see FailRecording); cause "" ends
// that (Asterisk gives no cause; any other value switches it on).
func (s *Sim) FailRecordings(cause string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRecs = cause
}

// FailRecording makes the recording called name fail as on Asterisk 22 when
// it cannot create the file (a directory, or a link into a path whose parent
// is a file, in the way of <name>.<format>): RecordingStarted, then once the
// beep has played RecordingFinished with state "done" and duration 0, and
// nothing stored. cause "" ends that.
func (s *Sim) FailRecording(name, cause string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failNamed == nil {
		s.failNamed = map[string]string{}
	}
	if cause == "" {
		delete(s.failNamed, name)
		return
	}
	s.failNamed[name] = cause
}

// unwritableLocked ends a live recording whose file could not be created:
// RecordingFinished "done", duration 0, nothing stored.
func (s *Sim) unwritableLocked(r *liveRecording) {
	if r.timer != nil {
		r.timer.Stop()
	}
	delete(s.liveRecs, r.name)
	if r.ch != nil && r.ch.rec == r {
		r.ch.rec = nil
	}
	r.state = "done"
	ev := s.newEvent("RecordingFinished")
	j := r.json()
	j.Duration = ptr(0)
	ev.Recording = &j
	s.sendLocked(r.subs, ev)
}
