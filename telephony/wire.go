package telephony

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// wireTransport sends the call path's REST requests (rest.go) over plain
// HTTP/1.1 on kept-alive connections, writing the request and reading the
// whole answer on the caller's own goroutine. net/http's Transport hands
// every request to two goroutines of its own (the connection's write and
// read loops) and back: three goroutine wake-ups a request where this takes
// one. On the real Asterisk at a few calls a second, those wake-ups were as
// much of the controller's CPU as its Redis commands (README, "bench
// asterisk").
//
// It serves http:// only (ARI on loopback or a private network); any other
// scheme goes to next, net/http's transport. Answers are read whole (the
// call path's answers are empty or a channel's JSON): the returned body is
// in memory and the connection is back in the pool when RoundTrip returns.
type wireTransport struct {
	next http.RoundTripper // non-http schemes
	// idleTimeout closes a connection unused this long instead of reusing
	// it (Asterisk's http.conf session_keep_alive is 15 s by default).
	idleTimeout time.Duration
	maxIdle     int
	dialer      net.Dialer

	mu   sync.Mutex
	idle map[string][]*wireConn // by host:port, most recently used last
}

type wireConn struct {
	c    net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time
}

// maxWireBody bounds an answer read by the wire transport.
const maxWireBody = 4 << 20

// aLongTimeAgo is a deadline in the past: it interrupts a blocked read or
// write at once.
var aLongTimeAgo = time.Unix(1, 0)

func newWireTransport(next http.RoundTripper) *wireTransport {
	return &wireTransport{next: next, idleTimeout: 10 * time.Second, maxIdle: 512, idle: map[string][]*wireConn{}}
}

// errWireStale marks a kept-alive connection the server had closed before
// any byte of the answer came: the request is sent again on a new one.
var errWireStale = errors.New("kept-alive connection closed by the server")

func (t *wireTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "http" {
		return t.next.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read request body: %w", err)
		}
		body = b
	}
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		wc, reused, err := t.get(ctx, addr)
		if err != nil {
			return nil, err
		}
		resp, keep, err := t.exchange(ctx, wc, req, body, reused)
		if err != nil {
			_ = wc.c.Close()
			if errors.Is(err, errWireStale) && attempt == 0 && ctx.Err() == nil {
				continue
			}
			if cerr := ctxErr(ctx, err); cerr != nil {
				err = errors.Join(cerr, err)
			}
			return nil, err
		}
		if keep {
			t.put(addr, wc)
		} else {
			_ = wc.c.Close()
		}
		resp.Request = req
		return resp, nil
	}
}

// get takes the most recently used idle connection to addr that is not
// too old, or dials a new one.
func (t *wireTransport) get(ctx context.Context, addr string) (*wireConn, bool, error) {
	now := time.Now()
	t.mu.Lock()
	for l := t.idle[addr]; len(l) > 0; l = t.idle[addr] {
		wc := l[len(l)-1]
		l[len(l)-1] = nil
		t.idle[addr] = l[:len(l)-1]
		if now.Sub(wc.used) < t.idleTimeout {
			t.mu.Unlock()
			return wc, true, nil
		}
		_ = wc.c.Close()
	}
	t.mu.Unlock()
	c, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	return &wireConn{c: c, br: bufio.NewReaderSize(c, 4096), bw: bufio.NewWriterSize(c, 1024)}, false, nil
}

func (t *wireTransport) put(addr string, wc *wireConn) {
	wc.used = time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.idle[addr]) >= t.maxIdle {
		_ = wc.c.Close()
		return
	}
	t.idle[addr] = append(t.idle[addr], wc)
}

// exchange writes req and reads its whole answer on wc within ctx's
// deadline (a cancellation interrupts it too). keep reports whether wc
// may carry another request.
func (t *wireTransport) exchange(ctx context.Context, wc *wireConn, req *http.Request, body []byte, reused bool) (*http.Response, bool, error) {
	if d, ok := ctx.Deadline(); ok {
		_ = wc.c.SetDeadline(d)
	} else {
		_ = wc.c.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { _ = wc.c.SetDeadline(aLongTimeAgo) })
	resp, keep, err := t.exchangeOn(wc, req, body, reused)
	if !stop() {
		// ctx ended while in flight: the connection's deadline is spoilt.
		keep = false
		if err == nil && ctx.Err() != nil {
			err = ctx.Err()
		}
	}
	return resp, keep, err
}

func (t *wireTransport) exchangeOn(wc *wireConn, req *http.Request, body []byte, reused bool) (*http.Response, bool, error) {
	if err := writeRequest(wc.bw, req, body); err != nil {
		if reused {
			return nil, false, fmt.Errorf("%w: %w", errWireStale, err)
		}
		return nil, false, err
	}
	if _, err := wc.br.Peek(1); err != nil {
		if reused && (errors.Is(err, io.EOF) || isConnReset(err)) {
			return nil, false, fmt.Errorf("%w: %w", errWireStale, err)
		}
		return nil, false, err
	}
	return readResponse(wc.br, req.Method)
}

// ctxErr is ctx's error for a request that failed with err: the socket's
// deadline (ctx's own) may strike a moment before ctx's timer does.
func ctxErr(ctx context.Context, err error) error {
	if e := ctx.Err(); e != nil {
		return e
	}
	var ne net.Error
	if d, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return nil
}

func isConnReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// writeRequest writes req's request line, its headers, a Host and a
// Content-Length, and body.
func writeRequest(w *bufio.Writer, req *http.Request, body []byte) error {
	w.WriteString(req.Method)
	w.WriteByte(' ')
	w.WriteString(req.URL.RequestURI())
	w.WriteString(" HTTP/1.1\r\nHost: ")
	w.WriteString(req.URL.Host)
	w.WriteString("\r\n")
	for k, vs := range req.Header {
		if k == "Host" || k == "Content-Length" || k == "Connection" {
			continue
		}
		for _, v := range vs {
			w.WriteString(k)
			w.WriteString(": ")
			w.WriteString(v)
			w.WriteString("\r\n")
		}
	}
	if body != nil || req.Method == http.MethodPost || req.Method == http.MethodPut {
		w.WriteString("Content-Length: ")
		w.WriteString(strconv.Itoa(len(body)))
		w.WriteString("\r\n")
	}
	w.WriteString("\r\n")
	w.Write(body)
	return w.Flush()
}

// readResponse reads one whole answer: the status line, the headers and a
// body delimited by Content-Length, chunked, or the connection's end.
func readResponse(br *bufio.Reader, method string) (*http.Response, bool, error) {
	tp := textproto.NewReader(br)
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return nil, false, fmt.Errorf("read status line: %w", err)
		}
		proto, rest, ok := strings.Cut(line, " ")
		if !ok || !strings.HasPrefix(proto, "HTTP/1.") {
			return nil, false, fmt.Errorf("malformed status line %q", line)
		}
		code, reason, _ := strings.Cut(rest, " ")
		status, err := strconv.Atoi(code)
		if err != nil || status < 100 || status > 999 {
			return nil, false, fmt.Errorf("malformed status line %q", line)
		}
		hdr, err := tp.ReadMIMEHeader()
		if err != nil {
			return nil, false, fmt.Errorf("read headers: %w", err)
		}
		if status >= 100 && status < 200 {
			continue // 100 Continue and the like: the answer follows
		}
		resp := &http.Response{Status: code + " " + reason, StatusCode: status, Proto: proto, ProtoMajor: 1,
			ProtoMinor: int(proto[len(proto)-1] - '0'), Header: http.Header(hdr)}
		keep := proto == "HTTP/1.1" && !headerHas(hdr, "Connection", "close")
		var b []byte
		switch {
		case method == http.MethodHead || status == http.StatusNoContent || status == http.StatusNotModified:
		case headerHas(hdr, "Transfer-Encoding", "chunked"):
			b, err = io.ReadAll(io.LimitReader(httputil.NewChunkedReader(br), maxWireBody+1))
			if err == nil {
				// The trailer, if any, ends at a blank line.
				_, err = tp.ReadMIMEHeader()
			}
		case hdr.Get("Content-Length") != "":
			n, perr := strconv.ParseInt(strings.TrimSpace(hdr.Get("Content-Length")), 10, 64)
			if perr != nil || n < 0 || n > maxWireBody {
				return nil, false, fmt.Errorf("bad Content-Length %q", hdr.Get("Content-Length"))
			}
			b = make([]byte, n)
			_, err = io.ReadFull(br, b)
		default:
			b, err = io.ReadAll(io.LimitReader(br, maxWireBody+1))
			keep = false
		}
		if err != nil {
			return nil, false, fmt.Errorf("read body: %w", err)
		}
		if len(b) > maxWireBody {
			return nil, false, fmt.Errorf("answer larger than %d bytes", maxWireBody)
		}
		resp.ContentLength = int64(len(b))
		resp.Body = io.NopCloser(bytes.NewReader(b))
		return resp, keep, nil
	}
}

// headerHas reports whether a comma-separated header holds token.
func headerHas(h textproto.MIMEHeader, key, token string) bool {
	for _, v := range h[key] {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), token) {
				return true
			}
		}
	}
	return false
}
