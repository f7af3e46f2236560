package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/reporting"
)

// TestRollupUnstaffed: EXITEMPTY is in queue_rollup, kept as events arrive
// and filled by migration 0009 for events stored before it (then in half
// hours, the slots before 0010), agreeing with the report's counting of the
// raw events (hand-computed values, UTC quarter-hour slots):
//
//	u1 enters 09:29:50 and leaves at 09:30:10, nobody serving        09:15 slot (its entry; 09:00 in half hours)
//	u2 could not join at 09:40 (EXITEMPTY "join", no ENTERQUEUE)      09:30 slot
//	u3 enters 09:45, answered 09:45:05, then an EXITEMPTY             not counted: the offer had left
//	u4 enters 10:05 and leaves 10:05:30 by EXITEMPTY; enters again 10:06, abandons      10:00 slot: 1, offered 2
func TestRollupUnstaffed(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	at := func(h, m, s int) time.Time { return time.Date(2026, 5, 5, h, m, s, 0, time.UTC) }
	ev := func(call string, typ hotline.QueueEventType, t time.Time, wait time.Duration, data string) hotline.QueueEvent {
		return hotline.QueueEvent{Time: t, CallID: call, Queue: "dvdl", Type: typ, Wait: wait, Data: data}
	}
	batches := [][]hotline.QueueEvent{
		{ev("u1", hotline.EvEnterQueue, at(9, 29, 50), 0, ""), ev("u2", hotline.EvExitEmpty, at(9, 40, 0), 0, "join")},
		{ev("u1", hotline.EvExitEmpty, at(9, 30, 10), 20*time.Second, "leave")},
		{ev("u3", hotline.EvEnterQueue, at(9, 45, 0), 0, "")},
		{ev("u3", hotline.EvConnect, at(9, 45, 5), 5*time.Second, "")},
		{ev("u3", hotline.EvExitEmpty, at(9, 46, 0), 0, "leave"), ev("u4", hotline.EvEnterQueue, at(10, 5, 0), 0, "")},
		{ev("u4", hotline.EvExitEmpty, at(10, 5, 30), 30*time.Second, "leave"), ev("u4", hotline.EvEnterQueue, at(10, 6, 0), 0, "")},
		{ev("u4", hotline.EvAbandon, at(10, 6, 40), 40*time.Second, "")},
	}
	var all []hotline.QueueEvent
	for _, b := range batches {
		if err := db.AppendQueueEvents(ctx, b); err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	// unstaffed, offered per slot; -1: not checked
	quarters := map[time.Time][2]int{at(9, 15, 0): {1, 1}, at(9, 30, 0): {1, 0}, at(9, 45, 0): {0, 1}, at(10, 0, 0): {1, 2}}
	halves := map[time.Time][2]int{at(9, 0, 0): {1, -1}, at(9, 30, 0): {1, -1}, at(10, 0, 0): {1, -1}}
	check := func(when string, want map[time.Time][2]int, slot time.Duration) {
		t.Helper()
		got, err := db.QueueRollup(ctx, at(0, 0, 0), at(23, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		rawAt := reporting.CountsBySlot(all, slot, DefaultRollupRules.Threshold, DefaultRollupRules.ShortAbandon)
		for s, w := range want {
			k := reporting.SlotKey{Queue: "dvdl", Slot: s}
			if got[k].Unstaffed != w[0] || (w[1] >= 0 && got[k].Offered != w[1]) {
				t.Errorf("%s: slot %s: unstaffed %d offered %d, want %d and %d", when, s.Format("15:04"), got[k].Unstaffed, got[k].Offered, w[0], w[1])
			}
			if rawAt[k].Unstaffed != w[0] {
				t.Errorf("raw events: slot %s: unstaffed %d, want %d", s.Format("15:04"), rawAt[k].Unstaffed, w[0])
			}
		}
		n := 0
		for _, c := range got {
			n += c.Unstaffed
		}
		if n != 3 {
			t.Errorf("%s: %d unstaffed in all, want 3", when, n)
		}
	}
	check("kept as events arrive", quarters, RollupSlot)

	// Migration 0009's fill, on a rollup that never saw the EXITEMPTY events.
	if _, err := db.Pool().Exec(ctx, `UPDATE queue_rollup SET unstaffed = 0`); err != nil {
		t.Fatal(err)
	}
	sql, err := migrationFS.ReadFile("migrations/0009_queue_rollup_unstaffed.sql")
	if err != nil {
		t.Fatal(err)
	}
	fill := string(sql)
	i := strings.Index(fill, "WITH exits AS")
	if i < 0 {
		t.Fatal("0009 has no fill statement")
	}
	if _, err := db.Pool().Exec(ctx, fill[i:]); err != nil {
		t.Fatal(err)
	}
	check("filled by migration 0009", halves, 30*time.Minute)
}
