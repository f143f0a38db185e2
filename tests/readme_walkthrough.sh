#!/usr/bin/env bash
# Runs the README's curl walk-through verbatim against a fresh server on a scratch database.
# Usage: tests/readme_walkthrough.sh PATH_TO_PRIX_CESER_BINARY
set -euo pipefail
binary=$(realpath "$1")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

cd "$work"
"$binary" serve --demo > server.log 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:8080/health/ready > /dev/null && break; sleep 0.2; done
kill -0 "$server" || { cat server.log; echo "the server did not start (is port 8080 taken?)" >&2; exit 1; }

script=$(awk '/^```sh walkthrough$/ {on=1; next} /^```$/ {on=0} on' "$root/README.md")

eval "$script"

echo "README walk-through: OK"
