package arisim

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/CyCoreSystems/ari/v5"
	"github.com/CyCoreSystems/ari/v5/client/native"

	"github.com/publicservice/hotline/clock"
)

// TestNativeClient checks that ari/v5 v5.3.1's native client, unchanged, connects,
// originates, answers, plays and receives events against the simulator (real time: the
// library knows nothing of virtual clocks).
func TestNativeClient(t *testing.T) {
	sim := New(Options{Clock: clock.Real(), User: "u", Password: "p", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	defer sim.Close()
	sim.SetEndpoint("PJSIP", "agent1", EndpointBehaviour{AnswerAfterMs: 50})
	cl, err := native.Connect(&native.Options{
		Application:  "hotline",
		URL:          srv.URL + "/ari",
		WebsocketURL: "ws" + strings.TrimPrefix(srv.URL, "http") + "/ari/events",
		Username:     "u", Password: "p",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !raceEnabled {
		defer cl.Close()
	}
	checkFor(t, func() bool { return sim.Connected("hotline") }, "native client connected")

	starts := cl.Bus().Subscribe(nil, ari.Events.StasisStart)
	defer starts.Cancel()
	h, err := cl.Channel().Originate(nil, ari.OriginateRequest{Endpoint: "PJSIP/agent1", App: "hotline", AppArgs: "agent,1"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-starts.Events():
		ss := e.(*ari.StasisStart)
		if ss.Channel.ID != h.ID() || len(ss.Args) != 2 || ss.Args[0] != "agent" {
			t.Fatalf("StasisStart %+v", ss)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no StasisStart")
	}
	if err := h.Answer(); err != nil {
		t.Fatal(err)
	}
	done := cl.Bus().Subscribe(nil, ari.Events.PlaybackFinished)
	defer done.Cancel()
	pb, err := h.Play("pb-native", "sound:beep")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-done.Events():
		if pf := e.(*ari.PlaybackFinished); pf.Playback.ID != pb.ID() || pf.Playback.State != "done" {
			t.Fatalf("PlaybackFinished %+v", pf.Playback)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no PlaybackFinished")
	}
	destroyed := cl.Bus().Subscribe(nil, ari.Events.ChannelDestroyed)
	defer destroyed.Cancel()
	if err := h.Hangup(); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-destroyed.Events():
		if cd := e.(*ari.ChannelDestroyed); cd.Cause != 16 {
			t.Fatalf("ChannelDestroyed cause %d", cd.Cause)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no ChannelDestroyed")
	}
}
