package telephony

import (
	"context"

	"github.com/CyCoreSystems/ari/v5"
)

// Controls are the ARI operations of the agent panel and the supervisors'
// actions beyond the call journey's Switch: muting a channel, snooping on one
// (listen, whisper) and reading a channel's state. *ARI implements them; the
// controller finds them by type assertion, so other Switch implementations
// need not.
type Controls interface {
	// Mute mutes a channel in a direction (in: what the channel says is not
	// heard; out; both).
	Mute(ctx context.Context, channel, direction string) error
	Unmute(ctx context.Context, channel, direction string) error
	// Snoop creates channel snoopID spying (spy: in, out, both, none) on and
	// whispering (whisper: …) to channel, in this application with appArgs.
	// Asterisk answers 200 and the snoop channel arrives Up; tearing it down
	// gives StasisEnd but no ChannelDestroyed (../shared/ari/README.md).
	Snoop(ctx context.Context, channel, snoopID, spy, whisper, appArgs string) error
	// ChannelState is a channel's state (Up, Ringing, …).
	ChannelState(ctx context.Context, channel string) (string, error)
}

var _ Controls = (*ARI)(nil)

// Mute implements Controls.
func (a *ARI) Mute(ctx context.Context, channel, direction string) error {
	return a.call(ctx, "mute", channel, func() error { return a.client.Channel().Mute(chanKey(channel), ari.Direction(direction)) })
}

// Unmute implements Controls.
func (a *ARI) Unmute(ctx context.Context, channel, direction string) error {
	return a.call(ctx, "unmute", channel, func() error { return a.client.Channel().Unmute(chanKey(channel), ari.Direction(direction)) })
}

// Snoop implements Controls.
func (a *ARI) Snoop(ctx context.Context, channel, snoopID, spy, whisper, appArgs string) error {
	return a.call(ctx, "snoop", channel, func() error {
		_, err := a.client.Channel().Snoop(chanKey(channel), snoopID, &ari.SnoopOptions{App: a.opts.Application, AppArgs: appArgs,
			Spy: ari.Direction(spy), Whisper: ari.Direction(whisper)})
		return err
	})
}

// ChannelState implements Controls.
func (a *ARI) ChannelState(ctx context.Context, channel string) (string, error) {
	var state string
	err := a.call(ctx, "channel state", channel, func() error {
		d, err := a.client.Channel().Data(chanKey(channel))
		if err == nil {
			state = d.State
		}
		return err
	})
	return state, err
}
