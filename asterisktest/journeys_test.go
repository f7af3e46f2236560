package asterisktest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/internal/realasterisk"
)

// journeys are the scenarios of the simulator suite (ivr/*_test.go), each on
// its own department, queue, agents and DID (see config_test.go).
func journeys() []journey {
	return []journey{
		{
			// Spanish chosen during the greeting (the key stops the prompt), the
			// department's officer, an agent who answers after 2 s and hangs up after
			// 4 s, and the survey answered with 1.
			name: "answered_with_survey", did: did("j10"), from: "+13455550110",
			phones: map[string]phone{"a101": {answerAfter: 2 * time.Second, talk: 4 * time.Second}},
			login:  []string{"a101"},
			script: &arisim.Script{Presses: []arisim.Press{first("2", 500), press("2", 2500)},
				AfterBridge: []arisim.Press{{Digits: "1", AfterMs: 2500}}, HangupAfterBridgeMs: 20000},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispAnswered || rec.Agent != "a101" || rec.Survey != hotline.VeryHappy ||
					rec.Language != "es" || rec.Queue != "q10" || rec.HungUpBy != "agent" {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if got := eventTypes(w.events(t, p.id)); got != "ENTERQUEUE,CONNECT,COMPLETEAGENT" {
					t.Errorf("%s queue events %s", w.name, got)
				}
				rs := w.ratings(t, p.id)
				if len(rs) != 1 || rs[0].Rating != hotline.VeryHappy || rs[0].Agent != "a101" || rs[0].Queue != "q10" || rs[0].Source != hotline.SourcePhone {
					t.Errorf("%s ratings %+v", w.name, rs)
				}
				if w.real() {
					checkPromptStopped(t, p.real, "hotline/greeting", 2500*time.Millisecond)
					checkPlayed(t, p.real, "es/hotline/connecting") // while the officer's phone rings
				}
			},
		},
		{
			// A Spanish caller waits (no agent), hears the position announcement in
			// Spanish, and hangs up after about 13 s: an abandon.
			name: "abandon", did: did("j11"), from: "+13455550111",
			script: &arisim.Script{Presses: []arisim.Press{first("2", 500), press("2", 2500)}, MaxDurationMs: 17000},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				checkAbandon(t, w, p, rec, false)
				if w.real() {
					checkPlayed(t, p.real, "es/hotline/queue_entry") // not matched at once
					checkNumbersIn(t, p.real, "es")
				}
			},
		},
		{
			name: "short_abandon", did: did("j11"), from: "+13455550112",
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000)}, MaxDurationMs: 5000},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				checkAbandon(t, w, p, rec, true)
			},
		},
		{
			// a102 rings and never answers (ring timeout 6 s), a103's phone is
			// offline (not registered), a104 answers: two offers fail, both agents
			// are paused automatically, the caller keeps their place.
			name: "ring_no_answer_reoffer", did: did("j12"), from: "+13455550113",
			phones: map[string]phone{"a102": {never: true}, "a103": {offline: true}, "a104": {answerAfter: 1500 * time.Millisecond, talk: 3 * time.Second}},
			login:  []string{"a102", "a103", "a104"},
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000)},
				AfterBridge: []arisim.Press{{Digits: "3", AfterMs: 1000}}, HangupAfterBridgeMs: 20000},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispAnswered || rec.Agent != "a104" || rec.Survey != hotline.Unhappy {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if len(rec.Offers) != 3 || rec.Offers[0].Agent != "a102" || rec.Offers[0].Outcome != "no_answer" ||
					rec.Offers[1].Agent != "a103" || rec.Offers[1].Outcome != "failed" || rec.Offers[2].Outcome != "answered" {
					t.Errorf("%s offers %+v", w.name, rec.Offers)
				} else if abs(rec.Offers[0].Ring-6*time.Second) > 100*time.Millisecond {
					t.Errorf("%s ring of a102 %v, want the 6 s ring timeout", w.name, rec.Offers[0].Ring)
				}
				if got := eventTypes(w.events(t, p.id)); got != "ENTERQUEUE,RINGNOANSWER,PAUSE,RINGNOANSWER,PAUSE,CONNECT,COMPLETEAGENT" {
					t.Errorf("%s queue events %s", w.name, got)
				}
				for _, id := range []string{"a102", "a103"} {
					if st, reason := w.agentState(t, id); st != "paused" || reason != "auto" {
						t.Errorf("%s agent %s %s/%s, want paused/auto", w.name, id, st, reason)
					}
				}
				if w.real() {
					if inv := w.phone("a102").Invites(); len(inv) != 1 {
						t.Errorf("a102's phone got %d INVITEs", len(inv))
					}
				}
			},
		},
		{
			// The department is closed: hours, then 2 for a message, ended by #.
			name: "after_hours_message", did: did("j13"), from: "+13455550114", noWait: true,
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000), press("2", 5000), press("#", 8000)}},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				checkMessage(t, w, p, rec, "j13")
			},
		},
		{
			// While waiting the caller presses 2 at the callback offer and hangs up;
			// later an agent signs in: the controller calls the citizen back through
			// the provider trunk (a SIPp UAS on the real Asterisk) and bridges them.
			name: "callback", did: did("j14"), from: "+13455550115", noWait: true, limit: 2 * time.Minute,
			phones: map[string]phone{"a105": {answerAfter: time.Second, talk: 3 * time.Second}, "provider": {answerAfter: time.Second}},
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000), press("2", 17000)}},
			during: func(t *testing.T, ctx context.Context, w *world, p *placed) {
				rec := w.waitRecord(t, p.id, 90*time.Second)
				if rec.Disposition != hotline.DispCallback {
					t.Fatalf("%s record %s, want a callback request", w.name, summary(rec))
				}
				time.Sleep(time.Until(p.placedAt.Add(30 * time.Second)))
				w.agentAction(t, "a105", "login") // nothing else: signing in must offer the pending callback
			},
			extra: func(p *placed) string { return "cb-" + p.id },
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				cb := w.waitRecord(t, "cb-"+p.id, 60*time.Second)
				if cb.Disposition != hotline.DispAnswered || cb.Agent != "a105" || !cb.Callback {
					t.Errorf("%s callback record %s", w.name, summary(cb))
				}
				if evs := w.events(t, p.id); eventTypes(evs) != "ENTERQUEUE,CALLBACKREQUESTED,CONNECT,CALLBACKCOMPLETED,COMPLETEAGENT" {
					t.Errorf("%s queue events %+v", w.name, evs)
				}
				if w.real() {
					inv := w.phone("provider").Invites()
					if len(inv) != 1 || !strings.HasPrefix(inv[0], "sip:+13455550115@127.0.0.1") {
						t.Errorf("provider INVITEs %v", inv)
					}
				}
			},
		},
		{
			// A queue with a 20 s maximum wait: the caller is offered a callback or a
			// message and leaves a message.
			name: "max_wait_message", did: did("j15"), from: "+13455550116",
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000), press("2", 24000), press("#", 8000)}},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispMessage || rec.Recording == "" || rec.Queue != "q15" || !strings.Contains(strings.Join(rec.IVRPath, ","), "closed:message") {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if abs(rec.Wait-20*time.Second) > 100*time.Millisecond {
					t.Errorf("%s wait %v, want the 20 s maximum", w.name, rec.Wait)
				}
				if got := eventTypes(w.events(t, p.id)); got != "ENTERQUEUE,EXITWITHTIMEOUT" {
					t.Errorf("%s queue events %s", w.name, got)
				}
			},
		},
		{
			// A complaint reference typed in (ended by #): no such ticket, the caller is
			// told so and hears the department's menu again; saying nothing, they reach
			// the default queue's officer.
			name: "ticket_check", did: did("j16"), from: "+13455550117",
			// qinv's officer is a108 (also invalid_input's): signed in here, not
			// left to whichever journey runs first.
			phones: map[string]phone{"a108": {answerAfter: time.Second, talk: 3 * time.Second}},
			login:  []string{"a108"},
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("5", 2000), {Digits: "40213#", AfterMs: 1000, GapMs: 300}}},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispAnswered || rec.Queue != "qinv" {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if got := strings.Join(rec.IVRPath, ","); got != "did:j16,lang:en,dept:j16:5,ticket:40213,ticket_status:not_found,default,queue:qinv" {
					t.Errorf("%s path %s", w.name, got)
				}
			},
		},
		{
			// The information option of a department with services: each service's
			// name, its processing time (same day, or number:3 and "working days")
			// and the documents required, all from generated sound files; the caller
			// hangs up after hearing them.
			name: "info_inventory", did: did("j22"), from: "+13455550126", noWait: true,
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("1", 2000)}, MaxDurationMs: 40000},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if got := strings.Join(rec.IVRPath, ","); !strings.HasPrefix(got, "did:j22,lang:en,dept:j22:1") {
					t.Errorf("%s path %s", w.name, got)
				}
				if w.real() {
					checkPlayedInOrder(t, p.real, "sound:en/hotline/service_vehicle_licence", "sound:en/hotline/same_day",
						"sound:en/hotline/documents_required", "sound:en/hotline/doc_insurance_certificate",
						"sound:en/hotline/doc_inspection_certificate", "sound:en/hotline/service_driving_test",
						"sound:en/hotline/processing_time", "number:3", "sound:en/hotline/working_days",
						"sound:en/hotline/documents_required", "sound:en/hotline/doc_learner_s_permit")
				}
			},
		},
		{
			// Invalid keys at the main menu: repeated, then the default queue.
			name: "invalid_input", did: didMain, from: "+13455550118",
			phones: map[string]phone{"a108": {answerAfter: time.Second, talk: 3 * time.Second}},
			login:  []string{"a108"},
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("9", 2000), press("8", 3000), press("7", 3000)}},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispAnswered || rec.Queue != "qinv" || rec.Agent != "a108" {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if got := strings.Join(rec.IVRPath, ","); got != "lang:en,default,queue:qinv" {
					t.Errorf("%s path %s", w.name, got)
				}
				if w.real() {
					checkPlayed(t, p.real, "en/hotline/invalid")
				}
			},
		},
		{
			// The only agent is paused while the caller waits; made available 6 s
			// after the call, they are offered the caller at once (the next
			// announcement is 60 s away).
			name: "agent_made_available", did: did("j17"), from: "+13455550119",
			phones: map[string]phone{"a107": {answerAfter: time.Second, talk: 2 * time.Second}},
			login:  []string{"a107"}, pause: []string{"a107"},
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 2000)}},
			during: func(t *testing.T, ctx context.Context, w *world, p *placed) {
				time.Sleep(time.Until(p.placedAt.Add(6 * time.Second)))
				w.agentAction(t, "a107", "available")
			},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispAnswered || rec.Agent != "a107" {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if rec.Wait > 30*time.Second {
					t.Errorf("%s waited %v: the agent made available was not offered the caller before the announcement", w.name, rec.Wait)
				}
			},
		},
		{
			// The caller chooses to leave a message but Asterisk cannot write it: on
			// the real Asterisk a directory stands where the recording's file would
			// go (the tests run as root, so permissions would not stop Asterisk); on
			// the simulator that recording fails. The caller is told of the
			// technical problem, asked to hold, and an officer answers.
			name: "failed_recording", did: did("j21"), from: "+13455550121",
			phones: map[string]phone{"a113": {answerAfter: time.Second, talk: 3 * time.Second}},
			login:  []string{"a113"},
			script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("7", 2000)}},
			during: func(t *testing.T, ctx context.Context, w *world, p *placed) {
				name := recordingName(p.id)
				if !w.real() {
					w.sim.FailRecording(name, "cannot write")
					return
				}
				link := unwritableRecording(t, w.ast.RunDir, name)
				// Gone once Asterisk has failed to write it: while a broken entry is in
				// the spool, Asterisk answers 404 for the stored recordings after it in
				// the directory (the other journeys' messages among them: seen here, 7
				// of 20) and 500 for the list.
				checkFor(t, 60*time.Second, "Asterisk failing to write "+name, func() bool {
					log, _ := os.ReadFile(w.ast.ConsoleLog)
					return strings.Contains(string(log), "Error creating writestream '"+recordingPath(w.ast.RunDir, name)+"'")
				})
				os.Remove(link)
			},
			check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
				if rec.Disposition != hotline.DispAnswered || rec.Agent != "a113" || rec.Queue != "q21" || rec.Recording != "" {
					t.Errorf("%s record %s", w.name, summary(rec))
				}
				if got := strings.Join(rec.IVRPath, ","); got != "did:j21,lang:en,dept:j21:7,message_failed,queue:q21" {
					t.Errorf("%s path %s", w.name, got)
				}
				if ms := w.messages(t, p.id); len(ms) != 0 {
					t.Errorf("%s messages %+v", w.name, ms)
				}
				if got := eventTypes(w.events(t, p.id)); got != "ENTERQUEUE,CONNECT,COMPLETEAGENT" {
					t.Errorf("%s queue events %s", w.name, got)
				}
				if w.real() {
					checkPlayed(t, p.real, "en/hotline/leave_message", "en/hotline/system_error")
					// Asterisk really failed to write it (it then says RecordingFinished
					// "done" with nothing stored: trace record_unwritable).
					if log, _ := os.ReadFile(w.ast.ConsoleLog); !strings.Contains(string(log), "Error creating writestream '"+
						recordingPath(w.ast.RunDir, recordingName(p.id))+"'") {
						t.Errorf("Asterisk's log says nothing of failing to write %s", recordingName(p.id))
					}
				}
			},
		},
	}
}

// recordingName is the name the controller gives the message of call id
// (ivr's leaveMessage).
func recordingName(id string) string {
	return "msg-" + strings.NewReplacer(".", "_", "/", "_", ":", "_").Replace(id)
}

func (w *world) phone(id string) *realasterisk.SIPPhone {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.phones[id]
}

func checkAbandon(t *testing.T, w *world, p *placed, rec hotline.CallRecord, short bool) {
	t.Helper()
	if rec.Disposition != hotline.DispAbandoned || rec.HungUpBy != "caller" || !rec.Answered.IsZero() || rec.Queue != "q11" {
		t.Errorf("%s record %s", w.name, summary(rec))
	}
	evs := w.events(t, p.id)
	if eventTypes(evs) != "ENTERQUEUE,ABANDON" {
		t.Errorf("%s queue events %s", w.name, eventTypes(evs))
		return
	}
	if got := evs[1].Data == "short"; got != short {
		t.Errorf("%s abandon data %q, short %v (wait %v)", w.name, evs[1].Data, short, rec.Wait)
	}
}

// checkMessage: a message recorded by Asterisk (a file in its spool) and stored.
func checkMessage(t *testing.T, w *world, p *placed, rec hotline.CallRecord, dept string) {
	t.Helper()
	if rec.Disposition != hotline.DispMessage || rec.Recording == "" || rec.Department != dept {
		t.Errorf("%s record %s recording %q", w.name, summary(rec), rec.Recording)
		return
	}
	ms := w.messages(t, p.id)
	if len(ms) != 1 || ms[0].Recording != rec.Recording || ms[0].Department != dept || ms[0].Language != "en" {
		t.Errorf("%s messages %+v", w.name, ms)
		return
	}
	if w.real() {
		// Seconds between the beep and the # (the caller's channel sends no audio
		// but one prompt): stored in milliseconds, not whole seconds (0 for silence).
		if ms[0].Duration <= 0 || ms[0].Duration%time.Second == 0 {
			t.Errorf("message duration %v: want the measured length in milliseconds", ms[0].Duration)
		}
		f := recordingPath(w.ast.RunDir, rec.Recording) + ".wav"
		if _, err := os.Stat(f); err != nil {
			t.Errorf("recording in Asterisk's spool: %v", err)
		}
	}
}

// checkPromptStopped: the prompt was stopped by a key before its end.
func checkPromptStopped(t *testing.T, c *realasterisk.Call, media string, length time.Duration) {
	t.Helper()
	var started time.Time
	var id string
	for _, e := range c.Events() {
		if e.Type == "PlaybackStarted" && e.ChannelID() == c.HotlineChannel && strings.Contains(e.Playback.MediaURI, media) && id == "" {
			started, id = e.At, e.Playback.ID
		}
		if e.Type == "PlaybackFinished" && id != "" && e.Playback.ID == id {
			if d := e.At.Sub(started); d >= length {
				t.Errorf("%s played %v: not stopped by the key", media, d)
			}
			return
		}
	}
	t.Errorf("no playback of %s that finished", media)
}

// checkPlayed: each media was played to the caller.
func checkPlayed(t *testing.T, c *realasterisk.Call, media ...string) {
	t.Helper()
	for _, m := range media {
		found := false
		for _, e := range c.Playbacks() {
			if strings.Contains(e.Playback.MediaURI, m) {
				found = true
			}
		}
		if !found {
			var got []string
			for _, e := range c.Playbacks() {
				got = append(got, e.Playback.MediaURI)
			}
			t.Errorf("%s never played; played: %v", m, got)
		}
	}
}

// checkPlayedInOrder: the media were played one after another (one
// playback's items, in order), each sound a file of asterisk-config/sounds.
func checkPlayedInOrder(t *testing.T, c *realasterisk.Call, media ...string) {
	t.Helper()
	var got []string
	for _, e := range c.Playbacks() {
		// An item can show in two events (PlaybackStarted, PlaybackContinuing): once here.
		if u := e.Playback.MediaURI; len(got) == 0 || got[len(got)-1] != u {
			got = append(got, u)
		}
	}
	joined, want := "\x00"+strings.Join(got, "\x00")+"\x00", "\x00"+strings.Join(media, "\x00")+"\x00"
	if !strings.Contains(joined, want) {
		t.Errorf("never played in a row %v; played: %v", media, got)
	}
	for _, m := range media {
		if rest, ok := strings.CutPrefix(m, "sound:"); ok {
			if _, err := os.Stat(filepath.Join(realasterisk.RepoRoot(), "asterisk-config", "sounds", rest+".wav")); err != nil {
				t.Errorf("%s: %v", m, err)
			}
		}
	}
}

// checkNumbersIn: numbers were spoken, in the caller's language.
func checkNumbersIn(t *testing.T, c *realasterisk.Call, lang string) {
	t.Helper()
	n := 0
	for _, e := range c.Playbacks() {
		if strings.HasPrefix(e.Playback.MediaURI, "number:") || strings.HasPrefix(e.Playback.MediaURI, "digits:") {
			n++
			if e.Playback.Language != lang {
				t.Errorf("%s played in language %q, want %q", e.Playback.MediaURI, e.Playback.Language, lang)
			}
		}
	}
	if n == 0 {
		t.Errorf("no number was announced")
	}
}
