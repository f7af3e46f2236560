package queue

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/agents"
	"github.com/publicservice/hotline/clock"
)

// TestConcurrentControllers: three controllers (each its own Redis client and
// Queues) enqueue, abandon, dispatch and handle matches at once against one
// pool of agents. No agent may ever hold two calls, every caller must end
// exactly once (answered or left), and the counters must add up.
func TestConcurrentControllers(t *testing.T) {
	t.Parallel()
	const (
		controllers = 3
		perCtl      = 150
		nAgents     = 7
	)
	queues := []string{"tax", "health"}
	base := newClient(t)
	prefix := uniquePrefix(t, base)
	ctx := context.Background()

	var tick atomic.Int64
	now := func() time.Time { return t0.Add(time.Duration(tick.Add(1)) * time.Millisecond) }

	qs := make([]*Queues, controllers)
	for i := range qs {
		qs[i] = New(newClient(t), clock.Real(), Options{Prefix: prefix})
	}
	for i := 0; i < nAgents; i++ {
		skills := []string{queues[i%2]}
		if i%3 == 0 {
			skills = queues
		}
		a := agents.Agent{ID: fmt.Sprintf("a%d", i), Endpoint: fmt.Sprintf("PJSIP/a%d", i), Skills: skills}
		if err := qs[i%controllers].Login(ctx, a, now()); err != nil {
			t.Fatal(err)
		}
	}

	var (
		mu       sync.Mutex
		holding  = map[string]string{} // agent → call, as the controllers see it
		ended    = map[string]int{}    // call → number of endings
		answered int
		left     int
		failures []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	total := controllers * perCtl
	var endedN atomic.Int64
	end := func(call, how string) {
		mu.Lock()
		ended[call]++
		if ended[call] > 1 {
			failures = append(failures, fmt.Sprintf("call %s ended twice (%s)", call, how))
		}
		if how == "answered" {
			answered++
		} else {
			left++
		}
		mu.Unlock()
		endedN.Add(1)
	}
	free := func(agent, call string) {
		mu.Lock()
		if holding[agent] != call {
			failures = append(failures, fmt.Sprintf("agent %s freed from %s but holds %q", agent, call, holding[agent]))
		}
		delete(holding, agent)
		mu.Unlock()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for ci, q := range qs {
		owner := fmt.Sprintf("ctl-%d", ci)
		// Callers: enqueue; about a third abandon after a while.
		wg.Add(1)
		go func() {
			defer wg.Done()
			var cw sync.WaitGroup
			for j := 0; j < perCtl; j++ {
				c := Caller{CallID: fmt.Sprintf("%s-c%d", owner, j), Queue: queues[j%2], Priority: j % 3, Enqueued: now(), Owner: owner}
				if _, err := q.Enqueue(ctx, c); err != nil {
					fail("enqueue %s: %v", c.CallID, err)
					continue
				}
				if j%3 == 0 {
					cw.Add(1)
					go func() {
						defer cw.Done()
						time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
						why := hotline.EvAbandon
						if j%9 == 0 {
							why = hotline.EvExitWithTimeout
						}
						if _, ok, err := q.Leave(ctx, c.Queue, c.CallID, now(), why); err != nil {
							fail("leave: %v", err)
						} else if ok {
							end(c.CallID, "left")
						}
					}()
				}
			}
			cw.Wait()
		}()
		// Dispatcher.
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				for _, qn := range queues {
					if _, err := q.Dispatch(ctx, qn, now()); err != nil {
						fail("dispatch: %v", err)
					}
				}
				time.Sleep(200 * time.Microsecond)
			}
		}()
		// Inbox: handle each match; answered, not answered, or the caller gone.
		wg.Add(1)
		go func() {
			defer wg.Done()
			var hw sync.WaitGroup
			defer hw.Wait()
			for {
				select {
				case <-done:
					return
				default:
				}
				m, err := q.NextMatch(ctx, owner, time.Second)
				if err != nil {
					fail("next match: %v", err)
					return
				}
				if m == nil {
					continue
				}
				if m.Caller.Owner != owner {
					fail("%s got %s's match", owner, m.Caller.Owner)
				}
				mu.Lock()
				if c, busy := holding[m.Agent.ID]; busy {
					failures = append(failures, fmt.Sprintf("agent %s offered %s while holding %s", m.Agent.ID, m.Caller.CallID, c))
				}
				holding[m.Agent.ID] = m.Caller.CallID
				mu.Unlock()
				hw.Add(1)
				go func(m Match) {
					defer hw.Done()
					switch rand.IntN(4) {
					case 0: // ring no answer
						free(m.Agent.ID, m.Caller.CallID)
						if err := q.NoAnswer(ctx, m, now(), false); err != nil {
							fail("no answer: %v", err)
						}
					default:
						_, err := q.Connected(ctx, m, now())
						if hotline.ErrorCode(err) == hotline.ECONFLICT { // the caller left while ringing
							free(m.Agent.ID, m.Caller.CallID)
							if err := q.OfferCancelled(ctx, m, now()); err != nil {
								fail("offer cancelled: %v", err)
							}
							return
						}
						if err != nil {
							fail("connected: %v", err)
							return
						}
						end(m.Caller.CallID, "answered")
						time.Sleep(time.Duration(rand.IntN(500)) * time.Microsecond)
						free(m.Agent.ID, m.Caller.CallID)
						if err := q.Release(ctx, m.Agent.ID, now(), 0); err != nil {
							fail("release: %v", err)
						}
					}
				}(*m)
			}
		}()
	}
	deadline := time.Now().Add(60 * time.Second)
	for endedN.Load() < int64(total) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	close(done)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if n := endedN.Load(); n != int64(total) {
		t.Fatalf("%d of %d callers ended", n, total)
	}
	for ci := 0; ci < controllers; ci++ {
		for j := 0; j < perCtl; j++ {
			if id := fmt.Sprintf("ctl-%d-c%d", ci, j); ended[id] != 1 {
				t.Errorf("%s ended %d times", id, ended[id])
			}
		}
	}
	// Redis agrees: nobody waiting, every agent available, counters add up.
	all, err := qs[0].Agents(ctx)
	if err != nil || len(all) != nAgents {
		t.Fatalf("agents %d %v", len(all), err)
	}
	for _, a := range all {
		if a.State != agents.Available || a.CallID != "" {
			t.Errorf("agent %s left %s with %q", a.Agent.ID, a.State, a.CallID)
		}
	}
	var sumAns, sumLeft, offered int
	for _, qn := range queues {
		l, err := qs[1].Live(ctx, qn, t0.Add(time.Duration(tick.Load())*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if l.Waiting != 0 || l.AgentsBusy != 0 || l.AgentsAvailable == 0 {
			t.Errorf("%s: %+v", qn, l)
		}
		c := l.Today
		offered += c.Offered
		sumAns += c.Answered
		sumLeft += c.Abandoned + c.TimedOut
		if c.AnsweredWithinT > c.Answered || c.ShortAbandoned > c.Abandoned || c.AbandonedWithinT > c.Abandoned {
			t.Errorf("%s: inconsistent %+v", qn, c)
		}
	}
	if offered != total || sumAns != answered || sumLeft != left || sumAns+sumLeft != total {
		t.Errorf("counters: offered %d answered %d left %d; seen answered %d left %d of %d", offered, sumAns, sumLeft, answered, left, total)
	}
	t.Logf("%d callers: %d answered, %d left", total, answered, left)
}
