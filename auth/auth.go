// Package auth signs staff in: accounts in Postgres (agent, supervisor,
// admin), argon2id password hashes, server-side sessions, CSRF protection,
// sign-in rate limiting, and bearer tokens for machine clients.
//
// # The one middleware API
//
// Every package that serves staff routes protects them the same way:
//
//	mux.Handle("GET /supervisor", svc.Require(auth.Supervisor)(h))   // supervisors (and admins)
//	mux.Handle("POST /api/v1/x", svc.Require(auth.Agent, auth.Supervisor)(h))
//	mux.Handle("GET /agent", svc.Require()(h))                      // any signed-in account
//
//	u := auth.UserFrom(r.Context())  // never nil inside Require; u.AgentID for agents
//
// Require authenticates the request by its session cookie or its
// "Authorization: Bearer <token>" header, refuses a wrong role, and checks the
// CSRF token of every state-changing request (POST, PUT, PATCH, DELETE) made
// with a session cookie: the header X-CSRF-Token or the form field
// csrf_token must equal the session's token (auth.CSRFToken(ctx); pages put
// it in <meta name="csrf-token">). Bearer-token requests carry no cookie and
// need no CSRF token. Admins pass every Require.
//
// Refusals: for paths under /api/ (and requests that accept JSON or an
// event stream) 401 {"error":{"code":"unauthorized",…}} without a valid
// session or token, 403 {"error":{"code":"forbidden",…}} for a wrong role or
// CSRF token. Pages instead redirect to /login?next=… (401) or show a 403
// page.
//
// Guard wraps a whole mux so that every route needs a signed-in account
// unless a public rule lets it through: new routes are closed by default.
//
// # Cookies
//
// The session cookie "hotline_session" is HttpOnly, SameSite=Lax, Path=/, and
// Secure unless Options.InsecureCookies is set (only for plain-HTTP try-outs
// on localhost: `hotline serve -insecure-cookies`, `hotline demo` sets it when
// it listens on plain HTTP). Sessions last Options.SessionTTL (default 12 h)
// and end at sign-out.
//
// # Rate limiting
//
// After 5 failed sign-ins for one username, or 20 from one client address,
// within 15 minutes, sign-in answers 429 {"error":{"code":"rate_limited"}}
// until the oldest failure is 15 minutes old. The counts live in the process.
package auth

import (
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Role is what a staff account may do.
type Role string

// The roles.
const (
	Agent      Role = "agent"      // answers calls as one configured agent (User.AgentID)
	Supervisor Role = "supervisor" // sees every queue and agent, acts on agents
	Admin      Role = "admin"      // everything
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == Agent || r == Supervisor || r == Admin }

// User is a signed-in staff account.
type User struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Role     Role   `json:"role"`
	// AgentID is the configured agent an agent account acts as; for a
	// supervisor, their own SIP endpoint (pjsip.conf s201 …) when they have one.
	AgentID string `json:"agent_id,omitempty"`
	// Via is how the request authenticated: "session" or "token".
	Via string `json:"-"`
}

// Is reports whether u has one of roles (admins have every role).
func (u *User) Is(roles ...Role) bool {
	if u == nil {
		return false
	}
	if u.Role == Admin || len(roles) == 0 {
		return true
	}
	for _, r := range roles {
		if u.Role == r {
			return true
		}
	}
	return false
}

// Options configure a Service.
type Options struct {
	// InsecureCookies drops the Secure attribute, so sessions work over plain
	// HTTP (localhost try-outs only).
	InsecureCookies bool
	// SessionTTL is how long a session lasts (default 12h).
	SessionTTL time.Duration
	// Now is the wall clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Service is the sign-in service over the staff tables of Postgres.
type Service struct {
	pool   *pgxpool.Pool
	opt    Options
	byName *limiter
	byAddr *limiter
}

// Limits of the sign-in rate limiter.
const (
	MaxFailuresPerUser = 5
	MaxFailuresPerAddr = 20
	FailureWindow      = 15 * time.Minute
)

// New returns the service over pool (migrated by store.Open).
func New(pool *pgxpool.Pool, opt Options) *Service {
	if opt.SessionTTL <= 0 {
		opt.SessionTTL = 12 * time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	return &Service{pool: pool, opt: opt,
		byName: newLimiter(MaxFailuresPerUser, FailureWindow), byAddr: newLimiter(MaxFailuresPerAddr, FailureWindow)}
}
