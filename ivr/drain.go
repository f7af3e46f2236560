package ivr

import (
	"errors"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/telephony"
)

// Drain stops taking new calls: from now on a new inbound call is handed
// back to the dialplan's fallback (Options.FallbackContext) at once instead
// of entering the menus, while the calls in progress go on. Used when the
// controller is asked to stop (SIGTERM): the calls it could not finish are
// re-adopted by its successor, and new callers hear the fallback, never a
// menu that ends in silence when the process exits.
func (ctl *Controller) Drain() {
	if !ctl.draining.Swap(true) {
		ctl.log.Info("draining: new calls go to the dialplan fallback", "context", ctl.opt.FallbackContext)
	}
}

// Draining reports whether Drain was called.
func (ctl *Controller) Draining() bool { return ctl.draining.Load() }

// handBack continues a new inbound call in the fallback context and records
// it (IVR path "drained": the controller did not serve it).
func (ctl *Controller) handBack(ev telephony.Event) {
	now := ctl.clk.Now()
	did := ""
	if len(ev.Args) > 1 {
		did = ev.Args[1]
	}
	ctl.w.Call(&hotline.CallRecord{ID: ctl.opt.CallIDPrefix + ev.Channel.ID, Node: ctl.sw.Node(), Caller: ev.Channel.Caller,
		Dialled: did, IVRPath: []string{"drained"}, Arrived: now, Ended: now, HungUpBy: "system", Disposition: hotline.DispFailed})
	go func() {
		defer done(ev)
		ctx, cancel := ctl.cmdCtx()
		defer cancel()
		err := ctl.sw.Continue(ctx, ev.Channel.ID, ctl.opt.FallbackContext, "s", 1)
		if err == nil || errors.Is(err, telephony.ErrGone) {
			return
		}
		ctl.log.Warn("hand a new call to the fallback", "channel", ev.Channel.ID, "err", err)
		if err := ctl.sw.Hangup(ctx, ev.Channel.ID, "congestion"); err != nil && !errors.Is(err, telephony.ErrGone) {
			ctl.log.Warn("refuse a new call while draining", "channel", ev.Channel.ID, "err", err)
		}
	}()
}
