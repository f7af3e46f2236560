// Package twiliosim is a Twilio Messages API simulator for the demo, as
// arisim is for Asterisk: the real twilio-go client (sms/twilio, pointed at
// it with TWILIO_API_URL) creates and lists messages on it, it reports each
// message "sent" then "delivered" to the message's StatusCallback with a
// valid X-Twilio-Signature, and its control API texts the hotline:
//
//	POST /2010-04-01/Accounts/{sid}/Messages.json   create (Basic auth: account SID and auth token)
//	GET  /2010-04-01/Accounts/{sid}/Messages.json   list (?To=)
//	GET  /_sim/messages                             every message sent, as JSON
//	POST /_sim/inbound?from=+1345...&body=...        text the hotline: a signed POST to its /twilio/sms; returns its TwiML
package twiliosim

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// Sim is the simulator.
type Sim struct {
	AccountSID, AuthToken string
	// Hotline is the hotline's base URL, where inbound messages are posted.
	Hotline string
	Logger  *slog.Logger

	mu   sync.Mutex
	msgs []Message
	ln   net.Listener
	srv  *http.Server
	wg   sync.WaitGroup
}

// Message is one message the hotline sent.
type Message struct {
	SID            string    `json:"sid"`
	To             string    `json:"to"`
	From           string    `json:"from"`
	Body           string    `json:"body"`
	Status         string    `json:"status"`
	Created        time.Time `json:"date_created"`
	StatusCallback string    `json:"status_callback,omitempty"`
}

// Start listens on addr (e.g. 127.0.0.1:0).
func (s *Sim) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("twiliosim: %w", err)
	}
	s.ln = ln
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages.json", s.list)
	mux.HandleFunc("GET /_sim/messages", s.messages)
	mux.HandleFunc("POST /_sim/inbound", s.inbound)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// URL is the simulator's base URL.
func (s *Sim) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops it.
func (s *Sim) Close() error {
	err := s.srv.Close()
	s.wg.Wait()
	return err
}

func (s *Sim) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Sim) auth(w http.ResponseWriter, r *http.Request) bool {
	u, p, ok := r.BasicAuth()
	if !ok || u != s.AccountSID || p != s.AuthToken || r.PathValue("sid") != s.AccountSID {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		_, _ = w.Write([]byte(`{"code": 20003, "message": "Authenticate", "status": 401}`))
		return false
	}
	return true
}

func (s *Sim) create(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r) {
		return
	}
	_ = r.ParseForm()
	f := r.PostForm
	if f.Get("To") == "" || f.Get("Body") == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"code": 21604, "message": "A 'To' phone number and a 'Body' are required.", "status": 400}`))
		return
	}
	s.mu.Lock()
	m := Message{SID: fmt.Sprintf("SM%032d", len(s.msgs)+1), To: f.Get("To"), From: f.Get("From"), Body: f.Get("Body"),
		Status: "queued", Created: time.Now().UTC(), StatusCallback: f.Get("StatusCallback")}
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()
	s.log().Info("twiliosim: message accepted", "sid", m.SID)
	if m.StatusCallback != "" {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			for _, st := range []string{"sent", "delivered"} {
				s.setStatus(m.SID, st)
				s.callback(m.StatusCallback, url.Values{"MessageSid": {m.SID}, "MessageStatus": {st}, "AccountSid": {s.AccountSID}})
			}
		}()
	}
	writeJSON(w, 201, s.view(m))
}

func (s *Sim) setStatus(sid, st string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.msgs {
		if s.msgs[i].SID == sid {
			s.msgs[i].Status = st
		}
	}
}

func (s *Sim) view(m Message) map[string]any {
	return map[string]any{"sid": m.SID, "account_sid": s.AccountSID, "to": m.To, "from": m.From, "body": m.Body,
		"status": m.Status, "date_created": m.Created.Format(time.RFC1123Z)}
}

func (s *Sim) list(w http.ResponseWriter, r *http.Request) {
	if !s.auth(w, r) {
		return
	}
	to := r.URL.Query().Get("To")
	s.mu.Lock()
	out := []map[string]any{}
	for i := len(s.msgs) - 1; i >= 0; i-- {
		if to == "" || s.msgs[i].To == to {
			out = append(out, s.view(s.msgs[i]))
		}
	}
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"messages": out, "page": 0, "page_size": len(out), "next_page_uri": nil, "uri": r.URL.RequestURI()})
}

func (s *Sim) messages(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	out := append([]Message{}, s.msgs...)
	s.mu.Unlock()
	writeJSON(w, 200, out)
}

// inbound texts the hotline.
func (s *Sim) inbound(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	n := len(s.msgs)
	s.mu.Unlock()
	form := url.Values{"MessageSid": {fmt.Sprintf("SMin%d%d", time.Now().UnixNano(), n)}, "AccountSid": {s.AccountSID},
		"From": {q.Get("from")}, "To": {q.Get("to")}, "Body": {q.Get("body")}}
	status, body := s.callback(strings.TrimSuffix(s.Hotline, "/")+"/twilio/sms", form)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// callback POSTs form to u signed as Twilio signs webhooks.
func (s *Sim) callback(u string, form url.Values) (int, []byte) {
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		return 502, nil
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(s.AuthToken, u, form))
	c := &http.Client{Timeout: 15 * time.Second}
	res, err := c.Do(req)
	if err != nil {
		s.log().Warn("twiliosim: webhook", "err", err)
		return 502, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// Sign is X-Twilio-Signature of a form POST to u: HMAC-SHA1 with the auth
// token of u followed by each parameter's name and value in name order,
// base64.
func Sign(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(u)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(form.Get(k))
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
