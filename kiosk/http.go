package kiosk

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/config"
)

//go:embed app
var appFS embed.FS

// MaxBody is the largest request body the ingestion API reads (1 MiB).
const MaxBody = 1 << 20

// CSP is the kiosk app's Content-Security-Policy: its own scripts, styles and
// API only; no inline script, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Server serves the kiosk ingestion API and the kiosk web app.
type Server struct {
	Registry *Registry
	Ingester *Ingester
	Limiter  *Limiter
	Config   *config.Config
	Now      func() time.Time
	Logger   *slog.Logger
}

// Handler returns the routes:
//
//	POST /api/v1/kiosk/presses   a batch of presses (Authorization: Bearer <token>)
//	GET  /api/v1/kiosk/config    the kiosk's department, location and follow-up question
//	GET  /kiosk/                 the kiosk web app (embedded; strict CSP)
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/kiosk/presses", s.presses)
	mux.HandleFunc("GET /api/v1/kiosk/config", s.kioskConfig)
	sub, _ := fs.Sub(appFS, "app")
	files := http.FileServerFS(sub)
	mux.Handle("GET /kiosk/", http.StripPrefix("/kiosk", withHeaders(files)))
	return mux
}

func withHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", CSP)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) auth(r *http.Request) (Kiosk, error) {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		return Kiosk{}, hotline.Errorf(hotline.EUNAUTHORIZED, "missing Authorization: Bearer <kiosk token>")
	}
	return s.Registry.Authenticate(r.Context(), strings.TrimSpace(token))
}

func (s *Server) presses(w http.ResponseWriter, r *http.Request) {
	k, err := s.auth(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	now := s.now()
	if s.Limiter != nil {
		if ok, wait := s.Limiter.Allow(k.ID, now); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			s.error(w, r, hotline.Errorf(hotline.ERATELIMITED, "kiosk %s: more than %.0f batches a second; retry after %s", k.ID, s.Limiter.Rate, wait.Round(time.Millisecond)))
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.error(w, r, hotline.Errorf(hotline.ETOOLARGE, "request body larger than %d bytes", MaxBody))
			return
		}
		s.error(w, r, hotline.Errorf(hotline.EINVALID, "reading the body: %v", err))
		return
	}
	var b Batch
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		s.error(w, r, hotline.Errorf(hotline.EINVALID, "body is not a batch of presses: %v", err))
		return
	}
	res, err := s.Ingester.Ingest(r.Context(), k, b, now)
	if err != nil {
		s.error(w, r, err)
		return
	}
	if res.Rejected > 0 {
		// A 4xx that still carries the counts: the valid presses are stored,
		// the rejected ones never will be (resending them does not help).
		reasons := make([]string, 0, 3)
		for i, rj := range res.Rejections {
			if i == 3 {
				reasons = append(reasons, "…")
				break
			}
			reasons = append(reasons, fmt.Sprintf("press %d: %s", rj.Index, rj.Reason))
		}
		writeJSON(w, http.StatusUnprocessableEntity, struct {
			Result
			Error errBody `json:"error"`
		}{res, errBody{Code: hotline.EINVALID, Message: fmt.Sprintf("%d of %d presses rejected: %s", res.Rejected,
			len(b.Presses), strings.Join(reasons, "; "))}})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// ConfigResponse is what a kiosk app learns about itself.
type ConfigResponse struct {
	KioskID        string           `json:"kiosk_id"`
	Department     string           `json:"department"`
	DepartmentName string           `json:"department_name"`
	Location       string           `json:"location"`
	FollowUp       *config.FollowUp `json:"follow_up"`
	MisuseSeconds  float64          `json:"misuse_interval_seconds"`
}

func (s *Server) kioskConfig(w http.ResponseWriter, r *http.Request) {
	k, err := s.auth(r)
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := ConfigResponse{KioskID: k.ID, Department: k.Department, DepartmentName: k.Department, Location: k.Location,
		MisuseSeconds: DefaultMisuseInterval.Seconds()}
	if s.Config != nil {
		if d := s.Config.Department(k.Department); d != nil {
			if n := d.Names[s.Config.DefaultLanguage()]; n != "" {
				out.DepartmentName = n
			}
		}
		if f, ok := s.Config.Kiosk.FollowUp[k.Department]; ok {
			if len(f.AskOn) == 0 {
				f.AskOn = []string{"unhappy", "very_unhappy"}
			}
			out.FollowUp = &f
		}
		if s.Config.Kiosk.MisuseInterval > 0 {
			out.MisuseSeconds = s.Config.Kiosk.MisuseInterval.Seconds()
		}
	}
	writeJSON(w, http.StatusOK, out)
}

type errBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	code := hotline.ErrorCode(err)
	status, ok := hotline.HTTPStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if errors.Is(err, context.DeadlineExceeded) {
		status = http.StatusServiceUnavailable
	}
	if code == hotline.EINTERNAL {
		log := s.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Error("kiosk request failed", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]errBody{"error": {Code: code, Message: hotline.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
