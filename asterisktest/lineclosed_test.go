package asterisktest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
)

// lineClosed: outside the hours of every queue, the caller chooses a
// language and is told at once that the line is closed, with the callback
// and message offer (no main menu first), and leaves a message — on a real
// Asterisk and a simulator of their own whose controllers have every
// department closed, compared as the journeys are. It runs beside the
// journeys (TestRealAsteriskJourneys/journeys/line_closed).
func lineClosed(t *testing.T, ctx context.Context) {
	real := realWorld(t, ctx, lineClosedConfig())
	announce(t, real)
	sim := simWorld(t, ctx, lineClosedConfig())
	real.startServe(t, ctx)
	sim.startServe(t, ctx)
	runJourney(t, ctx, real, sim, time.Time{}, journey{
		name: "line_closed", did: didMain, from: "+13455550122", noWait: true,
		// English during the greeting, 2 for a message during the closed
		// announcement, # to end it.
		script: &arisim.Script{Presses: []arisim.Press{first("1", 300), press("2", 4000), press("#", 8000)}},
		check: func(t *testing.T, w *world, p *placed, rec hotline.CallRecord) {
			if rec.Disposition != hotline.DispMessage || rec.Recording == "" || rec.Queue != "qinv" || rec.Language != "en" {
				t.Errorf("%s record %s recording %q", w.name, summary(rec), rec.Recording)
			}
			if got := strings.Join(rec.IVRPath, ","); !strings.HasPrefix(got, "lang:en,line_closed,closed,closed:message,ticket:") {
				t.Errorf("%s path %s", w.name, got)
			}
			if ms := w.messages(t, p.id); len(ms) != 1 || ms[0].Recording != rec.Recording {
				t.Errorf("%s messages %+v", w.name, ms)
			}
			if w.real() {
				checkPlayed(t, p.real, "en/hotline/after_hours", "en/hotline/leave_message")
				for _, e := range p.real.Playbacks() {
					if strings.Contains(e.Playback.MediaURI, "main_menu") || strings.Contains(e.Playback.MediaURI, "/menu_") {
						t.Errorf("a menu was played while the line is closed: %s", e.Playback.MediaURI)
					}
				}
			}
		},
	})
}
