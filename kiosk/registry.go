package kiosk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/publicservice/hotline"
)

// Kiosk is one registered kiosk (a HappyOrNot terminal or a tablet running
// the kiosk app) at one service point of one department.
type Kiosk struct {
	ID          string        `json:"id"`
	Department  string        `json:"department"`
	Location    string        `json:"location"` // the service point
	Created     time.Time     `json:"created"`
	Rotated     time.Time     `json:"rotated,omitzero"`
	Revoked     time.Time     `json:"revoked,omitzero"`
	LastSeen    time.Time     `json:"last_seen,omitzero"`
	ClockOffset time.Duration `json:"clock_offset_ns"` // server − kiosk at the last batch
}

// Active reports whether the kiosk may send presses.
func (k Kiosk) Active() bool { return k.Revoked.IsZero() }

// Registry keeps the kiosks in Postgres (table kiosks, migration 0006). A
// kiosk's token is "<id>.<secret>"; only sha256(secret) is stored, so a
// token is shown once, when the kiosk is added or its token rotated.
type Registry struct {
	pool *pgxpool.Pool
}

// NewRegistry returns the registry on pool (store.DB.Pool()).
func NewRegistry(pool *pgxpool.Pool) *Registry { return &Registry{pool: pool} }

func newSecret(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("kiosk: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Add registers a kiosk and returns it with its token (shown once).
func (r *Registry) Add(ctx context.Context, department, location string, now time.Time) (Kiosk, string, error) {
	department, location = strings.TrimSpace(department), strings.TrimSpace(location)
	if department == "" || location == "" {
		return Kiosk{}, "", hotline.Errorf(hotline.EINVALID, "a kiosk needs a department and a location (service point)")
	}
	var idb [5]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return Kiosk{}, "", fmt.Errorf("kiosk: random: %w", err)
	}
	k := Kiosk{ID: "k" + hex.EncodeToString(idb[:]), Department: department, Location: location, Created: now.UTC()}
	secret, err := newSecret(24)
	if err != nil {
		return Kiosk{}, "", err
	}
	if _, err := r.pool.Exec(ctx, `INSERT INTO kiosks (id, department, location, token_hash, created) VALUES ($1, $2, $3, $4, $5)`,
		k.ID, k.Department, k.Location, hashSecret(secret), k.Created); err != nil {
		return Kiosk{}, "", fmt.Errorf("kiosk: add: %w", err)
	}
	return k, k.ID + "." + secret, nil
}

// Rotate gives a kiosk a new token (the old one stops working) and returns it.
// A revoked kiosk is reactivated by a rotation.
func (r *Registry) Rotate(ctx context.Context, id string, now time.Time) (string, error) {
	secret, err := newSecret(24)
	if err != nil {
		return "", err
	}
	tag, err := r.pool.Exec(ctx, `UPDATE kiosks SET token_hash = $2, rotated = $3, revoked = NULL WHERE id = $1`, id, hashSecret(secret), now.UTC())
	if err != nil {
		return "", fmt.Errorf("kiosk: rotate: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return "", hotline.Errorf(hotline.ENOTFOUND, "no kiosk %q", id)
	}
	return id + "." + secret, nil
}

// Revoke stops a kiosk's token from working; its presses stay.
func (r *Registry) Revoke(ctx context.Context, id string, now time.Time) error {
	tag, err := r.pool.Exec(ctx, `UPDATE kiosks SET revoked = coalesce(revoked, $2) WHERE id = $1`, id, now.UTC())
	if err != nil {
		return fmt.Errorf("kiosk: revoke: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return hotline.Errorf(hotline.ENOTFOUND, "no kiosk %q", id)
	}
	return nil
}

const kioskCols = `id, department, location, created, rotated, revoked, last_seen, clock_offset_ms`

func scanKiosk(row pgx.Row) (Kiosk, error) {
	var (
		k                      Kiosk
		rotated, revoked, seen *time.Time
		off                    int64
	)
	if err := row.Scan(&k.ID, &k.Department, &k.Location, &k.Created, &rotated, &revoked, &seen, &off); err != nil {
		return k, err
	}
	k.Created = k.Created.UTC()
	for _, p := range []struct {
		in  *time.Time
		out *time.Time
	}{{rotated, &k.Rotated}, {revoked, &k.Revoked}, {seen, &k.LastSeen}} {
		if p.in != nil {
			*p.out = p.in.UTC()
		}
	}
	k.ClockOffset = time.Duration(off) * time.Millisecond
	return k, nil
}

// List returns every kiosk, by department then location.
func (r *Registry) List(ctx context.Context) ([]Kiosk, error) {
	rows, err := r.pool.Query(ctx, `SELECT `+kioskCols+` FROM kiosks ORDER BY department, location, id`)
	if err != nil {
		return nil, fmt.Errorf("kiosk: list: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Kiosk, error) { return scanKiosk(row) })
	if err != nil {
		return nil, fmt.Errorf("kiosk: list: %w", err)
	}
	return out, nil
}

// Get returns one kiosk.
func (r *Registry) Get(ctx context.Context, id string) (Kiosk, error) {
	k, err := scanKiosk(r.pool.QueryRow(ctx, `SELECT `+kioskCols+` FROM kiosks WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Kiosk{}, hotline.Errorf(hotline.ENOTFOUND, "no kiosk %q", id)
	} else if err != nil {
		return Kiosk{}, fmt.Errorf("kiosk: get: %w", err)
	}
	return k, nil
}

// Authenticate returns the kiosk whose token this is. Errors are
// EUNAUTHORIZED and say which of unknown kiosk, bad token, revoked.
func (r *Registry) Authenticate(ctx context.Context, token string) (Kiosk, error) {
	id, secret, ok := strings.Cut(token, ".")
	if !ok || id == "" || secret == "" {
		return Kiosk{}, hotline.Errorf(hotline.EUNAUTHORIZED, "malformed kiosk token (want Authorization: Bearer <kiosk id>.<secret>)")
	}
	var hash []byte
	row := r.pool.QueryRow(ctx, `SELECT `+kioskCols+`, token_hash FROM kiosks WHERE id = $1`, id)
	var (
		k                      Kiosk
		rotated, revoked, seen *time.Time
		off                    int64
	)
	err := row.Scan(&k.ID, &k.Department, &k.Location, &k.Created, &rotated, &revoked, &seen, &off, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return Kiosk{}, hotline.Errorf(hotline.EUNAUTHORIZED, "unknown kiosk %q", id)
	} else if err != nil {
		return Kiosk{}, fmt.Errorf("kiosk: authenticate: %w", err)
	}
	if subtle.ConstantTimeCompare(hash, hashSecret(secret)) != 1 {
		return Kiosk{}, hotline.Errorf(hotline.EUNAUTHORIZED, "bad token for kiosk %q", id)
	}
	if revoked != nil {
		return Kiosk{}, hotline.Errorf(hotline.EUNAUTHORIZED, "kiosk %q is revoked", id)
	}
	k.ClockOffset = time.Duration(off) * time.Millisecond
	return k, nil
}
