package telephony

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/CyCoreSystems/ari/v5"
)

// playDirect plays several media as ONE playback with a direct request:
//
//	POST {URL}/{channels|bridges}/{id}/play/{playbackId}?media=a,b,c
//
// ari/v5's Play sends {"media":"a,b"} as one JSON string, which Asterisk
// plays as a single (failing) URI; repeated media= parameters play only the
// last one. A comma-separated media query value plays the whole list (one
// PlaybackStarted per item, PlaybackContinuing between, one
// PlaybackFinished), so a prompt costs one round trip. The request uses the
// same base URL and credentials as the library.
func (a *ARI) playDirect(ctx context.Context, kind, id, playbackID string, media []string) error {
	op := "play"
	if kind == "bridges" {
		op = "play bridge"
	}
	items := make([]string, len(media))
	for i, m := range media {
		if m == "" || strings.Contains(m, ",") {
			return &APIError{Op: op, ID: id, Err: fmt.Errorf("invalid media item %q", m)}
		}
		items[i] = url.QueryEscape(m)
	}
	path := a.opts.URL + "/" + kind + "/" + url.PathEscape(id) + "/play"
	if playbackID != "" {
		path += "/" + url.PathEscape(playbackID)
	}
	// Commas stay literal: Asterisk splits the decoded value on them.
	return a.direct(ctx, op, id, http.MethodPost, path+"?media="+strings.Join(items, ","))
}

// Channels lists the channels in this application (GET /applications/{app}
// channel_ids, then each channel and each of the app's bridges for BridgeID).
// Stasis args are not in ARI's channel model, so Args stays empty. Channels
// that vanish meanwhile are left out.
func (a *ARI) Channels(ctx context.Context) ([]Channel, error) {
	app, err := a.appData(ctx)
	if err != nil {
		return nil, err
	}
	bridges, err := a.bridges(ctx, app.BridgeIDs)
	if err != nil {
		return nil, err
	}
	inBridge := map[string]string{}
	for _, b := range bridges {
		for _, ch := range b.Channels {
			inBridge[ch] = b.ID
		}
	}
	out := make([]Channel, len(app.ChannelIDs))
	ok := make([]bool, len(app.ChannelIDs))
	err = a.each(ctx, len(app.ChannelIDs), func(i int) error {
		id := app.ChannelIDs[i]
		var d *ari.ChannelData
		err := a.call(ctx, "get channel", id, func() (err error) {
			d, err = a.client.Channel().Data(chanKey(id))
			return err
		})
		if errors.Is(err, ErrGone) {
			return nil
		}
		if err != nil {
			return err
		}
		out[i], ok[i] = channelFrom(d), true
		out[i].BridgeID = inBridge[id]
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := make([]Channel, 0, len(out))
	for i, c := range out {
		if ok[i] {
			res = append(res, c)
		}
	}
	return res, nil
}

// Bridges lists the bridges of this application (bridge_ids, then each).
func (a *ARI) Bridges(ctx context.Context) ([]Bridge, error) {
	app, err := a.appData(ctx)
	if err != nil {
		return nil, err
	}
	return a.bridges(ctx, app.BridgeIDs)
}

func (a *ARI) appData(ctx context.Context) (*ari.ApplicationData, error) {
	var app *ari.ApplicationData
	err := a.call(ctx, "get application", a.opts.Application, func() (err error) {
		app, err = a.client.Application().Data(ari.NewKey(ari.ApplicationKey, a.opts.Application))
		return err
	})
	if err != nil {
		// call may have given up while the request goes on writing app: not read.
		return nil, err
	}
	return app, nil
}

func (a *ARI) bridges(ctx context.Context, ids []string) ([]Bridge, error) {
	out := make([]Bridge, len(ids))
	ok := make([]bool, len(ids))
	err := a.each(ctx, len(ids), func(i int) error {
		var d *ari.BridgeData
		err := a.call(ctx, "get bridge", ids[i], func() (err error) {
			d, err = a.client.Bridge().Data(bridgeKey(ids[i]))
			return err
		})
		if errors.Is(err, ErrGone) {
			return nil
		}
		if err != nil {
			return err
		}
		out[i] = Bridge{ID: d.ID, Kind: d.Type, Channels: append([]string(nil), d.ChannelIDs...)}
		ok[i] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := make([]Bridge, 0, len(out))
	for i, b := range out {
		if ok[i] {
			res = append(res, b)
		}
	}
	return res, nil
}

// each runs f(0..n-1) with at most 8 requests in flight; the first error wins.
func (a *ARI) each(ctx context.Context, n int, f func(i int) error) error {
	const workers = 8
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if first != nil || next >= n || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				if err := f(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// channelFrom converts ARI's channel model.
func channelFrom(d *ari.ChannelData) Channel {
	if d == nil {
		return Channel{}
	}
	c := Channel{ID: d.ID, Name: d.Name, State: d.State, Language: d.Language}
	if d.Caller != nil {
		c.Caller = d.Caller.Number
	}
	if d.Dialplan != nil {
		c.Dialled = d.Dialplan.Exten
	}
	if ts := d.Creationtime; ts != nil && (ts.Seconds != 0 || ts.Nanos != 0) {
		c.Created = time.Unix(ts.Seconds, int64(ts.Nanos)).UTC()
	}
	return c
}
