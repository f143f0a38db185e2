#!/usr/bin/env bash
# The contract as integrators use it:
#   1. Redocly (recommended rules) and Spectral (spectral:oas) lint openapi/openapi.json: no
#      error, no warning that is not switched off with its reason (openapi/lint/);
#   2. openapi-typescript generates a TypeScript client, which tsc --strict type-checks with a
#      script using it (openapi/client/demo.ts);
#   3. that script calls the demo server.
# Usage: .ci/lint-contract.sh path/to/prix-ceser
set -euo pipefail
binary=$(realpath "$1")
cd "$(dirname "$0")/.."
lint=$PWD/openapi/lint client=$PWD/openapi/client
(cd "$lint" && npm ci --no-audit --no-fund --silent)
"$lint/node_modules/.bin/redocly" lint openapi/openapi.json --config "$lint/redocly.yaml" --max-problems 50
"$lint/node_modules/.bin/spectral" lint openapi/openapi.json --ruleset "$lint/spectral.yaml" --fail-severity warn

(cd "$client" && npm ci --no-audit --no-fund --silent \
  && node_modules/.bin/openapi-typescript ../openapi.json -o generated/schema.d.ts \
  && node_modules/.bin/tsc -p .)

work=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL="sqlite://$work/client.db?mode=rwc" PRIX_ADDR=127.0.0.1:$port PRIX_STORAGE_DIR="$work/files" \
  "$binary" serve --demo > "$work/server.log" 2>&1 &
for _ in $(seq 150); do curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break; sleep 0.2; done
PRIX_API="http://127.0.0.1:$port" node "$client/build/demo.js"
