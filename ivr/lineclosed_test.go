package ivr_test

import (
	"strings"
	"testing"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// Outside hours of every queue the caller chooses a language and is told at
// once that the line is closed, with the hours and the callback/message
// offer: no main menu, no department to pick first.
func TestWholeLineClosedSaidAfterLanguage(t *testing.T) {
	cfg := strings.Replace(testConfigYAML(nil), "    digit: \"1\"\n    queue: general\n",
		"    digit: \"1\"\n    hours: [\"mon-fri 08:00-09:00\"]\n    queue: general\n", 1)
	e := newEnv(t, cfg)
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550201", didMain, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, // English
		press("2", 4000),   // a message
		press("#", 8000)}}) // end of the message
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispMessage || rec.Queue != "general" {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); got != "lang:en,line_closed,closed,closed:message" {
		t.Errorf("path %s", got)
	}
	heard := n.truth(ch).Heard
	if indexOf(heard, "main_menu") >= 0 || indexOf(heard, "menu_gen") >= 0 {
		t.Errorf("heard a menu while the line is closed: %v", heard)
	}
	if indexOf(heard, "after_hours") < 0 || indexOf(heard, "hours_gen") < 0 {
		t.Errorf("heard %v: want after_hours and the hours", heard)
	}
}
