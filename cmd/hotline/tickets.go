package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/sms"
	smspg "github.com/publicservice/hotline/sms/postgres"
	"github.com/publicservice/hotline/sms/twilio"
	"github.com/publicservice/hotline/sms/twiliosim"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/ticket"
	tickethttp "github.com/publicservice/hotline/ticket/http"
	ticketpg "github.com/publicservice/hotline/ticket/postgres"
)

// tickets is the complaints and compliments side of a running hotline: the
// ticket service, its HTTP routes, the Twilio webhooks, the SMS outbox
// worker and the overdue escalation.
type tickets struct {
	Service *ticketpg.Service
	Outbox  *smspg.Outbox
	HTTP    *tickethttp.Handler
	Hooks   *twilio.Webhooks // nil without TWILIO_AUTH_TOKEN
	Worker  *sms.Worker      // nil without Twilio credentials
	Auth    *auth.Service
	Logger  *slog.Logger
	// EscalateEvery is the period of the overdue check (default 1 min).
	EscalateEvery time.Duration
}

// newTickets builds the ticket side; SMS is on when tw has credentials.
func newTickets(cfg *config.Config, db *store.DB, clk clock.Clock, log *slog.Logger, au *auth.Service, tw twilio.Options, smsOn bool) (*tickets, error) {
	svc := &ticketpg.Service{Pool: db.Pool(), Config: cfg, Clock: clk, Logger: log}
	ob := &smspg.Outbox{Pool: db.Pool()}
	t := &tickets{Service: svc, Outbox: ob, Logger: log, Auth: au}
	t.HTTP = &tickethttp.Handler{Tickets: svc, Config: cfg, Clock: clk, Logger: log, Actor: staffActor,
		CSRF: func(r *http.Request) string { return auth.CSRFToken(r.Context()) }, Facts: svc.Facts,
		Notifications: func(r *http.Request, who string) ([]ticket.Notification, error) {
			return svc.Notifications(r.Context(), who)
		}}
	if tw.AuthToken != "" {
		t.Hooks = &twilio.Webhooks{AuthToken: tw.AuthToken, PublicURL: tw.PublicURL, Store: ob, Tickets: svc, Config: cfg, Clock: clk, Logger: log}
	}
	if smsOn {
		if err := t.EnableSMS(tw); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Mount adds the ticket routes to the web server's mux: staff routes for
// any signed-in account, assignment and CSV export for supervisors.
func (t *tickets) Mount(mux *http.ServeMux) {
	t.HTTP.Routes(mux, t.Auth.Require(), t.Auth.Require(auth.Supervisor))
	if t.Hooks != nil {
		t.Hooks.Routes(mux)
	}
}

// Run delivers the outbox and escalates overdue tickets until ctx ends.
func (t *tickets) Run(ctx context.Context) {
	if t.Worker != nil {
		go func() { _ = t.Worker.Run(ctx, nil) }()
	} else {
		t.Logger.Info("SMS off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set; messages wait in the outbox")
	}
	every := t.EscalateEvery
	if every == 0 {
		every = time.Minute
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if _, err := t.Service.Escalate(ctx, t.Service.Clock.Now()); err != nil && ctx.Err() == nil {
			t.Logger.Warn("ticket escalation", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// staffActor names the signed-in account in the audit trail.
func staffActor(r *http.Request) string {
	if u := auth.UserFrom(r.Context()); u != nil {
		return u.Username
	}
	return ""
}

// EnableSMS starts sending through Twilio with tw (before Run).
func (t *tickets) EnableSMS(tw twilio.Options) error {
	sender, err := twilio.New(tw)
	if err != nil {
		return err
	}
	t.Worker = &sms.Worker{Outbox: t.Outbox, Sender: sender, Logger: t.Logger, Now: t.Service.Clock.Now}
	return nil
}

// demoTickets is the ticket side of the demo: SMS through the Twilio
// simulator.
func demoTickets(cfg *config.Config, db *store.DB, clk clock.Clock, log *slog.Logger, au *auth.Service) (*tickets, *twiliosim.Sim, error) {
	sim := &twiliosim.Sim{AccountSID: "AC" + randomHex(16), AuthToken: randomHex(16), Logger: log}
	if err := sim.Start("127.0.0.1:0"); err != nil {
		return nil, nil, err
	}
	tk, err := newTickets(cfg, db, clk, log, au, twilio.Options{AccountSID: sim.AccountSID, AuthToken: sim.AuthToken}, false)
	if err != nil {
		sim.Close()
		return nil, nil, err
	}
	return tk, sim, nil
}

// demoSMS points the SMS worker at the simulator once the HTTP address is
// known (the status callbacks and inbound messages go there).
func demoSMS(tk *tickets, sim *twiliosim.Sim, httpAddr string) error {
	host := httpAddr
	if h, p, err := net.SplitHostPort(httpAddr); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		host = net.JoinHostPort("127.0.0.1", p)
	}
	sim.Hotline = "http://" + host
	from := "+13459491000"
	return tk.EnableSMS(twilio.Options{AccountSID: sim.AccountSID, AuthToken: sim.AuthToken, From: from,
		APIURL: sim.URL(), PublicURL: sim.Hotline, Timeout: 5 * time.Second})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ticketDesk is the IVR's view of the tickets: status by phone, recorded
// messages as tickets, department information by SMS.
func ticketDesk(cfg *config.Config, db *store.DB, clk clock.Clock, log *slog.Logger) ticketpg.Desk {
	return ticketpg.Desk{Service: &ticketpg.Service{Pool: db.Pool(), Config: cfg, Clock: clk, Logger: log}}
}
