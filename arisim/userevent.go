package arisim

import "strings"

func init() {
	// POST /events/user/{eventName}: a ChannelUserevent to an application, about its sources.
	handle("POST", "events/user/{name}", func(s *Sim, q *req) reply {
		app := q.get("application")
		if app == "" {
			return errReply(400, "Missing parameter application")
		}
		a := s.apps[app]
		if a == nil {
			return errReply(404, "Application not found")
		}
		ev := s.newEvent("ChannelUserevent")
		ev.Eventname = q.vars["name"]
		ev.Userevent = map[string]any{}
		for k, v := range q.objs["variables"] {
			ev.Userevent[k] = v
		}
		for _, src := range q.list("source") {
			kind, id, _ := strings.Cut(src, ":")
			switch kind {
			case "channel":
				ch := s.channels[id]
				if ch == nil {
					return errReply(422, "Event source not found")
				}
				j := ch.json()
				ev.Channel = &j
			case "bridge":
				b := s.bridges[id]
				if b == nil {
					return errReply(422, "Event source not found")
				}
				j := b.json()
				ev.Bridge = &j
			default:
				return errReply(400, "Invalid event source URI scheme")
			}
		}
		s.sendLocked(map[string]bool{app: true}, ev)
		return noContent
	})
	// Resources Asterisk has that the simulator does not play: 501, not a misleading 404.
	notImpl := func(s *Sim, q *req) reply { return errReply(501, "Not implemented in arisim") }
	for _, r := range [][2]string{
		{"POST", "channels/create"}, {"POST", "channels/{id}/dial"},
		{"POST", "channels/externalMedia"}, {"GET", "channels/{id}/rtp_statistics"},
		{"GET", "deviceStates"}, {"GET", "mailboxes"}, {"GET", "asterisk/modules"}, {"GET", "asterisk/logging"},
	} {
		handle(r[0], r[1], notImpl)
	}
}
