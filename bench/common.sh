# Shared by the bench scripts (sourced): builds the release binary, makes a work directory
# removed on exit, and starts servers.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/prix-ceser-target}"
command -v wrk > /dev/null || { apt-get update -qq && apt-get install -y -qq wrk > /dev/null; }
(cd "$root" && cargo build --release --locked --quiet)
binary="$CARGO_TARGET_DIR/release/prix-ceser"
secret="bench secret, at least thirty-two bytes long"
work=$(mktemp -d)
# Scripts add their own clean-up to `on_exit`.
on_exit() { :; }
trap 'kill $(jobs -p) 2> /dev/null || true; on_exit; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts the server on $1 (database URL) with the demo data; sets $server (pid), $base and $api.
start_server() {
  local port
  port=$(free_port)
  base="http://127.0.0.1:$port"
  api="$base/api/v1"
  DATABASE_URL=$1 PRIX_JWT_SECRET=$secret PRIX_VOTER_KEY="bench voter key, also thirty-two bytes" \
    PRIX_ADDR=127.0.0.1:$port PRIX_LOG_FORMAT=json RUST_LOG=warn PRIX_OUTBOX_WORKER=false \
    PRIX_STORAGE_DIR="$work/files" "$binary" serve --demo > "$work/server-$port.log" 2>&1 &
  server=$!
  for _ in $(seq 150); do curl -sf "$base/health/ready" > /dev/null && return; sleep 0.2; done
  echo "the server did not start:" >&2; cat "$work/server-$port.log" >&2; exit 1
}

staff_token() {
  curl -sf -X POST "$api/auth/token" -H 'Content-Type: application/json' \
    -d '{"email": "secretariat@ceser-ara.example", "password": "demo-secretariat-2026"}' | jq -r .access_token
}

# The 6th edition's prize of kind $1.
prize_of_kind() {
  local edition
  edition=$(curl -sf "$api/editions?status=audition" | jq -r '.items[0].id')
  curl -sf "$api/editions/$edition" | jq -r --arg kind "$1" '.prizes[] | select(.kind == $kind) | .id'
}

# Prints $2 voter tokens for the prize $1, as the confirmation endpoint issues them (the email
# round trip is not what is measured), one distinct voter each.
voter_tokens() {
  python3 - "$secret" "$1" "$2" <<'PY'
import base64, hashlib, hmac, json, sys, time, uuid
secret, prize, count = sys.argv[1].encode(), sys.argv[2], int(sys.argv[3])
b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
now = int(time.time())
for _ in range(count):
    claims = {"sub": str(uuid.uuid4()), "roles": ["public"], "prize": prize, "iat": now, "exp": now + 3600,
              "iss": "prix-ceser", "aud": "prix-ceser-voter", "jti": str(uuid.uuid4())}
    body = header + "." + b64(json.dumps(claims).encode())
    print(body + "." + b64(hmac.new(secret, body.encode(), hashlib.sha256).digest()))
PY
}
