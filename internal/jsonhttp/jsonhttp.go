// Package jsonhttp writes JSON responses and the project's JSON errors
// {"error": {"code": ..., "message": ...}}, with the HTTP status of the
// error's code from hotline.HTTPStatus (the one table). Every package that
// serves JSON uses it, so every error looks the same.
package jsonhttp

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/publicservice/hotline"
)

// Write writes v as indented JSON with status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// ErrorBody is the JSON of an error.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// Status is the HTTP status of err: its code's entry in hotline.HTTPStatus,
// 503 for a deadline, 500 otherwise.
func Status(err error) int {
	if errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable
	}
	if st, ok := hotline.HTTPStatus[hotline.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// Error writes err as {"error": {"code", "message"}}. Internal errors are
// logged (with the method and path only) and their text is not shown.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code, msg := hotline.ErrorCode(err), hotline.ErrorMessage(err)
	if code == hotline.EINTERNAL && errors.Is(err, context.DeadlineExceeded) {
		code, msg = hotline.EUNAVAILABLE, "A service the request needs did not answer in time."
	}
	if code == hotline.EINTERNAL {
		if log == nil {
			log = slog.Default()
		}
		log.Error("http request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	var b ErrorBody
	b.Error.Code = code
	b.Error.Message = msg
	Write(w, hotline.HTTPStatus[code], b)
}

// Decode reads a JSON body of at most 64 KiB into v, refusing unknown
// fields; its errors are hotline EINVALID errors.
func Decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return hotline.Errorf(hotline.EINVALID, "malformed JSON body: %v", err)
	}
	return nil
}
