package arisim

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
)

// Inject sends an arbitrary event to app's WebSocket (every connected application when app
// is ""), for robustness tests (event types ari/v5 does not know, odd values). Unless raw,
// missing "timestamp", "asterisk_id" and "application" fields are filled in. It returns how
// many WebSockets the event was written to.
func (s *Sim) Inject(ctx context.Context, app string, ev []byte, raw bool) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("arisim: inject: %w", err)
	}
	release := s.clk.Hold()
	defer release()
	var obj map[string]any
	if !raw {
		if err := json.Unmarshal(ev, &obj); err != nil {
			return 0, fmt.Errorf("arisim: inject: event is not a JSON object: %w", err)
		}
	}
	n := 0
	var err error
	s.runLocked(func() reply {
		names := []string{app}
		if app == "" {
			names = names[:0]
			for name, a := range s.apps {
				if a.conn != nil {
					names = append(names, name)
				}
			}
			sort.Strings(names)
		}
		for _, name := range names {
			a := s.apps[name]
			if a == nil || a.conn == nil {
				continue
			}
			frame := ev
			if !raw {
				if _, ok := obj["timestamp"]; !ok {
					obj["timestamp"] = s.ts()
				}
				if _, ok := obj["asterisk_id"]; !ok {
					obj["asterisk_id"] = s.opts.AsteriskID
				}
				o := obj
				if _, ok := obj["application"]; !ok {
					o = make(map[string]any, len(obj)+1)
					for k, v := range obj {
						o[k] = v
					}
					o["application"] = name
				}
				frame, err = json.Marshal(o)
				if err != nil {
					return reply{}
				}
			}
			s.enqueueLocked(a.conn, frame)
			n++
		}
		return reply{}
	})
	if err != nil {
		return n, fmt.Errorf("arisim: inject: %w", err)
	}
	return n, nil
}
