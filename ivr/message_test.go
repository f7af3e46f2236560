package ivr_test

import (
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
)

// A message's length is stored to the millisecond (from the recording's
// start and finish events), not in RecordingFinished's whole seconds: a
// message of a fraction of a second is not 0 ms.
func TestMessageLengthInMilliseconds(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550181", didNight, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, // English
		press("2", 2000), // officer → closed
		press("2", 5000), // leave a message
	}, MaxDurationMs: 60000})
	rec := e.waitRecord(ch)
	_ = e.w.Flush(e.ctx)
	msgs, err := e.db.Messages(e.ctx, time.Time{}, far, "")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages %+v %v", msgs, err)
	}
	d := msgs[0].Duration
	if d <= 0 || d%time.Second == 0 || d > 60*time.Second {
		t.Fatalf("message length %v: want the real length in ms (record %+v)", d, rec)
	}
	t.Logf("message length %v", d)
}
