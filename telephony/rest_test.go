package telephony

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/clock"
)

// restRecorder is a scripted ARI REST endpoint for checks that need no
// simulator: exact requests sent and error answers.
type restRecorder struct {
	mu    sync.Mutex
	reqs  []recorded
	reply func(r *http.Request) (int, string)
}

type recorded struct {
	Method, Path, RawQuery, Body string
}

func newRESTServer(t *testing.T, reply func(r *http.Request) (int, string)) (*restRecorder, *httptest.Server) {
	rr := &restRecorder{reply: reply}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rr.mu.Lock()
		rr.reqs = append(rr.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, string(b)})
		rr.mu.Unlock()
		if u, p, ok := r.BasicAuth(); !ok || u != "hotline" || p != "secret" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"message":"Authentication required"}`)
			return
		}
		code, body := rr.reply(r)
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return rr, srv
}

func (rr *restRecorder) last() recorded {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.reqs[len(rr.reqs)-1]
}

func TestErrorsMapToGoneWithARIMessage(t *testing.T) {
	_, srv := newRESTServer(t, func(r *http.Request) (int, string) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/answer"):
			return 404, `{"message":"Channel not found"}`
		case strings.HasSuffix(r.URL.Path, "/play/pb1"):
			return 409, `{"message":"Channel not in Stasis application"}`
		case r.URL.Path == "/ari/bridges/b-dup":
			return 409, `{"message":"Bridge with id 'b-dup' already exists"}`
		case strings.HasSuffix(r.URL.Path, "/addChannel"):
			return 400, `{"message":"Channel not found"}`
		case strings.HasSuffix(r.URL.Path, "/moh"):
			return 400, "<html>Bad Request</html>"
		case strings.HasPrefix(r.URL.Path, "/ari/channels") && r.Method == http.MethodPost:
			return 500, `{"error":"Allocation failed"}`
		}
		return 404, `{"message":"Resource not found"}`
	})
	a := newTestARI(t, srv.URL, clock.Real())
	ctx := context.Background()
	gone := []struct {
		name string
		err  error
		msg  string
	}{
		{"answer 404", a.Answer(ctx, "c1"), "Channel not found"},
		{"play 409", a.Play(ctx, "c1", "pb1", "sound:hello-world"), "Channel not in Stasis application"},
		{"addChannel 400 not found", a.AddToBridge(ctx, "b1", "c1"), "Channel not found"},
	}
	for _, g := range gone {
		var ae *APIError
		if !errors.Is(g.err, ErrGone) || !errors.As(g.err, &ae) || ae.Message != g.msg || !strings.Contains(g.err.Error(), g.msg) {
			t.Errorf("%s: %v (want ErrGone with %q)", g.name, g.err, g.msg)
		}
	}
	err := a.Originate(ctx, Originate{Endpoint: "PJSIP/agent100", ChannelID: "x"})
	var ae *APIError
	if errors.Is(err, ErrGone) || !errors.As(err, &ae) || ae.Status != 500 || ae.Message != "Allocation failed" {
		t.Errorf("originate 500: %v", err)
	}
	err = a.CreateBridge(ctx, "b-dup", "mixing")
	if errors.Is(err, ErrGone) || !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("bridge 409 already exists: %v", err)
	}
	err = a.StopPlayback(ctx, "pb9") // the fake answers 404 "Resource not found" (unknown path)
	if errors.Is(err, ErrGone) || !errors.As(err, &ae) || ae.Status != 404 {
		t.Errorf("404 Resource not found: %v", err)
	}
	err = a.StartMOH(ctx, "c1", "default")
	if errors.Is(err, ErrGone) || !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("moh 400 with an HTML body: %v", err)
	}
}

func TestPlaySeveralMediaUsesCommaSeparatedQuery(t *testing.T) {
	rr, srv := newRESTServer(t, func(r *http.Request) (int, string) {
		return 201, `{"id":"pb-1","media_uri":"sound:a","state":"queued","target_uri":"channel:c1"}`
	})
	a := newTestARI(t, srv.URL, clock.Real())
	ctx := context.Background()
	if err := a.Play(ctx, "c1", "pb-1", "sound:hotline/welcome", "digits:12", "sound:beep"); err != nil {
		t.Fatal(err)
	}
	got := rr.last()
	if got.Method != "POST" || got.Path != "/ari/channels/c1/play/pb-1" ||
		got.RawQuery != "media=sound%3Ahotline%2Fwelcome,digits%3A12,sound%3Abeep" || got.Body != "" {
		t.Fatalf("multi-media play sent %+v", got)
	}
	if err := a.PlayBridge(ctx, "b1", "pb-2", "sound:a", "sound:b"); err != nil {
		t.Fatal(err)
	}
	if got := rr.last(); got.Path != "/ari/bridges/b1/play/pb-2" || got.RawQuery != "media=sound%3Aa,sound%3Ab" {
		t.Fatalf("bridge multi-media play sent %+v", got)
	}
	// One item: the same query form.
	if err := a.Play(ctx, "c1", "pb-3", "sound:beep"); err != nil {
		t.Fatal(err)
	}
	if got = rr.last(); got.Path != "/ari/channels/c1/play/pb-3" || got.RawQuery != "media=sound%3Abeep" || got.Body != "" {
		t.Fatalf("single play sent %+v", got)
	}
	if err := a.Play(ctx, "c1", "pb-4", "sound:a,b", "sound:c"); err == nil {
		t.Fatal("a media item with a comma was accepted")
	}
}

func TestOriginateRequest(t *testing.T) {
	rr, srv := newRESTServer(t, func(r *http.Request) (int, string) {
		return 200, `{"id":"agent-1","name":"PJSIP/a101-00000001","state":"Down"}`
	})
	a := newTestARI(t, srv.URL, clock.Real())
	err := a.Originate(context.Background(), Originate{Endpoint: "PJSIP/a101", ChannelID: "agent-1",
		AppArgs: "agent,call-7", CallerID: `"Hotline" <2000>`, Timeout: 1500 * time.Millisecond,
		Variables: map[string]string{"CALL_ID": "call-7"}})
	if err != nil {
		t.Fatal(err)
	}
	got := rr.last()
	var body struct {
		Endpoint, App, AppArgs, ChannelID, CallerID string
		Timeout                                     int
		Variables                                   map[string]string
	}
	if err := json.Unmarshal([]byte(got.Body), &body); err != nil {
		t.Fatal(err)
	}
	if got.Path != "/ari/channels" || body.Endpoint != "PJSIP/a101" || body.App != "hotline" || body.AppArgs != "agent,call-7" ||
		body.ChannelID != "agent-1" || body.CallerID != `"Hotline" <2000>` || body.Timeout != 2 || body.Variables["CALL_ID"] != "call-7" {
		t.Fatalf("originate sent %+v / %+v", got, body)
	}
}

func TestCallsReturnAtContextDeadline(t *testing.T) {
	unblock := make(chan struct{})
	_, srv := newRESTServer(t, func(r *http.Request) (int, string) {
		<-unblock
		return 204, ""
	})
	t.Cleanup(func() { close(unblock) })
	a := newTestARI(t, srv.URL, clock.Real())
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := a.Answer(ctx, "c1")
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrGone) {
		t.Fatalf("answer against a hung server: %v", err)
	}
	err = a.Play(ctx, "c1", "pb", "sound:a", "sound:b")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("direct play against a hung server: %v", err)
	}
}

// The call path's requests, sent by the adapter itself: ARI's query form,
// ids escaped in the path, no body.
func TestCallPathRequestForms(t *testing.T) {
	rr, srv := newRESTServer(t, func(r *http.Request) (int, string) { return 204, "" })
	a := newTestARI(t, srv.URL, clock.Real())
	ctx := context.Background()
	for _, tc := range []struct {
		name         string
		do           func() error
		method, path string
		query        string
	}{
		{"answer", func() error { return a.Answer(ctx, "c 1") }, "POST", "/ari/channels/c 1/answer", ""},
		{"hangup", func() error { return a.Hangup(ctx, "c1", "no_answer") }, "DELETE", "/ari/channels/c1", "reason=no_answer"},
		{"hangup, no reason", func() error { return a.Hangup(ctx, "c1", "") }, "DELETE", "/ari/channels/c1", ""},
		{"stop playback", func() error { return a.StopPlayback(ctx, "pb/1") }, "DELETE", "/ari/playbacks/pb/1", ""},
		{"start moh", func() error { return a.StartMOH(ctx, "c1", "hotline") }, "POST", "/ari/channels/c1/moh", "mohClass=hotline"},
		{"start moh, default", func() error { return a.StartMOH(ctx, "c1", "") }, "POST", "/ari/channels/c1/moh", ""},
		{"stop moh", func() error { return a.StopMOH(ctx, "c1") }, "DELETE", "/ari/channels/c1/moh", ""},
		{"create bridge", func() error { return a.CreateBridge(ctx, "b1", "mixing") }, "POST", "/ari/bridges/b1", "name=b1&type=mixing"},
		{"add one", func() error { return a.AddToBridge(ctx, "b1", "c1") }, "POST", "/ari/bridges/b1/addChannel", "channel=c1"},
		{"remove", func() error { return a.RemoveFromBridge(ctx, "b1", "c1") }, "POST", "/ari/bridges/b1/removeChannel", "channel=c1"},
		{"destroy bridge", func() error { return a.DestroyBridge(ctx, "b1") }, "DELETE", "/ari/bridges/b1", ""},
		{"language", func() error { return a.SetVariable(ctx, "c1", "CHANNEL(language)", "es") }, "POST", "/ari/channels/c1/variable",
			"value=es&variable=CHANNEL%28language%29"},
	} {
		if err := tc.do(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got := rr.last(); got.Method != tc.method || got.Path != tc.path || got.RawQuery != tc.query || got.Body != "" {
			t.Errorf("%s sent %+v, want %s %s?%s", tc.name, got, tc.method, tc.path, tc.query)
		}
	}
}
