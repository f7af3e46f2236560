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
	WaitSum            time.Duration `json:"wait_sum_ns"`         // sum of waits of answered calls
	MaxWait            time.Duration `json:"max_wait_ns"`         // longest wait of any call that left the queue
}
