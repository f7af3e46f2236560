package astbench

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/publicservice/hotline/internal/realasterisk"
)

// startBenchAsterisk starts the real Asterisk with the benchmark's
// additions, or skips when ../shared/asterisk is absent.
func startBenchAsterisk(t *testing.T) (*realasterisk.Asterisk, *ARI) {
	t.Helper()
	if _, ok := realasterisk.Script(); !ok {
		t.Skip("../shared/asterisk/asterisk.sh not present: no real Asterisk here")
	}
	conf := filepath.Join(t.TempDir(), "conf")
	if err := ConfigCopy(filepath.Join(realasterisk.RepoRoot(), "asterisk-config"), conf, 4); err != nil {
		t.Fatal(err)
	}
	ast, err := realasterisk.Start(t.Context(), realasterisk.Options{ConfigDir: conf, TestExtensions: Dialplan(ControllerPrompts, 0.25), Log: t.Logf})
	if errors.Is(err, realasterisk.ErrNotPresent) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ast.Stop() })
	return ast, NewARI(ast.ARIURL, ast.ARIUser, ast.ARIPassword)
}

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("HOTLINE_DEBUG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// runDriver connects a caller driver.
func runDriver(t *testing.T, ari *ARI) *Driver {
	d := NewDriver(ari, "benchcaller", testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx, ready) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-ready:
	case <-done:
		t.Fatal("driver could not connect")
	}
	return d
}

// The minimal application and Queue() each carry a few calls of the
// benchmark's shape to the end: answered, set up, survey answered.
func TestMinimalAndQueueAppCalls(t *testing.T) {
	_, ari := startBenchAsterisk(t)
	d := runDriver(t, ari)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan struct{})
	p := ControllerPrompts
	go func() {
		defer close(done)
		_ = RunMinimal(ctx, MinimalOptions{ARI: ari, App: "hotline", Menus: SoundLists(p.Menus), Hold: SoundURIs(p.Hold),
			Agents: 4, Survey: SoundURIs(p.Survey), Thanks: SoundURIs(p.Thanks), Logger: testLogger(t)}, ready)
	}()
	defer func() { cancel(); <-done }()
	<-ready
	for _, ep := range []string{"Local/3459491000@from-trunk", "Local/3459491000@" + queueContext} {
		calls := d.Offer(t.Context(), ep, 2, time.Second, time.Minute)
		r := d.Summarise(2, calls)
		t.Logf("%s: %+v", ep, r)
		if r.Offered != 2 || r.Completed != 2 || r.SetUp != 2 || r.SetupP99 == nil {
			t.Errorf("%s: %+v", ep, r)
		}
	}
}
