#!/usr/bin/env bash
# Runs the product on one machine: the ARI simulator, the controller, simulated
# callers and agents, and the HTTP server (default http://localhost:8080).
# Extra arguments go to `hotline demo` (e.g. -addr :9090).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/services.sh
exec go run ./cmd/hotline demo "$@"
