package agentpanel_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/web"
)

// GET /api/v1/agent/softphone hands the signed-in agent their own SIP
// account and nobody else's; without HOTLINE_SIP_WS the softphone is off.
func TestSoftphoneAccount(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sip-passwords")
	if err := os.WriteFile(path, []byte("# agent id, password\n\na101 s3cret with space\na103  other\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pw, err := agentpanel.ReadSIPPasswords(path)
	if err != nil || len(pw) != 2 || pw["a101"] != "s3cret with space" || pw["a103"] != "other" {
		t.Fatalf("ReadSIPPasswords: %v %q", err, pw)
	}
	if err := os.WriteFile(path, []byte("a101\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := agentpanel.ReadSIPPasswords(path); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Fatalf("a line without a password: %v", err)
	}

	db := storetest.MustOpenDB(t)
	svc := auth.New(db.Pool(), auth.Options{InsecureCookies: true})
	cfg := config.Sample()
	serve := func(sip agentpanel.SIPConfig) string {
		p := &agentpanel.Panel{Auth: svc, Config: cfg, Clock: clock.Real(), SIP: sip}
		api := &web.Server{Config: cfg, Clock: clock.Real(), Auth: svc, Mount: []func(*http.ServeMux){p.Mount}}
		ts := httptest.NewServer(api.Handler())
		t.Cleanup(ts.Close)
		return ts.URL
	}
	on := serve(agentpanel.SIPConfig{WebSocketURL: "wss://pbx.example:8089/ws", Domain: "pbx.example", Passwords: pw,
		ICEServers: []string{"stun:stun.example:3478"}})
	off := serve(agentpanel.SIPConfig{})
	webtest.MustAddUser(t, svc, "agent1", "pw agent1 long enough", auth.Agent, "a101")
	webtest.MustAddUser(t, svc, "agent2", "pw agent2 long enough", auth.Agent, "a102")
	webtest.MustAddUser(t, svc, "supervisor1", "pw supervisor1 long enough", auth.Supervisor, "")

	var e webtest.ErrorCode
	if st := webtest.Anonymous(on).Do(t, "GET", "/api/v1/agent/softphone", nil, &e); st != 401 || e.Error.Code != "unauthorized" {
		t.Fatalf("anonymous: %d %+v", st, e)
	}
	if st := webtest.SignIn(t, on, "supervisor1", "pw supervisor1 long enough").Do(t, "GET", "/api/v1/agent/softphone", nil, &e); st != 403 {
		t.Fatalf("supervisor: %d %+v", st, e)
	}
	if st := webtest.SignIn(t, on, "agent2", "pw agent2 long enough").Do(t, "GET", "/api/v1/agent/softphone", nil, &e); st != 404 || !strings.Contains(e.Error.Message, "a102") {
		t.Fatalf("an agent without a SIP password: %d %+v", st, e)
	}
	ag := webtest.SignIn(t, on, "agent1", "pw agent1 long enough")
	resp := ag.Raw(t, "GET", "/api/v1/agent/softphone", nil, nil)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("agent1: %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	var sp agentpanel.Softphone
	ag.Do(t, "GET", "/api/v1/agent/softphone", nil, &sp)
	if !sp.Enabled || sp.WebSocket != "wss://pbx.example:8089/ws" || sp.URI != "sip:a101@pbx.example" || sp.Password != "s3cret with space" ||
		len(sp.ICEServers) != 1 || sp.ICEServers[0] != "stun:stun.example:3478" {
		t.Fatalf("agent1's softphone: %+v", sp)
	}
	sp = agentpanel.Softphone{}
	webtest.SignIn(t, off, "agent1", "pw agent1 long enough").Do(t, "GET", "/api/v1/agent/softphone", nil, &sp)
	if sp.Enabled || sp.Password != "" || sp.URI != "" {
		t.Fatalf("softphone off: %+v", sp)
	}
}
