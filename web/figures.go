package web

import (
	"time"

	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/reporting"
)

// QueuesResponse is GET /api/v1/queues.
type QueuesResponse struct {
	GeneratedAt time.Time      `json:"generated_at"`
	Queues      []QueueFigures `json:"queues"`
}

// QueueFigures are one queue's live figures.
type QueueFigures struct {
	Queue              string  `json:"queue"`
	Department         string  `json:"department"`
	Waiting            int     `json:"waiting"`
	LongestWaitSeconds float64 `json:"longest_wait_seconds"`
	AgentsAvailable    int     `json:"agents_available"`
	AgentsBusy         int     `json:"agents_busy"`
	AgentsPaused       int     `json:"agents_paused"`
	// StaffedAgents are the signed-in agents with the queue's skill
	// (available, busy or paused); Unstaffed: none, nobody can answer.
	StaffedAgents    int           `json:"staffed_agents"`
	Unstaffed        bool          `json:"unstaffed"`
	ThresholdSeconds float64       `json:"threshold_seconds"`
	Target           float64       `json:"target"`
	Today            PeriodFigures `json:"today"`
	Interval         PeriodFigures `json:"interval"`
	IntervalStart    time.Time     `json:"interval_start"`
}

// PeriodFigures are the counts of a period with the metrics computed from
// them by package reporting (each rate carries n, and null for no data).
type PeriodFigures struct {
	reporting.Counts
	ServiceLevel               reporting.Rate    `json:"service_level"`
	AnsweredOnlyServiceLevel   reporting.Rate    `json:"answered_only_service_level"`
	AbandonNeutralServiceLevel reporting.Rate    `json:"abandon_neutral_service_level"`
	ASA                        reporting.Average `json:"asa"`
	AbandonmentRate            reporting.Rate    `json:"abandonment_rate"`
	MaxWaitSeconds             float64           `json:"max_wait_seconds"`
}

// NewPeriodFigures computes a period's metrics from its counts.
func NewPeriodFigures(c reporting.Counts) PeriodFigures {
	return PeriodFigures{
		Counts:                     c,
		ServiceLevel:               reporting.ServiceLevel(c),
		AnsweredOnlyServiceLevel:   reporting.AnsweredOnlyServiceLevel(c),
		AbandonNeutralServiceLevel: reporting.AbandonNeutralServiceLevel(c),
		ASA:                        reporting.ASA(c),
		AbandonmentRate:            reporting.AbandonmentRate(c),
		MaxWaitSeconds:             reporting.LongestWait(c).Seconds(),
	}
}

// NewQueueFigures turns a queue's live state into its JSON figures.
func NewQueueFigures(l queue.Live, department string, threshold time.Duration, target float64) QueueFigures {
	return QueueFigures{
		Queue:              l.Queue,
		Department:         department,
		Waiting:            l.Waiting,
		LongestWaitSeconds: l.LongestWait.Seconds(),
		AgentsAvailable:    l.AgentsAvailable,
		AgentsBusy:         l.AgentsBusy,
		AgentsPaused:       l.AgentsPaused,
		StaffedAgents:      l.AgentsAvailable + l.AgentsBusy + l.AgentsPaused,
		Unstaffed:          l.AgentsAvailable+l.AgentsBusy+l.AgentsPaused == 0,
		ThresholdSeconds:   threshold.Seconds(),
		Target:             target,
		Today:              NewPeriodFigures(l.Today),
		Interval:           NewPeriodFigures(l.Interval),
		IntervalStart:      l.IntervalStart,
	}
}
