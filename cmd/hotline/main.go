// Command hotline is the contact centre in one binary:
//
//	hotline serve      the controller and its HTTP server against a real Asterisk (ARI)
//	hotline arisim     the ARI simulator as a server, for trying the controller by hand
//	hotline demo       everything on one machine: simulator, controller, simulated callers and agents
//	hotline simulate   a simulated day on the accelerated clock; prints figures and ground truth as JSON
//	hotline bench      benchmarks (hotline bench calls)
//	hotline user       staff accounts: add, password, token
//	hotline retention  anonymise tickets' personal fields after the retention period
//
// Secrets and URLs come from the environment: ARI_URL, ARI_USER, ARI_PASSWORD,
// ARI_APP, DATABASE_URL, REDIS_URL; HOTLINE_CONFIG names the YAML
// configuration (default: the shipped sample).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	m := NewMain(os.Stdout, os.Stderr)
	ctx, stop := signalContext()
	defer stop()
	err := m.Run(ctx, os.Args[1:])
	code := exitCode(err)
	if code == 1 { // misuse was printed with its usage already
		fmt.Fprintln(os.Stderr, "hotline:", err)
	}
	stop()
	os.Exit(code)
}

// Main is the program, so tests can boot it on port 0.
type Main struct {
	Stdout, Stderr io.Writer
	// Stdin is where "hotline user" reads a password (default os.Stdin).
	Stdin  io.Reader
	Logger *slog.Logger
	// OnListen, when set, is told each address a command listens on
	// ("http", "ari"), so tests can boot commands on port 0.
	OnListen func(what, addr string)
}

func (m *Main) listening(what, addr string) {
	if m.OnListen != nil {
		m.OnListen(what, addr)
	}
}

// NewMain returns a Main logging to stderr.
func NewMain(stdout, stderr io.Writer) *Main {
	lvl := slog.LevelInfo
	if os.Getenv("HOTLINE_DEBUG") != "" {
		lvl = slog.LevelDebug
	}
	return &Main{Stdout: stdout, Stderr: stderr, Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))}
}

var errUsage = errors.New("usage")

const usage = `usage: hotline <command> [flags]

commands:
  serve      run the controller against a real Asterisk (ARI_URL, ARI_USER, ARI_PASSWORD)
  arisim     run the ARI simulator (-addr 127.0.0.1:8088 -user U -password P)
  demo       simulator + controller + simulated callers and agents, HTTP on -addr (default :8080)
  simulate   a simulated day: -calls N -agents N -hours H -seed S; prints JSON
  bench      benchmarks: "hotline bench calls" prints JSON figures
  user       staff accounts: "hotline user add -username U -role agent -agent a101" (password on stdin)
  retention  anonymise tickets' personal fields after complaints.retention; prints JSON

Run "hotline <command> -h" for a command's flags.
`

// Run runs one command.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return m.serve(ctx, args[1:])
	case "arisim":
		return m.arisim(ctx, args[1:])
	case "demo":
		return m.demo(ctx, args[1:])
	case "simulate":
		return m.simulate(ctx, args[1:])
	case "bench":
		return m.bench(ctx, args[1:])
	case "user":
		return m.user(ctx, args[1:])
	case "retention":
		return m.retention(ctx, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(m.Stdout, usage)
		return nil
	default:
		fmt.Fprintf(m.Stderr, "hotline: unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}

// signalContext is cancelled by the first SIGINT/SIGTERM (drain); a second
// signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-ch
		slog.Warn("signal received: draining; send it again to exit at once")
		cancel()
		<-ch
		slog.Warn("second signal: exiting")
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// env returns the environment variable or def.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
