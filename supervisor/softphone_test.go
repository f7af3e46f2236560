package supervisor_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/supervisor"
	"github.com/publicservice/hotline/web"
)

// GET /api/v1/supervisor/softphone hands the signed-in supervisor their own
// SIP account (the endpoint of their account, s201 …) and nobody else's;
// agents are refused; without HOTLINE_SIP_WS the phone is off and the page
// offers only the typed phone.
func TestSupervisorSoftphoneAccount(t *testing.T) {
	db := storetest.MustOpenDB(t)
	svc := auth.New(db.Pool(), auth.Options{InsecureCookies: true})
	cfg := config.Sample()
	serve := func(sip agentpanel.SIPConfig) string {
		s := &supervisor.Service{Auth: svc, Config: cfg, DB: db, Clock: clock.Real(), SIP: sip}
		api := &web.Server{Config: cfg, Clock: clock.Real(), Auth: svc, Mount: []func(*http.ServeMux){s.Mount}}
		ts := httptest.NewServer(api.Handler())
		t.Cleanup(ts.Close)
		return ts.URL
	}
	on := serve(agentpanel.SIPConfig{WebSocketURL: "wss://pbx.example:8089/ws", Domain: "pbx.example",
		Passwords: map[string]string{"a101": "agent secret", "s201": "sup secret", "s202": "other sup"}, ICEServers: []string{"stun:stun.example:3478"}})
	off := serve(agentpanel.SIPConfig{})
	webtest.MustAddUser(t, svc, "agent1", "pw agent1 long enough", auth.Agent, "a101")
	webtest.MustAddUser(t, svc, "supervisor1", "pw supervisor1 long enough", auth.Supervisor, "s201")
	webtest.MustAddUser(t, svc, "supervisor2", "pw supervisor2 long enough", auth.Supervisor, "s209")
	webtest.MustAddUser(t, svc, "supervisor3", "pw supervisor3 long enough", auth.Supervisor, "")

	const path = "/api/v1/supervisor/softphone"
	var e webtest.ErrorCode
	if st := webtest.Anonymous(on).Do(t, "GET", path, nil, &e); st != 401 || e.Error.Code != "unauthorized" {
		t.Fatalf("anonymous: %d %+v", st, e)
	}
	if st := webtest.SignIn(t, on, "agent1", "pw agent1 long enough").Do(t, "GET", path, nil, &e); st != 403 || e.Error.Code != "forbidden" {
		t.Fatalf("agent: %d %+v", st, e)
	}
	if st := webtest.SignIn(t, on, "supervisor2", "pw supervisor2 long enough").Do(t, "GET", path, nil, &e); st != 404 || !strings.Contains(e.Error.Message, "s209") {
		t.Fatalf("a supervisor whose endpoint has no SIP password: %d %+v", st, e)
	}
	if st := webtest.SignIn(t, on, "supervisor3", "pw supervisor3 long enough").Do(t, "GET", path, nil, &e); st != 404 || !strings.Contains(e.Error.Message, "no SIP endpoint") {
		t.Fatalf("a supervisor with no endpoint: %d %+v", st, e)
	}
	sup := webtest.SignIn(t, on, "supervisor1", "pw supervisor1 long enough")
	resp := sup.Raw(t, "GET", path, nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("supervisor1: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	var sp agentpanel.Softphone
	sup.Do(t, "GET", path, nil, &sp)
	if !sp.Enabled || sp.WebSocket != "wss://pbx.example:8089/ws" || sp.URI != "sip:s201@pbx.example" || sp.Password != "sup secret" ||
		len(sp.ICEServers) != 1 || sp.ICEServers[0] != "stun:stun.example:3478" {
		t.Fatalf("supervisor1's softphone: %+v", sp)
	}
	// The page offers the browser phone (and loads JsSIP) only with HOTLINE_SIP_WS.
	page := func(c *webtest.Client) string {
		resp := c.Raw(t, "GET", "/supervisor", nil, nil)
		defer resp.Body.Close()
		var b strings.Builder
		if _, err := io.Copy(&b, resp.Body); err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /supervisor: %d %v", resp.StatusCode, err)
		}
		return b.String()
	}
	if p := page(sup); !strings.Contains(p, `id="target-browser"`) || !strings.Contains(p, "/static/softphone.js") || !strings.Contains(p, `id="sup-endpoint"`) {
		t.Errorf("the supervisor page with SIP lacks the browser phone or the typed phone")
	}
	offSup := webtest.SignIn(t, off, "supervisor1", "pw supervisor1 long enough")
	sp = agentpanel.Softphone{}
	if st := offSup.Do(t, "GET", path, nil, &sp); st != 200 || sp.Enabled || sp.Password != "" || sp.URI != "" {
		t.Fatalf("softphone off: %d %+v", st, sp)
	}
	if p := page(offSup); strings.Contains(p, `id="target-browser"`) || strings.Contains(p, "jssip") || !strings.Contains(p, `id="sup-endpoint"`) {
		t.Errorf("the supervisor page without SIP offers a browser phone, or lacks the typed phone")
	}
}
