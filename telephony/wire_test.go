package telephony

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// wireServer is an httptest server on loopback that counts the TCP
// connections it accepted.
type wireServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newWireServer(t *testing.T, h http.HandlerFunc) *wireServer {
	t.Helper()
	s := &wireServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func wireDo(t *testing.T, tr http.RoundTripper, ctx context.Context, method, url, body string) (int, string, error) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("u", "p")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), nil
}

func TestWireTransport(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "u" || p != "p" {
			http.Error(w, "auth", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/ari/channels/c1/answer":
			w.WriteHeader(http.StatusNoContent)
		case "/ari/channels":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"echo":` + string(b) + `,"q":"` + r.URL.RawQuery + `"}`))
		case "/ari/big":
			// Written in pieces with flushes: chunked on the wire.
			for range 100 {
				_, _ = w.Write([]byte(strings.Repeat("x", 100)))
				w.(http.Flusher).Flush()
			}
		case "/ari/missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"Channel not found"}`))
		case "/ari/close":
			w.Header().Set("Connection", "close")
			_, _ = w.Write([]byte("bye"))
		}
	})
	tr := newWireTransport(http.DefaultTransport)
	ctx := context.Background()

	tests := []struct {
		method, path, body string
		status             int    // the answer's status
		want               string // the answer's whole body
	}{
		{http.MethodPost, "/ari/channels/c1/answer", "", http.StatusNoContent, ""},
		{http.MethodPost, "/ari/channels?endpoint=PJSIP%2Fa101&app=hotline", `{"channelId":"x"}`, http.StatusOK,
			`{"echo":{"channelId":"x"},"q":"endpoint=PJSIP%2Fa101&app=hotline"}`},
		{http.MethodGet, "/ari/big", "", http.StatusOK, strings.Repeat("x", 10000)},
		{http.MethodDelete, "/ari/missing", "", http.StatusNotFound, `{"message":"Channel not found"}`},
		{http.MethodPost, "/ari/channels/c1/answer", "", http.StatusNoContent, ""},
	}
	for _, tc := range tests {
		status, body, err := wireDo(t, tr, ctx, tc.method, srv.URL+tc.path, tc.body)
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		if status != tc.status || body != tc.want {
			t.Fatalf("%s %s: got %d %q, want %d %q", tc.method, tc.path, status, body, tc.status, tc.want)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Fatalf("%d requests one after the other used %d connections, want 1 kept alive", len(tests), n)
	}

	// An answer with Connection: close: that connection is not reused.
	if _, body, err := wireDo(t, tr, ctx, http.MethodGet, srv.URL+"/ari/close", ""); err != nil || body != "bye" {
		t.Fatalf("close: %q, %v", body, err)
	}
	if _, _, err := wireDo(t, tr, ctx, http.MethodPost, srv.URL+"/ari/channels/c1/answer", ""); err != nil {
		t.Fatal(err)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Fatalf("after a Connection: close answer: %d connections, want 2", n)
	}

	// The server closes the kept-alive connection: the next request is
	// sent again on a new connection, not failed.
	srv.CloseClientConnections()
	if status, _, err := wireDo(t, tr, ctx, http.MethodPost, srv.URL+"/ari/channels/c1/answer", ""); err != nil || status != http.StatusNoContent {
		t.Fatalf("after the server closed the idle connection: %d, %v", status, err)
	}
	if n := srv.conns.Load(); n != 3 {
		t.Fatalf("after the server closed the idle connection: %d connections, want 3", n)
	}
}

func TestWireTransportConcurrent(t *testing.T) {
	srv := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.URL.Query().Get("n")))
	})
	tr := newWireTransport(http.DefaultTransport)
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				n := string(rune('a'+g)) + strings.Repeat("z", i)
				_, body, err := wireDo(t, tr, context.Background(), http.MethodGet, srv.URL+"/?n="+n, "")
				if err == nil && body != n {
					err = errors.New("answer " + body + " to request " + n)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := srv.conns.Load(); n > 8 {
		t.Fatalf("8 goroutines used %d connections, want at most 8", n)
	}
}

// A request blocked in the server returns at its context's deadline or
// cancellation, and its connection is not reused.
func TestWireTransportDeadlineAndCancel(t *testing.T) {
	release := make(chan struct{})
	srv := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	defer close(release)
	tr := newWireTransport(http.DefaultTransport)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := wireDo(t, tr, ctx, http.MethodPost, srv.URL+"/block", ""); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked request past its deadline: %v, want DeadlineExceeded", err)
	}

	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() {
		// Cancel once the request is in the server's hands.
		for srv.conns.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel2()
	}()
	if _, _, err := wireDo(t, tr, ctx2, http.MethodPost, srv.URL+"/block", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v, want Canceled", err)
	}

	if status, _, err := wireDo(t, tr, context.Background(), http.MethodPost, srv.URL+"/ok", ""); err != nil || status != http.StatusNoContent {
		t.Fatalf("after the interrupted requests: %d, %v", status, err)
	}
	if n := srv.conns.Load(); n != 3 {
		t.Fatalf("%d connections, want 3 (interrupted ones are not reused)", n)
	}
}

// https is not the wire transport's: it goes to the next transport.
func TestWireTransportOtherSchemes(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("tls"))
	}))
	defer srv.Close()
	tr := newWireTransport(srv.Client().Transport)
	if _, body, err := wireDo(t, tr, context.Background(), http.MethodGet, srv.URL, ""); err != nil || body != "tls" {
		t.Fatalf("https: %q, %v", body, err)
	}
}
