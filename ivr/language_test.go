package ivr_test

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// A Spanish caller hears their position and wait in Spanish: the numbers of
// the announcement are said in the channel's language, set to es.
func TestSpanishCallerHearsSpanishNumbers(t *testing.T) {
	e := newEnv(t, "")
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{})
	e.login("a1")
	if err := e.q.Pause(e.ctx, "a1", "break", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	n.start("ctl1")
	ch := n.call("3455550161", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "2", AfterMs: 300, From: "answer"}, press("2", 2000)}, PatienceMs: 25000}) // one announcement at 20 s
	rec := e.waitRecord(ch)
	if rec.Language != "es" || rec.Disposition != hotline.DispAbandoned {
		t.Fatalf("record %+v", rec)
	}
	var said []string
	for _, h := range n.truth(ch).Heard {
		if strings.Contains(h, ":number:") || strings.Contains(h, ":digits:") {
			said = append(said, h)
		}
	}
	if len(said) == 0 {
		t.Fatalf("no number said to the caller: heard %v", n.truth(ch).Heard)
	}
	for _, s := range said {
		if !strings.HasPrefix(s, "es:") {
			t.Errorf("said %q, want it in Spanish (es:...)", s)
		}
	}
	t.Logf("said %v", said)
}
