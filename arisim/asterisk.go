package arisim

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/publicservice/hotline/clock"
)

type buildInfo struct {
	OS      string `json:"os"`
	Kernel  string `json:"kernel"`
	Machine string `json:"machine"`
	Options string `json:"options"`
	Date    string `json:"date"`
	User    string `json:"user"`
}

type systemInfo struct {
	Version  string `json:"version"`
	EntityID string `json:"entity_id"`
}

type setID struct {
	User  string `json:"user"`
	Group string `json:"group"`
}

type configInfo struct {
	Name            string `json:"name"`
	DefaultLanguage string `json:"default_language"`
	SetID           setID  `json:"setid"`
}

type statusInfo struct {
	StartupTime    string `json:"startup_time"`
	LastReloadTime string `json:"last_reload_time"`
}

type asteriskInfo struct {
	Build  *buildInfo  `json:"build,omitempty"`
	System *systemInfo `json:"system,omitempty"`
	Config *configInfo `json:"config,omitempty"`
	Status *statusInfo `json:"status,omitempty"`
}

type applicationJSON struct {
	Name             string   `json:"name"`
	ChannelIDs       []string `json:"channel_ids"`
	BridgeIDs        []string `json:"bridge_ids"`
	EndpointIDs      []string `json:"endpoint_ids"`
	DeviceNames      []string `json:"device_names"`
	EventsAllowed    []any    `json:"events_allowed"`
	EventsDisallowed []any    `json:"events_disallowed"`
}

type endpointJSON struct {
	Technology string   `json:"technology"`
	Resource   string   `json:"resource"`
	State      string   `json:"state"`
	ChannelIDs []string `json:"channel_ids"`
}

func (s *Sim) appJSONLocked(a *application) applicationJSON {
	j := applicationJSON{Name: a.name, ChannelIDs: []string{}, BridgeIDs: []string{}, EndpointIDs: []string{},
		DeviceNames: []string{}, EventsAllowed: []any{}, EventsDisallowed: []any{}}
	for _, o := range a.allowed {
		j.EventsAllowed = append(j.EventsAllowed, o)
	}
	for _, o := range a.disallowed {
		j.EventsDisallowed = append(j.EventsDisallowed, o)
	}
	for _, ch := range s.sortedChannelsLocked() {
		if ch.subs[a.name] && ch.stasisApp != "" {
			j.ChannelIDs = append(j.ChannelIDs, ch.id)
		}
	}
	for id, b := range s.bridges {
		if b.subs[a.name] {
			j.BridgeIDs = append(j.BridgeIDs, id)
		}
	}
	sort.Strings(j.BridgeIDs)
	return j
}

func (e *endpoint) json() endpointJSON {
	j := endpointJSON{Technology: e.tech, Resource: e.resource, State: "online", ChannelIDs: []string{}}
	if e.b.Offline {
		j.State = "offline"
	}
	for id := range e.channels {
		j.ChannelIDs = append(j.ChannelIDs, id)
	}
	sort.Strings(j.ChannelIDs)
	return j
}

func (s *Sim) endpointsLocked(tech string) []endpointJSON {
	out := []endpointJSON{}
	keys := make([]string, 0, len(s.endpoints))
	for k, e := range s.endpoints {
		if tech == "" || e.tech == tech {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, s.endpoints[k].json())
	}
	return out
}

func init() {
	handle("GET", "asterisk/info", func(s *Sim, q *req) reply {
		start := clock.FormatARI(s.started)
		all := asteriskInfo{
			Build: &buildInfo{OS: "Linux", Kernel: "arisim", Machine: "x86_64", Options: "OPTIONAL_API",
				Date: s.started.UTC().Format("2006-01-02 15:04:05 UTC"), User: "root"},
			System: &systemInfo{Version: "22.10.1", EntityID: s.opts.AsteriskID},
			Config: &configInfo{DefaultLanguage: "en"},
			Status: &statusInfo{StartupTime: start, LastReloadTime: start},
		}
		if only := q.get("only"); only != "" {
			want := map[string]bool{}
			for _, o := range splitList(only) {
				want[o] = true
			}
			if !want["build"] {
				all.Build = nil
			}
			if !want["system"] {
				all.System = nil
			}
			if !want["config"] {
				all.Config = nil
			}
			if !want["status"] {
				all.Status = nil
			}
		}
		return okReply(200, all)
	})
	handle("GET", "asterisk/ping", func(s *Sim, q *req) reply {
		return okReply(200, map[string]string{"asterisk_id": s.opts.AsteriskID, "ping": "pong", "timestamp": s.ts()})
	})
	handle("GET", "asterisk/variable", func(s *Sim, q *req) reply {
		name := q.get("variable")
		if name == "" {
			return errReply(400, "Variable name is required")
		}
		return okReply(200, map[string]string{"value": s.globals[name]})
	})
	handle("POST", "asterisk/variable", func(s *Sim, q *req) reply {
		name := q.get("variable")
		if name == "" {
			return errReply(400, "Variable name is required")
		}
		if v := q.get("value"); v == "" {
			delete(s.globals, name)
		} else {
			s.globals[name] = v
		}
		return noContent
	})
	handle("GET", "applications", func(s *Sim, q *req) reply {
		names := make([]string, 0, len(s.apps))
		for n := range s.apps {
			names = append(names, n)
		}
		sort.Strings(names)
		out := []applicationJSON{}
		for _, n := range names {
			out = append(out, s.appJSONLocked(s.apps[n]))
		}
		return okReply(200, out)
	})
	handle("GET", "applications/{name}", func(s *Sim, q *req) reply {
		a := s.apps[q.vars["name"]]
		if a == nil {
			return errReply(404, "Application not found")
		}
		return okReply(200, s.appJSONLocked(a))
	})
	sub := func(on bool) handlerFunc {
		return func(s *Sim, q *req) reply {
			a := s.apps[q.vars["name"]]
			if a == nil {
				return errReply(404, "Application not found")
			}
			srcs := splitList(q.get("eventSource"))
			if len(srcs) == 0 {
				return errReply(400, "Missing parameter eventSource")
			}
			for _, src := range srcs {
				kind, id, _ := strings.Cut(src, ":")
				var subs map[string]bool
				switch kind {
				case "channel":
					if ch := s.channels[id]; ch != nil {
						subs = ch.subs
					}
				case "bridge":
					if b := s.bridges[id]; b != nil {
						subs = b.subs
					}
				case "endpoint":
					if s.endpoints[id] != nil {
						subs = map[string]bool{}
					}
				default:
					return errReply(400, "Invalid event source URI scheme")
				}
				if subs == nil {
					return errReply(422, "Event source does not exist")
				}
				if on {
					subs[a.name] = true
				} else {
					delete(subs, a.name)
				}
			}
			return okReply(200, s.appJSONLocked(a))
		}
	}
	handle("PUT", "applications/{name}/eventFilter", func(s *Sim, q *req) reply {
		a := s.apps[q.vars["name"]]
		if a == nil {
			return errReply(404, "Application not found")
		}
		// The whole body is the filter: {"allowed": [{"type": …}, …],
		// "disallowed": […]}. An empty object (or none) resets both lists;
		// a list left out is kept.
		var body map[string]json.RawMessage
		if len(q.body) > 0 {
			if err := json.Unmarshal(q.body, &body); err != nil {
				return errReply(400, "Invalid format definition")
			}
		}
		if len(body) == 0 {
			a.allowed, a.disallowed = nil, nil
			return okReply(200, s.appJSONLocked(a))
		}
		parse := func(key string, into *[]map[string]any) bool {
			raw, ok := body[key]
			if !ok {
				return true
			}
			var list []map[string]any
			if json.Unmarshal(raw, &list) != nil {
				return false
			}
			*into = list
			return true
		}
		allowed, disallowed := a.allowed, a.disallowed
		if !parse("allowed", &allowed) || !parse("disallowed", &disallowed) {
			return errReply(400, "Invalid format definition")
		}
		a.allowed, a.disallowed = allowed, disallowed
		return okReply(200, s.appJSONLocked(a))
	})
	handle("POST", "applications/{name}/subscription", sub(true))
	handle("DELETE", "applications/{name}/subscription", sub(false))
	handle("GET", "endpoints", func(s *Sim, q *req) reply { return okReply(200, s.endpointsLocked("")) })
	handle("GET", "endpoints/{tech}", func(s *Sim, q *req) reply {
		l := s.endpointsLocked(q.vars["tech"])
		if len(l) == 0 && q.vars["tech"] != "PJSIP" && q.vars["tech"] != "Local" {
			return errReply(404, "No Endpoints found - invalid tech "+q.vars["tech"])
		}
		return okReply(200, l)
	})
	handle("GET", "endpoints/{tech}/{resource}", func(s *Sim, q *req) reply {
		e := s.endpoints[q.vars["tech"]+"/"+q.vars["resource"]]
		if e == nil {
			return errReply(404, "Endpoint not found")
		}
		return okReply(200, e.json())
	})
	sound := func(s *Sim, id string) reply {
		si := s.media.sound("en", id)
		if !si.exists {
			return errReply(404, "Sound not found")
		}
		return okReply(200, map[string]any{"id": id, "formats": si.formats})
	}
	handle("GET", "sounds/{id}", func(s *Sim, q *req) reply { return sound(s, q.vars["id"]) })
	handle("GET", "sounds/{dir}/{id}", func(s *Sim, q *req) reply { return sound(s, q.vars["dir"]+"/"+q.vars["id"]) })
	handle("GET", "sounds", func(s *Sim, q *req) reply {
		names := map[string]bool{}
		for n := range coreSounds["en"] {
			names[n] = true
		}
		if s.opts.SoundsDir != "" {
			_ = filepath.WalkDir(s.opts.SoundsDir, func(p string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return nil
				}
				rel, _ := filepath.Rel(s.opts.SoundsDir, p)
				parts := strings.SplitN(filepath.ToSlash(rel), "/", 2)
				if len(parts) == 2 {
					names[strings.TrimSuffix(parts[1], filepath.Ext(parts[1]))] = true
				}
				return nil
			})
		}
		keys := make([]string, 0, len(names))
		for n := range names {
			if !s.media.missing[n] {
				keys = append(keys, n)
			}
		}
		sort.Strings(keys)
		out := []map[string]any{}
		for _, n := range keys {
			out = append(out, map[string]any{"id": n, "formats": s.media.sound("en", n).formats})
		}
		return okReply(200, out)
	})
}
