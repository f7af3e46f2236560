package reporting

import "time"

// Counts are the raw figures of one queue (or department, or all) over one
// period, from which every telephone metric is computed. Live figures in Redis
// and period reports from the Postgres event log both fill a Counts.
type Counts struct {
	Offered            int           `json:"offered"`             // calls that entered the queue
	Answered           int           `json:"answered"`            // connected to an agent
	AnsweredWithinT    int           `json:"answered_within_sl"`  // answered with wait <= T
	Abandoned          int           `json:"abandoned"`           // hung up while waiting (short ones included)
	ShortAbandoned     int           `json:"short_abandoned"`     // abandoned with wait < S
	AbandonedWithinT   int           `json:"abandoned_within_sl"` // abandoned with wait <= T (for SL2)
	TimedOut           int           `json:"timed_out"`           // left by a max-wait or overflow rule
	CallbacksRequested int           `json:"callbacks_requested"` // left the queue with a callback that keeps their place
	Unstaffed          int           `json:"unstaffed"`           // could not join, or left, because no signed-in agent serves the queue (EXITEMPTY)
	WaitSum            time.Duration `json:"wait_sum_ns"`         // sum of waits of answered calls
	MaxWait            time.Duration `json:"max_wait_ns"`         // longest wait of any call that left the queue

	// Added by reporting (period reports); zero in figures that do not track them.
	CallbacksCompleted int           `json:"callbacks_completed"` // callbacks requested in the period and completed
	TalkSum            time.Duration `json:"talk_sum_ns"`         // talk time of answered calls (COMPLETE* events)
	HoldSum            time.Duration `json:"hold_sum_ns"`         // hold time of answered calls
	WrapSum            time.Duration `json:"wrap_sum_ns"`         // wrap-up time after answered calls
}

// Add adds o's figures to c (MaxWait is the larger of the two).
func (c *Counts) Add(o Counts) {
	c.Offered += o.Offered
	c.Answered += o.Answered
	c.AnsweredWithinT += o.AnsweredWithinT
	c.Abandoned += o.Abandoned
	c.ShortAbandoned += o.ShortAbandoned
	c.AbandonedWithinT += o.AbandonedWithinT
	c.TimedOut += o.TimedOut
	c.CallbacksRequested += o.CallbacksRequested
	c.Unstaffed += o.Unstaffed
	c.WaitSum += o.WaitSum
	c.MaxWait = max(c.MaxWait, o.MaxWait)
	c.CallbacksCompleted += o.CallbacksCompleted
	c.TalkSum += o.TalkSum
	c.HoldSum += o.HoldSum
	c.WrapSum += o.WrapSum
}

// Sub is c − o for every count and sum; MaxWait stays c's (a maximum cannot
// be taken back). The rollup uses it to add what a batch of events changed.
func (c Counts) Sub(o Counts) Counts {
	c.Offered -= o.Offered
	c.Answered -= o.Answered
	c.AnsweredWithinT -= o.AnsweredWithinT
	c.Abandoned -= o.Abandoned
	c.ShortAbandoned -= o.ShortAbandoned
	c.AbandonedWithinT -= o.AbandonedWithinT
	c.TimedOut -= o.TimedOut
	c.CallbacksRequested -= o.CallbacksRequested
	c.Unstaffed -= o.Unstaffed
	c.WaitSum -= o.WaitSum
	c.CallbacksCompleted -= o.CallbacksCompleted
	c.TalkSum -= o.TalkSum
	c.HoldSum -= o.HoldSum
	c.WrapSum -= o.WrapSum
	return c
}

// IsZero reports whether c counts nothing.
func (c Counts) IsZero() bool { return c == Counts{} }
