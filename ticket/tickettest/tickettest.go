// Package tickettest gives tests of any package a ticket service on the real
// Postgres (a schema of its own, store/storetest) and a clock they can set.
package tickettest

import (
	"sync"
	"testing"
	"time"

	"github.com/publicservice/hotline/clock"
	"github.com/publicservice/hotline/config"
	"github.com/publicservice/hotline/store"
	"github.com/publicservice/hotline/store/storetest"
	"github.com/publicservice/hotline/ticket/postgres"
)

// Clock is the real clock whose Now is set by the test.
type Clock struct {
	clock.Clock
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at t.
func NewClock(t time.Time) *Clock { return &Clock{Clock: clock.Real(), now: t} }

// Now is the time set.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// Env is a ticket service on a fresh schema.
type Env struct {
	DB      *store.DB
	DSN     string
	Clock   *Clock
	Config  *config.Config
	Tickets *postgres.Service
}

// New opens the sample configuration's ticket service at start.
func New(tb testing.TB, start time.Time) *Env {
	tb.Helper()
	db, dsn := storetest.MustOpenDBSchema(tb)
	cfg := config.Sample()
	clk := NewClock(start)
	return &Env{DB: db, DSN: dsn, Clock: clk, Config: cfg,
		Tickets: &postgres.Service{Pool: db.Pool(), Config: cfg, Clock: clk}}
}

// Cayman parses "2006-01-02 15:04" in America/Cayman.
func Cayman(tb testing.TB, s string) time.Time {
	tb.Helper()
	loc, err := time.LoadLocation("America/Cayman")
	if err != nil {
		tb.Fatal(err)
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}
