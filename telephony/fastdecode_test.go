package telephony

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/CyCoreSystems/ari/v5"
)

// TestFastDecodeMatchesLibrary: on every event frame of every recorded
// trace (the shared ones and the project's own), the one-pass decoder gives
// exactly what ari.DecodeEvent + convert give, or leaves the frame to them.
func TestFastDecodeMatchesLibrary(t *testing.T) {
	var files []string
	own, err := filepath.Abs(filepath.Join("..", "arisim", "testdata", "traces"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{tracesDir, own} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no traces found")
	}
	fast, total := 0, 0
	seen := map[string]bool{}
	for _, path := range files {
		rel, err := filepath.Rel(tracesDir, path)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range traceFrames(t, rel) {
			total++
			want, werr := ari.DecodeEvent([]byte(f))
			got, ok := fastDecode([]byte(f))
			if !ok {
				continue
			}
			fast++
			if werr != nil {
				t.Errorf("%s: fast path decoded a frame the library refuses (%v): %.200s", path, werr, f)
				continue
			}
			w := convert(want)
			seen[w.ARIType] = true
			// ari/v5 v5.3.1's ChannelData.UnmarshalJSON drops "language";
			// the fast path keeps it.
			if lang := frameLanguage(t, f); got.Channel.Language != lang {
				t.Errorf("%s %s: language %q, the frame says %q", path, w.ARIType, got.Channel.Language, lang)
			}
			got.Channel.Language = ""
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s %s:\n fast    %+v\n library %+v", path, w.ARIType, got, w)
			}
		}
	}
	for typ := range fastTypes {
		if !seen[typ] {
			t.Logf("no recorded %s frame to compare", typ)
		}
	}
	t.Logf("%d of %d recorded frames took the fast path, all equal", fast, total)
	if fast == 0 {
		t.Fatal("the fast path decoded nothing")
	}
	// Refused by both: a malformed timestamp.
	bad := `{"type":"StasisEnd","timestamp":"yesterday","channel":{"id":"x"}}`
	if _, ok := fastDecode([]byte(bad)); ok {
		t.Error("fast path took a frame with a malformed timestamp")
	}
}

// frameLanguage is the language of the event's channel (Dial: the peer).
func frameLanguage(t *testing.T, frame string) string {
	t.Helper()
	var f struct {
		Type    string
		Channel *struct{ Language string }
		Peer    *struct{ Language string }
	}
	if err := json.Unmarshal([]byte(frame), &f); err != nil {
		t.Fatal(err)
	}
	ch := f.Channel
	if f.Type == "Dial" {
		ch = f.Peer
	}
	if ch == nil {
		return ""
	}
	return ch.Language
}
