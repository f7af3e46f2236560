package tickethttp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/auth"
	tickethttp "github.com/publicservice/hotline/ticket/http"
	"github.com/publicservice/hotline/ticket/tickettest"
)

// The agent panel's ticket form: an agent signed in with a session cookie
// (as in the browser) posts the form's JSON to POST /api/v1/staff/tickets
// with the call id and the X-CSRF-Token header the panel sends; the ticket
// is linked to the call record. Without the CSRF header it is refused.
func TestAgentPanelTicketDuringCall(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	au := auth.New(e.DB.Pool(), auth.Options{InsecureCookies: true})
	if _, err := au.AddUser(t.Context(), auth.NewUser{Username: "officer7", Password: "correct horse battery",
		Role: auth.Agent, AgentID: "a107"}); err != nil {
		t.Fatal(err)
	}
	h := &tickethttp.Handler{Tickets: e.Tickets, Config: e.Config, Clock: e.Clock,
		Actor: func(r *http.Request) string { return auth.UserFrom(r.Context()).Username }}
	mux := http.NewServeMux()
	au.Register(mux, "Test")
	h.Routes(mux, au.Require(), au.Require(auth.Supervisor))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	// The call the agent is on (its record, as the IVR writes it).
	arrived := e.Clock.Now().Add(-3 * time.Minute)
	call := hotline.CallRecord{ID: "call-panel-1", Caller: "+13455550142", Arrived: arrived, Ended: arrived.Add(2 * time.Minute),
		Queue: "dvdl", Agent: "a107", Disposition: hotline.DispAnswered}
	if err := e.DB.SaveCall(t.Context(), &call); err != nil {
		t.Fatal(err)
	}

	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar}
	send := func(method, path, body string, hdr map[string]string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return res.StatusCode, m
	}
	st, sess := send("POST", "/api/v1/session", `{"username":"officer7","password":"correct horse battery"}`, nil)
	csrf, _ := sess["csrf_token"].(string)
	if st != http.StatusOK || csrf == "" {
		t.Fatalf("sign-in: %d %v", st, sess)
	}

	// Exactly what web/assets/agent.js sends from the panel's form.
	form := `{"kind":"complaint","channel":"phone","call_id":"call-panel-1","language":"en","where":"phone",
		"what_happened":"The caller waited at the counter for two hours.","department":"dvdl",
		"contact_wanted":true,"contact_by":"phone","phone":"+13455550142","privacy_accepted":true}`
	if st, m := send("POST", "/api/v1/staff/tickets", form, nil); st != http.StatusForbidden {
		t.Fatalf("without the CSRF header: %d %v", st, m)
	}
	if st, m := send("POST", "/api/v1/staff/tickets", form, map[string]string{"X-CSRF-Token": "wrong"}); st != http.StatusForbidden {
		t.Fatalf("with a wrong CSRF header: %d %v", st, m)
	}
	st, m := send("POST", "/api/v1/staff/tickets", form, map[string]string{"X-CSRF-Token": csrf})
	ref, _ := m["reference"].(string)
	if st != http.StatusCreated || !strings.HasPrefix(ref, "C-2026-") {
		t.Fatalf("create: %d %v", st, m)
	}
	st, d := send("GET", "/api/v1/tickets/"+ref, "", nil)
	if st != http.StatusOK {
		t.Fatalf("get: %d %v", st, d)
	}
	calls, _ := d["calls"].([]any)
	if len(calls) != 1 {
		t.Fatalf("linked calls %v", d["calls"])
	}
	c, _ := calls[0].(map[string]any)
	if c["call_id"] != "call-panel-1" || c["why"] != "logged_during" || c["agent"] != "a107" || c["queue"] != "dvdl" {
		t.Errorf("linked call %v", c)
	}
	if d["call_id"] != "call-panel-1" || d["channel"] != "phone" || d["department"] != "dvdl" || d["phone"] != "+13455550142" {
		t.Errorf("ticket %v", d)
	}
	if hist, _ := d["history"].([]any); len(hist) == 0 || !strings.Contains(func() string { b, _ := json.Marshal(hist); return string(b) }(), "officer7") {
		t.Errorf("history does not name the agent: %v", d["history"])
	}
}
