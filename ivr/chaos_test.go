package ivr_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/pgtest"
	"github.com/publicservice/hotline/internal/redistest"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
)

// TestChaos is the soak test of issue #7: a busy simulated hour on three controllers (each on its own simulated
// Asterisk) sharing one Redis and one Postgres, both the test's own, while Redis is killed (it comes back empty),
// Postgres is stopped and one of the three controllers is killed, each at random moments (seeded; HOTLINE_CHAOS_SEED
// picks another day) and restarted a random while later. Afterwards: every call placed has exactly one record, no
// agent had two calls at once, every rating is stored once (and only for calls whose record has it). It prints the
// counts it checked. Bounded: one simulated hour, about a minute of wall time.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos soak: not with -short")
	}
	seed := int64(7)
	if v := os.Getenv("HOTLINE_CHAOS_SEED"); v != "" {
		seed, _ = strconv.ParseInt(v, 10, 64)
	}
	rng := mrand.New(mrand.NewSource(seed))
	pg := pgtest.Start(t)
	rs := redistest.Start(t)
	e := newChaosEnv(t, rs.Client(), pg.DSN("postgres"))

	s := &scenario{t: t, e: e}
	for i := 1; i <= 3; i++ {
		n := e.newSim(fmt.Sprintf("node%d", i))
		for _, a := range []string{"a1", "a2", "a3"} {
			n.agent(a, arisim.EndpointBehaviour{AnswerAfterMs: 1000 + rng.Intn(2000), TalkMs: 20000, TalkJitterMs: 40000})
		}
		s.nodes = append(s.nodes, n)
	}
	e.login("a1", "a2", "a3")
	var upMu sync.Mutex
	up := map[*node]bool{}
	start := func(i int) {
		n := s.nodes[i]
		n.startWith(fmt.Sprintf("ctl%d", i+1), func(o *ivr.Options) {
			o.CallIDPrefix = n.name + "-"
			faultOptions(o)
		})
		upMu.Lock()
		up[n] = true
		upMu.Unlock()
	}
	for i := range s.nodes {
		start(i)
	}

	// The hour's callers: 240 at random moments, on a live controller's Asterisk (a SIP proxy sends calls to the
	// Asterisks that answer), each choosing an officer and rating the call, giving up after 1 to 6 minutes of
	// waiting. Three agents talking 20 to 60 s: busy (about 2.7 Erlangs on 3 agents).
	const nCalls = 240
	hour := time.Hour
	var mu sync.Mutex
	var calls []placed
	for i := 0; i < nCalls; i++ {
		at := time.Duration(rng.Int63n(int64(hour - 5*time.Minute)))
		patience := 60000 + rng.Intn(300000)
		pick, survey := rng.Intn(3), 1+rng.Intn(4)
		e.clk.AfterFunc(at, func() {
			upMu.Lock()
			var n *node
			for k := 0; k < 3 && n == nil; k++ {
				if c := s.nodes[(pick+k)%3]; up[c] {
					n = c
				}
			}
			upMu.Unlock()
			if n == nil {
				return
			}
			id, err := n.sim.Inbound(e.ctx, "hotline", fmt.Sprintf("3455550%03d", i), didGen, &arisim.Script{
				Presses:     []arisim.Press{{Digits: "1", AfterMs: 1500, From: "answer"}, press("2", 2000)},
				PatienceMs:  patience,
				AfterBridge: []arisim.Press{{Digits: fmt.Sprint(survey), AfterMs: 1000}}})
			if err != nil {
				return // the controller went down in between: failed at entry, not a call of the hotline
			}
			mu.Lock()
			calls = append(calls, placed{n, id})
			mu.Unlock()
		})
	}

	// The faults: nine, three of each kind, in random order at random moments, each lasting 20 s to 3 min of
	// simulated time. Each is injected and repaired with the clock held, so it takes effect at its moment.
	type fault struct {
		kind     string
		at, down time.Duration
		node     int
	}
	var faults []fault
	kinds := []string{"redis", "redis", "redis", "postgres", "postgres", "postgres", "controller", "controller", "controller"}
	rng.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	slot := (hour - 5*time.Minute) / time.Duration(len(kinds))
	for i, k := range kinds {
		down := 20*time.Second + time.Duration(rng.Int63n(int64(160*time.Second)))
		at := time.Duration(i)*slot + time.Minute + time.Duration(rng.Int63n(int64(slot-down-time.Minute)))
		faults = append(faults, fault{kind: k, at: at, down: down, node: rng.Intn(3)})
	}
	type step struct {
		f       fault
		repair  bool
		release func()
	}
	steps := make(chan step)
	for _, f := range faults {
		e.clk.AfterFunc(f.at, func() { steps <- step{f: f, release: e.clk.Hold()} })
		e.clk.AfterFunc(f.at+f.down, func() { steps <- step{f: f, repair: true, release: e.clk.Hold()} })
	}
	var log []string
	counts := map[string]int{}
	for range 2 * len(faults) {
		var st step
		select {
		case st = <-steps:
		case <-time.After(3 * time.Minute):
			t.Fatalf("the simulated hour stalled (faults so far: %v)", log)
		}
		f := st.f
		var err error
		switch {
		case f.kind == "redis" && !st.repair:
			rs.Kill()
		case f.kind == "redis":
			rs.Restart()
		case f.kind == "postgres" && !st.repair:
			err = pg.Stop()
		case f.kind == "postgres":
			err = pg.Start()
		case f.kind == "controller" && !st.repair:
			upMu.Lock()
			up[s.nodes[f.node]] = false
			upMu.Unlock()
			s.nodes[f.node].kill()
		default:
			start(f.node)
		}
		if err != nil {
			t.Fatal(err)
		}
		what := f.kind
		if f.kind == "controller" {
			what = fmt.Sprintf("controller ctl%d", f.node+1)
		}
		if st.repair {
			log = append(log, fmt.Sprintf("%s back at +%s", what, (f.at+f.down).Round(time.Second)))
		} else {
			counts[f.kind]++
			log = append(log, fmt.Sprintf("%s down at +%s", what, f.at.Round(time.Second)))
		}
		st.release()
	}
	t.Logf("seed %d; faults: %v", seed, log)

	// Every caller has come and gone, every controller is idle.
	checkFor(t, 5*time.Minute, "every call ended", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range calls {
			if tr := c.n.truth(c.ch); tr.HungUp.IsZero() {
				return false
			}
		}
		st := s.stats()
		return st.Menu+st.Waiting+st.Ringing+st.Talking+st.Survey == 0
	})
	mu.Lock()
	placedCalls := append([]placed(nil), calls...)
	mu.Unlock()
	if err := e.w.Flush(e.ctx); err != nil {
		t.Fatal(err)
	}
	recs := s.checkAll(placedCalls, func(placed) bool { return false })

	// Ratings: one row per call whose record has a survey answer, with that answer; none for other calls.
	byCall := map[string][]store.Rating{}
	for _, r := range e.ratings() {
		byCall[r.CallID] = append(byCall[r.CallID], r)
	}
	rated, answered, abandoned := 0, 0, 0
	for id, rec := range recs {
		rows := byCall[id]
		switch {
		case rec.Survey != 0 && (len(rows) != 1 || rows[0].Rating != rec.Survey):
			t.Errorf("%s: survey %d in the record, ratings %+v; want exactly one", id, rec.Survey, rows)
		case rec.Survey == 0 && len(rows) != 0:
			t.Errorf("%s: no survey in the record, %d ratings", id, len(rows))
		}
		if rec.Survey != 0 {
			rated++
		}
		if !rec.Answered.IsZero() {
			answered++
		} else if rec.Disposition == "abandoned" {
			abandoned++
		}
	}
	for id := range byCall {
		if _, ok := recs[id]; !ok {
			t.Errorf("ratings for %s, a call without a record", id)
		}
	}
	ws := e.w.Stats()
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("chaos checked: %d calls placed, %d records (one each), %d answered, %d abandoned, %d ratings stored once; "+
		"faults injected: redis %d, postgres %d, controller %d; writer: %d rows, %d retries, %d through the spool, none dropped (%d)",
		len(placedCalls), len(recs), answered, abandoned, rated, counts["redis"], counts["postgres"], counts["controller"],
		ws.Rows, ws.Retries, ws.Spooled, ws.Dropped)
	if ws.Dropped != 0 {
		t.Errorf("the writer dropped %d items", ws.Dropped)
	}
	if answered == 0 || rated == 0 || len(placedCalls) < nCalls/2 {
		t.Errorf("a day too thin to prove anything: %d placed, %d answered, %d rated", len(placedCalls), answered, rated)
	}
}

// newChaosEnv is newEnvOn on the test's own Redis and Postgres, with a writer that spools while Postgres is away.
func newChaosEnv(t *testing.T, rdb *redis.Client, dsn string) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	log := quietLogger()
	clk := clock.NewVirtual(testStart, clock.WithStallAfter(2*time.Second), clock.WithLogger(log))
	t.Cleanup(clk.Close)
	cfg, err := config.Parse([]byte(testConfigYAML(nil)), "test.yaml")
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	var rb [6]byte
	_, _ = rand.Read(rb[:])
	prefix := "chaos-" + hex.EncodeToString(rb[:])
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	j := store.NewAgentJournal(db, log)
	t.Cleanup(func() { _ = j.Close(context.Background()) })
	q := queue.New(rdb, clk, queue.Options{Prefix: prefix, ShortAbandon: cfg.ShortAbandon(), Threshold: cfg.Threshold,
		OnAgentChange: j.Record})
	// A small memory buffer, so that what Postgres misses goes through the spool file.
	w, err := store.OpenWriter(db, log, store.WriterOptions{Buffer: 32, SpoolDir: t.TempDir(), RetryMax: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	return &env{t: t, ctx: ctx, clk: clk, cfg: cfg, rdb: rdb, prefix: prefix, q: q, db: db, w: w, j: j, log: log}
}
