package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/publicservice/hotline"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

// t0 has sub-microsecond digits on purpose: the store keeps microseconds, so tests compare after truncating.
var t0 = time.Date(2026, 3, 2, 14, 0, 0, 123456789, time.UTC)

func us(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

func sampleCall(id string, arrived time.Time) *hotline.CallRecord {
	return &hotline.CallRecord{
		ID: id, Node: "ast1", Caller: "+13455550100", Dialled: "+13459490000", Language: "es",
		Department: "immigration", Queue: "immigration-es", IVRPath: []string{"lang:es", "main:2", "dept:5"},
		Arrived: us(arrived), Enqueued: us(arrived.Add(30 * time.Second)), Answered: us(arrived.Add(75 * time.Second)),
		Ended: us(arrived.Add(5 * time.Minute)), Agent: "agent7", Wait: 45 * time.Second, Talk: 225500 * time.Millisecond,
		HungUpBy: "agent", Disposition: hotline.DispAnswered, Survey: hotline.Happy,
		Offers: []hotline.AgentOffer{
			{Agent: "agent3", At: us(arrived.Add(40 * time.Second)), Ring: 15 * time.Second, Outcome: "no_answer"},
			{Agent: "agent7", At: us(arrived.Add(70 * time.Second)), Ring: 5 * time.Second, Outcome: "answered"},
		},
	}
}

func TestSaveCallRoundTripAndUpsert(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)

	c := sampleCall("1700000000.1", t0)
	if err := db.SaveCall(ctx, c); err != nil {
		t.Fatal(err)
	}
	// A call that never queued: zero times and no survey come back zero, nil slices nil.
	short := &hotline.CallRecord{ID: "1700000000.2", Arrived: us(t0.Add(time.Minute)), Ended: us(t0.Add(90 * time.Second)),
		Disposition: hotline.DispSelfServed, HungUpBy: "caller"}
	if err := db.SaveCall(ctx, short); err != nil {
		t.Fatal(err)
	}
	// Saving again with changes replaces the row: no duplicate.
	c2 := *c
	c2.Survey, c2.Talk, c2.Recording, c2.Callback = 0, 226*time.Second, "msg-1", true
	if err := db.SaveCall(ctx, &c2); err != nil {
		t.Fatal(err)
	}

	got, err := db.Calls(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []hotline.CallRecord{c2, *short}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Calls:\n got %+v\nwant %+v", got, want)
	}
	// [from, to): the second call arrived at exactly t0+1 min.
	if got, _ := db.Calls(ctx, us(t0), us(t0.Add(time.Minute))); len(got) != 1 || got[0].ID != c.ID {
		t.Errorf("Calls in [t0, t0+1m) = %d calls, want the first only", len(got))
	}
}

func TestSaveCallInvalid(t *testing.T) {
	db := storetest.MustOpenDB(t)
	bad := sampleCall("x", t0)
	bad.Survey = 9
	for name, c := range map[string]*hotline.CallRecord{"no id": {Arrived: t0}, "no arrival": {ID: "y"}, "survey 9": bad} {
		if err := db.SaveCall(context.Background(), c); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("%s: err %v, want invalid", name, err)
		}
	}
}

func events(n int, queue string, start time.Time) []hotline.QueueEvent {
	out := make([]hotline.QueueEvent, n)
	types := []hotline.QueueEventType{hotline.EvEnterQueue, hotline.EvConnect, hotline.EvCompleteCaller}
	for i := range out {
		out[i] = hotline.QueueEvent{Time: us(start.Add(time.Duration(i) * time.Second)), CallID: fmt.Sprintf("call-%d", i/3),
			Queue: queue, Type: types[i%3], Wait: time.Duration(i%3) * 7 * time.Second, Talk: time.Duration(i%3) * time.Minute,
			Position: i % 5, Data: fmt.Sprintf("n=%d", i)}
		if i%3 != 0 {
			out[i].Agent = "agent1"
		}
	}
	return out
}

func TestQueueEvents(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)

	small := events(5, "tax", t0)                        // below the COPY threshold: INSERTs
	large := events(100, "licences", t0.Add(-time.Hour)) // COPY
	if err := db.AppendQueueEvents(ctx, small); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendQueueEvents(ctx, large); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendQueueEvents(ctx, nil); err != nil {
		t.Fatal(err)
	}

	got, err := db.QueueEvents(ctx, t0.Add(-2*time.Hour), t0.Add(time.Hour), "")
	if err != nil {
		t.Fatal(err)
	}
	// All queues come back in the order appended (not by time: the licences events are older).
	if want := append(append([]hotline.QueueEvent{}, small...), large...); !reflect.DeepEqual(got, want) {
		t.Errorf("all events: got %d, want %d in append order; first got %+v want %+v", len(got), len(want), got[0], want[0])
	}
	if got, _ := db.QueueEvents(ctx, t0.Add(-2*time.Hour), t0.Add(time.Hour), "tax"); !reflect.DeepEqual(got, small) {
		t.Errorf("tax: got %d events, want the 5 tax events", len(got))
	}
	// [from, to) over the licences events, one a second from t0−1h: seconds 10..19.
	got, _ = db.QueueEvents(ctx, large[10].Time, large[20].Time, "licences")
	if !reflect.DeepEqual(got, large[10:20]) {
		t.Errorf("period: got %d events, want events 10..19", len(got))
	}
	if err := db.AppendQueueEvents(ctx, []hotline.QueueEvent{{Queue: "tax"}}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("event without time or type: err %v", err)
	}
}

func TestRatings(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	rs := []store.Rating{
		{Time: us(t0), Rating: hotline.VeryHappy, Source: hotline.SourcePhone, CallID: "c1", Queue: "tax", Department: "tax", Agent: "a1"},
		{Time: us(t0.Add(time.Second)), Rating: hotline.Unhappy, Source: hotline.SourceKiosk, Department: "immigration", KioskID: "k7", ServicePoint: "airport"},
		{Time: us(t0.Add(1500 * time.Millisecond)), Rating: hotline.Unhappy, Source: hotline.SourceKiosk, Department: "immigration", KioskID: "k7", ServicePoint: "airport", Misuse: true},
		{Time: us(t0.Add(time.Minute)), Rating: hotline.Happy, Source: hotline.SourceWeb},
	}
	for _, r := range rs {
		if err := db.SaveRating(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Ratings(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, rs) {
		t.Errorf("Ratings:\n got %+v\nwant %+v", got, rs)
	}
	if v := got[1].Value(); v.KioskID != "k7" || v.Rating != hotline.Unhappy || v.Source != hotline.SourceKiosk {
		t.Errorf("Value = %+v", v)
	}

	// Empty strings are NULL; the view leaves out misuse.
	var nullKiosks, valid int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE kiosk_id IS NULL) FROM ratings`).Scan(&nullKiosks); err != nil {
		t.Fatal(err)
	}
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM ratings_valid`).Scan(&valid); err != nil {
		t.Fatal(err)
	}
	if nullKiosks != 2 || valid != 3 {
		t.Errorf("null kiosk ids %d (want 2), valid ratings %d (want 3)", nullKiosks, valid)
	}

	// Validation in Go, and the same rules as CHECK constraints in the database.
	for _, r := range []store.Rating{{Time: t0, Rating: 5, Source: hotline.SourcePhone}, {Time: t0, Rating: 3, Source: "fax"}, {Rating: 3, Source: hotline.SourceWeb}} {
		if err := db.SaveRating(ctx, r); hotline.ErrorCode(err) != hotline.EINVALID {
			t.Errorf("%+v: err %v, want invalid", r, err)
		}
	}
	for _, sql := range []string{`INSERT INTO ratings (time, rating, source) VALUES (now(), 0, 'phone')`,
		`INSERT INTO ratings (time, rating, source) VALUES (now(), 3, 'fax')`} {
		if _, err := db.Pool().Exec(ctx, sql); err == nil {
			t.Errorf("%s: accepted", sql)
		}
	}
}

func TestMessages(t *testing.T) {
	ctx := context.Background()
	db := storetest.MustOpenDB(t)
	m := store.Message{Time: us(t0), CallID: "c9", Department: "tax", Language: "en", Recording: "msg-c9", Duration: 42 * time.Second}
	if err := db.SaveMessage(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveMessage(ctx, store.Message{Time: us(t0.Add(time.Second)), Recording: "msg-x", Status: store.MessageDiscarded}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Messages(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), store.MessageNew)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID == 0 {
		t.Fatalf("new messages = %+v, want one with an id", got)
	}
	m.ID, m.Status = got[0].ID, store.MessageNew
	if got[0] != m {
		t.Errorf("got %+v\nwant %+v", got[0], m)
	}
	if all, _ := db.Messages(ctx, t0.Add(-time.Hour), t0.Add(time.Hour), ""); len(all) != 2 {
		t.Errorf("all messages: %d, want 2", len(all))
	}
	if err := db.SaveMessage(ctx, store.Message{Time: t0}); hotline.ErrorCode(err) != hotline.EINVALID {
		t.Errorf("message without recording: err %v", err)
	}
	if err := db.SaveMessage(ctx, store.Message{Time: t0, Recording: "r", Status: "lost"}); err == nil {
		t.Error("status lost accepted")
	}
}
