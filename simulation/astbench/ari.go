package astbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// ARI is the smallest ARI client the benchmark needs: REST requests and the
// events WebSocket of one application, with nothing else in the way (the
// minimal application and the caller driver use it; the controller has its
// own telephony package).
type ARI struct {
	URL, User, Password string // URL: http://127.0.0.1:PORT/ari
	hc                  *http.Client
	requests            atomic.Int64
	events              atomic.Int64
}

// NewARI returns a client for the ARI root url.
func NewARI(rawURL, user, password string) *ARI {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &ARI{URL: strings.TrimSuffix(rawURL, "/"), User: user, Password: password,
		hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Requests is how many REST requests the client has made.
func (a *ARI) Requests() int64 { return a.requests.Load() }

// EventsRead is how many event frames Events has read.
func (a *ARI) EventsRead() int64 { return a.events.Load() }

// errStatus is an ARI answer above 299.
type errStatus struct {
	Status int
	Body   string
}

func (e *errStatus) Error() string { return fmt.Sprintf("ARI %d %s", e.Status, e.Body) }

// isGone reports an ARI 404/409/422: the channel or playback is gone.
func isGone(err error) bool {
	var e *errStatus
	return errors.As(err, &e) && (e.Status == 404 || e.Status == 409 || e.Status == 422 || e.Status == 400)
}

// Do makes one REST request; out (if not nil) receives the JSON answer.
func (a *ARI) Do(ctx context.Context, method, path string, q url.Values, out any) error {
	return a.do(ctx, method, path, q, nil, out)
}

// do is Do with an optional JSON body.
func (a *ARI) do(ctx context.Context, method, path string, q url.Values, body any, out any) error {
	u := a.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("astbench: %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("astbench: %s %s: %w", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.SetBasicAuth(a.User, a.Password)
	a.requests.Add(1)
	resp, err := a.hc.Do(req)
	if err != nil {
		return fmt.Errorf("astbench: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode > 299 {
		return fmt.Errorf("astbench: %s %s: %w", method, path, &errStatus{resp.StatusCode, string(bytes.TrimSpace(answer))})
	}
	if out != nil && len(answer) > 0 {
		if err := json.Unmarshal(answer, out); err != nil {
			return fmt.Errorf("astbench: %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// Filter sets application app's event filter: Asterisk stops sending it
// the event types in disallow.
func (a *ARI) Filter(ctx context.Context, app string, disallow []string) error {
	list := make([]map[string]string, 0, len(disallow))
	for _, t := range disallow {
		list = append(list, map[string]string{"type": t})
	}
	return a.do(ctx, http.MethodPut, "/applications/"+url.PathEscape(app)+"/eventFilter", nil, map[string]any{"disallowed": list}, nil)
}

// Event is an ARI event, reduced to the fields the benchmark reads.
type Event struct {
	Type        string   `json:"type"`
	Timestamp   string   `json:"timestamp"`
	Args        []string `json:"args"`
	Digit       string   `json:"digit"`
	DialplanApp string   `json:"dialplan_app"`
	DialplanArg string   `json:"dialplan_app_data"`
	Channel     *struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
	} `json:"channel"`
	Playback *struct {
		ID       string `json:"id"`
		MediaURI string `json:"media_uri"`
		Target   string `json:"target_uri"`
		State    string `json:"state"`
	} `json:"playback"`
	Bridge *struct {
		ID       string   `json:"id"`
		Channels []string `json:"channels"`
	} `json:"bridge"`
	// Received is when the frame was read (set by Events).
	Received time.Time `json:"-"`
}

// ChannelID is the event's channel id, or "".
func (e *Event) ChannelID() string {
	if e.Channel == nil {
		return ""
	}
	return e.Channel.ID
}

// Events connects application app's events WebSocket and calls handle for
// each event, in order, until ctx ends or the connection fails. ready is
// closed once connected (the application then exists in Asterisk).
func (a *ARI) Events(ctx context.Context, app string, ready chan<- struct{}, handle func(Event)) error {
	ws := strings.Replace(a.URL, "http", "ws", 1) + "/events?" + url.Values{"app": {app}}.Encode()
	hdr := http.Header{}
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(a.User, a.Password)
	hdr.Set("Authorization", req.Header.Get("Authorization"))
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 64 << 10}
	conn, _, err := d.DialContext(ctx, ws, hdr)
	if err != nil {
		return fmt.Errorf("astbench: events of %s: %w", app, err)
	}
	defer conn.Close()
	if ready != nil {
		close(ready)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("astbench: events of %s: %w", app, err)
		}
		a.events.Add(1)
		var ev Event
		if json.Unmarshal(msg, &ev) != nil {
			continue
		}
		ev.Received = time.Now()
		handle(ev)
	}
}

// ChannelCount is how many channels Asterisk has (GET /channels lists them all).
func (a *ARI) ChannelCount(ctx context.Context) (int, error) {
	var chans []json.RawMessage
	if err := a.Do(ctx, http.MethodGet, "/channels", nil, &chans); err != nil {
		return 0, err
	}
	return len(chans), nil
}

// AppConnected reports whether application app has a WebSocket connected
// (GET /applications lists only those).
func (a *ARI) AppConnected(ctx context.Context, app string) bool {
	var apps []struct {
		Name string `json:"name"`
	}
	if err := a.Do(ctx, http.MethodGet, "/applications", nil, &apps); err != nil {
		return false
	}
	for _, x := range apps {
		if x.Name == app {
			return true
		}
	}
	return false
}
