package arisim

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// playbackLog returns (type, media_uri, state, time) of a playback's events.
func playbackLog(ws *wsClient, id string) []string {
	var out []string
	for _, e := range ws.snapshot() {
		if p, ok := e["playback"].(map[string]any); ok && p["id"] == id {
			out = append(out, e["type"].(string)+" "+p["media_uri"].(string)+" "+p["state"].(string))
		}
	}
	return out
}

func playbackSpan(t *testing.T, ws *wsClient, id string) time.Duration {
	t.Helper()
	var first, last string
	for _, e := range ws.snapshot() {
		if p, ok := e["playback"].(map[string]any); ok && p["id"] == id {
			if first == "" {
				first = e["timestamp"].(string)
			}
			last = e["timestamp"].(string)
		}
	}
	return tsDiff(t, first, last)
}

func answeredCall(t *testing.T, ts *testSim, ws *wsClient) string {
	t.Helper()
	id, err := ts.sim.Inbound(bg(), "hotline", "1", "2", nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.waitEvent("StasisStart", onChannel(id))
	ts.expect("POST", "channels/"+id+"/answer", nil, 204)
	return id
}

func TestMediaDurations(t *testing.T) {
	ts := newTestSim(t, Options{MissingSounds: []string{"gone"}})
	ws := ts.connect("hotline")
	id := answeredCall(t, ts, ws)
	cases := []struct {
		media string
		want  time.Duration
	}{
		{"digits:123", 3 * digitDuration},
		{"number:42", 2 * wordDuration},
		{"number:7", wordDuration},
		{"number:1234", 6 * wordDuration}, // one thousand two hundred thirty four
		{"characters:ab", 2 * charDuration},
		{"tone:ring;duration=500", 500 * time.Millisecond},
		{"sound:hello-world", 1400 * time.Millisecond},
		{"sound:gone", 0},
	}
	for i, c := range cases {
		pid := "p" + string(rune('a'+i))
		ts.expect("POST", "channels/"+id+"/play/"+pid+"?media="+strings.ReplaceAll(c.media, ";", "%3B"), nil, 201)
		ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == pid })
		if got := playbackSpan(t, ws, pid); got != c.want.Truncate(time.Millisecond) {
			t.Errorf("%s played %v, want %v", c.media, got, c.want)
		}
	}
	if got := playbackLog(ws, "ph"); !slices.Equal(got, []string{"PlaybackStarted sound:gone playing", "PlaybackFinished sound:gone failed"}) {
		t.Fatalf("missing sound %v", got)
	}
	// an unknown scheme starts and never finishes; GET is 404 and the channel plays on
	ts.expect("POST", "channels/"+id+"/play/bog?media=bogusscheme:x", nil, 201)
	ts.expect("GET", "playbacks/bog", nil, 404)
	ts.expect("POST", "channels/"+id+"/play/after?media=sound:beep", nil, 201)
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "after" })
	if got := playbackLog(ws, "bog"); !slices.Equal(got, []string{"PlaybackStarted bogusscheme:x playing"}) {
		t.Fatalf("bogus scheme %v", got)
	}
	ts.expect("POST", "channels/"+id+"/play", nil, 500)
	ts.expect("POST", "channels/"+id+"/play?media=", nil, 500)
}

func TestPlaybackLists(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id := answeredCall(t, ts, ws)
	// repeated media= plays only the last
	r := ts.expect("POST", "channels/"+id+"/play/rep?media=sound:beep&media=sound:vm-and", nil, 201).json(t)
	if r["media_uri"] != "sound:vm-and" || r["next_media_uri"] != nil {
		t.Fatalf("repeated media reply %v", r)
	}
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "rep" })
	// a JSON array plays them all, with Continuing between
	ts.expect("POST", "channels/"+id+"/play/list", map[string]any{"media": []string{"sound:beep", "digits:1"}}, 201)
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "list" })
	want := []string{"PlaybackStarted sound:beep playing", "PlaybackContinuing sound:beep continuing",
		"PlaybackStarted digits:1 playing", "PlaybackFinished digits:1 done"}
	if got := playbackLog(ws, "list"); !slices.Equal(got, want) {
		t.Fatalf("list %v", got)
	}
	// DELETE during a digits: item is ignored; during a sound: it stops the whole list
	hold := ts.clk.Hold()
	ts.expect("POST", "channels/"+id+"/play/say?media=digits:12,sound:beep", nil, 201)
	ts.expect("DELETE", "playbacks/say", nil, 204)
	hold()
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "say" })
	if got := playbackSpan(t, ws, "say"); got != 2*digitDuration+420*time.Millisecond {
		t.Fatalf("say list stopped early: %v", got)
	}
	hold = ts.clk.Hold()
	ts.expect("POST", "channels/"+id+"/play/snd?media=sound:hello-world,sound:beep", nil, 201)
	// a second playback queues behind the first
	q := ts.expect("POST", "channels/"+id+"/play/next?media=sound:beep", nil, 201).json(t)
	if q["state"] != "queued" {
		t.Fatalf("%v", q)
	}
	ts.expect("DELETE", "playbacks/snd", nil, 204)
	hold()
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "next" })
	if got := playbackLog(ws, "snd"); !slices.Equal(got, []string{"PlaybackStarted sound:hello-world playing", "PlaybackFinished sound:hello-world done"}) {
		t.Fatalf("stopped list %v", got)
	}
	ts.expect("GET", "playbacks/snd", nil, 404)
	ts.expect("DELETE", "playbacks/snd", nil, 404)
}

func TestPlaybackControl(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id := answeredCall(t, ts, ws)
	hold := ts.clk.Hold()
	ts.expect("POST", "channels/"+id+"/play/pc?media=sound:hello-world", nil, 201)
	if r := ts.expect("POST", "playbacks/pc/control?operation=bogus", nil, 400); string(r.body) != `{"message":"Invalid operation bogus"}` {
		t.Fatalf("%s", r.body)
	}
	ts.expect("POST", "playbacks/pc/control?operation=pause", nil, 204)
	ts.clk.AfterFunc(time.Second, func() {
		if r := ts.do("POST", "playbacks/pc/control", map[string]string{"operation": "unpause"}); r.status != 204 {
			t.Errorf("unpause %d %s", r.status, r.body)
		}
	})
	hold()
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "pc" })
	if got := playbackSpan(t, ws, "pc"); got != 2400*time.Millisecond {
		t.Fatalf("paused playback took %v, want 2.4s", got)
	}
	want := []string{"PlaybackStarted sound:hello-world playing", "PlaybackStarted sound:hello-world playing", "PlaybackFinished sound:hello-world done"}
	if got := playbackLog(ws, "pc"); !slices.Equal(got, want) {
		t.Fatalf("%v", got)
	}
	ts.expect("POST", "playbacks/none/control?operation=pause", nil, 404)
}

func TestSoundsDir(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "en"), 0o755))
	must(os.MkdirAll(filepath.Join(dir, "es"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "en", "welcome.wav"), wavFile(3*time.Second), 0o644))
	must(os.WriteFile(filepath.Join(dir, "en", "menu.sln16"), make([]byte, 16000), 0o644))
	must(os.WriteFile(filepath.Join(dir, "es", "menu.gsm"), make([]byte, 33*100), 0o644))
	ts := newTestSim(t, Options{SoundsDir: dir})
	ws := ts.connect("hotline")
	id := answeredCall(t, ts, ws)
	for _, c := range []struct {
		pid, q string
		want   time.Duration
	}{
		{"w", "media=sound:welcome", 3 * time.Second},
		{"m", "media=sound:menu", 500 * time.Millisecond},
		{"e", "media=sound:menu&lang=es", 2 * time.Second},
	} {
		ts.expect("POST", "channels/"+id+"/play/"+c.pid+"?"+c.q, nil, 201)
		ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == c.pid })
		if got := playbackSpan(t, ws, c.pid); got != c.want {
			t.Errorf("%s: %v, want %v", c.q, got, c.want)
		}
	}
	s := ts.expect("GET", "sounds/welcome", nil, 200)
	if string(s.body) != `{"formats":[{"language":"en","format":"wav"}],"id":"welcome"}` {
		t.Fatalf("%s", s.body)
	}
}

func TestSeedDeterminism(t *testing.T) {
	ids := func() []string {
		s := New(Options{Seed: 99})
		defer s.Close()
		s.mu.Lock()
		defer s.mu.Unlock()
		sc := CallerModel{Menu: []string{"1", "2"}, MenuGapMs: 1000, PatienceMeanMs: 60000, SurveyDigits: "1234"}.Script(s.rng)
		return []string{s.uuidLocked(), s.uuidLocked(), sc.Presses[1].Digits, time.Duration(sc.PatienceMs).String(), sc.AfterBridge[0].Digits}
	}
	a, b := ids(), ids()
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, different runs: %v %v", a, b)
	}
	if len(a[0]) != 36 || a[0][14] != '4' {
		t.Fatalf("not a v4 UUID: %s", a[0])
	}
}

func TestMediaParameterForms(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	id := answeredCall(t, ts, ws)
	// ari/v5's Play with several media sends one JSON string: one (missing) URI
	r := ts.expect("POST", "channels/"+id+"/play/one", map[string]string{"media": "sound:beep,sound:vm-and"}, 201).json(t)
	if r["media_uri"] != "sound:beep,sound:vm-and" {
		t.Fatalf("%v", r)
	}
	ws.waitEvent("PlaybackFinished", func(e map[string]any) bool { return e["playback"].(map[string]any)["id"] == "one" })
	if got := playbackLog(ws, "one"); !slices.Equal(got, []string{"PlaybackStarted sound:beep,sound:vm-and playing", "PlaybackFinished sound:beep,sound:vm-and failed"}) {
		t.Fatalf("%v", got)
	}
	// the comma-separated query form plays both
	r = ts.expect("POST", "channels/"+id+"/play/two?media=sound:beep,sound:vm-and", nil, 201).json(t)
	if r["media_uri"] != "sound:beep" || r["next_media_uri"] != "sound:vm-and" {
		t.Fatalf("%v", r)
	}
	ts.expect("POST", "channels/"+id+"/play/three", map[string]any{"media": []string{""}}, 500)
}

func TestHangupDuringPlayback(t *testing.T) {
	ts := newTestSim(t, Options{})
	ws := ts.connect("hotline")
	hold := ts.clk.Hold()
	defer hold()
	id := answeredCall(t, ts, ws)
	ts.expect("POST", "channels/"+id+"/play/long?media=sound:basic-pbx-ivr-main", nil, 201)
	ts.expect("POST", "channels/"+id+"/play/queued?media=sound:beep", nil, 201)
	if err := ts.sim.Hangup(bg(), id, 16); err != nil {
		t.Fatal(err)
	}
	ws.waitEvent("StasisEnd", onChannel(id))
	var seq []string
	for _, e := range ws.snapshot() {
		switch e["type"] {
		case "PlaybackFinished":
			p := e["playback"].(map[string]any)
			seq = append(seq, "PlaybackFinished "+p["id"].(string)+" "+p["state"].(string))
		case "ChannelHangupRequest", "StasisEnd":
			seq = append(seq, e["type"].(string))
		}
	}
	if want := []string{"ChannelHangupRequest", "PlaybackFinished long failed", "StasisEnd"}; !slices.Equal(seq, want) {
		t.Fatalf("%v, want %v", seq, want)
	}
	ts.expect("GET", "playbacks/queued", nil, 404)
}

// TestSoundNamedWithLanguagePath: sound:es/hotline/greeting finds
// <dir>/es/hotline/greeting.wav whatever the channel language, as Asterisk
// does, and takes its duration from the file.
func TestSoundNamedWithLanguagePath(t *testing.T) {
	m := newMediaTable("../asterisk-config/sounds", nil)
	si := m.sound("en", "es/hotline/greeting")
	if !si.exists {
		t.Fatal("es/hotline/greeting not found under ../asterisk-config/sounds")
	}
	if si.d < 500*time.Millisecond || si.d > 30*time.Second {
		t.Fatalf("duration %v: not read from the file", si.d)
	}
	est := m.sound("en", "es/hotline/no-such-prompt")
	if est.d == si.d {
		t.Fatalf("an unknown name got the file's duration %v", si.d)
	}
}
