package ivr

import (
	"context"
	"fmt"

	"github.com/publicservice/hotline"
)

// Hold takes the caller out of the agent's bridge (the agent stays in it)
// and plays music on hold on the caller's own channel; resume stops the
// music and puts the caller back in the bridge. On Asterisk, music on hold
// started and stopped on a channel in a bridge runs as asynchronous Stasis
// commands beside the bridge's own thread: a resume within about a second
// of the hold left the music playing for good. Out of the bridge the
// channel's own Stasis thread runs the commands (music on, music off, join
// the bridge) one after another, in the order they were sent, as it does
// for every waiting caller.

// holdCaller puts the caller on hold (no event: the caller decides).
func (c *call) holdCaller(ctx context.Context) error {
	if c.bridge != "" && !c.aside {
		if err := c.sw().RemoveFromBridge(ctx, c.bridge, c.ch); err != nil {
			return fmt.Errorf("take the caller out of the bridge: %w", err)
		}
		c.aside = true
	}
	if err := c.sw().StartMOH(ctx, c.ch, c.ctl.opt.MOHClass); err != nil {
		c.warn("back from a failed hold", c.rejoinCaller(ctx))
		return fmt.Errorf("music on hold: %w", err)
	}
	return nil
}

// resumeCaller takes the caller off hold: the music stops, then the caller
// is back in the agent's bridge.
func (c *call) resumeCaller(ctx context.Context) error {
	if err := c.sw().StopMOH(ctx, c.ch); err != nil {
		return fmt.Errorf("stop music on hold: %w", err)
	}
	return c.rejoinCaller(ctx)
}

// rejoinCaller puts a caller taken out of the bridge for a hold back in.
func (c *call) rejoinCaller(ctx context.Context) error {
	if !c.aside || c.bridge == "" {
		c.aside = false
		return nil
	}
	if err := c.sw().AddToBridge(ctx, c.bridge, c.ch); err != nil {
		return fmt.Errorf("put the caller back in the bridge: %w", err)
	}
	c.aside = false
	return nil
}

// endHold ends a hold without bringing the caller back to the agent (the
// agent hung up): the music stops, UNHOLD with data. The caller stays out
// of the bridge.
func (c *call) endHold(data string) {
	if !c.held {
		return
	}
	agent := ""
	if c.match != nil {
		agent = c.match.Agent.ID
	}
	ctx, cancel := c.ctx()
	c.warn("stop moh", c.sw().StopMOH(ctx, c.ch))
	cancel()
	c.held = false
	c.event(hotline.EvUnhold, agent, 0, 0, 0, data)
}
