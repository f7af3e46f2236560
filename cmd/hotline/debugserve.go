package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	runpprof "runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/publicservice/hotline/queue"
)

// serviceCounters counts what a process asks of Redis and Postgres, for
// -debug-addr's /debug/counters. It is a go-redis hook and a pgx tracer.
type serviceCounters struct {
	redisCommands, redisRoundTrips atomic.Int64
	pgStatements, pgRoundTrips     atomic.Int64

	mu     sync.Mutex
	detail map[string]int64 // by Redis command name / start of SQL
}

// note counts one command or statement by kind (/debug/counters/detail).
func (c *serviceCounters) note(kind string) {
	c.mu.Lock()
	if c.detail == nil {
		c.detail = map[string]int64{}
	}
	c.detail[kind]++
	c.mu.Unlock()
}

// sqlKind is the start of a statement, whitespace folded.
func sqlKind(sql string) string {
	f := strings.Fields(sql)
	if len(f) > 6 {
		f = f[:6]
	}
	return "pg " + strings.Join(f, " ")
}

var (
	_ redis.Hook         = (*serviceCounters)(nil)
	_ pgx.QueryTracer    = (*serviceCounters)(nil)
	_ pgx.BatchTracer    = (*serviceCounters)(nil)
	_ pgx.CopyFromTracer = (*serviceCounters)(nil)
)

// redisName is a command's name for the counters; EVALSHA names its script.
func redisName(cmd redis.Cmder) string {
	if cmd.Name() == "evalsha" {
		if args := cmd.Args(); len(args) > 1 {
			if sha, ok := args[1].(string); ok && queue.ScriptNames[sha] != "" {
				return "evalsha " + queue.ScriptNames[sha]
			}
		}
	}
	return cmd.FullName()
}

func (c *serviceCounters) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *serviceCounters) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.redisCommands.Add(1)
		c.redisRoundTrips.Add(1)
		c.note("redis " + redisName(cmd))
		return next(ctx, cmd)
	}
}

func (c *serviceCounters) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.redisCommands.Add(int64(len(cmds)))
		c.redisRoundTrips.Add(1)
		for _, cmd := range cmds {
			c.note("redis pipelined " + redisName(cmd))
		}
		return next(ctx, cmds)
	}
}

func (c *serviceCounters) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.pgStatements.Add(1)
	c.note(sqlKind(d.SQL))
	c.pgRoundTrips.Add(1)
	return ctx
}

func (c *serviceCounters) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (c *serviceCounters) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.pgRoundTrips.Add(1)
	return ctx
}

func (c *serviceCounters) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.pgStatements.Add(1)
	c.note("batched " + sqlKind(d.SQL))
}

func (c *serviceCounters) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (c *serviceCounters) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	c.pgStatements.Add(1)
	c.note("pg COPY " + d.TableName.Sanitize())
	c.pgRoundTrips.Add(1)
	return ctx
}

func (c *serviceCounters) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

// add puts the counts into m (/debug/counters' JSON).
func (c *serviceCounters) add(m map[string]int64) {
	m["redis_commands"] = c.redisCommands.Load()
	m["redis_round_trips"] = c.redisRoundTrips.Load()
	m["pg_statements"] = c.pgStatements.Load()
	m["pg_round_trips"] = c.pgRoundTrips.Load()
}

// details is a copy of the counts by kind.
func (c *serviceCounters) details() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.detail)
}

// startDebug serves, on a loopback address only, net/http/pprof under
// /debug/pprof/, counters() as JSON on /debug/counters and detail() (counts
// by Redis command and statement) on /debug/counters/detail (with the Go
// runtime's allocation and goroutine counts added). It returns the
// address listened on and a function that stops the server.
func startDebug(addr string, counters, detail func() map[string]int64) (string, func(), error) {
	if err := checkLoopback(addr); err != nil {
		return "", nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/counters", func(w http.ResponseWriter, _ *http.Request) {
		m := counters()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		m["go_alloc_bytes"] = int64(ms.TotalAlloc)
		m["go_mallocs"] = int64(ms.Mallocs)
		m["go_gc_cycles"] = int64(ms.NumGC)
		m["goroutines"] = int64(runtime.NumGoroutine())
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m)
	})
	mux.HandleFunc("/debug/counters/detail", func(w http.ResponseWriter, _ *http.Request) {
		m := map[string]int64{}
		if detail != nil {
			m = detail()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(m)
	})
	hs, ln, err := listenHTTP(addr, mux)
	if err != nil {
		return "", nil, err
	}
	return ln.Addr().String(), func() { _ = hs.Close() }, nil
}

// checkLoopback refuses a -debug-addr that is not host:port on loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-debug-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-debug-addr %q: only a loopback address (127.0.0.1, ::1, localhost) is allowed", addr)
	}
	return nil
}

// debugAddrRule is checkLoopback as a flag rule ("" is off).
func debugAddrRule(addr string) rule {
	if addr == "" {
		return rule{false, ""}
	}
	err := checkLoopback(addr)
	if err == nil {
		return rule{false, ""}
	}
	return rule{true, err.Error()}
}

// startCPUProfile writes a CPU profile of the whole process to path until
// the returned function is called ("" does nothing).
func startCPUProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := runpprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() { runpprof.StopCPUProfile(); f.Close() }, nil
}
