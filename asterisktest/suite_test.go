package asterisktest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/internal/realasterisk"
)

// TestMain says first whether the suite runs against a real Asterisk.
func TestMain(m *testing.M) {
	// Journeys run side by side (prompts play in real time): far more at once
	// than the default -parallel (GOMAXPROCS); they mostly wait.
	flag.Parse()
	if f := flag.Lookup("test.parallel"); f != nil && !isSet("test.parallel") {
		_ = f.Value.Set("64")
	}
	if sh, ok := realasterisk.Script(); ok {
		fmt.Printf("asterisktest: running against a real Asterisk (%s)\n", sh)
	} else {
		fmt.Printf("asterisktest: NOT running against a real Asterisk: %s is absent; the real-Asterisk tests skip\n", sh)
	}
	os.Exit(m.Run())
}

func isSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// needAsterisk skips when ../shared/asterisk is absent.
func needAsterisk(t *testing.T) {
	t.Helper()
	if sh, ok := realasterisk.Script(); !ok {
		t.Skipf("real Asterisk not present (%s)", sh)
	}
}

var announceOnce sync.Once

func announce(t *testing.T, w *world) {
	announceOnce.Do(func() {
		fmt.Printf("asterisktest: ran against real Asterisk %s\n", w.ast.Version)
	})
	t.Logf("real Asterisk %s in %s (ARI %s)", w.ast.Version, w.ast.RunDir, w.ast.ARIURL)
}

// journey is one scenario, run the same way in both worlds.
type journey struct {
	name   string
	did    string
	from   string
	script *arisim.Script
	phones map[string]phone // agents' (and "provider") phones set before the call
	login  []string         // agents signed in, in this order (longest idle first)
	pause  []string         // agents paused after signing in
	// during runs while the call is up (p.placedAt is when it was placed).
	during func(t *testing.T, ctx context.Context, w *world, p *placed)
	limit  time.Duration // for the call record
	// check asserts what one world recorded.
	check func(t *testing.T, w *world, p *placed, rec hotline.CallRecord)
	// noWait: answer times are not compared (the journey has none).
	noWait bool
	// extra returns a further record to compare (e.g. the callback's), "" for none.
	extra func(p *placed) string
}

// TestRealAsteriskJourneys runs every journey side by side on one real
// Asterisk and one simulator, each with its own `hotline serve`.
func TestRealAsteriskJourneys(t *testing.T) {
	needAsterisk(t)
	t.Parallel()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Minute)
	defer cancel()
	real := realWorld(t, ctx)
	announce(t, real)
	sim := simWorld(t, ctx)
	real.startServe(ctx)
	sim.startServe(ctx)
	t.Run("journeys", func(t *testing.T) {
		for _, j := range journeys() {
			t.Run(j.name, func(t *testing.T) {
				t.Parallel()
				runJourney(t, ctx, real, sim, j)
			})
		}
	})
	t.Logf("journeys took %v of wall time", time.Since(start).Round(time.Second))
}

// runJourney runs j in both worlds at once and compares the records.
func runJourney(t *testing.T, ctx context.Context, real, sim *world, j journey) {
	type result struct {
		rec, extra hotline.CallRecord
	}
	var res [2]result
	t.Run("run", func(t *testing.T) {
		for i, w := range []*world{real, sim} {
			t.Run(w.name, func(t *testing.T) {
				t.Parallel()
				for id, ph := range j.phones {
					w.setAgent(t, ctx, id, ph)
				}
				for _, id := range j.login {
					w.agentAction(t, id, "login")
					time.Sleep(20 * time.Millisecond) // distinct idle times: the first signed in is offered first
				}
				for _, id := range j.pause {
					w.agentAction(t, id, "pause")
				}
				from := j.from
				if from == "" {
					from = "+1345555" + fmt.Sprintf("%04d", len(j.name)*37%10000)
				}
				p := w.place(t, ctx, j.did, from, j.script)
				p.placedAt = time.Now()
				if j.during != nil {
					j.during(t, ctx, w, p)
				}
				limit := j.limit
				if limit == 0 {
					limit = 90 * time.Second
				}
				rec := w.waitRecord(t, p.id, limit)
				res[i].rec = rec
				if lat := w.sipLatency(rec); lat > 0 {
					// The simulator's phone answers answer_after_ms after the originate; a
					// SIPp phone that long after its INVITE arrives. Asterisk's own time to
					// send the INVITE belongs to the far end, as in the simulator's model.
					t.Logf("%s: INVITE reached %s's phone %v after the originate", w.name, rec.Agent, lat)
					res[i].rec.Wait -= lat
				}
				t.Logf("%s: %s path=%s queue=%s agent=%s wait=%v survey=%d offers=%+v; enqueued +%v answered +%v ended +%v", w.name, rec.Disposition,
					strings.Join(rec.IVRPath, ","), rec.Queue, rec.Agent, rec.Wait, rec.Survey, rec.Offers,
					since(rec.Arrived, rec.Enqueued), since(rec.Arrived, rec.Answered), since(rec.Arrived, rec.Ended))
				if j.check != nil {
					j.check(t, w, p, rec)
				}
				if j.extra != nil {
					res[i].extra = w.waitRecord(t, j.extra(p), limit)
				}
			})
		}
	})
	if t.Failed() {
		return
	}
	compare(t, res[0].rec, res[1].rec, !j.noWait)
	if j.extra != nil {
		compare(t, res[0].extra, res[1].extra, false)
	}
}

// compare holds the real Asterisk's record to the simulator's.
func compare(t *testing.T, real, sim hotline.CallRecord, wait bool) {
	t.Helper()
	if real.Disposition != sim.Disposition || strings.Join(real.IVRPath, ",") != strings.Join(sim.IVRPath, ",") ||
		real.Queue != sim.Queue || real.Agent != sim.Agent || real.Survey != sim.Survey || real.Language != sim.Language ||
		real.HungUpBy != sim.HungUpBy || real.Callback != sim.Callback {
		t.Errorf("real Asterisk and simulator differ:\n asterisk:  %s\n simulator: %s", summary(real), summary(sim))
	}
	if len(real.Offers) != len(sim.Offers) {
		t.Errorf("offers: asterisk %+v, simulator %+v", real.Offers, sim.Offers)
	} else {
		for i := range real.Offers {
			if real.Offers[i].Agent != sim.Offers[i].Agent || real.Offers[i].Outcome != sim.Offers[i].Outcome {
				t.Errorf("offer %d: asterisk %+v, simulator %+v", i, real.Offers[i], sim.Offers[i])
			}
		}
	}
	if wait && abs(real.Wait-sim.Wait) > 100*time.Millisecond {
		t.Errorf("answer time: asterisk %v, simulator %v (more than 100 ms apart)", real.Wait, sim.Wait)
	}
}

func summary(r hotline.CallRecord) string {
	return fmt.Sprintf("disposition=%s path=%s queue=%s agent=%s survey=%d lang=%s hung_up_by=%s callback=%v wait=%v",
		r.Disposition, strings.Join(r.IVRPath, ","), r.Queue, r.Agent, r.Survey, r.Language, r.HungUpBy, r.Callback, r.Wait)
}

func press(d string, after int) arisim.Press { return arisim.Press{Digits: d, AfterMs: after} }

func first(d string, after int) arisim.Press {
	return arisim.Press{Digits: d, AfterMs: after, From: "answer"}
}

func since(a, b time.Time) time.Duration {
	if b.IsZero() {
		return 0
	}
	return b.Sub(a)
}

// sipLatency is the time from the controller's originate of the answered
// offer to the INVITE reaching the agent's SIPp phone (0 on the simulator).
func (w *world) sipLatency(rec hotline.CallRecord) time.Duration {
	if !w.real() || len(rec.Offers) == 0 {
		return 0
	}
	o := rec.Offers[len(rec.Offers)-1]
	ph := w.phone(o.Agent)
	if o.Outcome != "answered" || ph == nil {
		return 0
	}
	for _, at := range ph.InviteTimes() {
		if d := at.Sub(o.At); d >= 0 && d < 5*time.Second {
			return d
		}
	}
	return 0
}
