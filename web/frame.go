package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed assets
var assetsFS embed.FS

// Assets are the embedded static files served under /static/ (app.css,
// the pages' JavaScript, vendor/jssip.min.js).
func Assets() fs.FS {
	sub, err := fs.Sub(assetsFS, "assets")
	if err != nil {
		panic(err)
	}
	return sub
}

func staticHandler() http.Handler {
	fsrv := http.FileServerFS(Assets())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		fsrv.ServeHTTP(w, r)
	})
}

// publicRoute lists what is open without signing in (issue #8's interface):
// health, sign-in, static assets, the citizens' feedback form and the ticket
// it posts, the kiosks' presses (kiosk tokens), the public transparency page.
func publicRoute(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/healthz", p == "/login", p == "/favicon.ico", strings.HasPrefix(p, "/static/"):
		return true
	case p == "/api/v1/session" && r.Method == http.MethodPost:
		return true
	case p == "/feedback" || strings.HasPrefix(p, "/feedback/"):
		return true
	case p == "/api/v1/tickets" && r.Method == http.MethodPost:
		return true
	case p == "/api/v1/kiosk/presses" && r.Method == http.MethodPost:
		return true
	case p == "/public" || strings.HasPrefix(p, "/public/"):
		return true
	}
	return false
}

// ContentSecurityPolicy allows only the binary's own scripts, styles and
// connections (the softphone's WebSocket to Asterisk included: wss: and ws:).
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self' wss: ws:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// SecurityHeaders sets the CSP and the usual hardening headers.
func SecurityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", ContentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}
