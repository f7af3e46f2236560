package arisim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// reply is a handler's answer: a status and a JSON body (nil for none) or raw bytes.
type reply struct {
	status      int
	body        any
	raw         []byte
	contentType string
}

func msg(m string) map[string]string { return map[string]string{"message": m} }

func errReply(status int, m string) reply { return reply{status: status, body: msg(m)} }

func okReply(status int, body any) reply { return reply{status: status, body: body} }

var noContent = reply{status: http.StatusNoContent}

// allocationFailed is Asterisk's originate failure body (key "error", not "message").
var allocationFailed = reply{status: 500, body: map[string]string{"error": "Allocation failed"}}

// req is one parsed ARI request.
type req struct {
	r     *http.Request
	vars  map[string]string // path variables
	p     map[string]string // query string and JSON body parameters
	objs  map[string]map[string]string
	lists map[string][]string // list parameters (media, channel) as Asterisk splits them
	body  []byte              // the JSON body as sent (trimmed)
}

// list reads a list parameter the way Asterisk does: a query value is split at commas (and
// of a repeated parameter only the last counts), a JSON body array gives its elements, and a
// JSON body string is one item, commas and all.
func (q *req) list(name string) []string {
	var out []string
	for _, v := range q.lists[name] {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func (q *req) get(name string) string { return q.p[name] }

func (q *req) has(name string) bool { _, ok := q.p[name]; return ok }

func (q *req) int(name string, def int) int {
	v, ok := q.p[name]
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return def
		}
		return int(f)
	}
	return n
}

func (q *req) bool(name string) bool {
	v := strings.ToLower(q.p[name])
	return v == "true" || v == "yes" || v == "1"
}

// parseParams merges the query string (last value of a repeated parameter wins, as
// Asterisk does) with a JSON body's top-level fields (arrays are joined with commas;
// objects such as originate's variables are kept apart).
func parseParams(r *http.Request) (*req, error) {
	q := &req{r: r, p: map[string]string{}, objs: map[string]map[string]string{}, lists: map[string][]string{}}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 {
			q.p[k] = vs[len(vs)-1]
			q.lists[k] = strings.Split(vs[len(vs)-1], ",")
		}
	}
	if r.Body == nil {
		return q, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return q, err
	}
	body = bytes.TrimSpace(body)
	q.body = body
	if len(body) == 0 || body[0] != '{' {
		return q, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return q, err
	}
	for k, raw := range m {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			continue
		}
		switch x := v.(type) {
		case string:
			q.p[k] = x
			q.lists[k] = []string{x}
		case float64, bool:
			q.p[k] = strings.Trim(string(raw), " ")
			q.lists[k] = []string{q.p[k]}
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				switch y := e.(type) {
				case string:
					parts = append(parts, y)
				default:
					b, _ := json.Marshal(y)
					parts = append(parts, string(b))
				}
			}
			q.p[k] = strings.Join(parts, ",")
			q.lists[k] = parts
		case map[string]any:
			o := map[string]string{}
			for kk, vv := range x {
				switch y := vv.(type) {
				case string:
					o[kk] = y
				default:
					b, _ := json.Marshal(y)
					o[kk] = string(b)
				}
			}
			q.objs[k] = o
		}
	}
	return q, nil
}

// authorized checks basic auth or api_key=user:password.
func (s *Sim) authorized(r *http.Request) bool {
	if u, p, ok := r.BasicAuth(); ok {
		return u == s.opts.User && p == s.opts.Password
	}
	if k := r.URL.Query().Get("api_key"); k != "" {
		return k == s.opts.User+":"+s.opts.Password
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = 500, []byte(`{"message":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Sim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/_sim/"):
		s.serveControl(w, r)
	case path == "/ari/events":
		s.serveEvents(w, r)
	case strings.HasPrefix(path, "/ari/"):
		s.serveARI(w, r, strings.TrimPrefix(path, "/ari/"))
	default:
		writeJSON(w, http.StatusNotFound, msg("Not found"))
	}
}

// handlerFunc does a request's work under the simulator's lock.
type handlerFunc func(s *Sim, q *req) reply

type route struct {
	method string
	segs   []string
	h      handlerFunc
}

var routes []route

func handle(method, pattern string, h handlerFunc) {
	routes = append(routes, route{method: method, segs: strings.Split(pattern, "/"), h: h})
}

// matchRoute finds the route for a path; literal segments beat variables
// (POST channels/create is not an originate with id "create").
func matchRoute(method string, segs []string) (handlerFunc, map[string]string, bool) {
	pathKnown := false
	var best handlerFunc
	var bestVars map[string]string
	bestScore := -1
	for _, rt := range routes {
		if len(rt.segs) != len(segs) {
			continue
		}
		vars := map[string]string{}
		score := 0
		ok := true
		for i, p := range rt.segs {
			if strings.HasPrefix(p, "{") {
				if segs[i] == "" {
					ok = false
					break
				}
				vars[p[1:len(p)-1]] = segs[i]
			} else if p != segs[i] {
				ok = false
				break
			} else {
				score++
			}
		}
		if !ok {
			continue
		}
		pathKnown = true
		if rt.method == method && score > bestScore {
			best, bestVars, bestScore = rt.h, vars, score
		}
	}
	return best, bestVars, pathKnown
}

func (s *Sim) serveARI(w http.ResponseWriter, r *http.Request, path string) {
	release := s.clk.Hold()
	defer release()
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Asterisk REST Interface"`)
		writeJSON(w, http.StatusUnauthorized, msg("Authentication required"))
		return
	}
	segs := strings.Split(strings.TrimSuffix(path, "/"), "/")
	for i, sg := range segs {
		if u, err := url.PathUnescape(sg); err == nil {
			segs[i] = u
		}
	}
	h, vars, known := matchRoute(r.Method, segs)
	if h == nil {
		if known {
			writeJSON(w, http.StatusMethodNotAllowed, msg("Invalid method"))
			return
		}
		writeJSON(w, http.StatusNotFound, msg("Resource not found"))
		return
	}
	q, err := parseParams(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, msg("Failed to parse request body"))
		return
	}
	q.vars = vars
	rep := s.runLocked(func() reply { return h(s, q) })
	writeReply(w, rep)
}

// runLocked runs f under the lock, then waits until the events f caused are written
// to their WebSockets, so that (as with Asterisk) events arrive before the reply.
func (s *Sim) runLocked(f func() reply) reply {
	s.mu.Lock()
	clear(s.touched)
	rep := f()
	var waits map[*wsConn]uint64
	if len(s.touched) > 0 {
		waits = make(map[*wsConn]uint64, len(s.touched))
		for c, n := range s.touched {
			waits[c] = n
		}
		clear(s.touched)
	}
	s.mu.Unlock()
	if len(waits) > 0 {
		deadline := time.Now().Add(s.opts.FlushTimeout)
		for c, n := range waits {
			c.waitWritten(n, deadline)
		}
	}
	return rep
}

func writeReply(w http.ResponseWriter, rep reply) {
	switch {
	case rep.raw != nil:
		ct := rep.contentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.raw)
	case rep.body != nil:
		writeJSON(w, rep.status, rep.body)
	default:
		w.WriteHeader(rep.status)
	}
}
