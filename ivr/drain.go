package ivr

import "github.com/publicservice/hotline/telephony"

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
func (ctl *Controller) handBack(ev telephony.Event) { ctl.turnAway(ev, "drained", true) }
