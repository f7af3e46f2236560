package testenv

import (
	"strings"

	"github.com/publicservice/hotline"
)

// EventTypes lists queue events' types in order, comma-separated, without
// WRAPUPEND: it comes the queue's wrap-up time after the call, so whether it
// is there yet depends on when a test reads the log (ivr's
// TestWrapUpEndRecorded and reporting's AHT tests cover it).
func EventTypes(evs []hotline.QueueEvent) string {
	var s []string
	for _, ev := range evs {
		if ev.Type == hotline.EvWrapupEnd {
			continue
		}
		s = append(s, string(ev.Type))
	}
	return strings.Join(s, ",")
}
