package telephony

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/CyCoreSystems/ari/v5"
)

func TestScratchDecode(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/ari/traces/*.jsonl")
	for _, f := range files {
		fh, _ := os.Open(f)
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<22)
		for sc.Scan() {
			var l struct{ Kind, Raw string }
			json.Unmarshal(sc.Bytes(), &l)
			if l.Kind != "event" {
				continue
			}
			e, err := ari.DecodeEvent([]byte(l.Raw))
			if err != nil {
				t.Logf("%s: %v: %.300s", filepath.Base(f), err, l.Raw)
				continue
			}
			_ = e
		}
	}
	for _, s := range []string{`{"type":"ChannelTransfer","timestamp":"2026-11-28T20:29:58.415+0000"}`, `{"type":"StasisStart","timestamp":"2026-11-28T20:29:58.415Z"}`} {
		e, err := ari.DecodeEvent([]byte(s))
		t.Logf("%v %v %v", e, e == nil, err)
	}
}
