package tickethttp_test

import (
	"encoding/csv"
	"encoding/json"
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

// staffHeader stands in for the sign-in wrapper in these tests: a request
// with X-Test-Staff passes, others get 401.
func staffHeader(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Staff") == "" {
			http.Error(w, `{"error":{"code":"unauthorized","message":"sign in"}}`, 401)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func newServer(t *testing.T, staff func(http.Handler) http.Handler) (*httptest.Server, *tickettest.Env) {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	h := &tickethttp.Handler{Tickets: e.Tickets, Config: e.Config, Clock: e.Clock,
		Notifications: func(r *http.Request, who string) ([]ticket.Notification, error) {
			return e.Tickets.Notifications(r.Context(), who)
		},
		Actor: func(r *http.Request) string { return r.Header.Get("X-Test-Staff") }}
	mux := http.NewServeMux()
	h.Routes(mux, staff)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, e
}

type resp struct {
	status int
	body   string
	json   map[string]any
}

func do(t *testing.T, method, u, ctype, body string, staff bool) resp {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if staff {
		req.Header.Set("X-Test-Staff", "officer7")
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
	srv, _ := newServer(t, staffHeader)
	en := do(t, "GET", srv.URL+"/feedback", "", "", false)
	es := do(t, "GET", srv.URL+"/feedback?lang=es", "", "", false)
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
	srv, e := newServer(t, staffHeader)
	form := url.Values{"kind": {"complaint"}, "language": {"es"}, "what_happened": {"Esperé dos horas <b>"}, "where": {"counter"},
		"counter_location": {"George Town"}, "department": {"dvdl"}, "service": {"driving_test"}, "contact_wanted": {"yes"},
		"contact_by": {"phone"}, "phone": {"+1 345 555 0100"}, "name": {"Ana"}}
	// No privacy tick: the form comes back, everything kept, the field named.
	r := do(t, "POST", srv.URL+"/feedback", "application/x-www-form-urlencoded", form.Encode(), false)
	if r.status != 400 || !strings.Contains(r.body, `href="#privacy_accepted"`) || !strings.Contains(r.body, "Esperé dos horas &lt;b&gt;") ||
		!strings.Contains(r.body, `value="driving_test" selected`) || !strings.Contains(r.body, `<html lang="es">`) {
		t.Fatalf("refused form: %d\n%s", r.status, r.body)
	}
	form.Set("privacy_accepted", "yes")
	r = do(t, "POST", srv.URL+"/feedback", "application/x-www-form-urlencoded", form.Encode(), false)
	if r.status != 201 || !strings.Contains(r.body, "C-2026-000001") || !strings.Contains(r.body, "Hemos recibido su queja") {
		t.Fatalf("accepted form: %d\n%s", r.status, r.body)
	}
	tk, err := e.Tickets.Find(t.Context(), "C-2026-000001")
	if err != nil || tk.Channel != "online" || tk.Language != "es" || tk.Service != "driving_test" || tk.Phone != "+13455550100" || tk.CounterLocation != "George Town" {
		t.Errorf("stored %+v %v", tk, err)
	}
}

func TestAPICreateAndErrors(t *testing.T) {
	srv, _ := newServer(t, staffHeader)
	body := `{"kind":"compliment","what_happened":"Very helpful officer","department":"registry","privacy_accepted":true,
		"contact_wanted":true,"email":"me@example.ky"}`
	r := do(t, "POST", srv.URL+"/api/v1/tickets", "application/json", body, false)
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
		r := do(t, "POST", srv.URL+"/api/v1/tickets", "application/json", b.body, false)
		code, field, msg := errField(r)
		if r.status != 400 || code != "invalid" || field != b.field || !strings.HasPrefix(msg, b.field+":") {
			t.Errorf("%s: %d %s", b.body, r.status, r.body)
		}
	}
}

func TestStaffRoutes(t *testing.T) {
	srv, e := newServer(t, staffHeader)
	r := do(t, "POST", srv.URL+"/api/v1/tickets", "application/json",
		`{"kind":"complaint","what_happened":"Rude","department":"dvdl","privacy_accepted":true,"phone":"3455550100"}`, false)
	ref, _ := r.json["reference"].(string)
	for _, p := range []string{"/api/v1/tickets/" + ref, "/api/v1/tickets", "/api/v1/tickets.csv", "/staff/tickets", "/api/v1/tickets/notifications"} {
		if r := do(t, "GET", srv.URL+p, "", "", false); r.status != 401 {
			t.Errorf("%s without sign-in: %d", p, r.status)
		}
	}
	g := do(t, "GET", srv.URL+"/api/v1/tickets/"+ref, "", "", true)
	if g.status != 200 || g.json["reference"] != ref || g.json["channel"] != "online" {
		t.Fatalf("get: %d %s", g.status, g.body)
	}
	if h, _ := g.json["history"].([]any); len(h) != 1 {
		t.Errorf("history %v", g.json["history"])
	}
	// Digits as typed on a keypad find it too.
	if g := do(t, "GET", srv.URL+"/api/v1/tickets/2026000001", "", "", true); g.status != 200 {
		t.Errorf("by digits: %d", g.status)
	}
	if g := do(t, "GET", srv.URL+"/api/v1/tickets/C-2026-000099", "", "", true); g.status != 404 {
		t.Errorf("unknown: %d %s", g.status, g.body)
	}
	// Illegal transition: 400 naming the status.
	s := do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/status", "application/json", `{"status":"reopened"}`, true)
	if code, field, _ := errField(s); s.status != 400 || code != "invalid" || field != "status" {
		t.Errorf("illegal move: %d %s", s.status, s.body)
	}
	s = do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/status", "application/json", `{"status":"acknowledged","note":"called back"}`, true)
	if s.status != 200 || s.json["status"] != "acknowledged" {
		t.Fatalf("move: %d %s", s.status, s.body)
	}
	h, _ := s.json["history"].([]any)
	if last, _ := h[len(h)-1].(map[string]any); last["actor"] != "officer7" || last["note"] != "called back" {
		t.Errorf("audit actor: %v", h)
	}
	a := do(t, "POST", srv.URL+"/api/v1/tickets/"+ref+"/assign", "application/json", `{"officer":"a103"}`, true)
	if a.status != 200 || a.json["officer"] != "a103" {
		t.Errorf("assign: %d %s", a.status, a.body)
	}
	// Staff enter a letter received last week.
	l := do(t, "POST", srv.URL+"/api/v1/staff/tickets", "application/json",
		`{"channel":"letter","kind":"complaint","what_happened":"Letter about fees","received":"2026-02-24","department":"registry"}`, true)
	if l.status != 201 || l.json["reference"] != "C-2026-000002" || !strings.HasPrefix(l.json["reply_due"].(string), "2026-03-03") {
		t.Fatalf("letter: %d %s", l.status, l.body)
	}
	if l := do(t, "POST", srv.URL+"/api/v1/staff/tickets", "application/json", `{"kind":"complaint","what_happened":"x"}`, true); l.status != 400 {
		t.Errorf("no channel: %d", l.status)
	}
	// The page form for letters.
	form := url.Values{"channel": {"email"}, "kind": {"information"}, "what_happened": {"Asked about passports"}, "received": {"2026-03-01"}}
	p := do(t, "POST", srv.URL+"/staff/tickets", "application/x-www-form-urlencoded", form.Encode(), true)
	if p.status != 201 || !strings.Contains(p.body, "I-2026-000003") {
		t.Errorf("staff page entry: %d", p.status)
	}
	// Search and filters.
	q := do(t, "GET", srv.URL+"/api/v1/tickets?status=acknowledged&department=dvdl", "", "", true)
	if q.status != 200 || q.json["total"] != float64(1) {
		t.Errorf("search: %s", q.body)
	}
	q = do(t, "GET", srv.URL+"/api/v1/tickets?phone=%2B13455550100", "", "", true)
	if q.json["total"] != float64(1) {
		t.Errorf("by phone: %s", q.body)
	}
	q = do(t, "GET", srv.URL+"/api/v1/tickets?from=2026-03-01&to=2026-03-02", "", "", true)
	if q.json["total"] != float64(2) {
		t.Errorf("date range: %s", q.body)
	}
	e.Clock.Set(tickettest.Cayman(t, "2026-03-20 10:00"))
	q = do(t, "GET", srv.URL+"/api/v1/tickets?overdue=true", "", "", true)
	if q.json["total"] != float64(3) {
		t.Errorf("overdue: %s", q.body)
	}
	for _, bad := range []string{"status=lost", "department=nasa", "overdue=maybe", "from=yesterday", "kind=x", "limit=-1"} {
		r := do(t, "GET", srv.URL+"/api/v1/tickets?"+bad, "", "", true)
		if _, field, _ := errField(r); r.status != 400 || field != strings.Split(bad, "=")[0] {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	c := do(t, "GET", srv.URL+"/api/v1/tickets.csv?department=dvdl", "", "", true)
	recs, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][0] != "reference" || recs[1][0] != ref || recs[1][3] != "acknowledged" {
		t.Errorf("csv: %v %v", recs, err)
	}
	page := do(t, "GET", srv.URL+"/staff/tickets?overdue=true", "", "", true)
	if page.status != 200 || !strings.Contains(page.body, ref) || !strings.Contains(page.body, "(overdue)") {
		t.Errorf("staff page: %d", page.status)
	}
}

func TestStaffRoutesWithoutSignIn(t *testing.T) {
	srv, _ := newServer(t, nil)
	r := do(t, "GET", srv.URL+"/api/v1/tickets", "", "", true)
	if code, _, _ := errField(r); r.status != 401 || code != "unauthorized" {
		t.Errorf("no wrapper: %d %s", r.status, r.body)
	}
	if r := do(t, "GET", srv.URL+"/feedback", "", "", false); r.status != 200 {
		t.Errorf("the public form needs no sign-in: %d", r.status)
	}
}
