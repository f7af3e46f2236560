package agentpanel

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/jsonhttp"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/web"
)

// body is an action's JSON body: check validates it once decoded.
type body interface {
	check(p *Panel, action string) error
}

// decode reads the signed-in agent and the action's body (strict JSON, then
// its check); on error it has answered and returns false.
func decode[T any, PT interface {
	*T
	body
}](p *Panel, w http.ResponseWriter, r *http.Request, action string) (*config.Agent, *T, bool) {
	a, err := p.agentID(r)
	in := PT(new(T))
	if err == nil {
		err = jsonhttp.Decode(r, in)
	}
	if err == nil {
		err = in.check(p, action)
	}
	if err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return nil, nil, false
	}
	return a, (*T)(in), true
}

type stateBody struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

func (*stateBody) check(*Panel, string) error { return nil } // web.SetAgentState checks the action and reason

func (p *Panel) setState(w http.ResponseWriter, r *http.Request) {
	a, in, ok := decode[stateBody](p, w, r, "")
	if !ok {
		return
	}
	if err := web.SetAgentState(r, p.Queues, p.Config, a.ID, in.Action, in.Reason, p.now(), p.Changed); err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	p.getState(w, r)
}

// callBody is a call-control action's body. A transfer names its target as
// target ("queue:<id>" or "agent:<id>"), or agent or queue; mode is blind
// (default) or attended.
type callBody struct {
	CallID string `json:"call_id"`
	Target string `json:"target"`
	Agent  string `json:"agent"`
	Queue  string `json:"queue"`
	Mode   string `json:"mode"`
}

func (in *callBody) check(_ *Panel, action string) error {
	if in.CallID == "" {
		return hotline.Errorf(hotline.EINVALID, "call_id is required")
	}
	if action != ivr.ActTransfer {
		if in.Agent != "" || in.Queue != "" || in.Mode != "" {
			return hotline.Errorf(hotline.EINVALID, "agent, queue and mode are for transfer only")
		}
		return nil
	}
	n := 0
	for _, v := range []string{in.Target, in.Agent, in.Queue} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return hotline.Errorf(hotline.EINVALID, "a transfer needs one of target, agent or queue")
	}
	switch {
	case in.Agent != "":
		in.Target = "agent:" + in.Agent
	case in.Queue != "":
		in.Target = "queue:" + in.Queue
	}
	if in.Mode != "" && in.Mode != "blind" && in.Mode != "attended" {
		return hotline.Errorf(hotline.EINVALID, "mode %q: want blind or attended", in.Mode)
	}
	return nil
}

// callAction runs POST /api/v1/agent/call/{action}; POST
// /api/v1/agent/call/transfer/{complete|cancel} end an attended transfer.
func (p *Panel) callAction(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if step := r.PathValue("step"); step != "" {
		action = map[string]string{"complete": ivr.ActComplete, "cancel": ivr.ActCancel}[step]
		if action == "" {
			jsonhttp.Error(w, r, p.log(), hotline.Errorf(hotline.EINVALID, "transfer/%s: want complete or cancel", step))
			return
		}
	}
	a, in, ok := decode[callBody](p, w, r, action)
	if !ok {
		return
	}
	if action == ivr.ActTransfer && in.Mode == "attended" {
		action = ivr.ActAttended
	}
	if p.Calls == nil {
		jsonhttp.Error(w, r, p.log(), hotline.Errorf(hotline.EUNAVAILABLE, "no controller in this server"))
		return
	}
	if err := p.Calls.Control(r.Context(), a.ID, in.CallID, action, in.Target); err != nil {
		jsonhttp.Error(w, r, p.log(), err)
		return
	}
	p.getState(w, r)
}

// MaxNotes is the longest wrap-up note, in characters.
const MaxNotes = 4000

type wrapupBody struct {
	CallID string `json:"call_id"`
	Code   string `json:"code"`
	Notes  string `json:"notes"`
}

func (in *wrapupBody) check(p *Panel, _ string) error {
	switch {
	case in.CallID == "":
		return hotline.Errorf(hotline.EINVALID, "call_id is required")
	case !p.Config.DispositionCode(in.Code):
		return hotline.Errorf(hotline.EINVALID, "disposition code %q is not configured (want one of: %s)", in.Code, strings.Join(p.Config.DispositionCodes, ", "))
	case utf8.RuneCountInString(in.Notes) > MaxNotes || !utf8.ValidString(in.Notes):
		return hotline.Errorf(hotline.EINVALID, "notes: at most %d characters of UTF-8", MaxNotes)
	}
	return nil
}

func (p *Panel) wrapup(w http.ResponseWriter, r *http.Request) {
	a, in, ok := decode[wrapupBody](p, w, r, "")
	if !ok {
		return
	}
	ctx := r.Context()
	// Only a call the agent completed (the queue event log says so).
	var q string
	if err := p.DB.QueryRow(ctx, `SELECT queue FROM queue_events WHERE call_id = $1 AND agent = $2 AND event IN ('COMPLETEAGENT', 'COMPLETECALLER')
		ORDER BY time DESC LIMIT 1`, in.CallID, a.ID).Scan(&q); err != nil {
		jsonhttp.Error(w, r, p.log(), hotline.Errorf(hotline.ENOTFOUND, "no completed call %q of yours", in.CallID))
		return
	}
	now := p.now()
	tag, err := p.DB.Exec(ctx, `INSERT INTO call_wrapups (time, call_id, agent, code, notes)
		SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM call_wrapups WHERE call_id = $2 AND agent = $3)`,
		now, in.CallID, a.ID, in.Code, in.Notes)
	if err != nil {
		jsonhttp.Error(w, r, p.log(), fmt.Errorf("agent panel: wrap-up: %w", err))
		return
	}
	if tag.RowsAffected() == 0 {
		jsonhttp.Error(w, r, p.log(), hotline.Errorf(hotline.ECONFLICT, "call %s is wrapped up already", in.CallID))
		return
	}
	if p.Events != nil {
		p.Events.Events(hotline.QueueEvent{Time: now, CallID: in.CallID, Queue: q, Agent: a.ID, Type: hotline.EvWrapupEnd, Data: in.Code})
	}
	p.forgetWrapup(a.ID)
	p.getState(w, r)
}

type pageData struct {
	Agent            string
	Name             string
	Username         string
	CSRF             string
	Service          string
	PauseReasons     []string
	DispositionCodes []string
	Queues           []queueOption
	// Agents are the other configured agents (transfer targets).
	Agents []queueOption
	// Departments of the ticket form (prefilled from the call).
	Departments []queueOption
	SIP         SIPConfig
}

type queueOption struct{ ID, Name string }

func (p *Panel) servePage(w http.ResponseWriter, r *http.Request) {
	a, err := p.agentID(r)
	if err != nil {
		http.Error(w, hotline.ErrorMessage(err), http.StatusForbidden)
		return
	}
	p.pageOnce.Do(func() { p.page = template.Must(template.ParseFS(templates, "templates/agent.html")) })
	u := auth.UserFrom(r.Context())
	d := pageData{Agent: a.ID, Name: a.Name, Username: u.Username, CSRF: auth.CSRFToken(r.Context()), Service: p.Config.Hotline.Name,
		PauseReasons: p.Config.PauseReasons, DispositionCodes: p.Config.DispositionCodes, SIP: p.SIP}
	for _, q := range p.Config.Queues {
		n := q.Names["en"]
		if n == "" {
			n = q.ID
		}
		d.Queues = append(d.Queues, queueOption{ID: q.ID, Name: n})
	}
	for _, ag := range p.Config.Agents {
		if ag.ID != a.ID {
			d.Agents = append(d.Agents, queueOption{ID: ag.ID, Name: ag.Name + " (" + ag.ID + ")"})
		}
	}
	for _, dp := range p.Config.Departments {
		d.Departments = append(d.Departments, queueOption{ID: dp.ID, Name: dp.Name("en")})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := p.page.Execute(w, d); err != nil {
		p.log().Error("agent page", "err", err)
	}
}
