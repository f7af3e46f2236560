package simulation

import (
	"context"
	"io"
	"log/slog"
	"math/rand"
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store/storetest"
)

// BenchmarkCallPath times complete calls (IVR → queue → agent → bridge →
// survey) through the controller and the in-process simulator on the
// virtual clock; b.N calls arrive over ten simulated seconds.
func BenchmarkCallPath(b *testing.B) {
	ctx := context.Background()
	db := storetest.MustOpenDB(b)
	rdb := testenv.MustRedis(b)
	rt := queue.NewRoundTrips()
	rdb.AddHook(rt)
	cfg := config.Sample()
	vclk := clock.NewVirtual(time.Date(2026, 11, 30, 9, 0, 0, 0, cfg.Location()))
	defer vclk.Close()
	rig, err := NewRig(ctx, Deps{DB: db, Redis: rdb}, RigOptions{Clock: vclk, Config: cfg, SoundsDir: testSounds, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer rig.Close()
	release := vclk.Hold()
	for i := 0; i < 300; i++ {
		a := benchAgent(cfg, i)
		if err := rig.Queues.Login(ctx, a, vclk.Now()); err != nil {
			b.Fatal(err)
		}
		rig.Sim.SetEndpoint("PJSIP", a.ID, arisim.EndpointBehaviour{AnswerAfterMs: 500, TalkMs: 1000})
	}
	release()
	gen, err := NewCallers(cfg, 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	gen.ShortShare, gen.SurveyShare, gen.Uniform = 0, 1, true
	gen.MenuGap = func(*rand.Rand) time.Duration { return 300 * time.Millisecond }
	rt.Reset()
	b.ResetTimer()
	p := placeCalls(ctx, rig, vclk, gen, b.N, 0)
	if err := waitEnded(ctx, rig, p, 10*time.Minute); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(rt.Count())/float64(b.N), "redis-trips/call")
}
