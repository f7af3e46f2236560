package tickethttp_test

import (
	"encoding/csv"
	"encoding/json"
	"github.com/publicservice/hotline/auth"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/publicservice/hotline/ticket"
	tickethttp "github.com/publicservice/hotline/ticket/http"
	"github.com/publicservice/hotline/ticket/tickettest"
)

// tokens are bearer tokens of the accounts newServer creates.
type tokens struct{ agent, supervisor string }

// newServer serves the ticket routes behind the real sign-in (package auth),
// with an agent and a supervisor account.
func newServer(t *testing.T) (*httptest.Server, *tickettest.Env, tokens) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	au := auth.New(e.DB.Pool(), auth.Options{})
	var tk tokens
	for _, u := range []struct {
		name string
		role auth.Role
		dst  *string
	}{{"officer7", auth.Agent, &tk.agent}, {"sup1", auth.Supervisor, &tk.supervisor}} {
		nu := auth.NewUser{Username: u.name, Password: "correct horse battery", Role: u.role}
		if u.role == auth.Agent {
			nu.AgentID = "a107"
		}
		if _, err := au.AddUser(t.Context(), nu); err != nil {
			t.Fatal(err)
		}
		tok, err := au.CreateToken(t.Context(), u.name, "test")
		if err != nil {
			t.Fatal(err)
		}
		*u.dst = tok
	}
	h := &tickethttp.Handler{Tickets: e.Tickets, Config: e.Config, Clock: e.Clock, Facts: e.Tickets.Facts,
		Notifications: func(r *http.Request, who string) ([]ticket.Notification, error) {
			return e.Tickets.Notifications(r.Context(), who)
		},
		Actor: func(r *http.Request) string { return auth.UserFrom(r.Context()).Username }}
	mux := http.NewServeMux()
	h.Routes(mux, au.Require(), au.Require(auth.Supervisor))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, e, tk
}

type resp struct {
	status int
	body   string
	json   map[string]any
}

func do(t *testing.T, method, u, ctype, body string, token string) resp {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := resp{status: res.StatusCode, body: string(b)}
	_ = json.Unmarshal(b, &r.json)
	return r
}

func errField(r resp) (code, field, msg string) {
	e, _ := r.json["error"].(map[string]any)
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	msg, _ = e["message"].(string)
	return
}

func TestFormGetBothLanguages(t *testing.T) {
	srv, _, _ := newServer(t)
	en := do(t, "GET", srv.URL+"/feedback", "", "", "")
	es := do(t, "GET", srv.URL+"/feedback?lang=es", "", "", "")
	if en.status != 200 || es.status != 200 {
		t.Fatalf("status %d %d", en.status, es.status)
	}
	for _, want := range []string{`<html lang="en">`, "Make a complaint", "Give a compliment", "Do not send school or medical information",
		"Privacy and your personal information", `name="what_happened"`, `name="phone_from"`, `name="counter_location"`,
		`<label for="what_happened">`, "Passport, new or renewal", `name="privacy_accepted"`, "Español"} {
		if !strings.Contains(en.body, want) {
			t.Errorf("English form lacks %q", want)
		}
	}
	for _, want := range []string{`<html lang="es">`, "Presentar una queja", "No envíe información escolar ni médica", "Privacidad y sus datos personales",
		"Pasaporte, nuevo o renovación"} {
		if !strings.Contains(es.body, want) {
			t.Errorf("Spanish form lacks %q", want)
		}
	}
	if strings.Contains(en.body, "<script") {
		t.Error("the form must work without JavaScript")
	}
	req, _ := http.NewRequest("GET", srv.URL+"/feedback", nil)
	req.Header.Set("Accept-Language", "es-419,es;q=0.9")
	res, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), `<html lang="es">`) {
		t.Error("Accept-Language es not honoured")
	}
}

func TestFormPost(t *testing.T) {
	srv, e, _ := newServer(t)
	form := url.Values{"kind": {"complaint"}, "language": {"es"}, "what_happened": {"Esperé dos horas <b>"}, "where": {"counter"},
		"counter_location": {"George Town"}, "department": {"dvdl"}, "service": {"driving_test"}, "contact_wanted": {"yes"},
		"contact_by": {"phone"}, "phone": {"+1 345 555 0100"}, "name": {"Ana"}}
	// No privacy tick: the form comes back, everything kept, the field named.
	r := do(t, "POST", srv.URL+"/feedback", "application/x-www-form-urlencoded", form.Encode(), "")
	if r.status != 400 || !strings.Contains(r.body, `href="#privacy_accepted"`) || !strings.Contains(r.body, "Esperé dos horas &lt;b&gt;") ||
		!strings.Contains(r.body, `value="driving_test" selected`) || !strings.Contains(r.body, `<html lang="es">`) {
		t.Fatalf("refused form: %d\n%s", r.status, r.body)
	}
	form.Set("privacy_accepted", "yes")
	r = do(t, "POST", srv.URL+"/feedback", "application/x-www-form-urlencoded", form.Encode(), "")
	if r.status != 201 || !strings.Contains(r.body, "C-2026-000001") || !strings.Contains(r.body, "Hemos recibido su queja") {
		t.Fatalf("accepted form: %d\n%s", r.status, r.body)
	}
	tk, err := e.Tickets.Find(t.Context(), "C-2026-000001")
	if err != nil || tk.Channel != "online" || tk.Language != "es" || tk.Service != "driving_test" || tk.Phone != "+13455550100" || tk.CounterLocation != "George Town" {
		t.Errorf("stored %+v %v", tk, err)
	}
}

func TestAPICreateAndErrors(t *testing.T) {
	srv, _, _ := newServer(t)
	body := `{"kind":"compliment","what_happened":"Very helpful officer","department":"registry","privacy_accepted":true,
		"contact_wanted":true,"email":"me@example.ky"}`
	r := do(t, "POST", srv.URL+"/api/v1/tickets", "application/json", body, "")
	if r.status != 201 || r.json["reference"] != "M-2026-000001" || r.json["status"] != "new" || r.json["acknowledge_due"] == nil {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	bad := []struct{ body, field string }{
		{`{"kind":"complaint","privacy_accepted":true}`, "what_happened"},
		{`{"kind":"complaint","what_happened":"x"}`, "privacy_accepted"},
		{`{"kind":"moan","what_happened":"x","privacy_accepted":true}`, "kind"},
		{`{"kind":"complaint","what_happened":"x","privacy_accepted":"yes"}`, "privacy_accepted"},
		{`{"kind":"complaint","what_happened":"x","privacy_accepted":true,"colour":"red"}`, "colour"},
		{`{"kind":"complaint","what_happened":"x","privacy_accepted":true,"email":"nope"}`, "email"},
		{`{"kind":"complaint","what_happened":"x","privacy_accepted":true,"occurred_on":"4 March"}`, "occurred_on"},
		{`{"kind":"complaint","what_happened":"x","privacy_accepted":true,"channel":"letter"}`, "channel"},
		{`not json`, "body"},
	}
	for _, b := range bad {
		r := do(t, "POST", srv.URL+"/api/v1/tickets", "application/json", b.body, "")
		code, field, msg := errField(r)
		if r.status != 400 || code != "invalid" || field != b.field || !strings.HasPrefix(msg, b.field+":") {
			t.Errorf("%s: %d %s", b.body, r.status, r.body)
		}
	}
}

func TestStaffRoutes(t *testing.T) {
	srv, e, tok := newServer(t)
	r := do(t, "POST", srv.URL+"/api/v1/tickets", "application/json",
		`{"kind":"complaint","what_happened":"Rude","department":"dvdl","privacy_accepted":true,"phone":"3455550100"}`, "")
	ref, _ := r.json["reference"].(string)
	for _, p := range []string{"/api/v1/tickets/" + ref, "/api/v1/tickets", "/api/v1/tickets.csv", "/api/v1/tickets/notifications"} {
		if r := do(t, "GET", srv.URL+p, "", "", ""); r.status != 401 {
			t.Errorf("%s without sign-in: %d", p, r.status)
		}
	}
	// The staff page sends a browser to sign in.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if res, err := noFollow.Get(srv.URL + "/staff/tickets"); err != nil || res.StatusCode/100 != 3 || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("staff page without sign-in: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	g := do(t, "GET", srv.URL+"/api/v1/tickets/"+ref, "", "", tok.agent)
	if g.status != 200 || g.json["reference"] != ref || g.json["channel"] != "online" {
		t.Fatalf("get: %d %s", g.status, g.body)
	}
	if h, _ := g.json["history"].([]any); len(h) != 1 {
		t.Errorf("history %v", g.json["history"])
	}
	// Digits as typed on a keypad find it too.
	if g := do(t, "GET", srv.URL+"/api/v1/tickets/2026000001", "", "", tok.agent); g.status != 200 {
		t.Errorf("by digits: %d", g.status)
	}
	if g := do(t, "GET", srv.URL+"/api/v1/tickets/C-2026-000099", "", "", tok.agent); g.status != 404 {
		t.Errorf("unknown: %d %s", g.status, g.body)
	}
	// Illegal transition: 400 naming the status.
	s := do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/status", "application/json", `{"status":"reopened"}`, tok.agent)
	if code, field, _ := errField(s); s.status != 400 || code != "invalid" || field != "status" {
		t.Errorf("illegal move: %d %s", s.status, s.body)
	}
	s = do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/status", "application/json", `{"status":"acknowledged","note":"called back"}`, tok.agent)
	if s.status != 200 || s.json["status"] != "acknowledged" {
		t.Fatalf("move: %d %s", s.status, s.body)
	}
	h, _ := s.json["history"].([]any)
	if last, _ := h[len(h)-1].(map[string]any); last["actor"] != "officer7" || last["note"] != "called back" {
		t.Errorf("audit actor: %v", h)
	}
	// Assignment and CSV export are for supervisors: an agent gets 403.
	if a := do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/assign", "application/json", `{"officer":"a103"}`, tok.agent); a.status != 403 {
		t.Errorf("agent assigning: %d %s", a.status, a.body)
	}
	if c := do(t, "GET", srv.URL+"/api/v1/tickets.csv", "", "", tok.agent); c.status != 403 {
		t.Errorf("agent exporting: %d", c.status)
	}
	if c := do(t, "GET", srv.URL+"/api/v1/tickets/"+ref, "", "", "not-a-token"); c.status != 401 {
		t.Errorf("bad token: %d", c.status)
	}
	a := do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/assign", "application/json", `{"officer":"a103"}`, tok.supervisor)
	if a.status != 200 || a.json["officer"] != "a103" {
		t.Errorf("assign: %d %s", a.status, a.body)
	}
	// Staff enter a letter received last week.
	l := do(t, "POST", srv.URL+"/api/v1/staff/tickets", "application/json",
		`{"channel":"letter","kind":"complaint","what_happened":"Letter about fees","received":"2026-02-24","department":"registry"}`, tok.agent)
	if l.status != 201 || l.json["reference"] != "C-2026-000002" || !strings.HasPrefix(l.json["reply_due"].(string), "2026-03-03") {
		t.Fatalf("letter: %d %s", l.status, l.body)
	}
	if l := do(t, "POST", srv.URL+"/api/v1/staff/tickets", "application/json", `{"kind":"complaint","what_happened":"x"}`, tok.agent); l.status != 400 {
		t.Errorf("no channel: %d", l.status)
	}
	// The page form for letters.
	form := url.Values{"channel": {"email"}, "kind": {"information"}, "what_happened": {"Asked about passports"}, "received": {"2026-03-01"}}
	p := do(t, "POST", srv.URL+"/staff/tickets", "application/x-www-form-urlencoded", form.Encode(), tok.agent)
	if p.status != 201 || !strings.Contains(p.body, "I-2026-000003") {
		t.Errorf("staff page entry: %d", p.status)
	}
	// Search and filters.
	q := do(t, "GET", srv.URL+"/api/v1/tickets?status=acknowledged&department=dvdl", "", "", tok.agent)
	if q.status != 200 || q.json["total"] != float64(1) {
		t.Errorf("search: %s", q.body)
	}
	q = do(t, "GET", srv.URL+"/api/v1/tickets?phone=%2B13455550100", "", "", tok.agent)
	if q.json["total"] != float64(1) {
		t.Errorf("by phone: %s", q.body)
	}
	q = do(t, "GET", srv.URL+"/api/v1/tickets?from=2026-03-01&to=2026-03-02", "", "", tok.agent)
	if q.json["total"] != float64(2) {
		t.Errorf("date range: %s", q.body)
	}
	e.Clock.Set(tickettest.Cayman(t, "2026-03-20 10:00"))
	q = do(t, "GET", srv.URL+"/api/v1/tickets?overdue=true", "", "", tok.agent)
	if q.json["total"] != float64(3) {
		t.Errorf("overdue: %s", q.body)
	}
	for _, bad := range []string{"status=lost", "department=nasa", "overdue=maybe", "from=yesterday", "kind=x", "limit=-1"} {
		r := do(t, "GET", srv.URL+"/api/v1/tickets?"+bad, "", "", tok.agent)
		if _, field, _ := errField(r); r.status != 400 || field != strings.Split(bad, "=")[0] {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	c := do(t, "GET", srv.URL+"/api/v1/tickets.csv?department=dvdl", "", "", tok.supervisor)
	recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][0] != "reference" || recs[1][0] != ref || recs[1][3] != "acknowledged" {
		t.Errorf("csv: %v %v", recs, err)
	}
	page := do(t, "GET", srv.URL+"/staff/tickets?overdue=true", "", "", tok.agent)
	if page.status != 200 || !strings.Contains(page.body, ref) || !strings.Contains(page.body, "(overdue)") {
		t.Errorf("staff page: %d", page.status)
	}
}

func TestStaffRoutesWithoutSignIn(t *testing.T) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	mux := http.NewServeMux()
	(&tickethttp.Handler{Tickets: e.Tickets, Config: e.Config}).Routes(mux, nil, nil)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	r := do(t, "GET", srv.URL+"/api/v1/tickets", "", "", "")
	if code, _, _ := errField(r); r.status != 401 || code != "unauthorized" {
		t.Errorf("no wrapper: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", srv.URL+"/feedback", "", "", ""); r.status != 200 {
		t.Errorf("the public form needs no sign-in: %d", r.status)
	}
}
