package simulation

import (
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/config"
)

// TestGroundTruthByHand counts hand-made simulator records with hand-computed answers: the ground truth must not
// need package reporting to be right.
func TestGroundTruthByHand(t *testing.T) {
	cfg := config.Sample() // general: T 20 s (default), S 5 s; survey key 1 = very happy
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	talked := func(s, until float64) []arisim.BridgeVisit {
		return []arisim.BridgeVisit{{BridgeID: "b", Type: "mixing", Entered: at(s), Left: at(until), With: []string{"agent"}}}
	}
	calls := []arisim.Call{
		// answered after 12 s (within T), survey 1 after the bridge
		{ChannelID: "a", Direction: "inbound", FirstMOH: at(0), Bridges: talked(12, 100), HungUp: at(110), HungUpBy: "app",
			Digits: []arisim.DigitSent{{Digit: "1", At: at(103)}}},
		// answered after 30 s (beyond T)
		{ChannelID: "b", Direction: "inbound", FirstMOH: at(0), Bridges: talked(30, 90), HungUp: at(95), HungUpBy: "agent"},
		// abandoned after 3 s (short) and after 40 s
		{ChannelID: "c", Direction: "inbound", FirstMOH: at(0), HungUp: at(3), HungUpBy: "caller", Abandoned: true},
		{ChannelID: "d", Direction: "inbound", FirstMOH: at(0), HungUp: at(40), HungUpBy: "caller", Abandoned: true},
		// callback requested after 50 s (key 2 while waiting), called back and connected
		{ChannelID: "e", Direction: "inbound", From: "+1345", FirstMOH: at(0), HungUp: at(55), HungUpBy: "app",
			Digits: []arisim.DigitSent{{Digit: "2", At: at(50)}}},
		{ChannelID: "e-cb", Direction: "outbound", Endpoint: "PJSIP/+1345", Bridges: talked(300, 400)},
		// moved out after 900 s (max wait)
		{ChannelID: "f", Direction: "inbound", FirstMOH: at(0), LastMOHStop: at(900), HungUp: at(960), HungUpBy: "app"},
		// never queued: left a message
		{ChannelID: "g", Direction: "inbound", HungUp: at(30), HungUpBy: "app", Recorded: []string{"msg-g"}},
		// an agent's leg: not a caller
		{ChannelID: "ag", Direction: "outbound", Endpoint: "PJSIP/a101", Bridges: talked(12, 100)},
	}
	queueOf := map[string]string{"a": "general", "b": "general", "c": "general", "d": "general", "e": "general", "f": "general"}
	numberOf := map[string]string{"e": "+1345"}
	f, per := groundTruth(cfg, calls, queueOf, numberOf)
	want := Figures{Offered: 6, Answered: 2, AnsweredWithinSL: 1, Abandoned: 2, ShortAbandoned: 1, TimedOut: 1,
		CallbacksRequested: 1, CallbacksCompleted: 1, Messages: 1, MaxWaitSeconds: 900}
	if f.Offered != want.Offered || f.Answered != want.Answered || f.AnsweredWithinSL != want.AnsweredWithinSL ||
		f.Abandoned != want.Abandoned || f.ShortAbandoned != want.ShortAbandoned || f.TimedOut != want.TimedOut ||
		f.CallbacksRequested != want.CallbacksRequested || f.CallbacksCompleted != want.CallbacksCompleted ||
		f.Messages != want.Messages || f.MaxWaitSeconds != want.MaxWaitSeconds {
		t.Fatalf("counts:\n got %+v\nwant %+v", f, want)
	}
	// SL = within T ÷ (answered + abandoned − short + timed out) = 1 ÷ (2 + 2 − 1 + 1) = 0.25; ASA = (12 + 30) ÷ 2 = 21 s.
	if f.ServiceLevel == nil || *f.ServiceLevel != 0.25 || f.ASASeconds == nil || *f.ASASeconds != 21 {
		t.Errorf("service level %v, ASA %v; want 0.25 and 21 s", deref(f.ServiceLevel), deref(f.ASASeconds))
	}
	if f.Survey["very_happy"] != 1 || per["e"].Wait != 50*time.Second || !per["e"].Callback {
		t.Errorf("survey %v, callback truth %+v", f.Survey, per["e"])
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
