// Package storetest opens a fresh, migrated store.DB in a schema of its own for
// one test, in the real Postgres named by DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). Any package's tests
// may use it; tests in different packages and parallel tests never share rows.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/store"
)

// DefaultURL is used when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// URL is DATABASE_URL, or DefaultURL.
func URL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// MustOpenDB creates a uniquely named schema, opens a store.DB whose pool uses
// it as search_path, runs the migrations, and drops the schema (and everything
// in it) in tb.Cleanup.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, _ := MustOpenDBSchema(tb)
	return db
}

// MustOpenDBSchema is MustOpenDB that also returns the DSN with the schema
// as search_path, for tests that open a second DB or connection on it.
func MustOpenDBSchema(tb testing.TB) (*store.DB, string) {
	tb.Helper()
	ctx := context.Background()
	schema := NewSchema(tb)
	dsn, err := WithSearchPath(URL(), schema)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("storetest: open: %v", err)
	}
	tb.Cleanup(db.Close) // cleanups run last-in first-out: the pool closes before the schema is dropped
	return db, dsn
}

// NewSchema creates an empty, uniquely named schema and drops it in tb.Cleanup.
func NewSchema(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	schema := "test_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		tb.Fatalf("storetest: connect to %s: %v", redact(URL()), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("storetest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(ctx, URL())
		if err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("storetest: drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// WithSearchPath returns dsn (URL or key=value form) with search_path set to schema.
func WithSearchPath(dsn, schema string) (string, error) {
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " search_path=" + schema, nil
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return "(DATABASE_URL)"
}
