package telephony

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
)

// The requests of a call's path (answer, play, music on hold, originate,
// bridges, hang-up, variables) are sent here, outside ari/v5, on the
// caller's own goroutine with its context (over the wire transport,
// wire.go): v5.3.1's calls take no context,
// so each needed a goroutine of its own to honour a deadline (ARI.call), and
// the library decodes every answer into its own types, which the controller
// never reads. Measured on the real Asterisk (README, "bench asterisk"),
// that was the largest part of the controller's CPU per call after the
// events. The wire form is the one ARI documents: parameters in the query
// string, originate's request as the library's own JSON body. Errors are
// the same *APIError as the library's path (statusError).
//
// Less frequent requests (lists, recordings, snoop, mute) stay on ari/v5.

// direct sends one request to target (a full URL, query included) and
// returns at ctx's deadline.
func (a *ARI) direct(ctx context.Context, op, id, method, target string) error {
	return a.send(ctx, op, id, method, target, nil)
}

// rest sends method path?query (path relative to the REST root) with an
// optional JSON body.
func (a *ARI) rest(ctx context.Context, op, id, method, path string, query url.Values, body any) error {
	target := a.opts.URL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return &APIError{Op: op, ID: id, Err: err}
		}
	}
	return a.send(ctx, op, id, method, target, b)
}

func (a *ARI) send(ctx context.Context, op, id, method, target string, body []byte) error {
	release := a.clk.Hold()
	defer release()
	if err := ctx.Err(); err != nil {
		return &APIError{Op: op, ID: id, Err: err}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.opts.RequestTimeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return &APIError{Op: op, ID: id, Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.opts.Username != "" {
		req.SetBasicAuth(a.opts.Username, a.opts.Password)
	}
	resp, err := a.wire.RoundTrip(req)
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = errors.Join(ctx.Err(), err)
		}
		return &APIError{Op: op, ID: id, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return statusError(op, id, resp)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return nil
}

// chanPath and bridgePath are a channel's and a bridge's REST paths.
func chanPath(id string) string   { return "/channels/" + url.PathEscape(id) }
func bridgePath(id string) string { return "/bridges/" + url.PathEscape(id) }
