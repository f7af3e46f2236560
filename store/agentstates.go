package store

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/agents"
)

// SaveAgentStates upserts agents' last sign-in states. A state older than
// the one stored is ignored (several controllers may write the same agent).
// A record with no skills keeps the agent details stored.
func (db *DB) SaveAgentStates(ctx context.Context, recs []agents.Record) error {
	if len(recs) == 0 {
		return nil
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		for _, r := range recs {
			var aj []byte
			if r.Agent.Name != "" || len(r.Agent.Skills) > 0 || r.Agent.Endpoint != "" {
				var err error
				if aj, err = json.Marshal(r.Agent); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO agent_states (agent_id, agent, state, reason, since)
				VALUES ($1, COALESCE($2::jsonb, '{}'::jsonb), $3, $4, $5)
				ON CONFLICT (agent_id) DO UPDATE SET
					agent = COALESCE($2::jsonb, agent_states.agent), state = EXCLUDED.state,
					reason = EXCLUDED.reason, since = EXCLUDED.since
				WHERE agent_states.since <= EXCLUDED.since`,
				r.Agent.ID, nullJSON(aj), string(agents.Base(r.State)), r.Reason, r.Since.UTC()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save agent states: %w", err)
	}
	return nil
}

func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// AgentStates returns every agent's last sign-in state.
func (db *DB) AgentStates(ctx context.Context) ([]agents.Record, error) {
	rows, err := db.pool.Query(ctx, `SELECT agent_id, agent, state, reason, since FROM agent_states ORDER BY agent_id`)
	if err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	defer rows.Close()
	var out []agents.Record
	for rows.Next() {
		var (
			r      agents.Record
			id, st string
			aj     []byte
		)
		if err := rows.Scan(&id, &aj, &st, &r.Reason, &r.Since); err != nil {
			return nil, fmt.Errorf("store: agent states: %w", err)
		}
		_ = json.Unmarshal(aj, &r.Agent)
		r.Agent.ID = id
		r.State = agents.State(st)
		r.Since = r.Since.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: agent states: %w", err)
	}
	return out, nil
}

// AgentJournal keeps agents' last sign-in states in Postgres without ever
// blocking its caller: Record keeps the latest state of each agent in memory
// (one entry per agent, so memory is bounded by the number of agents) and a
// goroutine writes them, retrying while Postgres is unreachable. Give
// Record to queue.Options.OnAgentChange.
type AgentJournal struct {
	db  *DB
	log *slog.Logger

	mu      sync.Mutex
	pending map[string]agents.Record
	order   []string
	kick    chan struct{}
	busy    bool
	stop    chan struct{}
	done    chan struct{}
}

// NewAgentJournal starts a journal on db; Close stops it after a last write.
func NewAgentJournal(db *DB, log *slog.Logger) *AgentJournal {
	if log == nil {
		log = slog.Default()
	}
	j := &AgentJournal{db: db, log: log.With("component", "store.agent_journal"), pending: map[string]agents.Record{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go j.run()
	return j
}

// Record queues r (replacing an older state of the same agent not yet written).
func (j *AgentJournal) Record(r agents.Record) {
	j.mu.Lock()
	if old, ok := j.pending[r.Agent.ID]; ok {
		if r.Since.Before(old.Since) {
			j.mu.Unlock()
			return
		}
		if len(r.Agent.Skills) == 0 && r.Agent.Name == "" {
			r.Agent = old.Agent // keep details known
		}
	} else {
		j.order = append(j.order, r.Agent.ID)
	}
	j.pending[r.Agent.ID] = r
	j.mu.Unlock()
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// Flush waits until every state recorded before it is written (or ctx ends).
func (j *AgentJournal) Flush(ctx context.Context) error {
	for {
		j.mu.Lock()
		n := len(j.pending)
		busy := j.busy
		j.mu.Unlock()
		if n == 0 && !busy {
			return nil
		}
		select {
		case j.kick <- struct{}{}:
		default:
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("store: agent journal flush: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Load returns the agents' last states: those written, overlaid with those
// not written yet.
func (j *AgentJournal) Load(ctx context.Context) ([]agents.Record, error) {
	recs, err := j.db.AgentStates(ctx)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil && len(j.pending) == 0 {
		return nil, err
	}
	byID := map[string]int{}
	for i, r := range recs {
		byID[r.Agent.ID] = i
	}
	for _, r := range j.pending {
		if i, ok := byID[r.Agent.ID]; ok {
			if !r.Since.Before(recs[i].Since) {
				if len(r.Agent.Skills) == 0 {
					r.Agent = recs[i].Agent
				}
				recs[i] = r
			}
			continue
		}
		recs = append(recs, r)
	}
	return recs, err
}

// Close writes what is pending (until ctx ends) and stops the journal.
func (j *AgentJournal) Close(ctx context.Context) error {
	err := j.Flush(ctx)
	close(j.stop)
	<-j.done
	return err
}

func (j *AgentJournal) run() {
	defer close(j.done)
	backoff := 50 * time.Millisecond
	for {
		select {
		case <-j.stop:
			return
		case <-j.kick:
		}
		for {
			j.mu.Lock()
			if len(j.pending) == 0 {
				j.mu.Unlock()
				break
			}
			batch := make([]agents.Record, 0, len(j.pending))
			for _, id := range j.order {
				if r, ok := j.pending[id]; ok {
					batch = append(batch, r)
				}
			}
			j.pending, j.order, j.busy = map[string]agents.Record{}, nil, true
			j.mu.Unlock()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := j.db.SaveAgentStates(ctx, batch)
			cancel()
			j.mu.Lock()
			j.busy = false
			if err != nil {
				// Put them back unless newer states arrived meanwhile.
				for _, r := range batch {
					if cur, ok := j.pending[r.Agent.ID]; !ok {
						j.pending[r.Agent.ID] = r
						j.order = append(j.order, r.Agent.ID)
					} else if cur.Since.Before(r.Since) {
						j.pending[r.Agent.ID] = r
					}
				}
			}
			j.mu.Unlock()
			if err != nil {
				j.log.Warn("agent states not written yet: retrying", "agents", len(batch), "err", err)
				select {
				case <-j.stop:
					return
				case <-time.After(backoff):
				}
				backoff = min(2*backoff, 5*time.Second)
				continue
			}
			backoff = 50 * time.Millisecond
		}
	}
}
