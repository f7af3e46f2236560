#!/usr/bin/env bash
# Runs the product on one machine: the ARI simulator, the controller, simulated
# callers and agents, and the HTTP server (default http://localhost:8080).
# Extra arguments go to `hotline demo` (e.g. -addr :9090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
# Build, then exec the binary itself: a signal sent to this script's pid reaches `hotline demo` (go run would
# not pass it on).
bin="${HOTLINE_BIN:-${TMPDIR:-/tmp}/hotline-demo-$(id -u)}"
go build -o "$bin" ./cmd/hotline
exec "$bin" demo "$@"
