package telephony

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/CyCoreSystems/ari/v5/client/native"
)

// ErrExists is wrapped by errors about an id or name already in use (ARI 409
// "... already exists": a bridge id, an originate channelId, a recording name).
var ErrExists = errors.New("telephony: already exists")

// APIError is an error answer from ARI (or a failure to get one) for one
// operation. It wraps ErrGone for 404, 409 and 422, and for a 400 whose
// message says a channel or bridge was not found (addChannel of a channel
// that hung up answers 400 "Channel not found"); see Gone and Exists.
type APIError struct {
	Op      string // e.g. "answer"
	ID      string // the channel, bridge, playback or recording concerned
	Status  int    // HTTP status, 0 if none was received
	Message string // ARI's own message ("Channel not found"), where known
	Err     error  // the underlying error
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("telephony: ")
	b.WriteString(e.Op)
	if e.ID != "" {
		b.WriteString(" ")
		b.WriteString(e.ID)
	}
	if e.Status != 0 {
		b.WriteString(": ARI ")
		b.WriteString(strconv.Itoa(e.Status))
	}
	if e.Message != "" {
		b.WriteString(" ")
		b.WriteString(strconv.Quote(e.Message))
	}
	if e.Status == 0 && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Gone reports whether the resource no longer exists or left the
// application: 404 (except "Resource not found", an unknown path), 409
// (except "... already exists" and "... isn't playing music"), 422, and a
// 400 whose message says "not found".
func (e *APIError) Gone() bool {
	msg := strings.ToLower(e.Message)
	switch e.Status {
	case http.StatusNotFound:
		return msg != "resource not found"
	case http.StatusConflict:
		return !e.Exists() && !strings.Contains(msg, "isn't playing")
	case http.StatusUnprocessableEntity:
		return true
	case http.StatusBadRequest:
		return strings.Contains(msg, "not found")
	}
	return false
}

// Exists reports a 409 about an id or name already in use (bridge id,
// originate channelId, recording name).
func (e *APIError) Exists() bool {
	return e.Status == http.StatusConflict && strings.Contains(strings.ToLower(e.Message), "already exists")
}

// Unwrap exposes ErrGone or ErrExists (when they apply) and the underlying error.
func (e *APIError) Unwrap() []error {
	switch {
	case e.Gone():
		return []error{ErrGone, e.Err}
	case e.Exists():
		return []error{ErrExists, e.Err}
	}
	return []error{e.Err}
}

// wrapErr turns an error of an ari/v5 call into an *APIError (nil stays nil).
func wrapErr(op, id string, err error) error {
	if err == nil {
		return nil
	}
	status, text := requestStatus(err)
	return &APIError{Op: op, ID: id, Status: status, Message: messageFromStatus(text), Err: err}
}

// requestStatus walks an ari/v5 error chain (eris wrappers use Unwrap, the
// native data-get wrapper only Cause) to its native.RequestError.
func requestStatus(err error) (int, string) {
	for i := 0; err != nil && i < 32; i++ {
		if re, ok := err.(native.RequestError); ok {
			return re.Code(), re.Error()
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Cause() error }:
			err = u.Cause()
		default:
			err = nil
		}
	}
	return 0, ""
}

// ariMessageSep separates the HTTP status from ARI's message in the status
// line that errorBodyTransport rewrites ("404 Not Found | Channel not found").
const ariMessageSep = " | "

func messageFromStatus(text string) string {
	if i := strings.Index(text, ariMessageSep); i >= 0 {
		return text[i+len(ariMessageSep):]
	}
	return ""
}

// ariMessage extracts the message of an ARI error body: {"message": ...} or
// {"error": ...} (Allocation failed), else a trimmed prefix of the body.
func ariMessage(body []byte) string {
	var m struct {
		Message string `json:"message"`
		Error   string `json:"error"`
	}
	if json.Unmarshal(body, &m) == nil {
		if m.Message != "" {
			return m.Message
		}
		if m.Error != "" {
			return m.Error
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

// errorBodyTransport makes ari/v5's answers usable:
//   - on a non-2xx answer it appends ARI's message to the status line (the
//     library reports only "Non-2XX response: <status>" and drops the body)
//     and replaces the body by JSON null, so the library's decode of an error
//     body (HTML on some 400s) cannot hide the status code;
//   - on a 2xx answer without a body it supplies JSON null for the same reason.
type errorBodyTransport struct{ next http.RoundTripper }

func (t errorBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if resp.StatusCode == http.StatusNoContent || resp.ContentLength == 0 {
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(strings.NewReader("null"))
			resp.ContentLength = 4
		}
		return resp, nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	status := strconv.Itoa(resp.StatusCode) + " " + http.StatusText(resp.StatusCode)
	if msg := ariMessage(body); msg != "" {
		status += ariMessageSep + msg
	}
	resp.Status = status
	resp.Body = io.NopCloser(bytes.NewReader([]byte("null")))
	resp.ContentLength = 4
	return resp, nil
}

// installHTTPClient replaces the native client's unexported zero-value
// http.Client (no timeout at all in v5.3.1: native.RequestTimeout is declared
// but never used) by one with a hard timeout and errorBodyTransport. ari/v5 is
// pinned at v5.3.1, whose Client has the field `httpClient http.Client`; if a
// different layout is met, it reports false and the library's own client
// stays (calls still return at their context's deadline, see ARI.call).
func installHTTPClient(c *native.Client, hc http.Client) bool {
	v := reflect.ValueOf(c).Elem().FieldByName("httpClient")
	if !v.IsValid() || v.Type() != reflect.TypeOf(http.Client{}) {
		return false
	}
	p := (*http.Client)(unsafe.Pointer(v.UnsafeAddr()))
	*p = hc
	return true
}

// newTransport is the transport for both the library's client and the
// direct play requests.
func newTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Enough kept-alive connections for every call's command at once: a
	// closed connection costs a TCP handshake per request under load.
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 512
	t.IdleConnTimeout = 90 * time.Second
	return t
}

// statusError builds the error of a direct request's non-2xx answer.
func statusError(op, id string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return &APIError{Op: op, ID: id, Status: resp.StatusCode, Message: ariMessage(body),
		Err: fmt.Errorf("non-2xx response: %s", resp.Status)}
}

// IsGone reports whether err wraps ErrGone.
func IsGone(err error) bool { return errors.Is(err, ErrGone) }

// timedTransport tells observe how long each request took.
type timedTransport struct {
	next    http.RoundTripper
	observe func(time.Duration)
}

func (t timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	t.observe(time.Since(start))
	return resp, err
}

// countedTransport counts the requests sent, in all and by kind.
type countedTransport struct {
	next   http.RoundTripper
	n      *atomic.Int64
	byKind *sync.Map // "POST channels/play" → *atomic.Int64
}

func (t countedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.n.Add(1)
	k := requestKind(r.Method, r.URL.Path)
	v, ok := t.byKind.Load(k)
	if !ok {
		v, _ = t.byKind.LoadOrStore(k, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
	return t.next.RoundTrip(r)
}

// requestKind names a request without its ids: "POST channels/play".
func requestKind(method, path string) string {
	_, rest, ok := strings.Cut(path, "/ari/")
	if !ok {
		rest = strings.TrimPrefix(path, "/")
	}
	seg := strings.Split(rest, "/")
	k := method + " " + seg[0]
	if len(seg) > 2 {
		k += "/" + seg[2]
	}
	return k
}
