#!/usr/bin/env bash
# Rebuilds web/assets/vendor/jssip.min.js from the JsSIP npm package pinned in
# e2e/package.json (one IIFE bundle exposing window.JsSIP), so the browser
# softphone never fetches anything at run time.
set -euo pipefail
cd "$(dirname "$0")/../e2e"
npm ci --no-audit --no-fund
npx esbuild node_modules/jssip/lib/JsSIP.js --bundle --format=iife --global-name=JsSIP --minify \
  --outfile=../web/assets/vendor/jssip.min.js
