package simulation

import (
	"context"
	"fmt"
	"net/url"
	"regexp"

	"github.com/jackc/pgx/v5"

	"github.com/publicservice/hotline/store"
)

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// OpenSchema creates the Postgres schema if needed and opens (and migrates) a
// store whose connections use it, so a simulation's records stay apart from
// everything else and can be read afterwards.
func OpenSchema(ctx context.Context, dsn, schema string) (*store.DB, error) {
	if !schemaName.MatchString(schema) {
		return nil, fmt.Errorf("simulation: bad schema name %q", schema)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("simulation: connect: %w", err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema)
	conn.Close(ctx)
	if err != nil {
		return nil, fmt.Errorf("simulation: create schema %s: %w", schema, err)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, fmt.Errorf("simulation: parse DATABASE_URL: %w", err)
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	return store.Open(ctx, u.String())
}

// DropSchema removes a schema and everything in it.
func DropSchema(ctx context.Context, dsn, schema string) error {
	if !schemaName.MatchString(schema) {
		return fmt.Errorf("simulation: bad schema name %q", schema)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("simulation: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
		return fmt.Errorf("simulation: drop schema %s: %w", schema, err)
	}
	return nil
}
