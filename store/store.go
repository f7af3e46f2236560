// Package store keeps what must last in Postgres (pgx/v5): call records, the
// append-only queue event log, ratings from every source, and recorded
// messages. The layout follows Ben Johnson's WTF Dial sqlite package: one DB
// type that owns the pool and the migrations, one file per table, and an
// asynchronous Writer for the call path.
//
// Times are stored as timestamptz (microsecond precision); durations as
// whole milliseconds (*_ms columns). Zero times are stored as NULL.
package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is the Postgres database of the hotline.
type DB struct {
	pool  *pgxpool.Pool
	rules rulesHolder // what the queue rollup counts with
}

// Open connects to dsn (a pgx connection string or URL) and applies every
// embedded migration not yet recorded in schema_migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, OpenOptions{})
}

// OpenOptions are Open's optional settings.
type OpenOptions struct {
	// Tracer, when set, sees every statement of the pool's connections (it
	// may also implement pgx.BatchTracer and pgx.CopyFromTracer), e.g. to
	// count them.
	Tracer pgx.QueryTracer
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o OpenOptions) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: parse dsn: %w", err)
	}
	if o.Tracer != nil {
		cfg.ConnConfig.Tracer = o.Tracer
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	db := &DB{pool: pool}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the pool.
func (db *DB) Close() { db.pool.Close() }

// Pool is the underlying pool, for packages that own tables of their own.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// migrate applies the numbered migrations in name order, each once, all in one
// transaction that holds an advisory lock for the current schema: a second
// process starting at the same moment waits, then finds them applied.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("store: list migrations: %w", err)
	}
	sort.Strings(names)

	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('hotline.store.migrate:' || current_schema()))`); err != nil {
		return fmt.Errorf("store: migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("store: migrate: schema_migrations: %w", err)
	}
	for _, path := range names {
		name := strings.TrimPrefix(path, "migrations/")
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
			return fmt.Errorf("store: migrate: check %s: %w", name, err)
		} else if n > 0 {
			continue
		}
		sql, err := migrationFS.ReadFile(path)
		if err != nil {
			return fmt.Errorf("store: migrate: read %s: %w", name, err)
		}
		// No arguments: the simple protocol runs every statement of the file.
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			return fmt.Errorf("store: migrate: apply %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
			return fmt.Errorf("store: migrate: record %s: %w", name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store: migrate: commit: %w", err)
	}
	return nil
}

// dbtx is what both the pool and a transaction offer.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// inTx runs f in one transaction.
func (db *DB) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	tx, err := db.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := f(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// fromNullTime maps NULL to the zero time, and times to UTC.
func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// nullString maps "" to NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func fromNullString(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func ms(d time.Duration) int64     { return d.Milliseconds() }
func fromMS(n int64) time.Duration { return time.Duration(n) * time.Millisecond }
