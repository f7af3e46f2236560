// Package twilio is the hotline's Twilio adapter (github.com/twilio/twilio-go):
// a sms.Sender that creates and looks up messages through the REST API, and
// the webhooks Twilio calls, POST /twilio/sms (inbound messages) and POST
// /twilio/status (delivery status callbacks), both refusing requests without
// a valid X-Twilio-Signature (the library's RequestValidator).
//
// The account SID, auth token and sending number come from the environment
// (FromEnv). Tests point the real client at a local server with APIURL: the
// only difference from production is the host the requests go to.
package twilio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/sms"
)

// Options configure the adapter.
type Options struct {
	AccountSID string // TWILIO_ACCOUNT_SID
	AuthToken  string // TWILIO_AUTH_TOKEN (also signs the webhooks)
	// From is the hotline's SMS number (TWILIO_FROM), or
	// MessagingServiceSID (TWILIO_MESSAGING_SERVICE_SID) sends through a
	// messaging service.
	From                string
	MessagingServiceSID string
	// PublicURL is the hotline's address as Twilio reaches it
	// (HOTLINE_PUBLIC_URL, e.g. https://hotline.gov.ky): the base of the
	// status callback URL and of the URL webhook signatures are computed on.
	PublicURL string
	// APIURL replaces https://api.twilio.com (TWILIO_API_URL; tests, proxies).
	APIURL string
	// Timeout of one request (default 15s).
	Timeout time.Duration
}

// FromEnv reads the options from the environment; ok is false when
// TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is missing (SMS is then off).
func FromEnv() (o Options, ok bool) {
	o = Options{AccountSID: os.Getenv("TWILIO_ACCOUNT_SID"), AuthToken: os.Getenv("TWILIO_AUTH_TOKEN"),
		From: os.Getenv("TWILIO_FROM"), MessagingServiceSID: os.Getenv("TWILIO_MESSAGING_SERVICE_SID"),
		PublicURL: os.Getenv("HOTLINE_PUBLIC_URL"), APIURL: os.Getenv("TWILIO_API_URL")}
	return o, o.AccountSID != "" && o.AuthToken != ""
}

// Sender sends SMS through Twilio.
type Sender struct {
	opts Options
	api  *openapi.ApiService
}

var _ sms.Sender = (*Sender)(nil)

// rewrite sends every request to base instead of api.twilio.com.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.base.Scheme, r.base.Host
	req.URL.Path = strings.TrimSuffix(r.base.Path, "/") + req.URL.Path
	req.Host = r.base.Host
	return r.next.RoundTrip(req)
}

// New builds a Sender.
func New(o Options) (*Sender, error) {
	if o.AccountSID == "" || o.AuthToken == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "twilio: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required")
	}
	if !alnum(o.AccountSID) || !alnum(o.AuthToken) {
		return nil, hotline.Errorf(hotline.EINVALID, "twilio: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be letters and digits only")
	}
	if o.From == "" && o.MessagingServiceSID == "" {
		return nil, hotline.Errorf(hotline.EINVALID, "twilio: TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID is required")
	}
	if o.Timeout == 0 {
		o.Timeout = 15 * time.Second
	}
	var transport http.RoundTripper = http.DefaultTransport
	if o.APIURL != "" {
		u, err := url.Parse(o.APIURL)
		if err != nil || u.Host == "" {
			return nil, hotline.Errorf(hotline.EINVALID, "twilio: TWILIO_API_URL %q is not a URL", o.APIURL)
		}
		transport = rewrite{base: u, next: http.DefaultTransport}
	}
	base := &client.Client{Credentials: client.NewCredentials(o.AccountSID, o.AuthToken),
		HTTPClient: &http.Client{Timeout: o.Timeout, Transport: transport}}
	base.SetAccountSid(o.AccountSID)
	// The Messages API service alone: the root twilio.RestClient would
	// compile every Twilio product into the binary.
	return &Sender{opts: o, api: openapi.NewApiServiceWithClient(base)}, nil
}

// StatusCallback is the URL Twilio reports a message's delivery to.
func (s *Sender) StatusCallback(key string) string {
	if s.opts.PublicURL == "" {
		return ""
	}
	return strings.TrimSuffix(s.opts.PublicURL, "/") + "/twilio/status?key=" + url.QueryEscape(key)
}

// Send implements sms.Sender. twilio-go takes no context: the client's
// timeout bounds the request.
func (s *Sender) Send(ctx context.Context, m sms.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", &sms.SendError{Err: err}
	}
	p := &openapi.CreateMessageParams{}
	p.SetTo(m.To)
	p.SetBody(m.Body)
	if s.opts.MessagingServiceSID != "" {
		p.SetMessagingServiceSid(s.opts.MessagingServiceSID)
	} else {
		p.SetFrom(s.opts.From)
	}
	if cb := s.StatusCallback(m.Key); cb != "" {
		p.SetStatusCallback(cb)
	}
	msg, err := s.api.CreateMessage(p)
	if err != nil {
		return "", classify(err)
	}
	if msg.Sid == nil || *msg.Sid == "" {
		return "", &sms.SendError{Uncertain: true, Err: errors.New("twilio: created message has no sid")}
	}
	return *msg.Sid, nil
}

// Find implements sms.Sender: the messages to m.To created since m.Created
// (a minute of clock difference allowed) with exactly m.Body, but for the
// ones other outbox rows own (m.Taken).
func (s *Sender) Find(ctx context.Context, m sms.Message) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p := &openapi.ListMessageParams{}
	p.SetTo(m.To)
	p.SetPageSize(100)
	p.SetLimit(200)
	msgs, err := s.api.ListMessage(p)
	if err != nil {
		return "", fmt.Errorf("twilio: list messages: %w", err)
	}
	since := m.Created.Add(-time.Minute)
	for _, x := range msgs {
		if x.Sid == nil || x.Body == nil || *x.Body != m.Body || slices.Contains(m.Taken, *x.Sid) {
			continue
		}
		if x.DateCreated != nil {
			if t, err := time.Parse(time.RFC1123Z, *x.DateCreated); err == nil && t.Before(since) {
				continue
			}
		}
		if x.Status != nil && (*x.Status == "failed" || *x.Status == "canceled") {
			continue
		}
		return *x.Sid, nil
	}
	return "", nil
}

// classify turns a twilio-go error into a *sms.SendError: Twilio's 4xx
// answers (but 429) are permanent; 429 and 5xx mean Twilio did not take the
// message; anything without an answer may have been accepted.
func classify(err error) *sms.SendError {
	var re *client.TwilioRestError
	if errors.As(err, &re) {
		return &sms.SendError{Permanent: re.Status >= 400 && re.Status < 500 && re.Status != 429, Err: fmt.Errorf("twilio: %w", err)}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) {
		return &sms.SendError{Uncertain: true, Err: fmt.Errorf("twilio: no answer: %w", err)}
	}
	if strings.Contains(err.Error(), "error decoding the response for an HTTP error code") {
		return &sms.SendError{Err: fmt.Errorf("twilio: %w", err)}
	}
	return &sms.SendError{Uncertain: true, Err: fmt.Errorf("twilio: %w", err)}
}

func alnum(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
