package twilio_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/sms"
	smspg "github.com/publicservice/hotline/sms/postgres"
	"github.com/publicservice/hotline/sms/twilio"
	"github.com/publicservice/hotline/ticket"
	"github.com/publicservice/hotline/ticket/tickettest"
)

var ctx = context.Background()

type rig struct {
	e      *tickettest.Env
	tw     *standIn
	sender *twilio.Sender
	outbox *smspg.Outbox
	worker *sms.Worker
	hooks  *httptest.Server
}

func newRig(t *testing.T, timeout time.Duration) *rig { return newRigLogged(t, timeout, nil) }

// newRigLogged is newRig with the ticket service, the worker and the webhooks
// logging to log (nil: the default logger).
func newRigLogged(t *testing.T, timeout time.Duration, log *slog.Logger) *rig {
	e := tickettest.New(t, tickettest.Cayman(t, "2026-03-02 10:00"))
	e.Tickets.Logger = log
	tw := newStandIn(t)
	s, err := twilio.New(twilio.Options{AccountSID: accountSID, AuthToken: authToken, From: fromNumber,
		PublicURL: "https://hotline.example.ky", APIURL: tw.srv.URL, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	ob := &smspg.Outbox{Pool: e.DB.Pool()}
	r := &rig{e: e, tw: tw, sender: s, outbox: ob,
		worker: &sms.Worker{Outbox: ob, Sender: s, Now: e.Clock.Now, Logger: log}}
	mux := http.NewServeMux()
	(&twilio.Webhooks{AuthToken: authToken, PublicURL: "https://hotline.example.ky", Store: ob, Tickets: e.Tickets,
		Config: e.Config, Clock: e.Clock, Logger: log}).Routes(mux)
	r.hooks = httptest.NewServer(mux)
	t.Cleanup(r.hooks.Close)
	return r
}

// contactByPhone creates a complaint whose author asked for SMS.
func (r *rig) contactByPhone(t *testing.T, phone string) *ticket.Ticket {
	tk := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByOnline, WhatHappened: "No answer", PrivacyAccepted: true,
		ContactWanted: true, ContactBy: ticket.ContactByPhone, Phone: phone}
	if err := r.e.Tickets.Create(ctx, tk, "public"); err != nil {
		t.Fatal(err)
	}
	return tk
}

func (r *rig) rows(t *testing.T) []smspg.Row {
	rows, err := r.outbox.Rows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (r *rig) runOnce(t *testing.T) int {
	n, err := r.worker.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The acknowledgement reaches Twilio once with exactly the expected fields,
// and the resolution message after it.
func TestAcknowledgementAndResolutionSent(t *testing.T) {
	r := newRig(t, 5*time.Second)
	tk := r.contactByPhone(t, "+1 345 555 0100")
	if n := r.runOnce(t); n != 1 {
		t.Fatalf("claimed %d", n)
	}
	if n := r.runOnce(t); n != 0 {
		t.Fatalf("claimed again: %d", n)
	}
	r.tw.mu.Lock()
	post := r.tw.posts[0]
	r.tw.mu.Unlock()
	wantBody := sms.Acknowledgement(r.e.Config.Hotline.Name, "en", "complaint", tk.Reference, tk.ReplyDue)
	if post.Get("To") != "+13455550100" || post.Get("Body") != wantBody ||
		post.Get("StatusCallback") != "https://hotline.example.ky/twilio/status?key=ack%3A"+tk.Reference {
		t.Errorf("request %v", post)
	}
	rows := r.rows(t)
	if len(rows) != 1 || rows[0].Status != "sent" || rows[0].SID != "SM00000000000000000000000000000001" || rows[0].Attempts != 1 {
		t.Fatalf("rows %+v", rows)
	}
	if _, err := r.e.Tickets.Transition(ctx, tk.Reference, ticket.Resolved, "o", ""); err != nil {
		t.Fatal(err)
	}
	r.runOnce(t)
	posts, acc, _ := r.tw.counts()
	if posts != 2 || acc != 2 {
		t.Errorf("posts %d accepted %d", posts, acc)
	}
	if rows := r.rows(t); rows[1].Key != "resolved:"+tk.Reference+":1" || rows[1].Status != "sent" || !strings.Contains(rows[1].Body, "resolved") {
		t.Errorf("resolution row %+v", rows[1])
	}
}

// Twilio answering 500: the message waits with backoff, then goes once.
func TestOutboxRetriesWithBackoff(t *testing.T) {
	r := newRig(t, 5*time.Second)
	r.contactByPhone(t, "+13455550100")
	r.tw.setMode("500")
	r.runOnce(t)
	row := r.rows(t)[0]
	if row.Status != "pending" || row.Attempts != 1 || row.Uncertain || !strings.Contains(row.LastError, "20500") ||
		!row.Next.Equal(r.e.Clock.Now().Add(5*time.Second)) {
		t.Fatalf("after a 500: %+v", row)
	}
	r.runOnce(t) // not due yet
	if p, _, _ := r.tw.counts(); p != 1 {
		t.Fatalf("retried before the backoff: %d posts", p)
	}
	r.e.Clock.Add(5 * time.Second)
	r.runOnce(t)
	row = r.rows(t)[0]
	if row.Attempts != 2 || !row.Next.Equal(r.e.Clock.Now().Add(10*time.Second)) {
		t.Fatalf("second backoff: %+v", row)
	}
	r.tw.setMode("ok")
	r.e.Clock.Add(10 * time.Second)
	r.runOnce(t)
	posts, acc, _ := r.tw.counts()
	if row := r.rows(t)[0]; row.Status != "sent" || row.Attempts != 3 || posts != 3 || acc != 1 {
		t.Errorf("after recovery: %+v, posts %d accepted %d", row, posts, acc)
	}
	if d := r.worker.BackoffAfter(20); d != 10*time.Minute {
		t.Errorf("backoff cap %v", d)
	}
}

// A 4xx refusal is permanent: failed, never retried.
func TestOutboxPermanentRefusal(t *testing.T) {
	r := newRig(t, 5*time.Second)
	r.contactByPhone(t, "+13455550100")
	r.tw.setMode("400")
	r.runOnce(t)
	r.e.Clock.Add(time.Hour)
	r.runOnce(t)
	if row := r.rows(t)[0]; row.Status != "failed" || !strings.Contains(row.LastError, "21211") {
		t.Errorf("row %+v", row)
	}
	if p, _, _ := r.tw.counts(); p != 1 {
		t.Errorf("%d posts", p)
	}
}

// Twilio kept the message but the answer never came: the next attempt asks
// Twilio first and does not send it again.
func TestOutboxTimeoutAfterAcceptNotSentTwice(t *testing.T) {
	r := newRig(t, 300*time.Millisecond)
	r.contactByPhone(t, "+13455550100")
	r.tw.setMode("hang-after-accept")
	r.runOnce(t)
	row := r.rows(t)[0]
	if row.Status != "pending" || !row.Uncertain {
		t.Fatalf("after a timeout: %+v", row)
	}
	r.tw.setMode("ok")
	r.e.Clock.Add(time.Minute)
	r.runOnce(t)
	posts, acc, lists := r.tw.counts()
	row = r.rows(t)[0]
	if posts != 1 || acc != 1 || lists != 1 || row.Status != "sent" || row.SID != "SM00000000000000000000000000000001" {
		t.Errorf("posts %d accepted %d lists %d row %+v", posts, acc, lists, row)
	}
}

// The answer never came and Twilio did not keep it: sent again, once.
func TestOutboxTimeoutBeforeAcceptSentOnce(t *testing.T) {
	r := newRig(t, 300*time.Millisecond)
	r.contactByPhone(t, "+13455550100")
	r.tw.setMode("hang-before-accept")
	r.runOnce(t)
	r.tw.setMode("ok")
	r.e.Clock.Add(time.Minute)
	r.runOnce(t)
	posts, acc, lists := r.tw.counts()
	if row := r.rows(t)[0]; posts != 2 || acc != 1 || lists != 1 || row.Status != "sent" || row.Uncertain {
		t.Errorf("posts %d accepted %d lists %d row %+v", posts, acc, lists, row)
	}
}

// Twilio unreachable, then the process dies mid-send: nothing is lost, and
// a new worker after the lease checks before sending.
func TestOutboxTwilioDownAndProcessDeath(t *testing.T) {
	r := newRig(t, 2*time.Second)
	r.contactByPhone(t, "+13455550100")
	down, err := twilio.New(twilio.Options{AccountSID: accountSID, AuthToken: authToken, From: fromNumber, APIURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	w := &sms.Worker{Outbox: r.outbox, Sender: down, Now: r.e.Clock.Now}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if row := r.rows(t)[0]; row.Status != "pending" || row.Attempts != 1 || !strings.Contains(row.LastError, "no answer") {
		t.Fatalf("Twilio down: %+v", row)
	}
	// A process claims the message, then dies before recording the outcome.
	r.e.Clock.Add(time.Minute)
	claimed, err := r.outbox.Claim(ctx, r.e.Clock.Now(), 2*time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim %v %v", claimed, err)
	}
	r.runOnce(t) // within the lease: left alone
	if p, _, _ := r.tw.counts(); p != 0 {
		t.Fatal("sent while another worker held it")
	}
	r.e.Clock.Add(3 * time.Minute)
	r.runOnce(t)
	posts, acc, lists := r.tw.counts()
	if row := r.rows(t)[0]; row.Status != "sent" || posts != 1 || acc != 1 || lists != 1 {
		t.Errorf("after the lease: %+v posts %d accepted %d lists %d", row, posts, acc, lists)
	}
}

// Several workers draining at once never send a message twice.
func TestOutboxConcurrentWorkers(t *testing.T) {
	r := newRig(t, 5*time.Second)
	for i := 0; i < 30; i++ {
		r.contactByPhone(t, "+134555501"+string(rune('0'+i/10))+string(rune('0'+i%10)))
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &sms.Worker{Outbox: r.outbox, Sender: r.sender, Now: r.e.Clock.Now, Batch: 3}
			for {
				n, err := w.RunOnce(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	posts, acc, _ := r.tw.counts()
	if posts != 30 || acc != 30 {
		t.Errorf("posts %d accepted %d, want 30", posts, acc)
	}
	for _, row := range r.rows(t) {
		if row.Status != "sent" || row.Attempts != 1 {
			t.Errorf("row %+v", row)
		}
	}
}

// sign computes X-Twilio-Signature as Twilio documents it: HMAC-SHA1 of the
// URL followed by each POST parameter name and value in name order, base64.
func sign(u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := u
	for _, k := range keys {
		s += k + form.Get(k)
	}
	m := hmac.New(sha1.New, []byte(authToken))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (r *rig) post(t *testing.T, path string, form url.Values, signature string) (int, string) {
	req, _ := http.NewRequest("POST", r.hooks.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if signature != "" {
		req.Header.Set("X-Twilio-Signature", signature)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (r *rig) text(t *testing.T, sid, from, body string) (int, string) {
	f := url.Values{"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {from}, "To": {fromNumber}, "Body": {body}}
	return r.post(t, "/twilio/sms", f, sign("https://hotline.example.ky/twilio/sms", f))
}

func TestInboundSignatureRefused(t *testing.T) {
	r := newRig(t, 5*time.Second)
	f := url.Values{"MessageSid": {"SM1"}, "From": {"+13455550100"}, "Body": {"The office was closed"}}
	cases := map[string]string{
		"missing":         "",
		"wrong":           "bm90IGEgc2lnbmF0dXJl",
		"other URL":       sign("https://evil.example/twilio/sms", f),
		"body changed":    sign("https://hotline.example.ky/twilio/sms", url.Values{"MessageSid": {"SM1"}, "From": {"+13455550100"}, "Body": {"x"}}),
		"other token key": base64.StdEncoding.EncodeToString([]byte("01234567890123456789")),
	}
	for name, sig := range cases {
		if code, body := r.post(t, "/twilio/sms", f, sig); code != 401 || !strings.Contains(body, `"unauthorized"`) {
			t.Errorf("%s: %d %s", name, code, body)
		}
		if code, _ := r.post(t, "/twilio/status?key=x", url.Values{"MessageSid": {"SM1"}, "MessageStatus": {"delivered"}}, sig); code != 401 {
			t.Errorf("status %s: %d", name, code)
		}
	}
	if ts, n, _ := r.e.Tickets.Search(ctx, ticket.Filter{}); n != 0 {
		t.Errorf("a refused request created %v", ts)
	}
}

func TestInboundSMS(t *testing.T) {
	r := newRig(t, 5*time.Second)
	// A complaint by SMS: a ticket, acknowledged through the outbox.
	code, body := r.text(t, "SMa1", "+13455550100", "The DVDL office was closed at 2pm")
	if code != 200 || !strings.Contains(body, "<Response></Response>") {
		t.Fatalf("new: %d %s", code, body)
	}
	ts, n, _ := r.e.Tickets.Search(ctx, ticket.Filter{})
	if n != 1 || ts[0].Channel != ticket.BySMS || ts[0].Kind != ticket.Complaint || ts[0].Phone != "+13455550100" || ts[0].WhatHappened != "The DVDL office was closed at 2pm" {
		t.Fatalf("ticket %+v", ts)
	}
	ref := ts[0].Reference
	// Twilio retries the same webhook: nothing done twice.
	if code, _ := r.text(t, "SMa1", "+13455550100", "The DVDL office was closed at 2pm"); code != 200 {
		t.Fatal(code)
	}
	if _, n, _ := r.e.Tickets.Search(ctx, ticket.Filter{}); n != 1 {
		t.Errorf("retry created another ticket: %d", n)
	}
	r.runOnce(t)
	r.tw.mu.Lock()
	ack := r.tw.posts[0].Get("Body")
	r.tw.mu.Unlock()
	if !strings.Contains(ack, ref) {
		t.Errorf("acknowledgement %q lacks %s", ack, ref)
	}
	// STATUS <reference>, in English and Spanish.
	_, body = r.text(t, "SMa2", "+13455559999", "status "+ref)
	if !strings.Contains(body, "<Message>") || !strings.Contains(body, ref+" is received") {
		t.Errorf("status: %s", body)
	}
	if _, err := r.e.Tickets.Transition(ctx, ref, ticket.InProgress, "o", ""); err != nil {
		t.Fatal(err)
	}
	_, body = r.text(t, "SMa3", "+13455559999", "ESTADO "+strings.ReplaceAll(ref[2:], "-", ""))
	if !strings.Contains(body, "está en trámite") {
		t.Errorf("estado: %s", body)
	}
	_, body = r.text(t, "SMa4", "+13455559999", "STATUS C-2026-999999")
	if !strings.Contains(body, "found no ticket") {
		t.Errorf("unknown: %s", body)
	}
	// A compliment.
	r.text(t, "SMa5", "+13455550101", "Compliment Officer Ebanks was very kind")
	if ts, _, _ := r.e.Tickets.Search(ctx, ticket.Filter{Kind: ticket.Compliment}); len(ts) != 1 || ts[0].WhatHappened != "Officer Ebanks was very kind" {
		t.Errorf("compliment %+v", ts)
	}
	// Delivery callbacks update the row, signed.
	key := "ack:" + ref
	f := url.Values{"MessageSid": {"SM00000000000000000000000000000001"}, "MessageStatus": {"delivered"}, "AccountSid": {accountSID}}
	if code, _ := r.post(t, "/twilio/status?key="+url.QueryEscape(key), f, sign("https://hotline.example.ky/twilio/status?key="+url.QueryEscape(key), f)); code != 204 {
		t.Fatalf("status callback: %d", code)
	}
	if row := r.rows(t)[0]; row.Status != "delivered" {
		t.Errorf("after callback: %+v", row)
	}
	f.Set("MessageStatus", "sent") // late and out of order: kept delivered
	r.post(t, "/twilio/status?key="+url.QueryEscape(key), f, sign("https://hotline.example.ky/twilio/status?key="+url.QueryEscape(key), f))
	if row := r.rows(t)[0]; row.Status != "delivered" {
		t.Errorf("out-of-order callback: %+v", row)
	}
}

// STOP: nothing more is sent to the number; START: messages again.
func TestOptOut(t *testing.T) {
	r := newRig(t, 5*time.Second)
	_, body := r.text(t, "SMb1", "+13455550100", "STOP")
	if !strings.Contains(body, "no more messages") {
		t.Errorf("stop reply %s", body)
	}
	r.contactByPhone(t, "+13455550100")
	r.runOnce(t)
	if row := r.rows(t)[0]; row.Status != "suppressed" {
		t.Errorf("opted out: %+v", row)
	}
	if p, _, _ := r.tw.counts(); p != 0 {
		t.Errorf("sent to an opted-out number")
	}
	_, body = r.text(t, "SMb2", "+13455550100", "start")
	if !strings.Contains(body, "receive messages again") {
		t.Errorf("start reply %s", body)
	}
	r.contactByPhone(t, "+13455550100")
	r.runOnce(t)
	if p, _, _ := r.tw.counts(); p != 1 {
		t.Errorf("after START: %d posts", p)
	}
}

// drain runs the worker, a minute later each time, until a pass claims
// nothing.
func (r *rig) drain(t *testing.T) {
	for i := 0; i < 20; i++ {
		r.e.Clock.Add(time.Minute)
		if r.runOnce(t) == 0 {
			return
		}
	}
	t.Fatal("the outbox never drained")
}

// Two messages with one number and one body (two keys): the first attempt of
// each gets no answer; Twilio kept the first, not the second. The second's
// check must not take the first's copy for its own: both reach the number,
// each row with its own Twilio id.
func TestOutboxIdenticalMessagesNotTakenForEachOther(t *testing.T) {
	r := newRig(t, 300*time.Millisecond)
	now := r.e.Clock.Now()
	for _, key := range []string{"same:1", "same:2"} {
		if _, err := r.outbox.Enqueue(ctx, sms.Message{Key: key, To: "+13455550177", Body: "Your permit is ready."}, now); err != nil {
			t.Fatal(err)
		}
	}
	r.tw.setNext("hang-after-accept", "hang-before-accept")
	r.drain(t)
	_, acc, _ := r.tw.counts()
	rows := r.rows(t)
	if acc != 2 || len(rows) != 2 || rows[0].Status != "sent" || rows[1].Status != "sent" || rows[0].SID == rows[1].SID {
		t.Errorf("accepted %d (want 2), rows %+v", acc, rows)
	}
}

// The same body was sent to the number a moment ago; this message's attempt
// gets no answer and Twilio did not keep it. The earlier message is not its
// copy: it is sent.
func TestOutboxUncertainAfterAnIdenticalSentMessage(t *testing.T) {
	r := newRig(t, 300*time.Millisecond)
	now := r.e.Clock.Now()
	m := sms.Message{Key: "same:1", To: "+13455550178", Body: "Your permit is ready."}
	if _, err := r.outbox.Enqueue(ctx, m, now); err != nil {
		t.Fatal(err)
	}
	r.runOnce(t)
	m.Key = "same:2"
	if _, err := r.outbox.Enqueue(ctx, m, r.e.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	r.tw.setNext("hang-before-accept")
	r.runOnce(t)
	if row := r.rows(t)[1]; !row.Uncertain || row.Status != "pending" {
		t.Fatalf("after the timeout: %+v", row)
	}
	r.drain(t)
	_, acc, _ := r.tw.counts()
	rows := r.rows(t)
	if acc != 2 || rows[1].Status != "sent" || rows[0].SID == rows[1].SID {
		t.Errorf("accepted %d (want 2), rows %+v", acc, rows)
	}
}

// lockedBuffer is a log sink safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// Personal data never appears in the logs: a ticket with a name, an e-mail
// and a phone number, its acknowledgement through a Twilio timeout and its
// resolution message, texts in (a complaint, STATUS, STOP): the debug log
// names references, keys and outbox ids, never a number, a name, an address
// or what people wrote.
func TestNoPersonalDataInLogs(t *testing.T) {
	buf := &lockedBuffer{}
	r := newRigLogged(t, 300*time.Millisecond, slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	tk := &ticket.Ticket{Kind: ticket.Complaint, Channel: ticket.ByOnline, WhatHappened: "Story 8472 of the counter",
		PrivacyAccepted: true, ContactWanted: true, ContactBy: ticket.ContactByPhone, Phone: "+13455550166",
		Name: "Zebedee Quux", Email: "zq@example.org"}
	if err := r.e.Tickets.Create(ctx, tk, "public"); err != nil {
		t.Fatal(err)
	}
	r.tw.setNext("hang-after-accept")
	r.runOnce(t)
	r.drain(t)
	if _, err := r.e.Tickets.Transition(ctx, tk.Reference, ticket.Resolved, "a101", "done"); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	for i, body := range []string{"Complaint 9931 about the office", "STATUS " + tk.Reference, "STOP"} {
		if code, _ := r.text(t, "SMlog"+string(rune('a'+i)), "+13455550167", body); code != 200 {
			t.Fatalf("text %q: %d", body, code)
		}
	}
	log := buf.String()
	if !strings.Contains(log, tk.Reference) {
		t.Fatalf("the log names no reference (nothing logged?):\n%s", log)
	}
	for _, personal := range []string{"5550166", "5550167", "Zebedee", "Quux", "zq@example", "8472", "9931"} {
		if strings.Contains(log, personal) {
			t.Errorf("the log carries %q:\n%s", personal, log)
		}
	}
}
