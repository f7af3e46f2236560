#!/usr/bin/env bash
# Makes sure the tools the end-to-end tests use are on this machine (Debian):
# Debian's chromium (browser tests, never a downloaded browser), SIPp
# (sip-tester: real SIP agents and trunks), openssl (test certificates), Node.js
# with the e2e/ packages (playwright-core, JsSIP), and, when ../shared/asterisk
# is beside the repository, the real Asterisk 22 it carries. Safe to run
# repeatedly; installs need root or sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v sipp     >/dev/null 2>&1 || need+=(sip-tester)
command -v openssl  >/dev/null 2>&1 || need+=(openssl)
command -v node     >/dev/null 2>&1 || need+=(nodejs)
command -v npm      >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "tools: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d e2e/node_modules/playwright-core ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  echo "tools: npm ci in e2e/" >&2
  (cd e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -x ../shared/asterisk/asterisk.sh ]; then
  ../shared/asterisk/asterisk.sh install >/dev/null 2>&1 || ../shared/asterisk/asterisk.sh install
fi
echo "tools: chromium, sipp, node and e2e packages are ready" >&2
