package supervisor

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/jsonhttp"
	"github.com/publicservice/hotline/live"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/web"
)

// Snooper is the controller's listen/whisper/barge (*ivr.Controller).
type Snooper interface {
	Snoop(ctx context.Context, callID, mode, endpoint string) (string, error)
}

// Service serves the supervisors' pages and actions.
type Service struct {
	Auth    *auth.Service
	Feed    *live.Feed
	Config  *config.Config
	Queues  *queue.Queues
	DB      *store.DB
	Snooper Snooper
	// Changed runs after a supervisor changed an agent's state (web.Server.AgentChanged).
	Changed web.AfterChange
	Clock   clock.Clock
	Logger  *slog.Logger
	// SIP configures the supervisor page's browser phone (the same
	// HOTLINE_SIP_* settings as the agent panel's); empty WebSocketURL: none.
	SIP agentpanel.SIPConfig
	// SlowEvery is how often the Postgres figures are refreshed (default 5 s).
	SlowEvery time.Duration

	mu         sync.Mutex
	slowFig    *SlowFigures
	loading    bool
	cacheFrame *live.Frame       // the frame of cache
	cache      map[string][]byte // site → board JSON
	pagesOnce  sync.Once
	pages      *template.Template
}

//go:embed templates/*.html
var templates embed.FS

// Mount adds the routes to mux.
func (s *Service) Mount(mux *http.ServeMux) {
	sup := s.Auth.Require(auth.Supervisor)
	mux.Handle("GET /supervisor", sup(http.HandlerFunc(s.page("supervisor.html"))))
	mux.Handle("GET /supervisor/wallboard", sup(http.HandlerFunc(s.page("wallboard.html"))))
	mux.Handle("GET /api/v1/supervisor/board", sup(http.HandlerFunc(s.getBoard)))
	mux.Handle("GET /api/v1/supervisor/events", sup(http.HandlerFunc(s.events)))
	mux.Handle("POST /api/v1/supervisor/agents/{id}/state", sup(http.HandlerFunc(s.setState)))
	mux.Handle("POST /api/v1/supervisor/calls/{call}/{mode}", sup(http.HandlerFunc(s.snoop)))
	mux.Handle("GET /api/v1/supervisor/audit", sup(http.HandlerFunc(s.audit)))
	mux.Handle("GET /api/v1/supervisor/softphone", sup(http.HandlerFunc(s.softphone)))
}

func (s *Service) log() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// slow returns the Postgres figures, refreshing them in the background when
// older than SlowEvery (the first call waits for them).
func (s *Service) slow() *SlowFigures {
	every := s.SlowEvery
	if every <= 0 {
		every = 5 * time.Second
	}
	now := s.Clock.Now()
	s.mu.Lock()
	f := s.slowFig
	stale := f == nil || now.Sub(f.At) >= every
	start := stale && !s.loading
	if start {
		s.loading = true
	}
	s.mu.Unlock()
	if !start {
		return f
	}
	load := func() *SlowFigures {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		nf, err := s.loadSlow(ctx, now)
		s.mu.Lock()
		defer s.mu.Unlock()
		s.loading = false
		if err != nil {
			s.log().Warn("supervisor: today's figures", "err", err)
			return s.slowFig
		}
		s.slowFig = nf
		return nf
	}
	if f == nil {
		return load()
	}
	go load()
	return f
}

func (s *Service) site(r *http.Request) (string, error) {
	site := r.URL.Query().Get("site")
	if site != "" && s.Config.Site(site) == nil {
		return "", hotline.Errorf(hotline.EINVALID, "unknown site %q", site)
	}
	return site, nil
}

func (s *Service) getBoard(w http.ResponseWriter, r *http.Request) {
	site, err := s.site(r)
	if err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	fr, err := s.Feed.Sample(r.Context())
	if err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, s.build(fr, site))
}

func (s *Service) events(w http.ResponseWriter, r *http.Request) {
	site, err := s.site(r)
	if err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	s.Feed.Stream(w, r, func(fr *live.Frame) ([]byte, error) { return s.rendered(fr, site) })
}

// rendered is the board's JSON of a frame for a site, built once per frame
// whatever the number of open wallboards.
func (s *Service) rendered(fr *live.Frame, site string) ([]byte, error) {
	s.mu.Lock()
	if s.cacheFrame == fr && s.cache[site] != nil {
		b := s.cache[site]
		s.mu.Unlock()
		return b, nil
	}
	s.mu.Unlock()
	b, err := json.Marshal(s.build(fr, site))
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.cacheFrame != fr {
		s.cacheFrame, s.cache = fr, map[string][]byte{}
	}
	s.cache[site] = b
	s.mu.Unlock()
	return b, nil
}

// Record writes one audit row (web.Auditor).
func (s *Service) Record(ctx context.Context, actor, action, agent, callID, detail string) error {
	_, err := s.DB.Pool().Exec(ctx, `INSERT INTO supervisor_audit (time, actor, action, agent, call_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.Clock.Now(), actor, action, agent, callID, detail)
	if err != nil {
		return fmt.Errorf("supervisor: audit: %w", err)
	}
	return nil
}

var _ web.Auditor = (*Service)(nil)

func (s *Service) setState(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var in struct {
		Action string `json:"action"`
		Reason string `json:"reason"`
	}
	if err := jsonhttp.Decode(r, &in); err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	if s.Config.Agent(id) == nil {
		jsonhttp.Error(w, r, s.log(), hotline.Errorf(hotline.ENOTFOUND, "no agent %q in the configuration", id))
		return
	}
	if err := web.SetAgentState(r, s.Queues, s.Config, id, in.Action, in.Reason, s.Clock.Now(), s.Changed); err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	u := auth.UserFrom(r.Context())
	if err := s.Record(r.Context(), u.Username, "set_state", id, "", in.Action+" "+in.Reason); err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	st, err := web.AgentStatus(r.Context(), s.Queues, s.Config, id)
	if err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, web.NewAgentView(s.Config, st))
}

func (s *Service) snoop(w http.ResponseWriter, r *http.Request) {
	callID, mode := r.PathValue("call"), r.PathValue("mode")
	var in struct {
		Endpoint string `json:"endpoint"`
	}
	if err := jsonhttp.Decode(r, &in); err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	u := auth.UserFrom(r.Context())
	if in.Endpoint == "" { // the supervisor's own phone
		in.Endpoint = "PJSIP/" + u.Username
		if id := sipEndpoint(u); id != "" {
			in.Endpoint = "PJSIP/" + id
		}
	}
	if s.Snooper == nil {
		jsonhttp.Error(w, r, s.log(), hotline.Errorf(hotline.EUNAVAILABLE, "no controller in this server"))
		return
	}
	ch, err := s.Snooper.Snoop(r.Context(), callID, mode, in.Endpoint)
	if err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	if err := s.Record(r.Context(), u.Username, mode, "", callID, in.Endpoint+" "+ch); err != nil {
		jsonhttp.Error(w, r, s.log(), err)
		return
	}
	jsonhttp.Write(w, http.StatusOK, map[string]string{"channel": ch, "mode": mode, "call_id": callID})
}

// AuditRow is one supervisor action.
type AuditRow struct {
	Time   time.Time `json:"time"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Agent  string    `json:"agent,omitempty"`
	CallID string    `json:"call_id,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

func (s *Service) audit(w http.ResponseWriter, r *http.Request) {
	rows, err := s.DB.Pool().Query(r.Context(), `SELECT time, actor, action, agent, call_id, detail FROM supervisor_audit ORDER BY id DESC LIMIT 100`)
	if err != nil {
		jsonhttp.Error(w, r, s.log(), fmt.Errorf("supervisor: audit: %w", err))
		return
	}
	defer rows.Close()
	out := []AuditRow{}
	for rows.Next() {
		var a AuditRow
		if err := rows.Scan(&a.Time, &a.Actor, &a.Action, &a.Agent, &a.CallID, &a.Detail); err != nil {
			jsonhttp.Error(w, r, s.log(), fmt.Errorf("supervisor: audit: %w", err))
			return
		}
		out = append(out, a)
	}
	jsonhttp.Write(w, http.StatusOK, map[string]any{"audit": out})
}

type pageData struct {
	SIPWS    string
	CSRF     string
	Username string
	Service  string
	Sites    []config.Site
	Site     string
	Reasons  []string
}

func (s *Service) page(name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.pagesOnce.Do(func() { s.pages = template.Must(template.ParseFS(templates, "templates/*.html")) })
		site, err := s.site(r)
		if err != nil {
			http.Error(w, hotline.ErrorMessage(err), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		d := pageData{SIPWS: s.SIP.WebSocketURL, CSRF: auth.CSRFToken(r.Context()), Username: auth.UserFrom(r.Context()).Username, Service: s.Config.Hotline.Name,
			Sites: s.Config.Sites, Site: site, Reasons: s.Config.PauseReasons}
		if err := s.pages.ExecuteTemplate(w, name, d); err != nil {
			s.log().Error("supervisor page", "err", err)
		}
	}
}
