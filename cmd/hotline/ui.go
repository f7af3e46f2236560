package main

import (
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
	sup := &supervisor.Service{Auth: api.Auth, Feed: feed, Config: api.Config, Queues: api.Queues, DB: db, Snooper: ctl,
		Clock: api.Clock, Logger: api.Logger, Changed: api.AgentChanged}
	api.Audit = sup
	api.Mount = append(api.Mount, panel.Mount, sup.Mount)
}
