package agentpanel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/internal/jsonhttp"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/live"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/web"
)

// State is what the panel shows.
type State struct {
	Agent web.AgentView `json:"agent"`
	// WrapUntil: the queue's wrap-up time ends then (no call is offered before).
	WrapUntil *time.Time `json:"wrap_until,omitempty"`
	Call      *CallView  `json:"call,omitempty"`
	// Wrapup is the last call still waiting for its disposition code.
	Wrapup *PendingWrapup `json:"wrapup,omitempty"`
}

// CallView is the current call with the caller's context.
type CallView struct {
	ivr.AgentCall
	History *History `json:"history"`
}

// History is what is known about the caller's number.
type History struct {
	EarlierCalls []EarlierCall `json:"earlier_calls"`
	Ratings      []int         `json:"ratings"` // past survey ratings, newest first (1 very unhappy … 4 very happy)
	// OpenTicketsURL is the staff tickets page searching the caller's number
	// (/staff/tickets?phone=…), or all tickets when the number is withheld.
	OpenTicketsURL string `json:"open_tickets_url"`
}

// EarlierCall is one earlier call from the same number.
type EarlierCall struct {
	Arrived     time.Time `json:"arrived"`
	Department  string    `json:"department"`
	Queue       string    `json:"queue"`
	Disposition string    `json:"disposition"`
	Agent       string    `json:"agent,omitempty"`
	Survey      int       `json:"survey,omitempty"`
}

// PendingWrapup is a finished call without a disposition code yet.
type PendingWrapup struct {
	CallID string    `json:"call_id"`
	Ended  time.Time `json:"ended"`
}

type wrapCache struct {
	key     string // agent state and since: recomputed when they change
	pending *PendingWrapup
}

// state builds the panel's state of agent id from a frame (nil: read now).
func (p *Panel) state(ctx context.Context, id string, fr *live.Frame) (*State, error) {
	var st queue.AgentStatus
	var ok bool
	if fr != nil {
		st, ok = fr.Agent(id)
	}
	if !ok {
		var err error
		if st, err = web.AgentStatus(ctx, p.Queues, p.Config, id); err != nil {
			return nil, err
		}
	}
	out := &State{Agent: web.NewAgentView(p.Config, st)}
	if st.State == agents.WrapUp && !st.WrapUntil.IsZero() {
		t := st.WrapUntil
		out.WrapUntil = &t
	}
	if st.CallID != "" && (st.State == agents.Ringing || st.State == agents.OnCall) && p.Calls != nil {
		c, err := p.Calls.AgentCall(ctx, id, st.CallID)
		if err == nil {
			h, err := p.callerHistory(ctx, c.CallID, c.Number)
			if err != nil {
				return nil, err
			}
			out.Call = &CallView{AgentCall: c, History: h}
		} else if hotline.ErrorCode(err) != hotline.ENOTFOUND {
			p.log().Warn("agent panel: call", "agent", id, "err", err)
		}
	}
	w, err := p.pendingWrapup(ctx, id, string(st.State)+st.Since.String())
	if err != nil {
		return nil, err
	}
	if out.Call == nil || out.Call.CallID != w.callID() {
		out.Wrapup = w
	}
	return out, nil
}

func (w *PendingWrapup) callID() string {
	if w == nil {
		return ""
	}
	return w.CallID
}

// callerHistory reads the number's earlier calls once per call.
func (p *Panel) callerHistory(ctx context.Context, callID, number string) (*History, error) {
	p.mu.Lock()
	if h := p.history[callID]; h != nil {
		p.mu.Unlock()
		return h, nil
	}
	p.mu.Unlock()
	h := &History{EarlierCalls: []EarlierCall{}, Ratings: []int{}, OpenTicketsURL: "/staff/tickets"}
	if number != "" {
		h.OpenTicketsURL += "?" + url.Values{"phone": {number}}.Encode()
	}
	if number != "" && p.DB != nil {
		rows, err := p.DB.Query(ctx, `SELECT arrived, department, queue, disposition, agent, coalesce(survey, 0)
			FROM calls WHERE caller = $1 AND id <> $2 ORDER BY arrived DESC LIMIT 10`, number, callID)
		if err != nil {
			return nil, fmt.Errorf("agent panel: history: %w", err)
		}
		for rows.Next() {
			var e EarlierCall
			if err := rows.Scan(&e.Arrived, &e.Department, &e.Queue, &e.Disposition, &e.Agent, &e.Survey); err != nil {
				rows.Close()
				return nil, fmt.Errorf("agent panel: history: %w", err)
			}
			h.EarlierCalls = append(h.EarlierCalls, e)
			if e.Survey > 0 {
				h.Ratings = append(h.Ratings, e.Survey)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("agent panel: history: %w", err)
		}
	}
	p.mu.Lock()
	if p.history == nil || len(p.history) > 10_000 {
		p.history = map[string]*History{}
	}
	p.history[callID] = h
	p.mu.Unlock()
	return h, nil
}

// pendingWrapup: the agent's last completed call (queue event log) without
// a wrap-up, within 12 hours. Cached until the agent's state changes.
func (p *Panel) pendingWrapup(ctx context.Context, id, key string) (*PendingWrapup, error) {
	p.mu.Lock()
	if c, ok := p.wrapups[id]; ok && c.key == key {
		p.mu.Unlock()
		return c.pending, nil
	}
	p.mu.Unlock()
	var w *PendingWrapup
	if p.DB != nil {
		var callID string
		var ended time.Time
		err := p.DB.QueryRow(ctx, `SELECT e.call_id, e.time FROM queue_events e
			WHERE e.agent = $1 AND e.event IN ('COMPLETEAGENT', 'COMPLETECALLER') AND e.time > $2
			ORDER BY e.time DESC LIMIT 1`, id, p.now().Add(-12*time.Hour)).Scan(&callID, &ended)
		if err == nil {
			var n int
			if err := p.DB.QueryRow(ctx, `SELECT count(*) FROM call_wrapups WHERE call_id = $1 AND agent = $2`, callID, id).Scan(&n); err != nil {
				return nil, fmt.Errorf("agent panel: wrap-up: %w", err)
			}
			if n == 0 {
				w = &PendingWrapup{CallID: callID, Ended: ended}
			}
		} else if !strings.Contains(err.Error(), "no rows") {
			return nil, fmt.Errorf("agent panel: wrap-up: %w", err)
		}
	}
	if w == nil {
		key = "" // a completed call may still be on its way to the log: look again next time
	}
	p.mu.Lock()
	if p.wrapups == nil {
		p.wrapups = map[string]wrapCache{}
	}
	p.wrapups[id] = wrapCache{key: key, pending: w}
	p.mu.Unlock()
	return w, nil
}

func (p *Panel) forgetWrapup(id string) {
	p.mu.Lock()
	delete(p.wrapups, id)
	p.mu.Unlock()
}

func (p *Panel) getState(w http.ResponseWriter, r *http.Request) {
	a, err := p.agentID(r)
	if err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	st, err := p.state(r.Context(), a.ID, nil)
	if err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, st)
}

// events streams the state on every change.
func (p *Panel) events(w http.ResponseWriter, r *http.Request) {
	a, err := p.agentID(r)
	if err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	p.Feed.Stream(w, r, func(fr *live.Frame) ([]byte, error) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		st, err := p.state(ctx, a.ID, fr)
		if err != nil {
			p.log().Warn("agent panel: state", "agent", a.ID, "err", err)
			return nil, err
		}
		return json.Marshal(st)
	})
}
