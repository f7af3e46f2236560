package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
)

// PageCSP is the report pages' Content-Security-Policy: no script at all,
// the stylesheet from the same origin, inline SVG.
const PageCSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler returns the routes. Staff routes go through auth (the sign-in's
// middleware; nil: no wrapper, for tests and try-outs):
//
//	GET /api/v1/reports/kpis?from=YYYY-MM-DD&to=YYYY-MM-DD[&department=ID][&interval=30m|1h|24h][&source=raw]   staff
//	GET /api/v1/reports/staffing[?weeks=4]                                                                       staff
//	GET /reports/monthly/YYYY-MM     the published monthly report (HTML, public)
//	GET /public                      the transparency page of the headline figures (HTML, public)
//	GET /reports/report.css
func (s *Service) Handler(auth func(http.Handler) http.Handler, log *slog.Logger) http.Handler {
	if auth == nil {
		auth = func(h http.Handler) http.Handler { return h }
	}
	if log == nil {
		log = slog.Default()
	}
	h := &handlers{s: s, log: log}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/reports/kpis", auth(http.HandlerFunc(h.kpis)))
	mux.Handle("GET /api/v1/reports/staffing", auth(http.HandlerFunc(h.staffing)))
	mux.HandleFunc("GET /reports/monthly/{month}", h.monthly)
	mux.HandleFunc("GET /public", h.public)
	mux.HandleFunc("GET /reports/report.css", func(w http.ResponseWriter, r *http.Request) {
		b, _ := templateFS.ReadFile("templates/report.css")
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(b)
	})
	return mux
}

type handlers struct {
	s   *Service
	log *slog.Logger
}

func (h *handlers) kpis(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("from") == "" || q.Get("to") == "" {
		h.error(w, r, hotline.Errorf(hotline.EINVALID, "from and to are required (YYYY-MM-DD, to inclusive)"))
		return
	}
	from, to, err := ParseDays(q.Get("from"), q.Get("to"), h.s.loc())
	if err != nil {
		h.error(w, r, err)
		return
	}
	o := Options{Department: q.Get("department"), Raw: q.Get("source") == "raw"}
	if iv := q.Get("interval"); iv != "" {
		d, err := time.ParseDuration(iv)
		if err != nil || d < 30*time.Minute || d%(30*time.Minute) != 0 {
			h.error(w, r, hotline.Errorf(hotline.EINVALID, "interval %q: want a multiple of 30m (30m, 1h, 24h)", iv))
			return
		}
		o.Interval = d
	}
	rep, err := h.s.KPIs(r.Context(), from, to, o)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

func (h *handlers) staffing(w http.ResponseWriter, r *http.Request) {
	weeks := 4
	if v := r.URL.Query().Get("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 52 {
			h.error(w, r, hotline.Errorf(hotline.EINVALID, "weeks %q: want 1 to 52", v))
			return
		}
		weeks = n
	}
	rows, err := h.s.Staffing(r.Context(), weeks)
	if err != nil {
		h.error(w, r, err)
		return
	}
	under := 0
	for _, row := range rows {
		if row.Understaffed {
			under++
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"weeks": weeks, "intervals": rows, "understaffed": under})
}

func (h *handlers) monthly(w http.ResponseWriter, r *http.Request) {
	m, err := h.s.MonthlyReport(r.Context(), r.PathValue("month"), false)
	if err != nil {
		h.error(w, r, err)
		return
	}
	b, err := RenderMonthly(m)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeHTML(w, b)
}

// LastMonth is the last complete local month before now ("2026-04").
func LastMonth(now time.Time, loc *time.Location) string {
	p := reporting.MonthOf(now, loc)
	return p.From.AddDate(0, -1, 0).Format("2006-01")
}

func (h *handlers) public(w http.ResponseWriter, r *http.Request) {
	m, err := h.s.MonthlyReport(r.Context(), LastMonth(h.s.now(), h.s.loc()), false)
	if err != nil {
		h.error(w, r, err)
		return
	}
	b, err := RenderPublic(m)
	if err != nil {
		h.error(w, r, err)
		return
	}
	writeHTML(w, b)
}

// RenderPublic writes the transparency page.
func RenderPublic(m *Monthly) ([]byte, error) {
	var b bytes.Buffer
	if err := templates.ExecuteTemplate(&b, "public.html", m); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeHTML(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", PageCSP)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (h *handlers) error(w http.ResponseWriter, r *http.Request, err error) {
	code := hotline.ErrorCode(err)
	status, ok := hotline.HTTPStatus[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if errors.Is(err, context.DeadlineExceeded) {
		status = http.StatusServiceUnavailable
	}
	if code == hotline.EINTERNAL {
		h.log.Error("report request failed", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": hotline.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
