package simulation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/telephony"
)

// Rig is one simulated Asterisk with the real controller in front of it,
// sharing one clock: what simulate, bench and demo run.
type Rig struct {
	Clock      clock.Clock
	Sim        *arisim.Sim
	Queues     *queue.Queues
	Writer     *store.Writer
	Switch     *telephony.ARI
	Controller *ivr.Controller
	Addr       string // the simulator's host:port
	Prefix     string // the Redis hash tag

	redis redis.UniversalClient

	cancel  context.CancelFunc
	ctlDone chan error
	cleanup []func()
}

// RigOptions configures a Rig.
type RigOptions struct {
	Clock     clock.Clock
	Config    *config.Config
	SoundsDir string
	Seed      int64
	Prefix    string // Redis hash tag; "" a fresh random one, deleted at Close
	// Expiring: the keys carry an expiry of KeyTTL, renewed while the rig runs, and are deleted at Close,
	// so that a killed process leaves nothing behind for long (benchmarks).
	Expiring bool
	// KeepCalls bounds the simulator's ground-truth records (arisim.Options.KeepCalls; 0: all).
	KeepCalls int
	Addr      string // simulator listen address (default 127.0.0.1:0)
	User      string // ARI user (default hotline)
	Password  string // ARI password (default random)
	Logger    *slog.Logger
	// ControllerID (default "sim-"+prefix).
	ControllerID string
	// Tickets, when set, is the controller's ticket desk (ivr.Options.Tickets).
	Tickets ivr.TicketDesk
}

// NewRig starts the simulator and the controller and waits until the
// controller is connected.
func NewRig(ctx context.Context, d Deps, o RigOptions) (*Rig, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Config == nil {
		o.Config = config.Sample()
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.User == "" {
		o.User = "hotline"
	}
	if o.Password == "" {
		o.Password = randomHex(12)
	}
	cfg := o.Config
	ctx, cancel := context.WithCancel(ctx)
	r := &Rig{Clock: o.Clock, cancel: cancel, ctlDone: make(chan error, 1), redis: d.Redis}
	fail := func(err error) (*Rig, error) { r.Close(); return nil, err }

	r.Sim = arisim.New(arisim.Options{Clock: o.Clock, User: o.User, Password: o.Password, Apps: []string{"hotline"},
		SoundsDir: o.SoundsDir, Seed: o.Seed, Logger: o.Logger, KeepCalls: o.KeepCalls})
	r.cleanup = append(r.cleanup, func() { r.Sim.Close() })
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fail(fmt.Errorf("simulation: listen: %w", err))
	}
	r.Addr = ln.Addr().String()
	go func() { _ = r.Sim.Serve(ctx, ln) }()

	r.Prefix = o.Prefix
	if r.Prefix == "" {
		r.Prefix = "sim-" + randomHex(6)
	}
	if o.Prefix == "" || o.Expiring {
		rdb := d.Redis
		r.cleanup = append(r.cleanup, func() { DeleteKeys(context.Background(), rdb, r.Prefix) })
	}
	if o.Expiring {
		kctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		go func() { defer close(done); KeepExpiring(kctx, d.sideClient(), r.Prefix, o.Logger) }()
		r.cleanup = append(r.cleanup, func() { stop(); <-done })
	}
	r.Queues = queue.New(d.Redis, o.Clock, queue.Options{Prefix: r.Prefix, ShortAbandon: cfg.ShortAbandon(),
		Threshold: cfg.Threshold, Location: cfg.Location(), Site: cfg.AgentSite})
	r.Writer = store.NewWriter(d.DB, o.Logger, store.WriterOptions{})
	r.cleanup = append(r.cleanup, func() { _ = r.Writer.Close(context.Background()) })

	r.Switch, err = telephony.NewARI(telephony.ARIOptions{URL: "http://" + r.Addr + "/ari", Application: "hotline",
		Username: o.User, Password: o.Password, Clock: o.Clock, Logger: o.Logger})
	if err != nil {
		return fail(fmt.Errorf("simulation: ari: %w", err))
	}
	id := o.ControllerID
	if id == "" {
		id = "sim-" + r.Prefix
	}
	r.Controller, err = ivr.New(ivr.Options{ID: id, Config: cfg, Switch: r.Switch, Queues: r.Queues, Writer: r.Writer,
		Clock: o.Clock, Logger: o.Logger, Tickets: o.Tickets, CallbackEndpoint: func(n string) string { return "PJSIP/" + n },
		// The agent panel's answer button answers the simulated agent phone.
		AnswerAgent: func(_ context.Context, ch string) error { return r.Sim.AnswerFarEnd(ch) }})
	if err != nil {
		return fail(err)
	}
	go func() { r.ctlDone <- r.Controller.Run(ctx) }()
	if err := waitFor(ctx, 10*time.Second, func() bool { return r.Sim.Connected("hotline") }); err != nil {
		return fail(fmt.Errorf("simulation: the controller did not connect to the simulator: %w", err))
	}
	return r, nil
}

// Stopped returns the controller's error if it has stopped.
func (r *Rig) Stopped() error {
	select {
	case err := <-r.ctlDone:
		if err == nil {
			err = errors.New("controller stopped")
		}
		r.ctlDone <- err
		return err
	default:
		return nil
	}
}

// Close stops the controller and the simulator, flushes the writer and
// removes a random Redis prefix's keys.
func (r *Rig) Close() {
	r.cancel()
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		r.cleanup[i]()
	}
	r.cleanup = nil
}
