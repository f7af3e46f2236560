package telephony

import (
	"context"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/arisim"
	"github.com/publicservice/hotline/clock"
)

// With SetHandler, every event (Connected first) reaches the handler in
// arrival order and none is delivered on Events.
func TestSetHandlerDeliversInOrder(t *testing.T) {
	clk := clock.NewVirtual(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC), clock.WithStallAfter(time.Second),
		clock.WithLogger(testLogger(t)))
	defer clk.Close()
	sim := arisim.New(arisim.Options{Clock: clk, User: "hotline", Password: "secret", Apps: []string{"hotline"},
		Logger: testLogger(t), Seed: 1})
	defer sim.Close()
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	a := newTestARI(t, srv.URL, clk)
	var (
		mu  sync.Mutex
		got []string
	)
	a.SetHandler(func(ev Event) {
		defer ev.Done()
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.ARIType+" "+ev.Channel.ID+ev.PlaybackID)
	})
	seen := func(want string) bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Contains(got, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	onEvents := 0
	go func() {
		defer close(done)
		_ = a.Run(ctx)
	}()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for ev := range a.Events() {
			onEvents++
			ev.Done()
		}
	}()
	checkFor(t, "Connected", func() bool { return seen("Connected ") })
	id, err := sim.Inbound(context.Background(), "hotline", "+15551230001", "1000", &arisim.Script{Name: "Alice"})
	if err != nil {
		t.Fatal(err)
	}
	checkFor(t, "StasisStart", func() bool { return seen("StasisStart " + id) })
	cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ccancel()
	if err := a.Answer(cctx, id); err != nil {
		t.Fatal(err)
	}
	if err := a.Play(cctx, id, "p1", "sound:hello-world"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, "PlaybackFinished", func() bool { return seen("PlaybackFinished " + id + "p1") })
	if err := a.Hangup(cctx, id, "normal"); err != nil {
		t.Fatal(err)
	}
	checkFor(t, "StasisEnd", func() bool { return seen("StasisEnd " + id) })
	cancel()
	<-done
	<-drained
	mu.Lock()
	defer mu.Unlock()
	want := []string{"Connected ", "StasisStart " + id, "PlaybackFinished " + id + "p1", "StasisEnd " + id}
	var order []string
	for _, g := range got {
		if slices.Contains(want, g) {
			order = append(order, g)
		}
	}
	if !slices.Equal(order, want) {
		t.Errorf("handler saw %v, want in order %v (all: %v)", order, want, got)
	}
	if onEvents != 0 {
		t.Errorf("%d events on Events with a handler set, want 0", onEvents)
	}
	if s := a.Stats(); s.Delivered != int64(len(got)) {
		t.Errorf("Stats().Delivered %d, want %d", s.Delivered, len(got))
	}
}
