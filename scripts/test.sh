#!/usr/bin/env bash
# The one command that runs every test: formatting, vet, and all Go tests
# (unit, integration against real PostgreSQL and Redis, end to end through the
# ARI simulator) with the race detector. Starts PostgreSQL and Redis first.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/services.sh
scripts/tools.sh
export DATABASE_URL="${DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/test?sslmode=disable}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2; echo "$unformatted" >&2; exit 1
fi
go vet ./...
# The real-Asterisk suite runs on its own below (prompts play in real time; it needs the machine's attention).
if [ -x ../shared/asterisk/asterisk.sh ] || [ -n "${HOTLINE_ASTERISK_SH:-}" ]; then
  real_asterisk=1
  # The browser tests on the real Asterisk (./e2e) run with the suite below, not twice.
  HOTLINE_E2E_ASTERISK=later go test -race -count=1 -timeout 30m "$@" $(go list ./... | grep -v '/asterisktest$')
else
  real_asterisk=
  go test -race -count=1 -timeout 30m "$@" $(go list ./... | grep -v '/asterisktest$')
fi
if [ -n "$real_asterisk" ]; then
  scripts/test-asterisk.sh
else
  echo "test.sh: ../shared/asterisk absent: the real-Asterisk suite (scripts/test-asterisk.sh) NOT run"
fi
