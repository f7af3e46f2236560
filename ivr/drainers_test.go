package ivr

import (
	"log/slog"
	"sync"
	"testing"
)

// Every message posted to a call is handled once, in the order posted,
// whichever drainer (parked or new) runs the mailbox, while many calls post
// at once.
func TestDrainersHandleEachCallsMessagesInOrder(t *testing.T) {
	ctl := &Controller{drainers: newDrainers()}
	const calls, msgs = 20, 500
	got := make([][]int, calls)
	var done sync.WaitGroup
	done.Add(calls * msgs)
	var posting sync.WaitGroup
	for i := range calls {
		c := &call{ctl: ctl, log: slog.Default()}
		posting.Add(1)
		go func() {
			defer posting.Done()
			for n := range msgs {
				c.post(msg{fn: func() { got[i] = append(got[i], n); done.Done() }})
			}
		}()
	}
	posting.Wait()
	done.Wait()
	for i, seq := range got {
		if len(seq) != msgs {
			t.Fatalf("call %d: %d messages handled, want %d", i, len(seq), msgs)
		}
		for n, v := range seq {
			if v != n {
				t.Fatalf("call %d: message %d handled at position %d", i, v, n)
			}
		}
	}
}
