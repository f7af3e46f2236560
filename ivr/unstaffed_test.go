package ivr_test

import (
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/ivr"
)

// unstaffedConfig is the test configuration with queue general's
// when_unstaffed set to rule (the default, callback, when rule is "").
func unstaffedConfig(rule string) string {
	w := ""
	if rule != "" {
		w = ", when_unstaffed: " + rule
	}
	return strings.Replace(testConfigYAML(nil), "callback: true, when_unstaffed: wait}", "callback: true"+w+"}", 1)
}

// Nobody signed in serves the queue: by default the caller is told at once
// and offered a callback (1) or a message (2), never queued to wait for
// nobody; the queue counts it (EXITEMPTY, the unstaffed counter) and the
// API shows the queue unstaffed.
func TestUnstaffedQueueOffersCallbackAtOnce(t *testing.T) {
	e := newEnv(t, unstaffedConfig(""))
	n := e.newSim("node1")
	n.start("ctl1")
	ch := n.call("3455550231", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000), press("1", 6000)}})
	rec := e.waitRecord(ch)
	if !rec.Callback || rec.Queue != "general" || !rec.Enqueued.IsZero() {
		t.Fatalf("record %+v", rec)
	}
	if got := strings.Join(rec.IVRPath, ","); got != "did:gen,lang:en,dept:gen:2,unstaffed,closed:callback" {
		t.Errorf("path %s", got)
	}
	evs := e.events(ch)
	if eventTypes(evs) != "EXITEMPTY,CALLBACKREQUESTED" || evs[0].Data != "join" || evs[1].Data != "unstaffed" {
		t.Errorf("events %+v", evs)
	}
	if truth := n.truth(ch); !truth.FirstMOH.IsZero() || indexOf(truth.Heard, "unstaffed") < 0 {
		t.Errorf("ground truth %+v: want no hold music, the unstaffed prompt", truth)
	}
	live, err := e.q.Live(e.ctx, "general", e.clk.Now())
	if err != nil || live.Today.Unstaffed != 1 || live.Today.Offered != 0 {
		t.Errorf("live %+v %v", live.Today, err)
	}
	var got struct {
		Queues []struct {
			Queue         string `json:"queue"`
			StaffedAgents int    `json:"staffed_agents"`
			Unstaffed     bool   `json:"unstaffed"`
		} `json:"queues"`
	}
	e.getJSON(e.api(n), "/api/v1/queues", &got)
	for _, q := range got.Queues {
		if q.Queue == "general" && (!q.Unstaffed || q.StaffedAgents != 0) {
			t.Errorf("GET /api/v1/queues: %+v", q)
		}
	}
}

// A caller already waiting when the last agent signs out (through the API)
// leaves the queue at once (EXITEMPTY leave) and, by the rule message,
// is told and records a message.
func TestLastAgentSignsOutLeavesWhenEmpty(t *testing.T) {
	e := newEnv(t, unstaffedConfig("message"))
	n := e.newSim("node1")
	n.agent("a1", arisim.EndpointBehaviour{})
	e.login("a1")
	if err := e.q.Pause(e.ctx, "a1", "break", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	n.start("ctl1")
	srv := e.api(n)
	ch := n.call("3455550232", didGen, &arisim.Script{Presses: []arisim.Press{
		// patient enough to be seen waiting however fast the virtual clock runs
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}, MaxDurationMs: 3_600_000})
	checkFor(t, 10*time.Second, "caller waiting", func() bool { return n.ctl.Stats().Waiting == 1 })
	e.clk.Pause()
	e.post(srv, "/api/v1/agents/a1/logout")
	checkFor(t, 10*time.Second, "caller left the queue at once", func() bool { return n.ctl.Stats().Waiting == 0 })
	e.clk.Resume()
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispMessage || rec.Recording == "" {
		t.Fatalf("record %+v", rec)
	}
	evs := e.events(ch)
	if eventTypes(evs) != "ENTERQUEUE,EXITEMPTY" || evs[1].Data != "leave" {
		t.Errorf("events %+v", evs)
	}
}

// The last agent signs out through the API of one controller while the
// caller waits on another's: the other controller is told (queue.Notify on
// its command list) and its caller leaves at once too, with the clock
// stopped so that no announcement can be what makes it leave.
func TestLastAgentSignsOutOtherControllersCallerLeaves(t *testing.T) {
	e := newEnv(t, unstaffedConfig("message"))
	n1, n2 := e.newSim("node1"), e.newSim("node2")
	n1.agent("a1", arisim.EndpointBehaviour{})
	n2.agent("a1", arisim.EndpointBehaviour{})
	e.login("a1")
	if err := e.q.Pause(e.ctx, "a1", "break", e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	n1.startWith("ctl1", func(o *ivr.Options) { o.CallIDPrefix = "node1-" })
	n2.startWith("ctl2", func(o *ivr.Options) { o.CallIDPrefix = "node2-" })
	srv := e.api(n1)
	ch := n2.call("3455550233", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}, MaxDurationMs: 3_600_000})
	checkFor(t, 10*time.Second, "caller waiting on node2", func() bool { return n2.ctl.Stats().Waiting == 1 })
	e.clk.Pause()
	e.post(srv, "/api/v1/agents/a1/logout")
	checkFor(t, 10*time.Second, "node2's caller left the queue at once", func() bool { return n2.ctl.Stats().Waiting == 0 })
	e.clk.Resume()
	rec := e.waitRecord("node2-" + ch)
	if rec.Disposition != hotline.DispMessage || rec.Recording == "" {
		t.Fatalf("record %+v", rec)
	}
	evs := e.events("node2-" + ch)
	if eventTypes(evs) != "ENTERQUEUE,EXITEMPTY" || evs[1].Data != "leave" {
		t.Errorf("events %+v", evs)
	}
}

// when_unstaffed queue:<id> moves the caller to another queue, where an
// officer answers.
func TestUnstaffedQueueMovesToAnotherQueue(t *testing.T) {
	e := newEnv(t, unstaffedConfig("\"queue:complaints\""))
	n := e.newSim("node1")
	n.agent("a2", arisim.EndpointBehaviour{AnswerAfterMs: 1000, TalkMs: 5000})
	if err := e.q.Login(e.ctx, agentWith("a2", "complaints"), e.clk.Now()); err != nil {
		t.Fatal(err)
	}
	n.start("ctl1")
	ch := n.call("3455550233", didGen, &arisim.Script{Presses: []arisim.Press{
		{Digits: "1", AfterMs: 300, From: "answer"}, press("2", 2000)}})
	rec := e.waitRecord(ch)
	if rec.Disposition != hotline.DispAnswered || rec.Queue != "complaints" || rec.Agent != "a2" {
		t.Fatalf("record %+v", rec)
	}
	if got := eventTypes(e.events(ch)); got != "EXITEMPTY,ENTERQUEUE,CONNECT,COMPLETEAGENT" {
		t.Errorf("events %s", got)
	}
}
