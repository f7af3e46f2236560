package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline/auth"
	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/internal/testenv"
	"github.com/publicservice/hotline/internal/webtest"
	"github.com/publicservice/hotline/queue"
	"github.com/publicservice/hotline/store/storetest"
)

type fixture struct {
	srv  *httptest.Server
	q    *queue.Queues
	clk  *clock.Virtual
	cfg  *config.Config
	auth *auth.Service
	sup  *webtest.Client // supervisor1
	ag   *webtest.Client // agent1, acting as cfg.Agents[0]
	pool *pgxpool.Pool
}

const testPassword = "correct horse battery"

func newFixture(t *testing.T, checks map[string]func(context.Context) error) *fixture {
	t.Helper()
	return newFixtureOn(t, testenv.MustRedis(t), checks, nil)
}

// newFixtureOn is newFixture on a given Redis, with an Unavailable gate.
func newFixtureOn(t *testing.T, rdb redis.UniversalClient, checks map[string]func(context.Context) error, gate func() error) *fixture {
	t.Helper()
	cfg := config.Sample()
	clk := clock.NewVirtual(time.Date(2026, 11, 30, 10, 0, 0, 0, cfg.Location()), clock.Paused())
	t.Cleanup(clk.Close)
	prefix := "webtest-" + t.Name() + "-" + time.Now().Format("150405.000000")
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), "{"+prefix+"}:*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	q := queue.New(rdb, clk, queue.Options{Prefix: prefix, Threshold: cfg.Threshold, ShortAbandon: cfg.ShortAbandon(), Location: cfg.Location()})
	db := storetest.MustOpenDB(t)
	svc := auth.New(db.Pool(), auth.Options{InsecureCookies: true})
	s := &Server{Queues: q, Config: cfg, Clock: clk, Checks: checks, Summary: func() any { return map[string]int{"menu": 1} },
		Auth: svc, Audit: auditTable{db.Pool()}, Unavailable: gate}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	webtest.MustAddUser(t, svc, "supervisor1", testPassword, auth.Supervisor, "")
	webtest.MustAddUser(t, svc, "agent1", testPassword, auth.Agent, cfg.Agents[0].ID)
	return &fixture{srv: ts, q: q, clk: clk, cfg: cfg, auth: svc, pool: db.Pool(),
		sup: webtest.SignIn(t, ts.URL, "supervisor1", testPassword), ag: webtest.SignIn(t, ts.URL, "agent1", testPassword)}
}

// auditTable writes supervisor_audit directly (package supervisor has the real one).
type auditTable struct{ pool *pgxpool.Pool }

func (a auditTable) Record(ctx context.Context, actor, action, agent, callID, detail string) error {
	_, err := a.pool.Exec(ctx, `INSERT INTO supervisor_audit (time, actor, action, agent, call_id, detail) VALUES (now(), $1, $2, $3, $4, $5)`,
		actor, action, agent, callID, detail)
	return err
}

// do makes the request as supervisor1.
func (f *fixture) do(t *testing.T, method, path string, wantStatus int, out any) {
	t.Helper()
	f.doAs(t, f.sup, method, path, wantStatus, out)
}

func (f *fixture) doAs(t *testing.T, c *webtest.Client, method, path string, wantStatus int, out any) {
	t.Helper()
	resp := c.Raw(t, method, path, nil, nil)
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		t.Fatalf("%s %s: status %d, want %d (%v)", method, path, resp.StatusCode, wantStatus, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
}

func TestQueuesFigures(t *testing.T) {
	f := newFixture(t, nil)
	var empty struct {
		Queues []map[string]any `json:"queues"`
	}
	f.do(t, "GET", "/api/v1/queues", 200, &empty)
	if len(empty.Queues) != len(f.cfg.Queues) {
		t.Fatalf("%d queues listed, %d configured", len(empty.Queues), len(f.cfg.Queues))
	}
	today := empty.Queues[0]["today"].(map[string]any)
	if sl := today["service_level"].(map[string]any); sl["value"] != nil || sl["n"].(float64) != 0 {
		t.Fatalf("no calls: service level %v, want null value with n=0 (\"no data\", not 0%%)", sl)
	}

	// One caller answered after 12 s, one abandoned after 30 s: SL = 1/2.
	ctx := context.Background()
	qid := f.cfg.Queues[0].ID
	a := f.cfg.AgentsFor(qid)[0]
	t0 := f.clk.Now()
	if err := f.q.Login(ctx, agentOf(a), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Enqueue(ctx, queue.Caller{CallID: "c1", Queue: qid, Enqueued: t0, Owner: "x"}); err != nil {
		t.Fatal(err)
	}
	ms, err := f.q.Dispatch(ctx, qid, t0)
	if err != nil || len(ms) != 1 {
		t.Fatalf("dispatch: %v %v", ms, err)
	}
	if _, err := f.q.Connected(ctx, ms[0], t0.Add(12*time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Enqueue(ctx, queue.Caller{CallID: "c2", Queue: qid, Enqueued: t0, Owner: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.q.Leave(ctx, qid, "c2", t0.Add(30*time.Second), "ABANDON"); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	var one QueueFigures
	f.do(t, "GET", "/api/v1/queues/"+qid, 200, &one)
	if one.Today.Offered != 2 || one.Today.Answered != 1 || one.Today.Abandoned != 1 {
		t.Fatalf("counts %+v", one.Today.Counts)
	}
	if v, ok := one.Today.ServiceLevel.Value(); !ok || v != 0.5 {
		t.Fatalf("service level %v, want 50%% (1 within 20 s of 1 answered + 1 abandoned)", one.Today.ServiceLevel)
	}
	var raw map[string]any
	f.do(t, "GET", "/api/v1/queues/"+qid, 200, &raw)
	if asa := raw["today"].(map[string]any)["asa"].(map[string]any); asa["seconds"] != 12.0 || asa["n"] != 1.0 {
		t.Fatalf("ASA %v, want 12 s over 1 answered", asa)
	}
	if one.ThresholdSeconds != 20 || one.AgentsBusy != 1 {
		t.Fatalf("threshold %v busy %d", one.ThresholdSeconds, one.AgentsBusy)
	}
	f.do(t, "GET", "/api/v1/queues/no-such-queue", 404, nil)
}

func TestAgentActions(t *testing.T) {
	f := newFixture(t, nil)
	id := f.cfg.Agents[0].ID
	var v AgentView
	f.do(t, "POST", "/api/v1/agents/"+id+"/login", 200, &v)
	if v.State != "available" || v.ID != id {
		t.Fatalf("after login: %+v", v)
	}
	f.do(t, "POST", "/api/v1/agents/"+id+"/pause?reason=break", 200, &v)
	if v.State != "paused" || v.Reason != "break" {
		t.Fatalf("after pause: %+v", v)
	}
	f.do(t, "POST", "/api/v1/agents/"+id+"/available", 200, &v)
	if v.State != "available" {
		t.Fatalf("after available: %+v", v)
	}
	var list struct{ Agents []AgentView }
	f.do(t, "GET", "/api/v1/agents", 200, &list)
	if len(list.Agents) != 1 || list.Agents[0].ID != id {
		t.Fatalf("agents: %+v", list.Agents)
	}
	f.do(t, "POST", "/api/v1/agents/"+id+"/logout", 200, &v)
	if v.State != "logged_out" {
		t.Fatalf("after logout: %+v", v)
	}
	var e ErrorBody
	f.do(t, "POST", "/api/v1/agents/nobody/login", 404, &e)
	if e.Error.Code != "not_found" || e.Error.Message == "" {
		t.Fatalf("error body %+v", e)
	}
	f.do(t, "POST", "/api/v1/agents/"+id+"/dance", 404, &e)
	f.do(t, "POST", "/api/v1/agents/"+id+"/available", 409, &e) // logged out: not a legal transition
}

func TestHealthz(t *testing.T) {
	down := errors.New("ARI events WebSocket not connected")
	f := newFixture(t, map[string]func(context.Context) error{
		"redis": func(context.Context) error { return nil },
		"ari":   func(context.Context) error { return down },
	})
	var h map[string]any
	f.do(t, "GET", "/healthz", 503, &h)
	if h["status"] != "unavailable" || h["checks"].(map[string]any)["ari"] != down.Error() || h["checks"].(map[string]any)["redis"] != "ok" {
		t.Fatalf("healthz %v", h)
	}
	ok := newFixture(t, map[string]func(context.Context) error{"redis": func(context.Context) error { return nil }})
	ok.do(t, "GET", "/healthz", 200, &h)
	if h["status"] != "ok" || h["calls"] == nil {
		t.Fatalf("healthz %v", h)
	}
}

func newTestServer(t *testing.T, s *Server) string {
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts.URL
}
