// Package redistest starts real Redis servers of a test's own (standalone,
// Cluster, Sentinel) on free loopback ports, and kills and restarts them to
// inject faults. It never touches the shared Redis on 127.0.0.1:6379.
//
// Every process is started by the test and stopped in tb.Cleanup (by its own
// pid). A test skips, with a clear message, only when redis-server is not
// installed.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Binary is the redis-server executable ("" when not installed).
func Binary() string {
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return ""
	}
	return p
}

// Need skips tb when redis-server (and redis-cli) are not installed.
func Need(tb testing.TB) {
	tb.Helper()
	if Binary() == "" {
		tb.Skip("redis-server is not installed (apt-get install redis-server): skipping the test that runs its own Redis")
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		tb.Skip("redis-cli is not installed: skipping the test that runs its own Redis")
	}
}

// Server is one redis-server process of the test's own.
type Server struct {
	tb   testing.TB
	Port int
	Dir  string   // its working directory (data, config, log)
	Args []string // extra arguments after the defaults

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs a redis-server on a free loopback port, without persistence
// (--save "" --appendonly no) unless args say otherwise, and waits until it
// answers PING. It is killed in tb.Cleanup.
func Start(tb testing.TB, args ...string) *Server {
	tb.Helper()
	Need(tb)
	s := &Server{tb: tb, Port: FreePort(tb), Dir: tb.TempDir(), Args: args}
	s.launch()
	tb.Cleanup(s.Kill)
	return s
}

// Addr is "127.0.0.1:<port>".
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is "redis://127.0.0.1:<port>/0".
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Client returns a client of this server (closed in tb.Cleanup) with short
// timeouts, as the controller uses.
func (s *Server) Client() *redis.Client {
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), DialTimeout: 500 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second, MaxRetries: 1})
	s.tb.Cleanup(func() { _ = c.Close() })
	return c
}

// baseArgs are the defaults every server gets.
func (s *Server) baseArgs() []string {
	return []string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--dir", s.Dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
		"--logfile", filepath.Join(s.Dir, "redis.log")}
}

func (s *Server) launch() { s.launchArgs(append(s.baseArgs(), s.Args...)) }

func (s *Server) launchArgs(args []string) {
	s.tb.Helper()
	cmd := exec.Command(Binary(), args...)
	cmd.Dir = s.Dir
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("redistest: start redis-server: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	if err := waitPing(s.Addr(), done, 10*time.Second); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
		s.tb.Fatalf("redistest: redis-server on %s: %v\n%s", s.Addr(), err, tail(string(log), 2000))
	}
}

// Kill stops the server at once (SIGKILL, as a crash) and waits for it to exit.
// Its data is gone unless persistence was on. Killing a stopped server does nothing.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	<-done
}

// Running reports whether the server process is up.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Restart starts the server again on the same port and directory (after
// Kill). Without persistence it comes back empty, with a new run id.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Kill()
	s.launch()
}

// Pid is the process id of the running server (0 when stopped).
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// RunID is the server's INFO server run_id.
func RunID(ctx context.Context, c redis.Cmdable) (string, error) {
	info, err := c.Info(ctx, "server").Result()
	if err != nil {
		return "", err
	}
	return InfoField(info, "run_id"), nil
}

// InfoField is one "name:value" field of an INFO reply.
func InfoField(info, name string) string {
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), name+":"); ok {
			return v
		}
	}
	return ""
}

func waitPing(addr string, exited chan struct{}, limit time.Duration) error {
	c := redis.NewClient(&redis.Options{Addr: addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		err := c.Ping(ctx).Err()
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("exited: %w", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no PONG after %v: %w", limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var portMu sync.Mutex

// FreePort returns a loopback port that is free now and whose cluster bus
// port (+10000) is free too. Never 6379.
func FreePort(tb testing.TB) int {
	tb.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	for i := 0; i < 200; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("redistest: free port: %v", err)
		}
		p := ln.Addr().(*net.TCPAddr).Port
		_ = ln.Close()
		if p == 6379 || p+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		if err != nil {
			continue
		}
		_ = bus.Close()
		return p
	}
	tb.Fatalf("redistest: no free port pair found")
	return 0
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
