package main

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/publicservice/hotline/agentpanel"
	"github.com/publicservice/hotline/ivr"
	"github.com/publicservice/hotline/live"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/supervisor"
	"github.com/publicservice/hotline/web"
)

// mountUI adds the staff pages to the HTTP server: the agent panel and the
// supervisor pages, sharing one live feed; supervisors' actions are audited.
func mountUI(api *web.Server, db *store.DB, rec *store.Writer, ctl *ivr.Controller, sip agentpanel.SIPConfig) {
	feed := &live.Feed{Queues: api.Queues, Config: api.Config, Clock: api.Clock, Logger: api.Logger}
	panel := &agentpanel.Panel{Auth: api.Auth, Feed: feed, Queues: api.Queues, Config: api.Config, Calls: ctl, Events: rec,
		DB: db.Pool(), Clock: api.Clock, Logger: api.Logger, SIP: sip, Changed: api.AgentChanged}
	sup := &supervisor.Service{Auth: api.Auth, Feed: feed, Config: api.Config, Queues: api.Queues, DB: db, Snooper: ctl, SIP: sip,
		Clock: api.Clock, Logger: api.Logger, Changed: api.AgentChanged}
	api.Audit = sup
	api.Mount = append(api.Mount, panel.Mount, sup.Mount)
}

// sipFromEnv is the browser softphone's configuration: HOTLINE_SIP_WS (the
// WSS URL of Asterisk's PJSIP WebSocket transport; none: no softphone),
// HOTLINE_SIP_DOMAIN (default the WSS URL's host), HOTLINE_SIP_PASSWORDS_FILE
// ("<endpoint id> <password>" lines, as in pjsip.conf: agents a101 …, supervisors s201 …) and HOTLINE_SIP_ICE
// (comma-separated STUN/TURN URLs, default none).
func sipFromEnv() (agentpanel.SIPConfig, error) {
	sip := agentpanel.SIPConfig{WebSocketURL: env("HOTLINE_SIP_WS", ""), Domain: env("HOTLINE_SIP_DOMAIN", "")}
	if sip.WebSocketURL == "" {
		return sip, nil
	}
	u, err := url.Parse(sip.WebSocketURL)
	if err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
		return sip, fmt.Errorf("HOTLINE_SIP_WS %q: want wss://host:port/ws", sip.WebSocketURL)
	}
	if sip.Domain == "" {
		sip.Domain = u.Hostname()
	}
	for _, s := range strings.Split(env("HOTLINE_SIP_ICE", ""), ",") {
		if s = strings.TrimSpace(s); s != "" {
			sip.ICEServers = append(sip.ICEServers, s)
		}
	}
	if f := env("HOTLINE_SIP_PASSWORDS_FILE", ""); f != "" {
		if sip.Passwords, err = agentpanel.ReadSIPPasswords(f); err != nil {
			return sip, err
		}
	}
	return sip, nil
}
