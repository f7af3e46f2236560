// Package agentpanel is the page agents keep open all day (/agent): sign in
// to and out of their queues, available or not ready with a configured
// reason, the ringing call's context before answering (number, language,
// department and IVR path, time waited, earlier calls from the number, their
// survey ratings, a link to the number's tickets), call control through
// the controller (answer, reject, hold, resume, mute, transfer to a queue or
// a named agent, blind or attended, hang up), a ticket form during the call (posted by agent.js to the
// ticket package's POST /api/v1/staff/tickets with the call id, linking the
// ticket to the call record), wrap-up with a disposition code and notes, and
// the browser softphone (JsSIP, registering to Asterisk's WebSocket transport).
//
// Routes (agent accounts; an agent acts only as their own configured agent):
//
//	GET  /agent                         the page
//	GET  /api/v1/agent/state            the panel's state as JSON
//	GET  /api/v1/agent/events           the same as Server-Sent Events ("state"), on every change
//	POST /api/v1/agent/state            {"action":"login|logout|available|pause","reason":"lunch"}
//	POST /api/v1/agent/call/{action}    {"call_id":"…"}: answer, reject, hold, resume, mute, unmute,
//	                                    hangup, transfer ({"target":"queue:cbc"|"agent:a102"} or
//	                                    {"agent":"a102"} or {"queue":"cbc"}, "mode":"blind"|"attended")
//	POST /api/v1/agent/call/transfer/complete  {"call_id":"…"}: the attended transfer's caller goes over
//	POST /api/v1/agent/call/transfer/cancel    {"call_id":"…"}: the consultation ends
//	POST /api/v1/agent/wrapup           {"call_id":"…","code":"resolved","notes":"…"} (WRAPUPEND event)
package agentpanel

import (
	"context"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/live"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/web"
)

// Calls is the controller's call control (*ivr.Controller).
type Calls interface {
	AgentCall(ctx context.Context, agent, callID string) (ivr.AgentCall, error)
	Control(ctx context.Context, agent, callID, action, target string) error
}

// Events records queue events (*store.Writer).
type Events interface {
	Events(events ...hotline.QueueEvent)
}

// Panel serves the agent panel.
type Panel struct {
	Auth   *auth.Service
	Feed   *live.Feed
	Queues *queue.Queues
	Config *config.Config
	Calls  Calls
	Events Events
	DB     *pgxpool.Pool
	// Changed runs after the agent changed their state (web.Server.AgentChanged).
	Changed web.AfterChange
	Clock   clock.Clock
	Logger  *slog.Logger
	// SIP configures the browser softphone; empty WebSocketURL: no softphone
	// (the simulator: the answer button answers through the backend).
	SIP SIPConfig

	mu       sync.Mutex
	history  map[string]*History // by call id
	wrapups  map[string]wrapCache
	pageOnce sync.Once
	page     *template.Template
}

// SIPConfig is what JsSIP needs to register an agent's browser.
type SIPConfig struct {
	// WebSocketURL of Asterisk's PJSIP WebSocket transport, e.g. wss://pbx.example:8089/ws.
	WebSocketURL string
	// Domain of the SIP URIs (sip:<agent id>@<domain>).
	Domain string
}

//go:embed templates/*.html
var templates embed.FS

// Mount adds the panel's routes to mux.
func (p *Panel) Mount(mux *http.ServeMux) {
	agent := p.Auth.Require(auth.Agent)
	mux.Handle("GET /agent", agent(http.HandlerFunc(p.servePage)))
	mux.Handle("GET /api/v1/agent/state", agent(http.HandlerFunc(p.getState)))
	mux.Handle("GET /api/v1/agent/events", agent(http.HandlerFunc(p.events)))
	mux.Handle("POST /api/v1/agent/state", agent(http.HandlerFunc(p.setState)))
	mux.Handle("POST /api/v1/agent/call/{action}", agent(http.HandlerFunc(p.callAction)))
	mux.Handle("POST /api/v1/agent/call/transfer/{step}", agent(http.HandlerFunc(p.callAction)))
	mux.Handle("POST /api/v1/agent/wrapup", agent(http.HandlerFunc(p.wrapup)))
}

func (p *Panel) log() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.Default()
}

// agentID is the configured agent the signed-in account acts as.
func (p *Panel) agentID(r *http.Request) (*config.Agent, error) {
	u := auth.UserFrom(r.Context())
	a := p.Config.Agent(u.AgentID)
	if a == nil {
		return nil, hotline.Errorf(hotline.EFORBIDDEN, "account %s is not linked to a configured agent", u.Username)
	}
	return a, nil
}

func (p *Panel) now() time.Time { return p.Clock.Now() }
