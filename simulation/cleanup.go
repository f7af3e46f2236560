package simulation

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// A benchmark (or any run) that is killed must not leave its Redis keys and
// Postgres schema behind for ever. Its keys carry a short expiry, renewed while
// it runs (KeepExpiring), and the next run sweeps what dead runs left: keys
// without an expiry get one (ExpireStale), schemas older than a bound are
// dropped (DropStaleSchemas).

// KeyTTL is the expiry of a benchmark's Redis keys, renewed every KeyTTL/4
// while it runs.
const KeyTTL = 2 * time.Minute

// expireMatching sets ttl on the keys matching pattern (only those without an
// expiry when onlyPersistent) and returns how many it set.
func expireMatching(ctx context.Context, rdb redis.UniversalClient, pattern string, ttl time.Duration, onlyPersistent bool) (int, error) {
	iter := rdb.Scan(ctx, 0, pattern, 1000).Iterator()
	var keys []string
	n := 0
	flush := func() error {
		if len(keys) == 0 {
			return nil
		}
		pipe := rdb.Pipeline()
		for _, k := range keys {
			if onlyPersistent {
				pipe.ExpireNX(ctx, k, ttl)
			} else {
				pipe.PExpire(ctx, k, ttl)
			}
		}
		cmds, err := pipe.Exec(ctx)
		if err != nil && err != redis.Nil {
			return err
		}
		for _, c := range cmds {
			if b, ok := c.(*redis.BoolCmd); ok && b.Val() {
				n++
			}
		}
		keys = keys[:0]
		return nil
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 500 {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// ExpireStale gives an expiry of KeyTTL to the keys of every Redis hash tag
// starting with tagPrefix that have none: those of runs killed before they
// could clean up. Keys of a run still going are renewed by it, so they live on.
func ExpireStale(ctx context.Context, rdb redis.UniversalClient, tagPrefix string) (int, error) {
	return expireMatching(ctx, rdb, "{"+tagPrefix+"*}:*", KeyTTL, true)
}

// KeepExpiring renews an expiry of KeyTTL on every key of the hash tag every
// KeyTTL/4 until ctx ends (the run then deletes its keys itself).
func KeepExpiring(ctx context.Context, rdb redis.UniversalClient, tag string, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(KeyTTL / 4)
	defer t.Stop()
	for {
		if _, err := expireMatching(ctx, rdb, "{"+tag+"}:*", KeyTTL, false); err != nil && ctx.Err() == nil {
			log.Warn("simulation: renew key expiry", "tag", tag, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

var timedSchema = regexp.MustCompile(`^([a-z]+)_([0-9]{10,19})$`)

// DropStaleSchemas drops the schemas named prefix_<unix nanoseconds> created
// more than olderThan ago: those of runs killed before they dropped their own.
func DropStaleSchemas(ctx context.Context, dsn, prefix string, olderThan time.Duration) ([]string, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("simulation: connect: %w", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, prefix+"_")
	if err != nil {
		return nil, fmt.Errorf("simulation: list schemas: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("simulation: list schemas: %w", err)
	}
	var dropped []string
	for _, name := range names {
		m := timedSchema.FindStringSubmatch(name)
		if m == nil || m[1] != prefix {
			continue
		}
		ns, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil || time.Since(time.Unix(0, ns)) < olderThan {
			continue
		}
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			return dropped, fmt.Errorf("simulation: drop stale schema %s: %w", name, err)
		}
		dropped = append(dropped, name)
	}
	return dropped, nil
}
