package telephony

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
)

// allTraceFrames returns every event frame of the shared and the project's
// own recorded traces.
func allTraceFrames(t *testing.T) []string {
	t.Helper()
	own, err := filepath.Abs(filepath.Join("..", "arisim", "testdata", "traces"))
	if err != nil {
		t.Fatal(err)
	}
	var frames []string
	for _, dir := range []string{tracesDir, own} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
		for _, path := range m {
			rel, err := filepath.Rel(tracesDir, path)
			if err != nil {
				t.Fatal(err)
			}
			frames = append(frames, traceFrames(t, rel)...)
		}
	}
	if len(frames) == 0 {
		t.Fatal("no traces found")
	}
	return frames
}

// TestScanFrameMatchesEncodingJSON: the one-pass scanner fills fastFrame
// exactly as encoding/json does, on every recorded frame as recorded,
// re-indented and compacted, and on hand-made frames with escapes, nulls
// and values of every JSON type; what it is unsure of it leaves to
// encoding/json.
func TestScanFrameMatchesEncodingJSON(t *testing.T) {
	var frames []string
	for _, f := range allTraceFrames(t) {
		var ind, cmp bytes.Buffer
		if err := json.Indent(&ind, []byte(f), "", "  "); err != nil {
			t.Fatalf("recorded frame is not JSON: %v", err)
		}
		if err := json.Compact(&cmp, []byte(f)); err != nil {
			t.Fatal(err)
		}
		frames = append(frames, f, ind.String(), cmp.String())
	}
	recorded := len(frames)
	// Hand-made frames: refused says the scanner must leave it to encoding/json.
	made := []struct {
		frame   string
		refused bool
	}{
		{`{"type":"StasisStart","timestamp":"2026-12-02T10:00:00.000+0000","args":["inbound","3451000"],"channel":{"id":"1.1","name":"PJSIP/provider-0001","state":"Ring","caller":{"name":"Jos\u00e9 \"Pepe\" O\\u2019Brien","number":"+1345\u0035550100"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"from-trunk","exten":"3451000","priority":3,"app_name":"Stasis","app_data":"hotline,inbound,3451000"},"creationtime":"2026-12-02T10:00:00.000+0000","language":"es","channelvars":{"a":[1,2.5e3,-0.1,true,false,null,{"b":[]}]}},"asterisk_id":"02:fc","application":"hotline"}`, false},
		{`{"type":"ChannelDtmfReceived","timestamp":"2026-12-02T10:00:00.000+0000","digit":"1","duration_ms":120,"channel":{"id":"1.1","caller":null,"dialplan":null,"creationtime":null}}`, false},
		{`{"type":"ChannelHangupRequest","timestamp":"2026-12-02T10:00:00.000+0000","cause":16,"soft":true,"channel":{"id":"1.1"}}`, false},
		{`{"type":"ChannelDestroyed","timestamp":"2026-12-02T10:00:00.000+0000","cause":-1,"cause_txt":"Normal Clearing","channel":{"id":"1.1"},"args":[]}`, false},
		{`{"type":"PlaybackFinished","timestamp":"2026-12-02T10:00:00.000+0000","playback":{"id":"p1","media_uri":"sound:x","target_uri":"channel:1.1","state":"done","language":"en"}}`, false},
		{`{"type":"ChannelEnteredBridge","timestamp":"2026-12-02T10:00:00.000+0000","bridge":{"id":"b1","channels":["1.1","1.2"]},"channel":{"id":"1.1"}}`, false},
		{`{"type":"Dial","timestamp":"2026-12-02T10:00:00.000+0000","dialstatus":"RINGING","peer":{"id":"1.2","state":"Ringing"},"bridge":null,"timestamp2":"x"}`, false},
		{"{\"type\":\"StasisEnd\",\"channel\":{\"id\":\"bad \xff utf-8\"}}", false}, // the string through encoding/json
		{`{"type":"ChannelDtmfReceived","timestamp":"2026-12-02T10:00:00.000+0000","digit":"1","duration_ms":1.5,"channel":{"id":"1.1"}}`, true},
		{`{"type":"ChannelDtmfReceived","timestamp":"2026-12-02T10:00:00.000+0000","digit":1,"channel":{"id":"1.1"}}`, true},
		{`{"type":"StasisEnd","channel":{"id":"1.1"}} trailing`, true},
		{`{"type":"StasisEnd","channel":{"id":"1.1"},}`, true},
		{`{"type":"StasisEnd","channel":{"id":"1.1"}`, true},
	}
	for _, m := range made {
		var f fastFrame
		if got := !scanFrame([]byte(m.frame), &f); got != m.refused {
			t.Errorf("refused %v, want %v: %s", got, m.refused, m.frame)
		}
		frames = append(frames, m.frame)
	}
	scanned := 0
	for i, f := range frames {
		var want, got fastFrame
		werr := json.Unmarshal([]byte(f), &want)
		if !scanFrame([]byte(f), &got) {
			if i < recorded {
				t.Errorf("recorded frame left to encoding/json: %.300s", f)
			}
			continue
		}
		scanned++
		if werr != nil {
			t.Errorf("scanned a frame encoding/json refuses (%v): %.300s", werr, f)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			t.Errorf("frame %.300s\n scan %s\n json %s", f, gj, wj)
		}
	}
	t.Logf("%d frames (%d from recordings in three forms), %d scanned, all equal to encoding/json", len(frames), recorded, scanned)
}

func BenchmarkDecodeFrame(b *testing.B) {
	frame := []byte(`{"type":"ChannelDtmfReceived","timestamp":"2026-12-02T10:00:00.000+0000","digit":"1","duration_ms":120,"channel":{"id":"1764000000.123","name":"PJSIP/provider-00000001","state":"Up","protocol_id":"abc@127.0.0.1","caller":{"name":"","number":"+13455550100"},"connected":{"name":"","number":""},"accountcode":"","dialplan":{"context":"from-trunk","exten":"3451000","priority":3,"app_name":"Stasis","app_data":"hotline,inbound,3451000"},"creationtime":"2026-12-02T10:00:00.000+0000","language":"en"},"asterisk_id":"02:fc:00:00:00:01","application":"hotline"}`)
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f fastFrame
			if !scanFrame(frame, &f) {
				b.Fatal("not scanned")
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f fastFrame
			if err := json.Unmarshal(frame, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
