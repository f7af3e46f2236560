package web

import (
	"context"
	"net/http"
	"time"
)

// checkTimeout bounds each health check; apiTimeout bounds an API request's
// work, so that a Redis that stopped answering gives a quick 503, never a
// request hanging on its timeouts.
const (
	checkTimeout = 1 * time.Second
	apiTimeout   = 2 * time.Second
)

// ErrorBody is the JSON of every error: {"error": {"code": ..., "message": ...}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is a stable hotline error code and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// gate answers 503 (code unavailable) at once while Unavailable reports an
// error, and bounds the route's work by apiTimeout.
func (s *Server) gate(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Unavailable != nil {
			if err := s.Unavailable(); err != nil {
				s.error(w, r, err)
				return
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), apiTimeout)
		defer cancel()
		h(w, r.WithContext(ctx))
	}
}
