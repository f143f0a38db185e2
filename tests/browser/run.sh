#!/usr/bin/env bash
# The browser test of the embeddable vote (tests/browser/widget.mjs), against the real server
# on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set. Installs what it needs: Chromium
# from the distribution (browsers cannot be downloaded here), playwright-core and axe-core.
# Usage: tests/browser/run.sh path/to/prix-ceser
set -euo pipefail
binary=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
command -v chromium > /dev/null || { apt-get update -qq && apt-get install -y -qq chromium > /dev/null; }
(cd "$here" && npm ci --no-audit --no-fund --silent)
work=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
export ARTIFACTS="${ARTIFACTS:-$here/artifacts}"

run_on() {
  local label=$1 database=$2 port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  DATABASE_URL=$database PRIX_ADDR=127.0.0.1:$port PRIX_STORAGE_DIR="$work/files-$label" \
    PRIX_JWT_SECRET="browser test secret, thirty-two bytes or more" \
    PRIX_VOTER_KEY="browser test voter key, thirty-two bytes" \
    "$binary" serve --demo > "$work/$label.log" 2>&1 &
  local server=$!
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break; sleep 0.2; done
  API="http://127.0.0.1:$port" SERVER_LOG="$work/$label.log" LABEL=$label node "$here/widget.mjs" \
    || { echo "== server log ($label)"; tail -n 40 "$work/$label.log"; exit 1; }
  kill "$server"; wait "$server" 2> /dev/null || true
}

run_on sqlite "sqlite://$work/browser.db?mode=rwc"
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  database="${TEST_POSTGRES_URL%/*}/prix_browser"
  psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS prix_browser WITH (FORCE)" -c "CREATE DATABASE prix_browser" > /dev/null
  run_on postgres "$database"
  psql "$TEST_POSTGRES_URL" -qc "DROP DATABASE IF EXISTS prix_browser WITH (FORCE)" > /dev/null
fi
