package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
)

func TestOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	db, dsn := storetest.MustOpenDBSchema(t)

	// Opening again finds every migration applied and applies none twice.
	db2, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db2.Close()
	var n int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = '0001_initial.sql'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("0001_initial.sql recorded %d times, want 1", n)
	}
	// The tables are in the test's own schema.
	var tables int
	if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name IN ('calls', 'queue_events', 'ratings', 'messages', 'ratings_valid')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 5 {
		t.Errorf("found %d of the 4 tables and 1 view", tables)
	}
}

func TestOpenConcurrently(t *testing.T) {
	// Four processes starting at once on an empty schema: the advisory lock lets one migrate, the others wait
	// and find the migrations applied. Without it, CREATE TABLE would fail in all but one.
	ctx := context.Background()
	schema := storetest.NewSchema(t)
	dsn, err := storetest.WithSearchPath(storetest.URL(), schema)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	dbs := make([]*store.DB, 4)
	errs := make([]error, 4)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = store.Open(ctx, dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		} else {
			defer dbs[i].Close()
		}
	}
	if t.Failed() {
		return
	}
	var n int
	if err := dbs[0].Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if n != len(files) {
		t.Errorf("schema_migrations has %d rows, want %d (one per migration file)", n, len(files))
	}
}

func TestOpenBadDSN(t *testing.T) {
	if _, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?connect_timeout=2"); err == nil {
		t.Error("open on a closed port succeeded")
	}
}
