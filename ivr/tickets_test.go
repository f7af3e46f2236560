package ivr_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ivr"
	smspg "github.com/publicservice/hotline/sms/postgres"
	"github.com/publicservice/hotline/telephony"
	"github.com/publicservice/hotline/ticket"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
)

// playSpy is the real Switch that also notes every media list played.
type playSpy struct {
	telephony.Switch
	mu     sync.Mutex
	played []string
}

func (s *playSpy) Play(ctx context.Context, ch, id string, media ...string) error {
	s.mu.Lock()
	s.played = append(s.played, strings.Join(media, ","))
	s.mu.Unlock()
	return s.Switch.Play(ctx, ch, id, media...)
}

func (s *playSpy) all() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.played, " | ")
}

// ticketEnv is the test line with a ticket desk on the test's Postgres and
// an sms_info key (7) in the general department's menu.
func ticketEnv(t *testing.T) (*env, *node, *playSpy, ticketpg.Desk) {
	return ticketEnvOn(t, withGeneralKey(`{digit: "7", action: sms_info}`), nil)
}

// withGeneralKey is the test configuration with key added to the general
// department's menu, after key 6.
func withGeneralKey(key string) string {
	const six = `      - {digit: "6", action: officer, queue: slow}`
	return strings.Replace(testConfigYAML(nil), six, six+"\n      - "+key, 1)
}

// ticketEnvOn is the line of configuration y with a ticket desk on the
// test's Postgres and a playSpy on the controller's Switch; setup, when not
// nil, runs on the simulator before the controller starts.
func ticketEnvOn(t *testing.T, y string, setup func(n *node)) (*env, *node, *playSpy, ticketpg.Desk) {
	e := newEnv(t, y)
	desk := ticketpg.Desk{Service: &ticketpg.Service{Pool: e.db.Pool(), Config: e.cfg, Clock: e.clk, Logger: e.log}}
	n := e.newSim("node1")
	if setup != nil {
		setup(n)
	}
	spy := &playSpy{}
	n.startWith("ctl1", func(o *ivr.Options) {
		spy.Switch = o.Switch
		o.Switch = spy
		o.Tickets = desk
	})
	return e, n, spy, desk
}

// recordedTicket waits for call ch's record, which must carry a recording,
// and returns it with the reference its IVR path names (ticket:<prefix>…)
// and that ticket.
func recordedTicket(t *testing.T, e *env, desk ticketpg.Desk, ch, prefix string) (hotline.CallRecord, string, *ticket.Ticket) {
	t.Helper()
	rec := e.waitRecord(ch)
	if rec.Recording == "" {
		t.Fatalf("no recording: %+v", rec)
	}
	var ref string
	for _, p := range rec.IVRPath {
		if strings.HasPrefix(p, "ticket:"+prefix) {
			ref = strings.TrimPrefix(p, "ticket:")
		}
	}
	tk, err := desk.Find(e.ctx, ref)
	if err != nil {
		t.Fatalf("path %v: %v", rec.IVRPath, err)
	}
	return rec, ref, tk
}

// wantAck: the SMS outbox holds one message, the acknowledgement of ref.
func wantAck(t *testing.T, e *env, ref string) {
	t.Helper()
	rows, _ := (&smspg.Outbox{Pool: e.db.Pool()}).Rows(e.ctx)
	if len(rows) != 1 || rows[0].Key != "ack:"+ref {
		t.Errorf("outbox %+v", rows)
	}
}

// A caller types a reference on the keypad and hears it back, digit by
// digit, with its status; then the department menu again.
func TestTicketStatusByPhone(t *testing.T) {
	e, n, spy, desk := ticketEnv(t)
	tk := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByLetter, WhatHappened: "letter", Department: "gen"}
	if err := desk.Create(e.ctx, tk, "staff"); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Transition(e.ctx, tk.Reference, ticket.InProgress, "o", ""); err != nil {
		t.Fatal(err)
	}
	ch := n.call("3455550094", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("5", 2000), {Digits: "2026000001#", AfterMs: 1000, GapMs: 200}},
		MaxDurationMs: 40000})
	rec := e.waitRecord(ch)
	if got := strings.Join(rec.IVRPath, ","); !strings.Contains(got, "dept:gen:5,ticket:2026000001,ticket_status:in_progress") {
		t.Errorf("path %s", got)
	}
	played := spy.all()
	want := "characters:C,digits:2026000001,sound:en/hotline/ticket_in_progress,sound:en/hotline/menu_gen"
	if !strings.Contains(played, want) {
		t.Errorf("played %s\nwant %s", played, want)
	}
}

// An unknown reference is asked for again; the sequence alone finds this
// year's ticket.
func TestTicketStatusNotFoundThenFound(t *testing.T) {
	e, n, spy, desk := ticketEnv(t)
	tk := &ticket.Ticket{Kind: ticket.Compliment, Channel: ticket.ByLetter, WhatHappened: "thanks", Department: "gen"}
	if err := desk.Create(e.ctx, tk, "staff"); err != nil {
		t.Fatal(err)
	}
	ch := n.call("3455550095", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("5", 2000), {Digits: "99#", AfterMs: 1000, GapMs: 200},
		{Digits: "1#", AfterMs: 5000, GapMs: 200}}, MaxDurationMs: 40000})
	rec := e.waitRecord(ch)
	if got := strings.Join(rec.IVRPath, ","); !strings.Contains(got, "ticket:99,ticket_status:not_found,ticket:1,ticket_status:new") {
		t.Errorf("path %s", got)
	}
	if p := spy.all(); !strings.Contains(p, "sound:en/hotline/ticket_not_found,sound:en/hotline/ticket_enter") ||
		!strings.Contains(p, "characters:M,digits:2026000001,sound:en/hotline/ticket_received") {
		t.Errorf("played %s", p)
	}
}

// Key 7 of the department menu: the department's information by SMS to
// the calling number, in the caller's language, once per call.
func TestSMSInfoFromDepartmentMenu(t *testing.T) {
	e, n, spy, _ := ticketEnv(t)
	ch := n.call("+13455550096", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "2", AfterMs: 300, From: "answer"}, press("7", 2000), press("7", 4000)}, MaxDurationMs: 30000})
	rec := e.waitRecord(ch)
	if got := strings.Join(rec.IVRPath, ","); !strings.Contains(got, "sms_info:gen") {
		t.Errorf("path %s", got)
	}
	rows, err := (&smspg.Outbox{Pool: e.db.Pool()}).Rows(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].To != "+13455550096" || rows[0].Key != "info:"+ch+":gen" || !strings.Contains(rows[0].Body, "Horario") {
		t.Errorf("outbox %+v", rows)
	}
	if !strings.Contains(spy.all(), "sound:es/hotline/sms_info_sent,sound:es/hotline/menu_gen") {
		t.Errorf("played %s", spy.all())
	}
}

// A message left after hours becomes an information request with the
// recording attached, acknowledged by SMS with its reference.
func TestAfterHoursMessageBecomesTicket(t *testing.T) {
	e, n, _, desk := ticketEnv(t)
	ch := n.call("+13455550097", didNight, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), press("2", 5000), press("#", 6000)}, MaxDurationMs: 40000})
	rec, ref, tk := recordedTicket(t, e, desk, ch, "I-")
	if tk.Kind != ticket.Information || tk.Channel != ticket.ByPhone || tk.Recording != rec.Recording || tk.CallID != ch ||
		tk.Department != "night" || tk.Phone != "+13455550097" {
		t.Errorf("ticket %+v", tk)
	}
	calls, _ := desk.Calls(e.ctx, ref)
	if len(calls) != 1 || calls[0].CallID != ch || calls[0].Why != "logged_during" {
		t.Errorf("linked %+v", calls)
	}
	wantAck(t, e, ref)
	_ = config.PromptGoodbye
	_ = time.Second
}

// A caller who rates the call very unhappy is offered a supervisor's
// callback at once: a follow-up ticket linked to the call, the rating and
// the agent, assigned to a supervisor.
func TestPoorRatingRecovery(t *testing.T) {
	for _, tc := range []struct {
		name, key string
	}{{"callback", "2"}, {"comment", "1"}} {
		t.Run(tc.name, func(t *testing.T) {
			e, n, spy, desk := ticketEnv(t)
			n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
			e.login("a1")
			after := []arisim.Press{{Digits: "4", AfterMs: 2500}, {Digits: tc.key, AfterMs: 1500}} // the key within the 3 s menu timeout (prompts without a sounds directory fail at once, as on Asterisk)
			if tc.key == "1" {
				after = append(after, arisim.Press{Digits: "#", AfterMs: 4000})
			}
			ch := n.call("+13455550098", didMain, &arisim.Script{
				Presses:             []arisim.Press{{Digits: "1", AfterMs: 500, From: "answer"}, press("1", 2500), press("2", 2500)},
				AfterBridge:         after,
				HangupAfterBridgeMs: 60000, MaxDurationMs: 120000,
			})
			rec := e.waitRecord(ch)
			if rec.Disposition != hotline.DispAnswered || rec.Survey != hotline.VeryUnhappy {
				t.Fatalf("record %+v", rec)
			}
			path := strings.Join(rec.IVRPath, ",")
			if !strings.Contains(path, "survey:4,recovery:offer,recovery:"+tc.name) {
				t.Errorf("path %s", path)
			}
			if !strings.Contains(spy.all(), "sound:en/hotline/recovery_offer") {
				t.Errorf("played %s", spy.all())
			}
			ts, n2, err := desk.Search(e.ctx, ticket.Filter{})
			if err != nil || n2 != 1 {
				t.Fatalf("tickets %d %v", n2, err)
			}
			tk := ts[0]
			if tk.Kind != ticket.Complaint || tk.CallID != ch || tk.Rating != hotline.VeryUnhappy || tk.Agent != "a1" ||
				tk.Phone != "+13455550098" || tk.Channel != ticket.ByPhone {
				t.Errorf("ticket %+v", tk)
			}
			if tc.key == "1" && (tk.Recording == "" || tk.Recording != rec.Recording) {
				t.Errorf("comment recording %q, call %q", tk.Recording, rec.Recording)
			}
			if tc.key == "2" && !strings.Contains(spy.all(), "sound:en/hotline/recovery_callback") {
				t.Errorf("played %s", spy.all())
			}
		})
	}
}

// The queue's sms_info_key (7) pressed while waiting: the information of
// the queue's department is queued by SMS once for the calling number, and
// the caller keeps waiting with the same queue entry until an officer
// answers.
func TestSMSInfoWhileWaiting(t *testing.T) {
	y := strings.Replace(testConfigYAML(nil), "  - {id: general, department: gen, announce_every: 20s,",
		"  - {id: general, department: gen, sms_info_key: \"7\", announce_every: 20s,", 1)
	y = strings.Replace(y, "prompts:\n  en:\n", "prompts:\n  en:\n    sms_info_offer: \"en sms_info_offer\"\n", 1)
	if !strings.Contains(y, "sms_info_offer") {
		t.Fatal("the test configuration has no prompts section to add sms_info_offer to")
	}
	e, n, spy, _ := ticketEnvOn(t, y, func(n *node) { n.agent("a1", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 3000}) })
	ch := n.call("+13455550098", didMain, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("0", 1500), press("7", 3000), press("7", 4500)},
		HangupAfterBridgeMs: 5000})
	checkFor(t, 10*time.Second, "the sms info key pressed twice while waiting", func() bool { return len(n.truth(ch).Digits) == 4 })
	checkFor(t, 10*time.Second, "the position announcement offering the key", func() bool {
		return strings.Contains(spy.all(), "sound:en/hotline/sms_info_offer,digits:7")
	})
	e.login("a1") // served from the next announcement's dispatch on
	rec := e.waitRecord(ch)
	if got := strings.Join(rec.IVRPath, ","); !strings.Contains(got, "queue:general,sms_info:gen") {
		t.Errorf("path %s", got)
	}
	rows, err := (&smspg.Outbox{Pool: e.db.Pool()}).Rows(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].To != "+13455550098" || rows[0].Key != "info:"+ch+":gen" || rows[0].Body == "" {
		t.Errorf("outbox %+v", rows)
	}
	if !strings.Contains(spy.all(), "sound:en/hotline/sms_info_sent") {
		t.Errorf("played %s", spy.all())
	}
	if rec.Disposition != hotline.DispAnswered || rec.Agent != "a1" {
		t.Errorf("disposition %s agent %q", rec.Disposition, rec.Agent)
	}
	if got := eventTypes(e.events(ch)); got != "ENTERQUEUE,CONNECT,COMPLETEAGENT" {
		t.Errorf("queue events %s", got)
	}
}
