package arisim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// serveControl is the far end's control API, /_sim/... (no ARI authentication: it is the
// far end, not an ARI client). See README.md.
func (s *Sim) serveControl(w http.ResponseWriter, r *http.Request) {
	release := s.clk.Hold()
	defer release()
	segs := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/_sim/"), "/"), "/")
	q := r.URL.Query()
	ctx := r.Context()
	switch {
	case r.Method == http.MethodPost && len(segs) == 1 && segs[0] == "inbound":
		var sc *Script
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if len(strings.TrimSpace(string(body))) > 0 {
			sc = &Script{}
			dec := json.NewDecoder(strings.NewReader(string(body)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(sc); err != nil {
				writeJSON(w, 400, msg("invalid script: "+err.Error()))
				return
			}
			if err := sc.Validate(); err != nil {
				writeJSON(w, 400, msg("invalid script: "+err.Error()))
				return
			}
		}
		app := q.Get("app")
		if app == "" {
			writeJSON(w, 400, msg("app is required"))
			return
		}
		if sc != nil && sc.Name == "" {
			sc.Name = q.Get("name")
		} else if sc == nil && q.Get("name") != "" {
			sc = &Script{Name: q.Get("name")}
		}
		id, err := s.Inbound(ctx, app, q.Get("from"), q.Get("to"), sc)
		resp := map[string]any{"channel_id": id, "app": app, "from": q.Get("from"), "to": q.Get("to")}
		if errors.Is(err, ErrAppNotConnected) {
			resp["failed_at_entry"] = true
			resp["error"] = err.Error()
		} else if err != nil {
			writeJSON(w, 500, msg(err.Error()))
			return
		}
		writeJSON(w, 200, resp)
	case r.Method == http.MethodPost && len(segs) == 3 && segs[0] == "channels" && segs[2] == "answer":
		if err := s.AnswerFarEnd(segs[1]); err != nil {
			writeJSON(w, 404, msg(err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && len(segs) == 3 && segs[0] == "channels" && segs[2] == "dtmf":
		gap, err := intParam(q, "gap_ms", 0, maxMs)
		if err == nil {
			err = checkDigits("digits", q.Get("digits"))
		}
		if err != nil {
			writeJSON(w, 400, msg(err.Error()))
			return
		}
		if err := s.SendDTMF(ctx, segs[1], q.Get("digits"), time.Duration(gap)*time.Millisecond); err != nil {
			writeJSON(w, errStatus(err), msg(err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPost && len(segs) == 3 && segs[0] == "channels" && segs[2] == "hangup":
		cause, err := intParam(q, "cause", 0, 127)
		if err != nil {
			writeJSON(w, 400, msg(err.Error()))
			return
		}
		if err := s.Hangup(ctx, segs[1], cause); err != nil {
			writeJSON(w, errStatus(err), msg(err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodPut && len(segs) == 3 && segs[0] == "endpoints":
		var b EndpointBehaviour
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil && err != io.EOF {
			writeJSON(w, 400, msg("invalid behaviour: "+err.Error()))
			return
		}
		if err := b.Validate(); err != nil {
			writeJSON(w, 400, msg("invalid behaviour: "+err.Error()))
			return
		}
		s.SetEndpoint(segs[1], segs[2], b)
		w.WriteHeader(http.StatusNoContent)
	case r.Method == http.MethodGet && len(segs) == 1 && segs[0] == "endpoints":
		s.mu.Lock()
		l := s.endpointsLocked("")
		s.mu.Unlock()
		writeJSON(w, 200, l)
	case r.Method == http.MethodGet && len(segs) == 1 && segs[0] == "calls":
		after, err := uintParam(q, "after")
		var limit int
		if err == nil {
			limit, err = intParam(q, "limit", 0, 1<<30)
		}
		if err != nil {
			writeJSON(w, 400, msg(err.Error()))
			return
		}
		page, evicted := s.CallsPage(after, limit)
		w.Header().Set("X-Sim-Calls-Evicted", strconv.FormatUint(evicted, 10))
		writeJSON(w, 200, page)
	case r.Method == http.MethodPost && len(segs) == 1 && segs[0] == "events":
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		n, err := s.Inject(ctx, q.Get("app"), body, q.Get("raw") == "1" || q.Get("raw") == "true")
		if err != nil {
			writeJSON(w, 400, msg(err.Error()))
			return
		}
		writeJSON(w, 200, map[string]int{"delivered": n})
	default:
		writeJSON(w, 404, msg("Resource not found"))
	}
}

// intParam is the query parameter name as an integer in [lo, hi]; absent is 0.
func intParam(q url.Values, name string, lo, hi int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, invalid("%s: %q: want an integer from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// uintParam is the query parameter name as an unsigned integer; absent is 0.
func uintParam(q url.Values, name string) (uint64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, invalid("%s: %q: want a non-negative integer", name, v)
	}
	return n, nil
}

// errStatus maps the far end's errors to HTTP statuses.
func errStatus(err error) int {
	switch {
	case errors.Is(err, ErrInvalid):
		return 400
	case errors.Is(err, ErrNoChannel):
		return 404
	default:
		return 500
	}
}
