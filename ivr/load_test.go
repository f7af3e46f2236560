package ivr_test

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// Eighty callers with random patience and survey answers against three
// agents: every call is recorded once, as answered or abandoned, answer and
// queue-entry times agree with the simulator, and no agent overlaps calls.
func TestManyCallersOneNode(t *testing.T) {
	if testing.Short() {
		t.Skip("load")
	}
	e := newEnv(t, "")
	n := e.newSim("node1")
	for _, a := range []string{"a1", "a2", "a3"} {
		n.agent(a, arisim.EndpointBehaviour{AnswerAfterMs: 800, TalkMs: 20000, TalkJitterMs: 40000})
	}
	e.login("a1", "a2", "a3")
	n.start("ctl1")
	rng := rand.New(rand.NewSource(7))
	model := arisim.CallerModel{Menu: []string{"1", "2"}, MenuGapMs: 1500, PatienceMeanMs: 90000,
		SurveyDigits: "12345", SurveyAfterMs: 1500, HangupAfterBridgeMs: 20000}
	var chans []string
	hold := e.clk.Hold() // every caller arrives at the same instant
	for i := 0; i < 80; i++ {
		chans = append(chans, n.call(fmt.Sprintf("3455552%03d", i), didGen, model.Script(rng)))
	}
	hold()
	answered, abandoned := 0, 0
	type span struct{ from, to time.Time }
	byAgent := map[string][]span{}
	for _, ch := range chans {
		rec := e.waitRecord(ch)
		truth := n.truth(ch)
		switch rec.Disposition {
		case hotline.DispAnswered:
			answered++
			checkAnswerTimes(t, rec, truth)
			byAgent[rec.Agent] = append(byAgent[rec.Agent], span{rec.Answered, rec.Answered.Add(rec.Talk)})
		case hotline.DispAbandoned:
			abandoned++
			if !near(rec.Enqueued, truth.FirstMOH, 50*time.Millisecond) || !near(rec.Ended, truth.HungUp, 50*time.Millisecond) {
				t.Errorf("abandon %s: %+v vs truth %+v", ch, rec, truth)
			}
		default:
			t.Errorf("record %+v", rec)
		}
	}
	for a, spans := range byAgent {
		sort.Slice(spans, func(i, j int) bool { return spans[i].from.Before(spans[j].from) })
		for i := 1; i < len(spans); i++ {
			if spans[i].from.Before(spans[i-1].to) {
				t.Errorf("agent %s overlaps", a)
			}
		}
	}
	if len(e.records()) != 80 {
		t.Errorf("%d records", len(e.records()))
	}
	r := n.ctl.Reaction().Summary()
	t.Logf("answered %d abandoned %d; simulated %v; reaction n=%d p50=%v p90=%v p99=%v max=%v",
		answered, abandoned, e.clk.Now().Sub(testStart), r.N, r.P50, r.P90, r.P99, r.Max)
}
