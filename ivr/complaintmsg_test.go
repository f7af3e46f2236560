package ivr_test

import (
	"testing"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ticket"
)

// A caller who chooses to leave a complaint as a recording (a department
// menu's message key, in open hours): the message becomes a complaint by
// phone with the recording attached, linked to the call and acknowledged by
// SMS with its reference.
func TestComplaintLeftAsRecording(t *testing.T) {
	e, n, _, desk := ticketEnvOn(t, withGeneralKey(`{digit: "8", action: message}`), nil)
	ch := n.call("+13455550189", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("8", 2000), press("#", 6000)}, MaxDurationMs: 40000})
	rec, ref, tk := recordedTicket(t, e, desk, ch, "C-")
	if tk.Kind != ticket.Complaint || tk.Channel != ticket.ByPhone || tk.Recording != rec.Recording || tk.CallID != ch ||
		tk.Department != "gen" || tk.Phone != "+13455550189" || tk.Place != ticket.OverPhone {
		t.Errorf("ticket %+v", tk)
	}
	wantAck(t, e, ref)
}
