package astbench

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Overload is the controller offered more calls than Asterisk can take,
// with each kind of load shedding, each on a fresh Asterisk.
type Overload struct {
	OfferedRate float64       `json:"offered_calls_per_second"`
	Seconds     float64       `json:"seconds"`
	Runs        []OverloadRun `json:"runs"`
}

// OverloadRun is one kind of shedding under overload.
type OverloadRun struct {
	Shedding string `json:"shedding"` // "fixed" (-max-calls) or "adaptive" (-adaptive-shed)
	MaxCalls int    `json:"max_calls,omitempty"`
	Offered  int    `json:"offered"`
	// Admitted calls were answered; Refused were hung up unanswered
	// (congestion); Completed admitted calls reached an agent and answered
	// the survey; Failed admitted calls did not.
	Admitted  int `json:"admitted"`
	Refused   int `json:"refused"`
	Completed int `json:"completed"`
	Failed    int `json:"failed"`
	// SetupP99MS over the admitted calls (null when one never reached an agent).
	SetupP99MS *float64 `json:"setup_p99_ms_admitted"`
	// SetUp1s: admitted calls set up (key to bridge) within 1 s.
	SetUp1s int `json:"set_up_within_1s_admitted"`
	// IdleSeconds is from the last offered call until Asterisk had no channel.
	IdleSeconds        float64 `json:"seconds_until_asterisk_idle"`
	AsteriskThreadsMax int     `json:"asterisk_threads_max"`
	AsteriskRSSBytes   int64   `json:"asterisk_rss_bytes_max"`
	CPUMSPerCall       float64 `json:"cpu_ms_per_offered_call"`
}

func (b *bench) overload(ctx context.Context, res *Result) (*Overload, error) {
	ov := &Overload{OfferedRate: b.o.OverloadRate, Seconds: b.o.OverloadDuration.Seconds(), Runs: []OverloadRun{}}
	fixed := b.o.MaxCalls
	if fixed <= 0 {
		// what the controller carried at its highest passing rate: rate × call length
		fixed = 20
		if c := res.Controller; c != nil && c.CallsPerSecond > 0 {
			for _, s := range c.Steps {
				if s.Rate == c.CallsPerSecond && s.Offered > 0 {
					callSec := s.Wall - float64(s.Offered)/s.Rate // last end - last offer ≈ one call's length
					fixed = int(math.Ceil(c.CallsPerSecond * math.Max(callSec, 1)))
				}
			}
		}
	}
	for _, kind := range []string{"fixed", "adaptive"} {
		b.stopAsterisk()
		if err := b.startAsterisk(ctx); err != nil {
			return nil, err
		}
		limit := 0
		if kind == "fixed" {
			limit = fixed
		}
		run, err := b.overloadRun(ctx, kind, limit)
		if err != nil {
			return nil, err
		}
		ov.Runs = append(ov.Runs, run)
	}
	return ov, nil
}

func (b *bench) overloadRun(ctx context.Context, kind string, maxCalls int) (OverloadRun, error) {
	a, err := b.controllerStarter(maxCalls, kind == "adaptive")(ctx)
	if err != nil {
		return OverloadRun{}, err
	}
	defer func() {
		if err := a.stop(); err != nil {
			b.log.Warn("stop controller", "err", err)
		}
	}()
	c0, err := ReadProc(a.pid)
	if err != nil {
		return OverloadRun{}, err
	}
	smp := sample(b.ast.PID)
	start := time.Now()
	calls := b.drv.Offer(ctx, "Local/3459491000@from-trunk", b.o.OverloadRate, b.o.OverloadDuration, 120*time.Second)
	lastOffer := start.Add(b.o.OverloadDuration)
	idleErr := b.waitIdle(ctx, 120*time.Second)
	if idleErr != nil {
		b.hangupAll(ctx)
	}
	idle := time.Since(lastOffer).Seconds()
	rss, threads := smp.end()
	c1, err := ReadProc(a.pid)
	if err != nil {
		return OverloadRun{}, err
	}
	r := OverloadRun{Shedding: kind, MaxCalls: maxCalls, Offered: len(calls), AsteriskThreadsMax: threads, AsteriskRSSBytes: rss,
		IdleSeconds: math.Round(idle*10) / 10}
	if idleErr != nil {
		r.IdleSeconds = -1
		b.log.Warn("Asterisk not idle after the overload", "err", idleErr)
	}
	b.drv.mu.Lock()
	var admitted []time.Duration
	for _, c := range calls {
		if c.answered.IsZero() {
			r.Refused++
			continue
		}
		r.Admitted++
		admitted = append(admitted, c.Setup())
		if c.Setup() <= time.Second {
			r.SetUp1s++
		}
		if c.Complete() {
			r.Completed++
		} else {
			r.Failed++
		}
	}
	b.drv.mu.Unlock()
	r.SetupP99MS = quantileMS(admitted, 0.99)
	r.CPUMSPerCall = round2(float64(c1.CPU-c0.CPU) / float64(time.Millisecond) / float64(max(len(calls), 1)))
	p99 := "none"
	if r.SetupP99MS != nil {
		p99 = fmt.Sprintf("%.0f ms", *r.SetupP99MS)
	}
	b.progress("overload %s (max calls %d) at %.1f calls/s: offered %d, admitted %d (%d set up within 1 s, p99 %s), refused %d, completed %d, failed %d, Asterisk idle %.1f s after the last offer, threads max %d",
		kind, maxCalls, b.o.OverloadRate, r.Offered, r.Admitted, r.SetUp1s, p99, r.Refused, r.Completed, r.Failed, r.IdleSeconds, threads)
	if r.Offered == 0 {
		return r, fmt.Errorf("astbench: no call offered in the overload run")
	}
	return r, nil
}
