package auth

import (
	"crypto/subtle"
	"embed"
	"html/template"
	"net/http"
	"strings"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/internal/jsonhttp"
)

//go:embed templates/*.html
var templateFS embed.FS

var loginPage = template.Must(template.ParseFS(templateFS, "templates/login.html"))

// loginCSRFCookie holds the sign-in form's own CSRF token (double submit):
// there is no session yet to keep it in.
const loginCSRFCookie = "hotline_login_csrf"

// Register adds the sign-in routes to mux:
//
//	GET    /login            the sign-in page (public)
//	POST   /login            form sign-in (public; the form's CSRF token), redirects to next or the role's home
//	POST   /logout           sign out (session + CSRF), redirects to /login
//	POST   /api/v1/session   JSON sign-in {"username","password"} → {"user","csrf_token"} and the cookie (public)
//	GET    /api/v1/session   the signed-in account and its CSRF token
//	DELETE /api/v1/session   sign out
//
// service names the hotline on the page.
func (s *Service) Register(mux *http.ServeMux, service string) {
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) { s.loginPage(w, r, service, "", "", http.StatusOK) })
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) { s.loginForm(w, r, service) })
	mux.Handle("POST /logout", s.Require()(http.HandlerFunc(s.logout)))
	mux.HandleFunc("POST /api/v1/session", s.loginJSON)
	mux.Handle("GET /api/v1/session", s.Require()(http.HandlerFunc(s.me)))
	mux.Handle("DELETE /api/v1/session", s.Require()(http.HandlerFunc(s.logout)))
}

// Public reports whether r is one of the sign-in routes open to everyone.
func Public(r *http.Request) bool {
	return r.URL.Path == "/login" || (r.URL.Path == "/api/v1/session" && r.Method == http.MethodPost)
}

// Home is where a role lands after signing in.
func Home(role Role) string {
	if role == Agent {
		return "/agent"
	}
	return "/supervisor"
}

func (s *Service) loginPage(w http.ResponseWriter, r *http.Request, service, username, msg string, status int) {
	// One token per browser until it expires: several open sign-in pages
	// (or a stray request redirected here) must not invalidate each other.
	tok := randomToken()
	if c, err := r.Cookie(loginCSRFCookie); err == nil && len(c.Value) == len(tok) {
		tok = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: tok, Path: "/login", MaxAge: 3600,
		HttpOnly: true, Secure: !s.opt.InsecureCookies, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = loginPage.Execute(w, map[string]string{"Service": service, "CSRF": tok, "Next": safeNext(r.FormValue("next")),
		"Username": username, "Error": msg})
}

func (s *Service) loginForm(w http.ResponseWriter, r *http.Request, service string) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(loginCSRFCookie)
	form := r.PostFormValue("csrf_token")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		s.loginPage(w, r, service, "", "The sign-in form expired; please try again.", http.StatusForbidden)
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	sess, err := s.SignIn(r.Context(), username, r.PostFormValue("password"), r.RemoteAddr)
	if err != nil {
		msg := hotline.ErrorMessage(err)
		if hotline.ErrorCode(err) == hotline.EINTERNAL {
			s.opt.Logger.Error("sign-in failed", "err", err)
		}
		s.loginPage(w, r, service, username, msg, jsonhttp.Status(err))
		return
	}
	s.SetCookie(w, sess)
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = Home(sess.User.Role)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext keeps only local paths ("/x", never "//host" or "/\host").
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || strings.HasPrefix(n, "/login") {
		return ""
	}
	return n
}

type sessionJSON struct {
	User      *User  `json:"user"`
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (s *Service) loginJSON(w http.ResponseWriter, r *http.Request) {
	// A form on another site cannot send application/json without CORS.
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		jsonhttp.Error(w, r, s.opt.Logger, hotline.Errorf(hotline.EINVALID, "send the credentials as application/json"))
		return
	}
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := jsonhttp.Decode(r, &in); err != nil {
		jsonhttp.Error(w, r, s.opt.Logger, err)
		return
	}
	sess, err := s.SignIn(r.Context(), strings.TrimSpace(in.Username), in.Password, r.RemoteAddr)
	if err != nil {
		jsonhttp.Error(w, r, s.opt.Logger, err)
		return
	}
	s.SetCookie(w, sess)
	jsonhttp.Write(w, http.StatusOK, sessionJSON{User: sess.User, CSRFToken: sess.CSRFToken})
}

func (s *Service) me(w http.ResponseWriter, r *http.Request) {
	jsonhttp.Write(w, http.StatusOK, sessionJSON{User: UserFrom(r.Context()), CSRFToken: CSRFToken(r.Context())})
}

func (s *Service) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.SignOut(r.Context(), c.Value); err != nil {
			jsonhttp.Error(w, r, s.opt.Logger, err)
			return
		}
	}
	s.ClearCookie(w)
	if r.Method == http.MethodDelete {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
