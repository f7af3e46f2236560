package simulation

import (
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/config"
)

// The ground truth is counted here from the simulator's record alone, by code
// of its own: it never goes through package reporting (or the queue event log),
// so a wrong formula or a wrong count there cannot agree with itself. The
// definitions are those of ../shared/PRODUCT.md, written out again:
//
//	offered     callers who reached a queue (music on hold started)
//	answered    offered callers who talked to an agent; wait = bridged − first music on hold
//	abandoned   offered callers who hung up while waiting; short: wait < S
//	timed out   offered callers the application moved out of the queue (max wait)
//	callback    offered callers who pressed 2 while waiting and were let go (they keep their place)
//	service level = answered with wait ≤ T(queue) ÷ (answered + abandoned − short + timed out)
//	ASA         = Σ wait of answered ÷ answered
//	longest wait: of any caller who left the queue (answered, abandoned, timed out, callback)
//	callbacks completed: callback requesters whose number the hotline rang back, who then talked to an agent
//	messages    callers whose channel the application recorded and stored

// truth is the ground truth of one inbound call, from the simulator's own record.
type truth struct {
	Queued   bool
	Answered bool
	Callback bool // left the queue with a callback request
	Message  bool // left a recorded message
	Wait     time.Duration
	HungUpBy string
	Survey   hotline.Rating
}

// callbackKey is the key that asks for a callback while waiting (callback_offer).
const callbackKey = "2"

// callTruth reads a simulated caller's record: queue entry is the first
// music on hold; answer is entering a bridge with another channel; a callback
// request is the callback key pressed while waiting, after which the
// application (not the caller) hung up; the survey answer is the first digit
// pressed after leaving the agent's bridge.
func callTruth(cfg *config.Config, c arisim.Call) truth {
	t := truth{HungUpBy: c.HungUpBy, Message: len(c.Recorded) > 0}
	if c.FirstMOH.IsZero() {
		return t
	}
	t.Queued = true
	var left time.Time
	for _, b := range c.Bridges {
		if len(b.With) > 0 {
			t.Answered = true
			t.Wait = b.Entered.Sub(c.FirstMOH)
			left = b.Left
			break
		}
	}
	if !t.Answered {
		if c.HungUpBy != "caller" {
			for _, d := range c.Digits {
				if d.Digit == callbackKey && !d.At.Before(c.FirstMOH) && (c.HungUp.IsZero() || !d.At.After(c.HungUp)) {
					t.Callback = true
					t.Wait = d.At.Sub(c.FirstMOH)
					return t
				}
			}
		}
		// A caller who hung up left the queue then; one the application moved
		// out (max wait) left it when its music last stopped.
		end := c.HungUp
		if c.HungUpBy != "caller" && c.LastMOHStop.After(c.FirstMOH) {
			end = c.LastMOHStop
		}
		if end.IsZero() {
			end = c.FirstMOH
		}
		t.Wait = end.Sub(c.FirstMOH)
		return t
	}
	if !left.IsZero() {
		for _, d := range c.Digits {
			if !d.At.Before(left) {
				if r, ok := cfg.Survey.Ratings[d.Digit]; ok {
					t.Survey = r
				}
				break
			}
		}
	}
	return t
}

// tally is the ground truth's own counts.
type tally struct {
	offered, answered, withinT, abandoned, short, timedOut int
	callbacks, callbacksDone, messages                     int
	waitSum, maxWait                                       time.Duration
	survey                                                 map[hotline.Rating]int
}

// groundTruth counts the day from the simulator's records. queueOf is the
// queue each caller meant to reach (the driver's intention, for the queue's
// threshold T); numberOf the number each caller called from, to recognise
// the hotline calling them back.
func groundTruth(cfg *config.Config, calls []arisim.Call, queueOf, numberOf map[string]string) (Figures, map[string]truth) {
	per := map[string]truth{}
	t := tally{survey: map[hotline.Rating]int{}}
	requested := map[string]bool{} // endpoint PJSIP/<number> of callers who asked for a callback
	for _, call := range calls {
		if call.Direction != "inbound" {
			continue
		}
		ct := callTruth(cfg, call)
		per[call.ChannelID] = ct
		if ct.Survey != 0 {
			t.survey[ct.Survey]++
		}
		if ct.Message {
			t.messages++
		}
		if !ct.Queued {
			continue
		}
		t.offered++
		t.maxWait = max(t.maxWait, ct.Wait)
		switch {
		case ct.Answered:
			t.answered++
			t.waitSum += ct.Wait
			if ct.Wait <= cfg.Threshold(queueOf[call.ChannelID]) {
				t.withinT++
			}
		case ct.Callback:
			t.callbacks++
			requested["PJSIP/"+numberOf[call.ChannelID]] = true
		case ct.HungUpBy == "caller":
			t.abandoned++
			if ct.Wait < cfg.ShortAbandon() {
				t.short++
			}
		default:
			t.timedOut++
		}
	}
	done := map[string]bool{}
	for _, call := range calls {
		if call.Direction != "outbound" || !requested[call.Endpoint] || done[call.Endpoint] {
			continue
		}
		for _, b := range call.Bridges {
			if len(b.With) > 0 { // the citizen called back talked to someone (the agent)
				done[call.Endpoint] = true
				t.callbacksDone++
				break
			}
		}
	}
	return t.figures(), per
}

// figures applies the definitions above to the counts.
func (t tally) figures() Figures {
	f := Figures{Offered: t.offered, Answered: t.answered, Abandoned: t.abandoned, ShortAbandoned: t.short,
		AnsweredWithinSL: t.withinT, TimedOut: t.timedOut, MaxWaitSeconds: t.maxWait.Seconds(),
		CallbacksRequested: t.callbacks, CallbacksCompleted: t.callbacksDone, Messages: t.messages,
		Survey: map[string]int{}}
	if den := t.answered + t.abandoned - t.short + t.timedOut; den > 0 {
		v := float64(t.withinT) / float64(den)
		f.ServiceLevel = &v
	}
	if t.answered > 0 {
		s := (t.waitSum / time.Duration(t.answered)).Seconds()
		f.ASASeconds = &s
	}
	for _, r := range hotline.Ratings {
		f.Survey[r.String()] = t.survey[r]
	}
	return f
}
