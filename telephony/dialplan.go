package telephony

import (
	"context"
	"net/http"
	"net/url"
)

// SetVariable sets a channel variable (or function such as CHANNEL(language)).
func (a *ARI) SetVariable(ctx context.Context, channel, name, value string) error {
	return a.rest(ctx, "set variable", channel, http.MethodPost, chanPath(channel)+"/variable", url.Values{"variable": {name}, "value": {value}}, nil)
}

// Continue leaves the application: the channel goes on in the dialplan at
// context,extension,priority ("" and 0 keep the channel's own).
func (a *ARI) Continue(ctx context.Context, channel, context, extension string, priority int) error {
	return a.call(ctx, "continue", channel, func() error {
		return a.client.Channel().Continue(chanKey(channel), context, extension, priority)
	})
}
