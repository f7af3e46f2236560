// Package queue keeps the shared, fast state of the contact centre in Redis:
// callers waiting per queue, agent states, the atomic dispatch of callers to
// agents, the live figures of each queue (today and the current interval),
// and each controller's in-progress call state.
//
// Several controller processes may share one Redis (standalone, Sentinel or
// Cluster). Every key is hash-tagged "{<prefix>}:..." so every key of one
// prefix lives in one Cluster slot and each multi-key Lua script runs there.
// Every state change that must be atomic (claim an agent, dequeue a caller,
// abandon, requeue after no-answer, connect, release) is one Lua script run
// with EVALSHA: no agent ever gets two calls and no caller is lost or
// duplicated, whatever the interleaving of controllers.
//
// Time: every timestamp is passed in by the caller (from the shared
// clock.Clock); the scripts take "now" from ARGV, never from Redis TIME.
// Timestamps are stored as Unix microseconds (exact in Lua's doubles).
//
// Round trips per operation: Enqueue, Leave, RequestCallback, Login, Logout,
// SetAvailable, Pause, Dispatch (however many matches), NoAnswer, Connected,
// OfferCancelled, Release, Live, Position, EstimatedWait, Agent and Agents
// are one round trip each (plus one EVAL the first time a script is not yet
// cached); NextMatch is one BLPOP. See RoundTrips for counting them.
package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/reporting"
	"github.com/redis/go-redis/v9"
)

// Options configures Queues; the zero value gives the defaults.
type Options struct {
	// Prefix is the hash tag of every key: "{<Prefix>}:...". Default "hotline".
	Prefix string
	// ShortAbandon is S: an abandon with wait < S is a short abandon. Default 5 s.
	ShortAbandon time.Duration
	// Threshold is the service-level threshold T of a queue. Default 20 s for every queue.
	Threshold func(queue string) time.Duration
	// Location is the time zone of "today" and of interval boundaries. Default UTC.
	Location *time.Location
	// Interval is the length of the live interval (aligned on local midnight). Default 15 min.
	Interval time.Duration
	// Site, when set, names the site (contact centre) of an agent
	// (config.Config.AgentSite): Connected then also counts the call in the
	// queue's day counters of the answering agent's site (Live.TodayBySite).
	// Nil or "": no per-site counting.
	Site func(agent string) string
	// Logger; default slog.Default().
	Logger *slog.Logger
	// OnAgentChange, when set, receives every sign-in, sign-out, pause and
	// unpause that succeeded (and auto-pauses after no answer), for a journal
	// outside Redis (store.AgentJournal) from which RestoreAgents rebuilds a
	// Redis that lost its data. It must not block.
	OnAgentChange func(agents.Record)
}

// Queues is the Redis-backed queue state. It is safe for concurrent use, and
// any number of Queues (in any number of processes) may share one Redis and
// prefix.
type Queues struct {
	rdb redis.UniversalClient
	clk clock.Clock
	opt Options
	pfx string // "{prefix}"
	log *slog.Logger
}

// New returns the queue state on rdb with keys "{<opt.Prefix>}:...".
func New(rdb redis.UniversalClient, clk clock.Clock, opt Options) *Queues {
	if opt.Prefix == "" {
		opt.Prefix = "hotline"
	}
	if opt.ShortAbandon <= 0 {
		opt.ShortAbandon = 5 * time.Second
	}
	if opt.Threshold == nil {
		opt.Threshold = func(string) time.Duration { return 20 * time.Second }
	}
	if opt.Location == nil {
		opt.Location = time.UTC
	}
	if opt.Interval <= 0 {
		opt.Interval = 15 * time.Minute
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Queues{rdb: rdb, clk: clk, opt: opt, pfx: "{" + opt.Prefix + "}", log: opt.Logger}
}

// LoadScripts loads every Lua script into Redis (on every shard of a
// Cluster), so that the first run of each is one EVALSHA rather than EVALSHA,
// NOSCRIPT, EVAL. Optional: scripts load themselves on first use.
func (q *Queues) LoadScripts(ctx context.Context) error {
	for _, s := range scriptsByName {
		if err := s.Load(ctx, q.rdb).Err(); err != nil {
			return wrap("load scripts", err)
		}
	}
	return nil
}

// Prefix is the hash-tagged key prefix, e.g. "{hotline}".
func (q *Queues) Prefix() string { return q.pfx }

// Caller is one call waiting in (or being offered from) a queue.
type Caller struct {
	CallID   string    `json:"call_id"`
	Queue    string    `json:"queue"`
	Priority int       `json:"priority"` // higher first; clamped to [-MaxPriority, MaxPriority]
	Enqueued time.Time `json:"enqueued"`
	Owner    string    `json:"owner"`    // controller id owning the caller's channel (its inbox gets the match)
	Callback string    `json:"callback"` // number to call back; "" while the caller is on the line
	Language string    `json:"language"`
}

// MaxPriority bounds Caller.Priority (the waiting order is one sorted-set
// score: priority, then Enqueued to the millisecond, then call id).
const MaxPriority = 99

// Match is one caller paired with one agent by Dispatch.
type Match struct {
	Caller Caller       `json:"caller"`
	Agent  agents.Agent `json:"agent"`
	At     time.Time    `json:"at"`
}

// AgentStatus is an agent and its current state.
type AgentStatus struct {
	Agent  agents.Agent
	State  agents.State
	Reason string    // pause reason when paused
	Since  time.Time // when the agent entered State
	CallID string    // the call while ringing or on_call
	Queue  string    // the queue of that call
	// IdleSince orders available agents (longest idle first); zero when not available.
	IdleSince time.Time
	// WrapUntil is the end of wrap-up when State is wrap_up.
	WrapUntil time.Time
}

// Live is the live picture of one queue.
type Live struct {
	Queue           string
	Waiting         int           // callers waiting (not those being offered to an agent)
	LongestWait     time.Duration // now − Enqueued of the oldest waiting caller; 0 when none
	AgentsAvailable int           // logged in with the skill, available (or wrap-up over)
	AgentsBusy      int           // ringing, on_call or in wrap-up
	AgentsPaused    int
	Today           reporting.Counts // since local midnight of now
	Interval        reporting.Counts // since IntervalStart
	IntervalStart   time.Time
	// TodayBySite: since local midnight of now, the calls answered by each
	// site's agents (Options.Site): only Answered, AnsweredWithinT and
	// WaitSum are set. A site without answered calls today is absent.
	TodayBySite map[string]reporting.Counts
}

// us is t in Unix microseconds, as the scripts store it.
func us(t time.Time) int64 { return t.UnixMicro() }

// fromUS is the inverse of us, in the configured location.
func (q *Queues) fromUS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).In(q.opt.Location)
}

// key is "{prefix}:" + parts joined by ":".
func (q *Queues) key(parts ...string) string {
	k := q.pfx
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if hotline.ErrorCode(err) != hotline.EINTERNAL {
		return err
	}
	if unreachable(err) {
		return &unavailableError{op: op, err: err}
	}
	return fmt.Errorf("queue: %s: %w", op, err)
}
