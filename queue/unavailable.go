package queue

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/publicservice/hotline"
	"github.com/redis/go-redis/v9"
)

// unavailableError is a Redis that cannot be reached or cannot serve now
// (connection refused or lost, a timeout, LOADING, MASTERDOWN, CLUSTERDOWN,
// TRYAGAIN, READONLY during a failover). It unwraps to both the
// hotline.EUNAVAILABLE error (so the HTTP API answers 503) and the cause.
type unavailableError struct {
	op  string
	err error
}

func (e *unavailableError) Error() string {
	return "queue: " + e.op + ": redis unavailable: " + e.err.Error()
}

func (e *unavailableError) Unwrap() []error {
	return []error{hotline.Errorf(hotline.EUNAVAILABLE, "Redis is unavailable (%s)", e.op), e.err}
}

// Unavailable reports whether err means that Redis could not be reached or
// could not serve (as opposed to a refused operation): the caller may retry
// once Redis is back.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ue *unavailableError
	return errors.As(err, &ue) || unreachable(err)
}

// unreachable classifies a raw go-redis error.
func unreachable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, redis.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, redis.ErrPoolTimeout) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	if errors.As(err, &oe) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"LOADING", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "READONLY", "connection refused",
		"i/o timeout", "broken pipe", "connection reset", "no reachable", "failover", "all sentinels"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
