package auth

import (
	"context"
	"crypto/subtle"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/internal/jsonhttp"
)

type ctxKey int

const (
	userKey ctxKey = iota
	csrfKey
)

// UserFrom returns the account of an authenticated request, nil outside
// Require and Guard.
func UserFrom(ctx context.Context) *User {
	u, _ := ctx.Value(userKey).(*User)
	return u
}

// CSRFToken returns the session's CSRF token ("" for bearer tokens), for
// pages to put in <meta name="csrf-token"> and forms.
func CSRFToken(ctx context.Context) string {
	t, _ := ctx.Value(csrfKey).(string)
	return t
}

// WithUser returns ctx carrying u (for tests of handlers behind Require).
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// Require returns middleware that lets through requests authenticated as an
// account with one of roles (any account when roles is empty; admins always),
// checking the CSRF token of state-changing session requests.
func (s *Service) Require(roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r, err := s.authenticate(r)
			if err != nil {
				s.refuse(w, r, err)
				return
			}
			if u := UserFrom(r.Context()); !u.Is(roles...) {
				s.refuse(w, r, hotline.Errorf(hotline.EFORBIDDEN, "this needs the role %s; you are signed in as %s", rolesText(roles), u.Role))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Guard wraps h so that every request needs a signed-in account (any role)
// unless public reports it open to everyone. Routes inside h add their role
// checks with Require.
func (s *Service) Guard(h http.Handler, public func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public != nil && public(r) {
			h.ServeHTTP(w, r)
			return
		}
		r, err := s.authenticate(r)
		if err != nil {
			s.refuse(w, r, err)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authenticate finds the request's account (once: a request that already
// carries one is passed on) and checks its CSRF token.
func (s *Service) authenticate(r *http.Request) (*http.Request, error) {
	if UserFrom(r.Context()) != nil {
		return r, nil
	}
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return r, hotline.Errorf(hotline.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\"")
		}
		u, err := s.tokenUser(ctx, strings.TrimSpace(tok))
		if err != nil {
			return r, err
		}
		return r.WithContext(context.WithValue(ctx, userKey, u)), nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return r, hotline.Errorf(hotline.EUNAUTHORIZED, "sign in first (session cookie or bearer token)")
	}
	sess, err := s.session(ctx, c.Value)
	if err != nil {
		return r, err
	}
	if unsafeMethod(r.Method) && !validCSRF(r, sess.CSRFToken) {
		return r, hotline.Errorf(hotline.EFORBIDDEN, "missing or wrong CSRF token (send the X-CSRF-Token header or the csrf_token form field)")
	}
	ctx = context.WithValue(ctx, userKey, sess.User)
	ctx = context.WithValue(ctx, csrfKey, sess.CSRFToken)
	return r.WithContext(ctx), nil
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			got = r.PostFormValue("csrf_token")
		}
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// wantsJSON: API paths, and clients that ask for JSON or an event stream.
func wantsJSON(r *http.Request) bool {
	a := r.Header.Get("Accept")
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(a, "application/json") || strings.Contains(a, "text/event-stream")
}

var forbiddenPage = template.Must(template.New("403").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not allowed</title>
<link rel="stylesheet" href="/static/app.css"></head><body class="page-error"><main><h1>Not allowed</h1><p>{{.}}</p><p><a href="/">Home</a></p></main></body></html>`))

func (s *Service) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if wantsJSON(r) {
		jsonhttp.Error(w, r, s.opt.Logger, err)
		return
	}
	switch hotline.ErrorCode(err) {
	case hotline.EUNAUTHORIZED:
		next := r.URL.Path
		if r.URL.RawQuery != "" {
			next += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
	default:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(jsonhttp.Status(err))
		_ = forbiddenPage.Execute(w, hotline.ErrorMessage(err))
	}
}

func rolesText(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}
