package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/internal/webtest"
)

// Every staff API route refuses a request without a session or token with
// 401 JSON {"error":{"code":"unauthorized"}}.
func TestAPIRefusesWithoutSession(t *testing.T) {
	f := newFixture(t, nil)
	anon := webtest.Anonymous(f.srv.URL)
	id := f.cfg.Agents[0].ID
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/queues"}, {"GET", "/api/v1/queues/general"}, {"GET", "/api/v1/agents"},
		{"GET", "/api/v1/agents/" + id}, {"POST", "/api/v1/agents/" + id + "/login"}, {"POST", "/api/v1/agents/" + id + "/logout"},
		{"POST", "/api/v1/agents/" + id + "/pause?reason=lunch"}, {"POST", "/api/v1/agents/" + id + "/available"},
		{"GET", "/api/v1/session"}, {"DELETE", "/api/v1/session"}, {"GET", "/api/v1/no-such-route"},
	} {
		var e webtest.ErrorCode
		if st := anon.Do(t, r.method, r.path, nil, &e); st != 401 || e.Error.Code != "unauthorized" || e.Error.Message == "" {
			t.Errorf("%s %s without session: %d %+v, want 401 unauthorized", r.method, r.path, st, e)
		}
	}
	// A forged or expired cookie is no session either.
	u, _ := url.Parse(f.srv.URL)
	anon.HTTP.Jar.SetCookies(u, []*http.Cookie{{Name: auth.SessionCookie, Value: "forged"}})
	if st := anon.Do(t, "GET", "/api/v1/queues", nil, nil); st != 401 {
		t.Fatalf("forged cookie: %d", st)
	}
	// Public: health (no personal data).
	if st := anon.Do(t, "GET", "/healthz", nil, nil); st != 200 {
		t.Fatalf("healthz: %d", st)
	}
}

func TestPagesRedirectToLogin(t *testing.T) {
	f := newFixture(t, nil)
	anon := webtest.Anonymous(f.srv.URL)
	resp := anon.Raw(t, "GET", "/", nil, map[string]string{"Accept": "text/html"})
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/login?next=%2F" {
		t.Fatalf("GET / anonymous: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}
}

func TestWrongRoleForbidden(t *testing.T) {
	f := newFixture(t, nil)
	other := f.cfg.Agents[1].ID
	mine := f.cfg.Agents[0]
	var e webtest.ErrorCode
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/agents"},          // supervisors only
		{"GET", "/api/v1/agents/" + other}, // another agent
		{"POST", "/api/v1/agents/" + other + "/logout"},
		{"POST", "/api/v1/agents/" + other + "/pause?reason=lunch"},
	} {
		if st := f.ag.Do(t, r.method, r.path, nil, &e); st != 403 || e.Error.Code != "forbidden" {
			t.Errorf("agent %s %s: %d %+v, want 403 forbidden", r.method, r.path, st, e)
		}
	}
	// An agent sees only the queues of their skills.
	var qs struct{ Queues []QueueFigures }
	if st := f.ag.Do(t, "GET", "/api/v1/queues", nil, &qs); st != 200 || len(qs.Queues) != len(mine.Skills) {
		t.Fatalf("agent's queues: %d, %d listed, skills %v", st, len(qs.Queues), mine.Skills)
	}
	for _, q := range f.cfg.Queues {
		want := 403
		if mine.HasSkill(q.ID) {
			want = 200
		}
		if st := f.ag.Do(t, "GET", "/api/v1/queues/"+q.ID, nil, nil); st != want {
			t.Errorf("agent GET queue %s: %d, want %d", q.ID, st, want)
		}
	}
	// Their own state they may change.
	var v AgentView
	if st := f.ag.Do(t, "POST", "/api/v1/agents/"+mine.ID+"/login", nil, &v); st != 200 || v.State != "available" {
		t.Fatalf("own login: %d %+v", st, v)
	}
	if st := f.ag.Do(t, "POST", "/api/v1/agents/"+mine.ID+"/pause?reason=lunch", nil, &v); st != 200 || v.Reason != "lunch" {
		t.Fatalf("own pause: %d %+v", st, v)
	}
}

func TestPauseReasonFromConfiguredList(t *testing.T) {
	f := newFixture(t, nil)
	id := f.cfg.Agents[0].ID
	f.ag.Do(t, "POST", "/api/v1/agents/"+id+"/login", nil, nil)
	for _, reason := range []string{"", "manual", "<script>alert(1)</script>", "Lunch"} {
		var e webtest.ErrorCode
		if st := f.ag.Do(t, "POST", "/api/v1/agents/"+id+"/pause?reason="+url.QueryEscape(reason), nil, &e); st != 400 || e.Error.Code != "invalid" {
			t.Errorf("pause reason %q: %d %+v, want 400 invalid", reason, st, e)
		}
	}
	var v AgentView
	f.ag.Do(t, "GET", "/api/v1/agents/"+id, nil, &v)
	if v.State != "available" {
		t.Fatalf("state after refused pauses: %+v", v)
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t, nil)
	id := f.cfg.Agents[0].ID
	for _, tok := range []string{"-", "wrong", f.sup.CSRF + "x"} {
		resp := f.ag.Raw(t, "POST", "/api/v1/agents/"+id+"/login", nil, map[string]string{"X-CSRF-Token": tok})
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 403 || !strings.Contains(string(b), `"forbidden"`) {
			t.Errorf("CSRF token %q: %d %s, want 403 forbidden", tok, resp.StatusCode, b)
		}
	}
	// The form field works as well as the header.
	resp := f.ag.Raw(t, "POST", "/api/v1/agents/"+id+"/login", "csrf_token="+url.QueryEscape(f.ag.CSRF), map[string]string{"X-CSRF-Token": "-"})
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("CSRF form field: %d", resp.StatusCode)
	}
	// GET needs none.
	if st := f.ag.Do(t, "GET", "/api/v1/session", nil, nil); st != 200 {
		t.Fatalf("GET session: %d", st)
	}
}

func TestBearerToken(t *testing.T) {
	f := newFixture(t, nil)
	tok, err := f.auth.CreateToken(context.Background(), "supervisor1", "wallboard tv")
	if err != nil {
		t.Fatal(err)
	}
	c := webtest.Anonymous(f.srv.URL)
	c.Bearer = tok
	if st := c.Do(t, "GET", "/api/v1/agents", nil, nil); st != 200 {
		t.Fatalf("bearer GET agents: %d", st)
	}
	// No CSRF token needed: no cookie is involved.
	if st := c.Do(t, "POST", "/api/v1/agents/"+f.cfg.Agents[2].ID+"/login", nil, nil); st != 200 {
		t.Fatalf("bearer POST: %d", st)
	}
	c.Bearer = tok + "x"
	var e webtest.ErrorCode
	if st := c.Do(t, "GET", "/api/v1/agents", nil, &e); st != 401 || e.Error.Code != "unauthorized" {
		t.Fatalf("wrong bearer: %d %+v", st, e)
	}
	resp := c.Raw(t, "GET", "/api/v1/agents", nil, map[string]string{"Authorization": "Basic Zm9vOmJhcg=="})
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("basic auth: %d", resp.StatusCode)
	}
}

func TestSignInRefusalsAndRateLimit(t *testing.T) {
	f := newFixture(t, nil)
	c := webtest.Anonymous(f.srv.URL)
	var e webtest.ErrorCode
	if st := c.Do(t, "POST", "/api/v1/session", []byte(`{"username":`), &e); st != 400 || e.Error.Code != "invalid" {
		t.Fatalf("malformed JSON: %d %+v", st, e)
	}
	if st := c.Do(t, "POST", "/api/v1/session", []byte(`{"username":"agent1","password":"x","extra":1}`), &e); st != 400 {
		t.Fatalf("unknown field: %d", st)
	}
	if st := c.Do(t, "POST", "/api/v1/session", "username=agent1&password="+testPassword, &e); st != 400 {
		t.Fatalf("form body to the JSON sign-in: %d", st)
	}
	if st := c.Do(t, "POST", "/api/v1/session", map[string]string{"username": "nobody", "password": testPassword}, &e); st != 401 {
		t.Fatalf("unknown user: %d", st)
	}
	for i := 0; i < auth.MaxFailuresPerUser; i++ {
		if st := c.Do(t, "POST", "/api/v1/session", map[string]string{"username": "agent1", "password": "wrong password"}, &e); st != 401 || e.Error.Code != "unauthorized" {
			t.Fatalf("wrong password %d: %d %+v", i, st, e)
		}
	}
	// Now even the right password is refused for a while.
	if st := c.Do(t, "POST", "/api/v1/session", map[string]string{"username": "agent1", "password": testPassword}, &e); st != 429 || e.Error.Code != "rate_limited" {
		t.Fatalf("after %d failures: %d %+v, want 429 rate_limited", auth.MaxFailuresPerUser, st, e)
	}
	// Another account from the same address is not blocked yet.
	if st := c.Do(t, "POST", "/api/v1/session", map[string]string{"username": "supervisor1", "password": testPassword}, nil); st != 200 {
		t.Fatalf("other user: %d", st)
	}
}

func TestSignOutEndsSession(t *testing.T) {
	f := newFixture(t, nil)
	c := webtest.SignIn(t, f.srv.URL, "agent1", testPassword)
	if st := c.Do(t, "GET", "/api/v1/agents/"+f.cfg.Agents[0].ID, nil, nil); st != 200 {
		t.Fatalf("before sign-out: %d", st)
	}
	old, _ := url.Parse(f.srv.URL)
	cookies := c.HTTP.Jar.Cookies(old)
	if st := c.Do(t, "DELETE", "/api/v1/session", nil, nil); st != 204 {
		t.Fatalf("sign out: %d", st)
	}
	// The old cookie value no longer works, even replayed.
	replay := webtest.Anonymous(f.srv.URL)
	replay.HTTP.Jar.SetCookies(old, cookies)
	if st := replay.Do(t, "GET", "/api/v1/session", nil, nil); st != 401 {
		t.Fatalf("replayed cookie after sign-out: %d", st)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func TestLoginFormAndCookie(t *testing.T) {
	f := newFixture(t, nil)
	c := webtest.Anonymous(f.srv.URL)
	resp := c.Raw(t, "GET", "/login?next=/agent", nil, nil)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		t.Fatalf("login page: %d %s", resp.StatusCode, page)
	}
	form := url.Values{"username": {"agent1"}, "password": {testPassword}, "next": {"/agent"}}
	// Without the form's token: refused.
	resp = c.Raw(t, "POST", "/login", form.Encode(), nil)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("login form without CSRF: %d", resp.StatusCode)
	}
	resp = c.Raw(t, "GET", "/login", nil, nil)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	form.Set("csrf_token", string(csrfField.FindSubmatch(page)[1]))
	resp = c.Raw(t, "POST", "/login", form.Encode(), nil)
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/agent" {
		t.Fatalf("login form: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sc *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == auth.SessionCookie {
			sc = ck
		}
	}
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
		t.Fatalf("session cookie %+v", sc)
	}
	// A wrong password shows the page again, escaped, with the username kept.
	form.Set("username", `<b>x</b>`)
	form.Set("password", "nope")
	resp = c.Raw(t, "POST", "/login", form.Encode(), nil)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || strings.Contains(string(page), "<b>x</b>") || !strings.Contains(string(page), "&lt;b&gt;x&lt;/b&gt;") {
		t.Fatalf("wrong password page: %d %s", resp.StatusCode, page)
	}
	// An open redirect through next is not followed.
	form = url.Values{"username": {"agent1"}, "password": {testPassword}, "next": {"//evil.example/"},
		"csrf_token": {string(csrfField.FindSubmatch(page)[1])}}
	resp = c.Raw(t, "POST", "/login", form.Encode(), nil)
	resp.Body.Close()
	if resp.Header.Get("Location") != "/agent" {
		t.Fatalf("next=//evil: Location %q", resp.Header.Get("Location"))
	}
}

func TestSecureCookieByDefault(t *testing.T) {
	f := newFixture(t, nil)
	secure := auth.New(f.pool, auth.Options{})
	s := &Server{Queues: f.q, Config: f.cfg, Clock: f.clk, Auth: secure}
	srv := newTestServer(t, s)
	resp := webtest.Anonymous(srv).Raw(t, "POST", "/api/v1/session", map[string]string{"username": "agent1", "password": testPassword}, nil)
	resp.Body.Close()
	if len(resp.Cookies()) != 1 || !resp.Cookies()[0].Secure {
		t.Fatalf("cookies %+v, want one Secure cookie", resp.Cookies())
	}
}

func TestSupervisorSetStateIsAudited(t *testing.T) {
	f := newFixture(t, nil)
	id := f.cfg.Agents[3].ID
	f.do(t, "POST", "/api/v1/agents/"+id+"/login", 200, nil)
	f.do(t, "POST", "/api/v1/agents/"+id+"/pause?reason=meeting", 200, nil)
	var n int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM supervisor_audit WHERE actor = 'supervisor1' AND agent = $1 AND action = 'set_state'`, id).Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit rows %d %v, want 2", n, err)
	}
}
