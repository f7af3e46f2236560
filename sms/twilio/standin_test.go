package twilio_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	accountSID = "AC00000000000000000000000000000001"
	authToken  = "0123456789abcdef0123456789abcdef"
	fromNumber = "+13459491000"
)

// standIn is a local HTTP server that answers as Twilio's Messages API does
// and checks every request it gets: path, method, Basic auth, content type
// and the exact form fields.
type standIn struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	posts    []url.Values // every create request received
	accepted []accepted   // messages Twilio would have
	lists    int
	// mode decides the answer to the next creates: "ok", "500", "400",
	// "hang-after-accept" (keeps the message, then answers only after the
	// client gave up), "hang-before-accept". next, when set, are the modes
	// of the next creates, one each, before mode again.
	mode string
	next []string
	n    int
}

type accepted struct {
	sid, to, body string
	at            time.Time
}

func newStandIn(t *testing.T) *standIn {
	s := &standIn{t: t, mode: "ok"}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *standIn) setMode(m string) { s.mu.Lock(); s.mode = m; s.mu.Unlock() }

// setNext sets the modes of the next creates, one each.
func (s *standIn) setNext(modes ...string) { s.mu.Lock(); s.next = modes; s.mu.Unlock() }

func (s *standIn) counts() (posts, accepted, lists int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.posts), len(s.accepted), s.lists
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	path := "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
	if r.URL.Path != path {
		s.t.Errorf("stand-in: unexpected path %s %s", r.Method, r.URL.Path)
		http.Error(w, "not found", 404)
		return
	}
	if u, p, ok := r.BasicAuth(); !ok || u != accountSID || p != authToken {
		s.t.Errorf("stand-in: bad basic auth %q", u)
		w.WriteHeader(401)
		return
	}
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "twilio-go/") {
		s.t.Errorf("stand-in: not the twilio-go client: %q", r.Header.Get("User-Agent"))
	}
	switch r.Method {
	case "POST":
		s.create(w, r)
	case "GET":
		s.list(w, r)
	default:
		s.t.Errorf("stand-in: method %s", r.Method)
	}
}

func (s *standIn) create(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		s.t.Errorf("stand-in: content type %q", ct)
	}
	if err := r.ParseForm(); err != nil {
		s.t.Errorf("stand-in: form: %v", err)
	}
	f := r.PostForm
	for k := range f {
		switch k {
		case "To", "From", "Body", "StatusCallback":
		default:
			s.t.Errorf("stand-in: unexpected field %s=%q", k, f.Get(k))
		}
	}
	if f.Get("From") != fromNumber || !strings.HasPrefix(f.Get("To"), "+") || f.Get("Body") == "" {
		s.t.Errorf("stand-in: fields %v", f)
	}
	s.mu.Lock()
	s.posts = append(s.posts, f)
	mode := s.mode
	if len(s.next) > 0 {
		mode, s.next = s.next[0], s.next[1:]
	}
	s.n++
	sid := fmt.Sprintf("SM%032d", s.n)
	if mode == "ok" || mode == "hang-after-accept" {
		s.accepted = append(s.accepted, accepted{sid: sid, to: f.Get("To"), body: f.Get("Body"), at: time.Now()})
	}
	s.mu.Unlock()
	switch mode {
	case "500":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"code": 20500, "message": "Internal Server Error", "more_info": "https://www.twilio.com/docs/errors/20500", "status": 500}`))
		return
	case "400":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		_, _ = w.Write([]byte(`{"code": 21211, "message": "The 'To' number is not a valid phone number.", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}`))
		return
	case "hang-after-accept", "hang-before-accept":
		<-r.Context().Done() // answers only once the client has given up
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(201)
	_ = json.NewEncoder(w).Encode(map[string]any{"sid": sid, "account_sid": accountSID, "to": f.Get("To"), "from": fromNumber,
		"body": f.Get("Body"), "status": "queued", "date_created": time.Now().UTC().Format(time.RFC1123Z)})
}

func (s *standIn) list(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("To")
	if to == "" {
		s.t.Errorf("stand-in: list without To: %s", r.URL.RawQuery)
	}
	s.mu.Lock()
	s.lists++
	var msgs []map[string]any
	for i := len(s.accepted) - 1; i >= 0; i-- {
		a := s.accepted[i]
		if a.to == to {
			msgs = append(msgs, map[string]any{"sid": a.sid, "to": a.to, "body": a.body, "status": "sent",
				"date_created": a.at.UTC().Format(time.RFC1123Z)})
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"messages": msgs, "page": 0, "page_size": 100, "next_page_uri": nil,
		"uri": r.URL.RequestURI()})
}
