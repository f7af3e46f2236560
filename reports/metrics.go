package reports

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/reporting"
)

// IngestCounts gives the kiosk ingestion counters (kiosk.Ingester.Counts).
type IngestCounts func() (accepted, duplicated, rejected, misuse int64)

// Collector is the Prometheus collector of the live operational figures,
// read from Redis at each scrape:
//
//	hotline_calls_waiting{queue}                      callers waiting now
//	hotline_longest_wait_seconds{queue}               the longest current wait
//	hotline_agents{state}                             agents by state
//	hotline_service_level_ratio{queue}                today's service level (absent: no data)
//	hotline_calls_offered_today{queue}, hotline_calls_answered_today{queue}, hotline_calls_abandoned_today{queue}
//	hotline_kiosk_presses_total{result}               presses ingested: accepted, duplicated, rejected, misuse
type Collector struct {
	Queues *queue.Queues
	Config *config.Config
	Now    func() time.Time
	Ingest IngestCounts

	waiting, longest, agentsByState, sl, offered, answered, abandoned, presses, up *prometheus.Desc
}

// NewCollector returns the collector; register it on a prometheus.Registry.
func NewCollector(q *queue.Queues, cfg *config.Config, now func() time.Time, ingest IngestCounts) *Collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("hotline_"+name, help, labels, nil)
	}
	return &Collector{Queues: q, Config: cfg, Now: now, Ingest: ingest,
		waiting:       d("calls_waiting", "Callers waiting in the queue now.", "queue"),
		longest:       d("longest_wait_seconds", "The longest wait of a caller in the queue now.", "queue"),
		agentsByState: d("agents", "Agents by state.", "state"),
		sl:            d("service_level_ratio", "Today's service level: answered within T ÷ (answered + abandoned − short abandons + timed out).", "queue"),
		offered:       d("calls_offered_today", "Calls that entered the queue today.", "queue"),
		answered:      d("calls_answered_today", "Calls answered today.", "queue"),
		abandoned:     d("calls_abandoned_today", "Calls abandoned today (short abandons included).", "queue"),
		presses:       d("kiosk_presses_total", "Kiosk presses ingested since start, by result.", "result"),
		up:            d("live_figures_up", "1 when the live figures could be read from Redis."),
	}
}

// Describe sends every descriptor.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.waiting, c.longest, c.agentsByState, c.sl, c.offered, c.answered, c.abandoned, c.presses, c.up} {
		ch <- d
	}
}

// Collect reads the live figures.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	up := 1.0
	if c.Queues != nil {
		now := c.Now()
		for _, q := range c.Config.Queues {
			l, err := c.Queues.Live(ctx, q.ID, now)
			if err != nil {
				up = 0
				continue
			}
			ch <- prometheus.MustNewConstMetric(c.waiting, prometheus.GaugeValue, float64(l.Waiting), q.ID)
			ch <- prometheus.MustNewConstMetric(c.longest, prometheus.GaugeValue, l.LongestWait.Seconds(), q.ID)
			if v, ok := reporting.ServiceLevel(l.Today).Value(); ok {
				ch <- prometheus.MustNewConstMetric(c.sl, prometheus.GaugeValue, v, q.ID)
			}
			ch <- prometheus.MustNewConstMetric(c.offered, prometheus.GaugeValue, float64(l.Today.Offered), q.ID)
			ch <- prometheus.MustNewConstMetric(c.answered, prometheus.GaugeValue, float64(l.Today.Answered), q.ID)
			ch <- prometheus.MustNewConstMetric(c.abandoned, prometheus.GaugeValue, float64(l.Today.Abandoned), q.ID)
		}
		states := map[agents.State]int{}
		for _, s := range agents.States {
			states[s] = 0
		}
		if as, err := c.Queues.Agents(ctx); err == nil {
			for _, a := range as {
				states[a.State]++
			}
		} else {
			up = 0
		}
		for s, n := range states {
			ch <- prometheus.MustNewConstMetric(c.agentsByState, prometheus.GaugeValue, float64(n), string(s))
		}
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
	if c.Ingest != nil {
		a, d, r, m := c.Ingest()
		for name, v := range map[string]int64{"accepted": a, "duplicated": d, "rejected": r, "misuse": m} {
			ch <- prometheus.MustNewConstMetric(c.presses, prometheus.CounterValue, float64(v), name)
		}
	}
}
