package ivr_test

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
	smspg "github.com/publicservice/hotline/sms/postgres"
	"github.com/publicservice/hotline/ticket"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
)

// A caller who chooses to leave a complaint as a recording (a department
// menu's message key, in open hours): the message becomes a complaint by
// phone with the recording attached, linked to the call and acknowledged by
// SMS with its reference.
func TestComplaintLeftAsRecording(t *testing.T) {
	y := strings.Replace(testConfigYAML(nil), "      - {digit: \"6\", action: officer, queue: slow}\n",
		"      - {digit: \"6\", action: officer, queue: slow}\n      - {digit: \"8\", action: message}\n", 1)
	e := newEnv(t, y)
	desk := ticketpg.Desk{Service: &ticketpg.Service{Pool: e.db.Pool(), Config: e.cfg, Clock: e.clk, Logger: e.log}}
	n := e.newSim("node1")
	n.startWith("ctl1", func(o *ivr.Options) { o.Tickets = desk })
	ch := n.call("+13455550189", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("8", 2000), press("#", 6000)}, MaxDurationMs: 40000})
	rec := e.waitRecord(ch)
	if rec.Recording == "" {
		t.Fatalf("no recording: %+v", rec)
	}
	var ref string
	for _, p := range rec.IVRPath {
		if strings.HasPrefix(p, "ticket:C-") {
			ref = strings.TrimPrefix(p, "ticket:")
		}
	}
	tk, err := desk.Find(e.ctx, ref)
	if err != nil {
		t.Fatalf("path %v: %v", rec.IVRPath, err)
	}
	if tk.Kind != ticket.Complaint || tk.Channel != ticket.ByPhone || tk.Recording != rec.Recording || tk.CallID != ch ||
		tk.Department != "gen" || tk.Phone != "+13455550189" || tk.Place != ticket.OverPhone {
		t.Errorf("ticket %+v", tk)
	}
	rows, _ := (&smspg.Outbox{Pool: e.db.Pool()}).Rows(e.ctx)
	if len(rows) != 1 || rows[0].Key != "ack:"+ref {
		t.Errorf("outbox %+v", rows)
	}
}
