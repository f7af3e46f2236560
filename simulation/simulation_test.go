package simulation

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/store/storetest"
)

// testSounds are the shipped prompt recordings: the simulator plays only
// sounds that exist (as Asterisk does), and their lengths time the prompts.
const testSounds = "../asterisk-config/sounds"

// TestSimulatedDayMatchesGroundTruth runs a short busy day (more callers than
// the agents can take, so some wait long and some abandon) and checks that
// the controller's figures, read back from Postgres, equal those computed
// from the simulator's own record, call by call.
func TestSimulatedDayMatchesGroundTruth(t *testing.T) {
	db := storetest.MustOpenDB(t)
	rdb := testenv.MustRedis(t)
	// 15:30 to 16:30 on a Monday: the registry closes at 16:00, so its later callers leave messages.
	cfg := config.Sample()
	start := time.Date(2026, 11, 30, 15, 30, 0, 0, cfg.Location())
	res, err := Run(context.Background(), Deps{DB: db, Redis: rdb}, Options{Calls: 150, Agents: 3, Hours: 1, Seed: 42, SoundsDir: testSounds,
		Start: start, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if res.Placed != 150 || res.Recorded != 150 || len(res.Missing) > 0 || len(res.Unexpected) > 0 {
		t.Fatalf("accounting: placed %d recorded %d missing %v unexpected %v", res.Placed, res.Recorded, res.Missing, res.Unexpected)
	}
	if !res.Match {
		t.Fatalf("figures differ from ground truth:\ncontroller %+v\nground truth %+v", res.Figures, res.GroundTruth)
	}
	if res.WaitMaxDiffMs > 50 {
		t.Fatalf("answer times differ from ground truth by up to %.3f ms (limit 50 ms of simulated time)", res.WaitMaxDiffMs)
	}
	// The day must have exercised the interesting paths, or the equality
	// above proves little.
	if res.Answered == 0 || res.Abandoned == 0 || res.ShortAbandoned == 0 || res.AnsweredWithinSL == res.Answered ||
		res.CallbacksRequested == 0 || res.CallbacksCompleted == 0 || res.Messages == 0 {
		t.Fatalf("day too easy to prove anything: %+v", res.Figures)
	}
	t.Logf("checked: offered %d, answered %d, abandoned %d (short %d), timed out %d, callbacks %d requested / %d completed, "+
		"messages %d", res.Offered, res.Answered, res.Abandoned, res.ShortAbandoned, res.TimedOut, res.CallbacksRequested,
		res.CallbacksCompleted, res.Messages)
	n := 0
	for _, v := range res.Survey {
		n += v
	}
	if n == 0 {
		t.Fatalf("no survey answers recorded: %+v", res.Survey)
	}
}

// TestSimulationIsDeterministic: the same seed gives the same day.
func TestSimulationIsDeterministic(t *testing.T) {
	rdb := testenv.MustRedis(t)
	run := func() *Result {
		db := storetest.MustOpenDB(t)
		res, err := Run(context.Background(), Deps{DB: db, Redis: rdb}, Options{Calls: 60, Agents: 2, Hours: 0.5, Seed: 9, SoundsDir: testSounds})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(), run()
	if !equalFigures(a.Figures, b.Figures) || *a.ASASeconds != *b.ASASeconds || a.MaxWaitSeconds != b.MaxWaitSeconds {
		t.Fatalf("same seed, different days:\n%+v\n%+v", a.Figures, b.Figures)
	}
}

func TestPlanIsSortedAndUsesQueues(t *testing.T) {
	o := Options{Calls: 500, Hours: 2, Seed: 3, SoundsDir: testSounds}
	o.defaults()
	calls, err := plan(o.Config, o)
	if err != nil {
		t.Fatal(err)
	}
	queues := map[string]int{}
	for i, c := range calls {
		if i > 0 && c.At < calls[i-1].At {
			t.Fatalf("arrivals not sorted at %d", i)
		}
		if c.At < 0 || c.At >= 2*time.Hour {
			t.Fatalf("arrival %v outside the day", c.At)
		}
		if o.Config.Queue(c.Queue) == nil {
			t.Fatalf("caller aims at unknown queue %q", c.Queue)
		}
		queues[c.Queue]++
	}
	if len(queues) < 3 {
		t.Fatalf("callers reach only %v", queues)
	}
}
