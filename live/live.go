// Package live samples the contact centre's live state (every agent's status
// and every queue's live figures, from Redis) on one ticker shared by every
// open agent panel and wallboard, and hands each sample (a Frame) to its
// subscribers. One sample serves all screens: 250 open pages cost the same
// Redis round trips as one. Pages receive frames over Server-Sent Events
// (see Stream), which browsers reconnect by themselves; the state itself
// lives in Redis and Postgres, so a reconnect (or a server restart) loses
// nothing.
package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/queue"
)

// Frame is one sample.
type Frame struct {
	At     time.Time
	Agents []queue.AgentStatus
	// Queues: each queue's live figures, with today's answered calls per
	// site of the answering agent (queue.Live.TodayBySite), which a site's
	// wallboard shows.
	Queues map[string]queue.Live
}

// Agent returns the status of agent id in the frame.
func (f *Frame) Agent(id string) (queue.AgentStatus, bool) {
	for _, a := range f.Agents {
		if a.Agent.ID == id {
			return a, true
		}
	}
	return queue.AgentStatus{}, false
}

// Feed samples while anyone listens.
type Feed struct {
	Queues *queue.Queues
	Config *config.Config
	Clock  clock.Clock
	// Every is the sampling period (default 250 ms: a change reaches the
	// screens within a quarter of a second plus the network).
	Every  time.Duration
	Logger *slog.Logger

	mu      sync.Mutex
	subs    map[chan *Frame]struct{}
	running bool
	last    *Frame
}

// Subscribe returns a channel of frames (the latest one first when known)
// and a function that ends the subscription. Slow subscribers miss frames,
// never block others: each channel holds one frame, replaced by newer ones.
func (f *Feed) Subscribe() (<-chan *Frame, func()) {
	ch := make(chan *Frame, 1)
	f.mu.Lock()
	if f.subs == nil {
		f.subs = map[chan *Frame]struct{}{}
	}
	f.subs[ch] = struct{}{}
	if f.last != nil {
		ch <- f.last
	}
	if !f.running {
		f.running = true
		go f.run()
	}
	f.mu.Unlock()
	return ch, func() {
		f.mu.Lock()
		delete(f.subs, ch)
		f.mu.Unlock()
	}
}

// Sample takes one frame now.
func (f *Feed) Sample(ctx context.Context) (*Frame, error) {
	now := f.Clock.Now()
	ags, err := f.Queues.Agents(ctx)
	if err != nil {
		return nil, err
	}
	fr := &Frame{At: now, Agents: ags, Queues: make(map[string]queue.Live, len(f.Config.Queues))}
	for _, q := range f.Config.Queues {
		l, err := f.Queues.Live(ctx, q.ID, now)
		if err != nil {
			return nil, err
		}
		fr.Queues[q.ID] = l
	}
	return fr, nil
}

func (f *Feed) run() {
	every := f.Every
	if every <= 0 {
		every = 250 * time.Millisecond
	}
	log := f.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		f.mu.Lock()
		if len(f.subs) == 0 {
			f.running = false
			f.last = nil
			f.mu.Unlock()
			return
		}
		f.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), every*4)
		fr, err := f.Sample(ctx)
		cancel()
		if err != nil {
			log.Warn("live: sample", "err", err)
			continue
		}
		f.mu.Lock()
		f.last = fr
		for ch := range f.subs {
			select { // replace an unread frame with the newer one
			case <-ch:
			default:
			}
			ch <- fr
		}
		f.mu.Unlock()
	}
}
