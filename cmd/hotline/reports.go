package main

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/publicservice/hotline/auth"
	"github.com/publicservice/hotline/kiosk"
	"github.com/publicservice/hotline/reports"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/web"
)

// mountReports adds the kiosks (ingestion API and app), the reports (JSON,
// monthly page, public page) and /metrics to the HTTP server, and sets the
// rollup's counting rules from the configuration. Staff routes need a
// supervisor's sign-in (or a bearer token): the KPI and staffing API and
// /metrics; the kiosk routes take kiosk tokens; the published pages are public.
func mountReports(api *web.Server, db *store.DB) {
	cfg, clk := api.Config, api.Clock
	db.SetRollupRules(store.RollupRules{Threshold: cfg.Threshold, ShortAbandon: cfg.ShortAbandon()})
	ing := &kiosk.Ingester{Pool: db.Pool(), MisuseInterval: cfg.Kiosk.MisuseInterval}
	ks := &kiosk.Server{Registry: kiosk.NewRegistry(db.Pool()), Ingester: ing, Limiter: &kiosk.Limiter{Rate: 5, Burst: 20},
		Config: cfg, Now: clk.Now, Logger: api.Logger}
	svc := &reports.Service{DB: db, Config: cfg, Now: clk.Now, Complaints: reports.TicketComplaints(db)}
	sup := api.Auth.Require(auth.Supervisor)
	promReg := prometheus.NewRegistry()
	promReg.MustRegister(reports.NewCollector(api.Queues, cfg, clk.Now, ing.Counts), collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api.Mount = append(api.Mount, func(mux *http.ServeMux) {
		kh := ks.Handler()
		mux.Handle("/api/v1/kiosk/", kh)
		mux.Handle("/kiosk/", kh)
		rh := svc.Handler(sup, api.Logger)
		mux.Handle("/api/v1/reports/", rh)
		mux.Handle("/reports/", rh)
		mux.Handle("GET /public", rh)
		mux.Handle("GET /metrics", sup(promhttp.HandlerFor(promReg, promhttp.HandlerOpts{})))
	})
}
