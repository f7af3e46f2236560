package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// The journal keeps the latest state per agent, never an older one over a
// newer, keeps the agent's details when a change names only the id, and
// Load overlays what is not written yet.
func TestAgentJournal(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	j := store.NewAgentJournal(db, nil)
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	a1 := agents.Agent{ID: "a1", Name: "Ann", Endpoint: "PJSIP/a1", Skills: []string{"general"}}
	j.Record(agents.Record{Agent: a1, State: agents.Available, Since: t0})
	j.Record(agents.Record{Agent: agents.Agent{ID: "a1"}, State: agents.Paused, Reason: "break", Since: t0.Add(time.Minute)})
	j.Record(agents.Record{Agent: agents.Agent{ID: "a2", Skills: []string{"general"}}, State: agents.OnCall, Since: t0})
	if err := j.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// An older state written late is ignored.
	if err := db.SaveAgentStates(ctx, []agents.Record{{Agent: agents.Agent{ID: "a1"}, State: agents.LoggedOut, Since: t0}}); err != nil {
		t.Fatal(err)
	}
	recs, err := j.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("records %+v", recs)
	}
	r1, r2 := recs[0], recs[1]
	if r1.State != agents.Paused || r1.Reason != "break" || r1.Agent.Name != "Ann" || len(r1.Agent.Skills) != 1 || !r1.Since.Equal(t0.Add(time.Minute)) {
		t.Errorf("a1 %+v", r1)
	}
	if r2.State != agents.Available {
		t.Errorf("a2 on a call is journalled %s, want available", r2.State)
	}
	if err := j.Close(ctx); err != nil {
		t.Fatal(err)
	}
}
