package generate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
	"github.com/publicservice/hotline/store"
)

type callRows struct {
	calls   [][]any
	events  [][]any
	ratings [][]any
	counts  map[reporting.SlotKey]reporting.Counts
}

var (
	callCols   = []string{"id", "department", "queue", "arrived", "enqueued", "answered", "ended", "agent", "wait_ms", "talk_ms", "hung_up_by", "disposition", "survey", "callback", "language"}
	eventCols  = []string{"time", "call_id", "queue", "agent", "event", "wait_ms", "talk_ms", "position", "data"}
	ratingCols = []string{"time", "rating", "source", "call_id", "queue", "department", "agent"}
)

// dayJob is one working day's calls: ids gen-lo … gen-(lo+n−1), in order of
// arrival.
type dayJob struct{ day, lo, n int }

// dayJobs spreads calls over the working days, in day order.
func dayJobs(calls, days int) []dayJob {
	jobs := make([]dayJob, 0, days)
	lo := 0
	for d := range days {
		n := calls / days
		if d < calls%days {
			n++
		}
		if n > 0 {
			jobs = append(jobs, dayJob{d, lo, n})
		}
		lo += n
	}
	return jobs
}

// dayChunk generates one working day's calls with a generator seeded by the
// day. Calls are numbered in order of arrival and every table's rows are
// written in time order, so Postgres's indexes grow at their ends instead of
// taking rows all over the year.
func (g *gen) dayChunk(o Options, j dayJob) callRows {
	rng := rand.New(rand.NewPCG(o.Seed, uint64(j.day)+1))
	day := g.days[j.day]
	arrivals := make([]time.Time, j.n)
	for i := range arrivals {
		arrivals[i] = momentOn(rng, day)
	}
	sort.Slice(arrivals, func(a, b int) bool { return arrivals[a].Before(arrivals[b]) })
	queues := g.cfg.Queues
	var out callRows
	evs := make([]hotline.QueueEvent, 0, 5*j.n)
	for k, arrived := range arrivals {
		q := queues[rng.IntN(len(queues))]
		agentsFor := g.cfg.AgentsFor(q.ID)
		agent := "a000"
		if len(agentsFor) > 0 {
			agent = agentsFor[rng.IntN(len(agentsFor))].ID
		}
		id := fmt.Sprintf("gen-%d", j.lo+k)
		enq := arrived.Add(time.Duration(15+rng.IntN(40)) * time.Second)
		wait := expDur(rng, 25*time.Second)
		var (
			answered, ended time.Time
			talk            time.Duration
			disp            hotline.Disposition
			hungUp          = "caller"
			survey          any
		)
		ev := func(t time.Time, typ hotline.QueueEventType, w, tk time.Duration) {
			e := hotline.QueueEvent{Time: t, CallID: id, Queue: q.ID, Type: typ, Wait: w, Talk: tk}
			if typ != hotline.EvEnterQueue && typ != hotline.EvAbandon && typ != hotline.EvExitWithTimeout && typ != hotline.EvCallbackRequest {
				e.Agent = agent
			}
			evs = append(evs, e)
		}
		var enqueued any = enq
		p := rng.Float64()
		if p < 0.995 {
			ev(enq, hotline.EvEnterQueue, 0, 0)
		}
		switch {
		case p < 0.84:
			disp = hotline.DispAnswered
			answered = enq.Add(wait)
			talk = time.Duration(math.Exp(5.0+0.5*rng.NormFloat64()) * float64(time.Second)).Round(time.Millisecond)
			ended = answered.Add(talk)
			ev(answered, hotline.EvConnect, wait, 0)
			if rng.IntN(5) == 0 {
				h := answered.Add(talk / 3).Truncate(time.Millisecond)
				evs = append(evs, hotline.QueueEvent{Time: h, CallID: id, Agent: agent, Type: hotline.EvHold},
					hotline.QueueEvent{Time: h.Add(talk / 6).Truncate(time.Millisecond), CallID: id, Agent: agent, Type: hotline.EvUnhold})
			}
			typ := hotline.EvCompleteCaller
			if rng.IntN(2) == 0 {
				typ, hungUp = hotline.EvCompleteAgent, "agent"
			}
			ev(ended, typ, wait, talk)
			ev(ended.Add(time.Duration(10+rng.IntN(50))*time.Second), hotline.EvWrapupEnd, 0, 0)
			if rng.IntN(10) < 6 {
				r := surveyRating(rng)
				survey = int16(r)
				out.ratings = append(out.ratings, []any{ended.Add(20 * time.Second), int16(r), "phone", id, q.ID, q.Department, agent})
			}
		case p < 0.95:
			disp = hotline.DispAbandoned
			wait = expDur(rng, 40*time.Second)
			ended = enq.Add(wait)
			ev(ended, hotline.EvAbandon, wait, 0)
		case p < 0.97:
			disp = hotline.DispTimeout
			wait = 15 * time.Minute
			ended = enq.Add(wait)
			ev(ended, hotline.EvExitWithTimeout, wait, 0)
		case p >= 0.995:
			// Nobody signed in serves the queue: the caller could not join
			// (EXITEMPTY "join") and left a recorded message.
			disp, enqueued, wait = hotline.DispMessage, nil, 0
			ended = enq.Add(time.Duration(20+rng.IntN(60)) * time.Second)
			evs = append(evs, hotline.QueueEvent{Time: enq, CallID: id, Queue: q.ID, Type: hotline.EvExitEmpty, Data: "join"})
		default:
			disp = hotline.DispCallback
			ended = enq.Add(wait)
			ev(ended, hotline.EvCallbackRequest, wait, 0)
		}
		var ans any
		if !answered.IsZero() {
			ans = answered
		}
		if survey == nil {
			survey = (*int16)(nil)
		}
		ag := ""
		if disp == hotline.DispAnswered {
			ag = agent
		}
		out.calls = append(out.calls, []any{id, q.Department, q.ID, arrived, enqueued, ans, ended, ag, wait.Milliseconds(), talk.Milliseconds(),
			hungUp, string(disp), survey, disp == hotline.DispCallback, g.cfg.DefaultLanguage()})
	}
	// The rollup counts the calls' events in each call's own order.
	out.counts = reporting.CountsBySlot(evs, store.RollupSlot, g.rules.Threshold, g.rules.ShortAbandon)
	// Stored in time order; a call's own events keep their order (stable sort,
	// and each call's events are appended in time order).
	sort.SliceStable(evs, func(a, b int) bool { return evs[a].Time.Before(evs[b].Time) })
	out.events = make([][]any, len(evs))
	for i, e := range evs {
		out.events[i] = []any{e.Time, e.CallID, e.Queue, e.Agent, string(e.Type), e.Wait.Milliseconds(), e.Talk.Milliseconds(), int32(0), e.Data}
	}
	sort.SliceStable(out.ratings, func(a, b int) bool { return out.ratings[a][0].(time.Time).Before(out.ratings[b][0].(time.Time)) })
	return out
}

func (g *gen) calls(ctx context.Context, o Options, res *Result) error {
	jobs := make(chan dayJob)
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	total := map[reporting.SlotKey]reporting.Counts{}
	for range o.Workers {
		wg.Go(func() {
			for j := range jobs {
				c := g.dayChunk(o, j)
				err := g.copy(ctx, "calls", callCols, c.calls)
				if err == nil {
					err = g.copy(ctx, "queue_events", eventCols, c.events)
				}
				if err == nil {
					err = g.copy(ctx, "ratings", ratingCols, c.ratings)
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				res.Calls += len(c.calls)
				res.QueueEvents += len(c.events)
				res.PhoneRatings += len(c.ratings)
				for k, v := range c.counts {
					t := total[k]
					t.Add(v)
					total[k] = t
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range dayJobs(o.Calls, len(g.days)) {
		mu.Lock()
		bad := firstErr != nil
		mu.Unlock()
		if bad || ctx.Err() != nil {
			break
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	// Agents' shifts: signed in 08:00–16:30 on working days (the staffing table's "logged in").
	var shifts [][]any
	for _, d := range g.days {
		for _, a := range g.cfg.Agents {
			shifts = append(shifts, []any{d.Add(8 * time.Hour), "", "", a.ID, "ADDMEMBER", int64(0), int64(0), int32(0), ""},
				[]any{d.Add(16*time.Hour + 30*time.Minute), "", "", a.ID, "REMOVEMEMBER", int64(0), int64(0), int32(0), ""})
		}
	}
	if o.Calls > 0 {
		if err := g.copy(ctx, "queue_events", eventCols, shifts); err != nil {
			return err
		}
		res.QueueEvents += len(shifts)
	}
	// The rollup the writer keeps as events arrive, built here in bulk with
	// the same counting (reporting.CountsBySlot) into the same table.
	res.RollupRows = len(total)
	return g.db.AddQueueRollup(ctx, total)
}
