package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline"
)

// TestWriteBatchTwiceStoresOnce is the case of a commit whose outcome was unknown: the same batch (same uids)
// committed again must not add rows.
func TestWriteBatchTwiceStoresOnce(t *testing.T) {
	ctx := context.Background()
	db := openInternal(t)
	t0 := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	batch := []witem{
		{kind: kCall, call: &hotline.CallRecord{ID: "c1", Arrived: t0}},
		{kind: kEvents, uid: "u1", events: []hotline.QueueEvent{{Time: t0, CallID: "c1", Type: hotline.EvEnterQueue},
			{Time: t0, CallID: "c1", Type: hotline.EvAbandon}}},
		{kind: kRating, uid: "u2", rating: Rating{Time: t0, Rating: hotline.Happy, Source: hotline.SourcePhone}},
		{kind: kMessage, uid: "u3", message: Message{Time: t0, Recording: "r1"}},
	}
	for range 2 {
		if err := db.inTx(ctx, func(tx pgx.Tx) error { return writeBatch(ctx, tx, batch, DefaultRollupRules) }); err != nil {
			t.Fatal(err)
		}
	}
	for table, want := range map[string]int{"calls": 1, "queue_events": 2, "ratings": 1, "messages": 1} {
		var n int
		if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("%s: %d rows after writing the batch twice, want %d", table, n, want)
		}
	}
}

// openInternal opens the store in a fresh schema of the test database (storetest imports this package, so the
// package's own tests cannot use it).
func openInternal(t testing.TB) *DB {
	t.Helper()
	ctx := context.Background()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("test_internal_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		_, _ = conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	})
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := Open(ctx, url+sep+"search_path="+schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}
