package telephony

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/publicservice/hotline/clock"
)

// Frames ari/v5 v5.3.1 cannot decode: unknown types, a Z timestamp, junk.
var undecodable = []string{
	`{"type":"ChannelTransfer","timestamp":"2026-11-28T20:29:58.415+0000","application":"hotline","refer_to":{"requested_destination":{"exten":"2000"}},"referred_by":{"source_channel_info":{"channel_id":"1795897798.44"}}}`,
	`{"type":"ChannelToneDetected","timestamp":"2026-11-28T20:29:58.415+0000","application":"hotline","channel":{"id":"1795897798.44","name":"x","state":"Up"}}`,
	`{"type":"ApplicationRegistered","timestamp":"2026-11-28T20:29:58.415+0000","application":"hotline"}`,
	`{"type":"StasisStart","timestamp":"2026-11-28T20:29:58.415Z","args":[],"channel":{"id":"z"},"application":"hotline"}`,
	`this is not json`,
}

// mixFrames interleaves the undecodable frames into the known ones.
func mixFrames(t *testing.T) (all, known []string) {
	known = append(traceFrames(t, "ivr_dtmf.jsonl"), traceFrames(t, "queue_bridge.jsonl")...)
	step := len(known) / (len(undecodable) + 1)
	j := 0
	for i, f := range known {
		if j < len(undecodable) && i > 0 && i%step == 0 {
			all = append(all, undecodable[j])
			j++
		}
		all = append(all, f)
	}
	all = append(all, undecodable[j:]...)
	return all, known
}

func TestReaderDeliversEveryKnownEventInOrderAndSkipsUnknown(t *testing.T) {
	all, known := mixFrames(t)
	quit := make(chan struct{})
	srv := newWSServer(t, clock.Real(), func(n int, send func(string) error) {
		for _, f := range all {
			if send(f) != nil {
				return
			}
		}
		<-quit
	})
	a := newTestARI(t, srv.URL, clock.Real())
	runARI(t, a)
	t.Cleanup(func() { close(quit) })
	c := collect(a, true)

	checkFor(t, "all known events delivered", func() bool { return c.len() >= len(known)+1 })
	got := c.snapshot()
	want := []string{"Connected"}
	for _, f := range known {
		want = append(want, frameType(t, f))
	}
	if !slices.Equal(types(got), want) {
		t.Fatalf("event order:\n got %v\nwant %v", types(got), want)
	}
	st := a.Stats()
	if st.Undecodable != int64(len(undecodable)) || st.Frames != int64(len(all)) || st.Connects != 1 {
		t.Fatalf("stats %+v, want %d undecodable of %d frames, 1 connect", st, len(undecodable), len(all))
	}
	if a.Node() != "02:fc:00:00:00:01" {
		t.Fatalf("node %q", a.Node())
	}
}

func TestReaderReconnectsAndAnnouncesConnected(t *testing.T) {
	for _, tc := range []struct {
		name string
		clk  func() clock.Clock
	}{
		{"real", func() clock.Clock { return clock.Real() }},
		{"virtual", func() clock.Clock {
			v := clock.NewVirtual(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
			t.Cleanup(v.Close)
			return v
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := tc.clk()
			frames := traceFrames(t, "ivr_dtmf.jsonl")
			half := len(frames) / 2
			quit := make(chan struct{})
			srv := newWSServer(t, clk, func(n int, send func(string) error) {
				switch n {
				case 1: // first half, then the socket drops
					for _, f := range frames[:half] {
						if send(f) != nil {
							return
						}
					}
				case 2:
					for _, f := range frames[half:] {
						if send(f) != nil {
							return
						}
					}
					<-quit
				default:
					<-quit
				}
			})
			a := newTestARI(t, srv.URL, clk)
			runARI(t, a)
			t.Cleanup(func() { close(quit) })
			c := collect(a, true)

			checkFor(t, "events of both connections", func() bool { return c.len() >= len(frames)+2 })
			got := types(c.snapshot())
			want := []string{"Connected"}
			for i, f := range frames {
				if i == half {
					want = append(want, "Connected")
				}
				want = append(want, frameType(t, f))
			}
			if !slices.Equal(got, want) {
				t.Fatalf("events:\n got %v\nwant %v", got, want)
			}
			if st := a.Stats(); st.Connects != 2 || srv.connections() != 2 {
				t.Fatalf("connects %d (server saw %d), want 2", st.Connects, srv.connections())
			}
		})
	}
}

func TestReaderRetriesWhenItCannotConnect(t *testing.T) {
	srv := newWSServer(t, clock.Real(), func(int, func(string) error) {})
	a, err := NewARI(ARIOptions{URL: srv.URL + "/ari", Application: "hotline", Username: "hotline",
		Password: "wrong", Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	runARI(t, a)
	checkFor(t, "three failed attempts", func() bool { return a.Stats().DialFails >= 3 })
	if st := a.Stats(); st.Connects != 0 || st.Delivered != 0 {
		t.Fatalf("stats %+v: nothing may connect or be delivered", st)
	}
}

// Every frame holds the virtual clock until its event's Done; skipped frames
// release at once; Connected holds too; nothing stays in flight.
func TestReaderHoldsVirtualClockUntilDone(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	t.Cleanup(v.Close)
	frames := append(traceFrames(t, "record_message.jsonl"), undecodable[0], undecodable[1])
	quit := make(chan struct{})
	srv := newWSServer(t, v, func(n int, send func(string) error) {
		for _, f := range frames {
			if send(f) != nil {
				return
			}
		}
		<-quit
	})
	a := newTestARI(t, srv.URL, v)
	runARI(t, a)
	t.Cleanup(func() { close(quit) })
	c := collect(a, false)
	known := len(frames) - 2
	checkFor(t, "events delivered", func() bool { return c.len() == known+1 && a.Stats().Frames == int64(len(frames)) })
	checkFor(t, "one hold per undone event, nothing in flight", func() bool {
		_, holds, inflight := v.Pending()
		return holds == known+1 && inflight == 0
	})
	for _, ev := range c.snapshot() {
		ev.Done()
	}
	checkFor(t, "holds released", func() bool {
		_, holds, inflight := v.Pending()
		return holds == 0 && inflight == 0
	})
}

// When Run's context ends, events never taken are released and Events closes.
func TestRunEndReleasesQueuedEvents(t *testing.T) {
	v := clock.NewVirtual(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	t.Cleanup(v.Close)
	frames := traceFrames(t, "ivr_dtmf.jsonl")
	quit := make(chan struct{})
	t.Cleanup(func() { close(quit) })
	srv := newWSServer(t, v, func(n int, send func(string) error) {
		for _, f := range frames {
			if send(f) != nil {
				return
			}
		}
		<-quit
	})
	a := newTestARI(t, srv.URL, v)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	checkFor(t, "frames read", func() bool { return a.Stats().Frames == int64(len(frames)) })
	if _, holds, _ := v.Pending(); holds != len(frames)+1 {
		t.Fatalf("holds %d before anything is consumed, want %d", holds, len(frames)+1)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
	if _, ok := <-a.Events(); ok {
		t.Fatal("Events not closed after Run returned")
	}
	if _, holds, inflight := v.Pending(); holds != 0 || inflight != 0 {
		t.Fatalf("holds %d inflight %d after Run ended", holds, inflight)
	}
	if err := a.Run(context.Background()); err == nil {
		t.Fatal("second Run accepted")
	}
}

// A peer that goes silent (no frames, no pongs) is dropped and re-dialled.
func TestReaderDropsSilentConnection(t *testing.T) {
	quit := make(chan struct{})
	srv := newWSServer(t, clock.Real(), func(n int, send func(string) error) {
		<-quit // never reads, so never answers pings
	})
	t.Cleanup(func() { close(quit) })
	a, err := NewARI(ARIOptions{URL: srv.URL + "/ari", Application: "hotline", Username: "hotline",
		Password: "secret", Logger: testLogger(t), PingInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runARI(t, a)
	c := collect(a, true)
	checkFor(t, "a second connection", func() bool { return a.Stats().Connects >= 2 && c.len() >= 2 })
	for _, ev := range c.snapshot() {
		if ev.Type != Connected {
			t.Fatalf("unexpected event %+v", ev)
		}
	}
}
