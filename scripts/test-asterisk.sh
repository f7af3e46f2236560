#!/usr/bin/env bash
# The real-Asterisk suite alone: every journey through `hotline serve` against the real Asterisk 22 of
# ../shared/asterisk (started with the shipped asterisk-config/), compared with the same journeys on the
# simulator; the dialplan fallback, load shedding, restart re-adoption, the drain; the harness itself; and
# the browser tests on the real Asterisk in ./e2e (HOTLINE_E2E_ASTERISK_RUN= leaves them out).
# Exits non-zero on any failure, or when ../shared/asterisk is absent (HOTLINE_ASTERISK_SH overrides).
# Extra arguments go to `go test` (e.g. -run 'TestRealAsteriskJourneys/journeys/callback').
# The full log is kept in $TMPDIR/hotline-test-asterisk.log.
set -euo pipefail
cd "$(dirname "$0")/.."

sh=${HOTLINE_ASTERISK_SH:-../shared/asterisk/asterisk.sh}
if [ ! -x "$sh" ]; then
  echo "test-asterisk: NOT run against a real Asterisk: $sh is absent" >&2
  exit 1
fi
export DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/test?sslmode=disable}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
log=${TMPDIR:-/tmp}/hotline-test-asterisk.log
start=$(date +%s)
set +e
go test -count=1 -v -timeout 20m "$@" ./asterisktest/ ./internal/realasterisk/ >"$log" 2>&1
rc=$?
# The browser tests on the real Asterisk (headless Chromium, JsSIP over WSS): the agent panel's whole
# flow with listen/whisper/barge, and the bare softphone. They skip, saying why, without node or chromium.
e2e_run=${HOTLINE_E2E_ASTERISK_RUN:-'TestAgentPanelOnRealAsterisk|TestWebRTCAgentAnswersACall'}
if [ -n "$e2e_run" ]; then
  echo "test-asterisk: the browser tests on the real Asterisk (./e2e -run '$e2e_run')" >>"$log"
  go test -count=1 -v -timeout 15m -run "$e2e_run" ./e2e/ >>"$log" 2>&1 || rc=1
  grep -E '_test\.go:[0-9]+: NOT run' "$log" | sed 's/^ */test-asterisk: skipped: /' || true
fi
set -e
# What ran against what, every failure with its messages, and the verdict per package.
grep -E '^asterisktest:|ran against real Asterisk|^\s*--- FAIL|^(ok|FAIL|PASS)\b|^\s+\S+_test\.go:[0-9]+: .*(differ|want|never|not |lacks|timed out|more than)' "$log" | grep -v 'not counted' || true
echo "test-asterisk: $(grep -c -- '--- PASS' "$log") passed, $(grep -c -- '--- FAIL' "$log") failed, $(( $(date +%s) - start )) s of wall time; full log: $log"
if ! grep -q 'ran against real Asterisk' "$log"; then
  echo "test-asterisk: the suite did not run against a real Asterisk" >&2
  exit 1
fi
exit $rc
