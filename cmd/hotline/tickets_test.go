package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/simulation"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/ticket"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
)

// The demo end to end: a complaint through the public API, its
// acknowledgement through the outbox to the Twilio simulator and back as a
// delivery callback, STATUS by SMS, the staff view behind the sign-in, the
// public form; by phone (simulated callers on the demo's ARI simulator), the
// status read back from the keypad reference, and a department's services
// read by the information option and then texted to the caller.
func TestDemoTickets(t *testing.T) {
	useTestDB(t)
	prefix := "demo-tickets-" + time.Now().Format("150405.000000")
	t.Cleanup(func() { simulation.DeleteKeys(context.Background(), testenv.MustRedis(t), prefix) })
	addrs, _, stop := boot(t, []string{"demo", "-addr", "127.0.0.1:0", "-ari-addr", "127.0.0.1:0", "-redis-prefix", prefix,
		"-calls-per-hour", "60", "-summary-every", "1h", "-demo-password", "demo-secret-pw"}, "http", "ari", "twilio")
	base, sim := "http://"+addrs["http"], addrs["twilio"]
	res, err := http.Post(base+"/api/v1/tickets", "application/json", strings.NewReader(
		`{"kind":"complaint","what_happened":"Waited 40 minutes","department":"dvdl","privacy_accepted":true,"contact_wanted":true,"contact_by":"phone","phone":"+13455550100"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Reference string }
	_ = json.NewDecoder(res.Body).Decode(&created)
	res.Body.Close()
	if res.StatusCode != 201 || created.Reference == "" {
		t.Fatalf("create: %d", res.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	staff := &http.Client{Jar: jar}
	res, err = staff.Post(base+"/api/v1/session", "application/json", strings.NewReader(`{"username":"supervisor1","password":"demo-secret-pw"}`))
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	staffGet := func(path string) (int, map[string]any) {
		req, _ := http.NewRequest("GET", base+path, nil)
		res, err := staff.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
	checkFor(t, 20*time.Second, "the acknowledgement at the Twilio simulator, delivered", func() bool {
		var msgs []struct{ Body, Status, To string }
		getJSON(t, sim+"/_sim/messages", 200, &msgs)
		return len(msgs) == 1 && strings.Contains(msgs[0].Body, created.Reference) && msgs[0].To == "+13455550100" && msgs[0].Status == "delivered"
	})
	checkFor(t, 10*time.Second, "the delivery callback recorded", func() bool {
		var st string
		db, err := store.Open(context.Background(), env("DATABASE_URL", ""))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		_ = db.Pool().QueryRow(context.Background(), `SELECT status FROM sms_outbox`).Scan(&st)
		return st == "delivered"
	})
	if code, _ := staffGet("/api/v1/tickets/" + created.Reference); code != 200 {
		t.Errorf("staff view: %d", code)
	}
	res, _ = http.Get(base + "/api/v1/tickets/" + created.Reference)
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("without sign-in: %d", res.StatusCode)
	}
	res, err = http.Post(sim+"/_sim/inbound?"+url.Values{"from": {"+13455550199"}, "body": {"STATUS " + created.Reference}}.Encode(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), created.Reference+" is received") {
		t.Errorf("STATUS by SMS: %d %s", res.StatusCode, b)
	}
	res, _ = http.Get(base + "/feedback?lang=es")
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "Quejas y felicitaciones") {
		t.Errorf("form: %d", res.StatusCode)
	}

	// Status by phone: main menu key 8, the reference's digits and #; the
	// reference and its status are read back.
	ari := addrs["ari"]
	digits := strings.ReplaceAll(created.Reference[2:], "-", "")
	ch := demoCall(t, ari, "+13455550123", "3459491000", `{"presses": [{"digits": "1", "after_ms": 500, "from": "answer"},
		{"digits": "8", "after_ms": 800}, {"digits": "`+digits+`#", "after_ms": 800, "gap_ms": 150}], "max_duration_ms": 30000}`)
	checkFor(t, 30*time.Second, "the reference read back by phone", func() bool {
		h := strings.Join(demoHeard(t, ari, ch), " ")
		return strings.Contains(h, "en:characters:C en:digits:"+digits+" en:sound:en/hotline/ticket_")
	})
	// The licensing line's information option reads its services; key 4,
	// pressed while it plays, texts the details to the calling number.
	ch = demoCall(t, ari, "+13455550124", "3459491100", `{"presses": [{"digits": "1", "after_ms": 500, "from": "answer"},
		{"digits": "1", "after_ms": 800}, {"digits": "4", "after_ms": 5000}], "max_duration_ms": 30000}`)
	checkFor(t, 30*time.Second, "the licensing information by SMS", func() bool {
		var msgs []struct{ Body, To string }
		getJSON(t, sim+"/_sim/messages", 200, &msgs)
		for _, m := range msgs {
			if m.To == "+13455550124" && strings.Contains(m.Body, "Driving test booking: 3 working days") {
				return true
			}
		}
		return false
	})
	if h := strings.Join(demoHeard(t, ari, ch), " "); !strings.Contains(h, "en:sound:en/hotline/service_vehicle_licence") ||
		!strings.Contains(h, "en:sound:en/hotline/sms_info_sent") {
		t.Errorf("licensing line heard %s", h)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// demoCall places a simulated caller on the demo's ARI simulator (its
// control API) with a script, and returns the channel id.
func demoCall(t *testing.T, ari, from, to, script string) string {
	t.Helper()
	res, err := http.Post("http://"+ari+"/_sim/inbound?"+url.Values{"app": {"hotline"}, "from": {from}, "to": {to}}.Encode(),
		"application/json", strings.NewReader(script))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		ChannelID string `json:"channel_id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.ChannelID == "" {
		t.Fatalf("call: %d %v", res.StatusCode, err)
	}
	return out.ChannelID
}

// demoHeard is what the caller on channel ch heard so far ("<lang>:<media>").
func demoHeard(t *testing.T, ari, ch string) []string {
	t.Helper()
	var calls []struct {
		ChannelID string   `json:"channel_id"`
		Heard     []string `json:"heard"`
	}
	getJSON(t, "http://"+ari+"/_sim/calls", 200, &calls)
	for _, c := range calls {
		if c.ChannelID == ch {
			return c.Heard
		}
	}
	return nil
}

func TestRetentionCommand(t *testing.T) {
	useTestDB(t)
	db, err := store.Open(context.Background(), env("DATABASE_URL", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := config.Sample()
	svc := &ticketpg.Service{Pool: db.Pool(), Config: cfg, Clock: clock.Real(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	old := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByLetter, WhatHappened: "Letter", Name: "Ann", Created: time.Now().AddDate(-2, 0, 0)}
	recent := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByLetter, WhatHappened: "Letter", Name: "Bob"}
	for _, tk := range []*ticket.Ticket{old, recent} {
		if err := svc.Create(context.Background(), tk, "staff"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(context.Background(), tk.Reference, ticket.Resolved, "staff", ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool().Exec(context.Background(), `UPDATE tickets SET resolved_at = now() - interval '400 days' WHERE reference = $1`, old.Reference); err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	m := NewMain(out, io.Discard)
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := m.Run(context.Background(), []string{"retention"}); err != nil {
		t.Fatal(err)
	}
	var res struct{ Anonymised int }
	if err := json.Unmarshal([]byte(out.String()), &res); err != nil || res.Anonymised != 1 {
		t.Fatalf("output %q %v", out.String(), err)
	}
	if a, _ := svc.Find(context.Background(), old.Reference); a.Name != "" {
		t.Error("old ticket kept its name")
	}
	if b, _ := svc.Find(context.Background(), recent.Reference); b.Name != "Bob" {
		t.Error("recent ticket anonymised")
	}
}
