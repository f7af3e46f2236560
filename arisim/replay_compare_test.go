package arisim

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

var (
	tsRe   = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$`)
	nameRe = regexp.MustCompile(`-[0-9a-f]{8}(;[12])?$`)
)

// norm canonicalises a JSON body: ids mapped to tokens, timestamps and channel name counters
// blanked, lists of objects sorted, harness-only fields dropped.
func (rp *replayer) norm(b []byte, sim bool) string {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	v = rp.normValue(v, sim, "")
	out, _ := json.Marshal(v)
	return string(out)
}

func (rp *replayer) normValue(v any, sim bool, key string) any {
	switch x := v.(type) {
	case string:
		k := x
		if sim {
			k = "sim:" + x
		}
		if c, ok := rp.canon[k]; ok {
			return c
		}
		if strings.HasPrefix(x, "channel:") {
			return "channel:" + rp.normValue(strings.TrimPrefix(x, "channel:"), sim, "").(string)
		}
		if tsRe.MatchString(x) {
			return "<ts>"
		}
		switch key {
		case "name":
			return nameRe.ReplaceAllString(x, "-N$1")
		case "kernel", "date":
			return "<build>"
		case "protocol_id":
			if x != "" {
				return "<call-id>" // a SIP Call-ID, generated
			}
		case "state":
			if x == "playing" {
				return "queued" // a play reply races the start of the playback
			}
		}
		return x
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				if id, _ := m["id"].(string); id != "" && rp.harness[rp.normValue(id, sim, "").(string)] {
					continue // the harness's own caller halves are not the application's
				}
			}
			out = append(out, rp.normValue(e, sim, key))
		}
		sort.SliceStable(out, func(i, j int) bool {
			a, _ := json.Marshal(out[i])
			b, _ := json.Marshal(out[j])
			return string(a) < string(b)
		})
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = rp.normValue(e, sim, k)
		}
		if dp, ok := out["dialplan"].(map[string]any); ok {
			if n, _ := out["name"].(string); dp["app_name"] != "Stasis" && strings.HasPrefix(n, "Local/") {
				delete(out, "dialplan") // where the dialplan half of a Local channel is
			}
		}
		return out
	}
	return v
}

// eventKey groups an event by what it is about.
func (rp *replayer) eventKey(e map[string]any, sim bool) (string, string) {
	n := func(s string) string { return rp.normValue(s, sim, "").(string) }
	typ := e["type"].(string)
	sig := []string{typ}
	for _, k := range []string{"cause", "soft", "digit", "dialstatus", "args"} {
		if v, ok := e[k]; ok {
			b, _ := json.Marshal(v)
			sig = append(sig, k+"="+string(b))
		}
	}
	for _, k := range []string{"channel", "peer"} {
		if c, ok := e[k].(map[string]any); ok {
			caller, conn := c["caller"].(map[string]any), c["connected"].(map[string]any)
			sig = append(sig, "state="+c["state"].(string), "caller="+caller["name"].(string)+"/"+caller["number"].(string),
				"connected="+conn["name"].(string)+"/"+conn["number"].(string))
		}
	}
	if b, ok := e["bridge"].(map[string]any); ok {
		members, _ := json.Marshal(rp.normValue(b["channels"], sim, ""))
		sig = append(sig, "bridge="+b["id"].(string)+" "+b["bridge_type"].(string)+" "+string(members))
	}
	switch {
	case e["playback"] != nil:
		p := e["playback"].(map[string]any)
		sig = append(sig, p["media_uri"].(string), p["state"].(string))
		return "playback " + n(p["id"].(string)), strings.Join(sig, " ")
	case e["recording"] != nil:
		r := e["recording"].(map[string]any)
		sig = append(sig, r["state"].(string))
		return "recording " + r["name"].(string), strings.Join(sig, " ")
	case e["channel"] != nil || e["peer"] != nil:
		return "channel " + n(chanOf(e)), strings.Join(sig, " ")
	case e["bridge"] != nil:
		return "bridge " + e["bridge"].(map[string]any)["id"].(string), strings.Join(sig, " ")
	}
	return "other", strings.Join(sig, " ")
}

func (rp *replayer) group(events []map[string]any, sim bool) map[string][]string {
	out := map[string][]string{}
	for _, e := range events {
		if ignoredEvents[e["type"].(string)] {
			continue
		}
		k, sig := rp.eventKey(e, sim)
		out[k] = append(out[k], sig)
	}
	return out
}

func (rp *replayer) compareEvents(traceEvents, simEvents []map[string]any) {
	want, got := rp.group(traceEvents, false), rp.group(simEvents, true)
	if len(want) == 0 {
		rp.t.Errorf("the trace has no application events")
	}
	rp.t.Logf("compared events about %d channels/playbacks/recordings/bridges (%d trace events, %d simulator events)", len(want), len(traceEvents), len(simEvents))
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		w, g := strings.Join(want[k], "\n  "), strings.Join(got[k], "\n  ")
		if w != g {
			rp.t.Errorf("events about %s:\n got:\n  %s\nwant:\n  %s", k, g, w)
		}
	}
}
