#!/usr/bin/env bash
# Spec-driven fuzzing of the built server with schemathesis.
#
# Usage: .ci/fuzz.sh PATH_TO_BINARY
#
# Runs schemathesis once per identity (anonymous, applicant, organization admin, juror),
# each against its own server on a fresh demo database, so that what one identity's
# run changes (transitions, deletions, new files…) cannot skew the next one. Fails on
# any 5xx, any response outside the OpenAPI contract, and any identity reaching what its
# role or its organization does not allow.
#
# Knobs (environment): FUZZ_MAX_EXAMPLES (per operation and phase, default 30),
# FUZZ_SEED (default 1: CI replays the same cases; change it to explore), FUZZ_PORT
# (default 18080), FUZZ_WORKDIR (default: a new directory under /tmp, kept for reading).
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-30}"
SEED="${FUZZ_SEED:-1}"
PORT="${FUZZ_PORT:-18080}"
BASE="http://127.0.0.1:$PORT"

[ $# -eq 1 ] || { echo "usage: $0 PATH_TO_BINARY" >&2; exit 2; }
[ -x "$1" ] || { echo "fuzz: $1 is not an executable" >&2; exit 2; }
BIN="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
WORK="${FUZZ_WORKDIR:-$(mktemp -d /tmp/prix-fuzz.XXXXXX)}"
mkdir -p "$WORK"

if [ "$(python3 -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2> /dev/null)" \
  != "$SCHEMATHESIS_VERSION" ]; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION"
  python3 -m pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
command -v curl > /dev/null || { apt-get update -qq && apt-get install -y -qq curl > /dev/null; }

SERVER_PID="" FUZZER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=""
  fi
}
cleanup() {
  [ -z "$FUZZER_PID" ] || kill "$FUZZER_PID" 2> /dev/null || true
  stop_server
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fresh server on a fresh demo database in $1. The limits on logins and voter codes are
# lifted: the fuzzer logs in and asks for codes far faster than any person, and 429s would
# only hide what lies behind them. Tokens outlive the longest run.
start_server() {
  local dir=$1
  if curl -s -o /dev/null "$BASE/health/live"; then
    echo "fuzz: something already listens on port $PORT (set FUZZ_PORT)" >&2
    return 1
  fi
  (cd "$dir" && exec env PRIX_ADDR="127.0.0.1:$PORT" \
    PRIX_AUTH_RATE_LIMIT=100000 PRIX_VOTER_RATE_LIMIT=100000 PRIX_VOTER_CODES_PER_DOMAIN=1000000 \
    PRIX_ACCESS_TOKEN_TTL=7200 PRIX_LOG_FORMAT=json RUST_LOG="${FUZZ_RUST_LOG:-warn}" \
    "$BIN" serve --demo > server.log 2>&1) &
  SERVER_PID=$!
  for _ in $(seq 100); do
    curl -sf "$BASE/health/ready" > /dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2> /dev/null || break
    sleep 0.2
  done
  echo "fuzz: the server did not become ready; its log:" >&2
  tail -n 40 "$dir/server.log" >&2
  return 1
}

# Who may get a 2xx from which operation, as a schemathesis check. schemathesis's own auth
# checks only compare "with the token" to "without": none knows roles or organizations.
cat > "$WORK/authz_hooks.py" << 'PY'
"""Authorization oracle for .ci/fuzz.sh, loaded by schemathesis through SCHEMATHESIS_HOOKS."""
import json
import os
import re

import schemathesis

PUBLIC = "public"  # Rule::Public and Rule::Optional: anyone, with or without a token
ANY_ACCOUNT = "authenticated"
ADMIN, APPLICANT, JURY = {"admin"}, {"applicant"}, {"jury"}

# operationId -> who may succeed. The same rules as src/auth/policy.rs, written out again on
# purpose: widening a rule there fails here until someone decides it was meant.
RULES = {
    **dict.fromkeys(
        ["health_live", "health_ready", "register", "issue_token", "refresh_session", "logout",
         "accept_invitation", "list_organizations", "get_organization", "list_editions",
         "get_edition", "get_prize", "list_colleges", "list_candidates", "list_laureates", "export_results", "get_signed_results", "get_jwks", "get_ballot", "check_receipt",
         "get_results", "list_receipt_hashes", "live_results", "request_voter_code", "confirm_voter_code",
         "resend_verification", "forgot_password", "reset_password", "get_widget_asset",
         "get_widget_page", "get_ceremony_screen"], PUBLIC),
    **dict.fromkeys(["get_me", "update_me", "export_me", "delete_me", "verify_email", "create_api_token",
                     "list_api_tokens", "get_api_token", "revoke_api_token"], ANY_ACCOUNT),
    **dict.fromkeys(
        ["create_user", "list_users", "get_user", "update_user", "list_audit_events",
         "create_organization", "update_organization", "list_organization_admins",
         "add_organization_admin", "remove_organization_admin", "create_edition",
         "update_edition", "transition_edition", "replace_criteria", "create_prize",
         "update_prize", "delete_prize", "reopen_application", "review_application",
         "set_application_visibility", "export_applications", "set_jury_member",
         "remove_jury_member", "check_jury_composition", "list_conflicts", "assign_reviewers",
         "list_assignments", "add_assignment", "remove_assignment", "reopen_scorecard",
         "confirm_shortlist", "schedule_audition", "set_ballot_window", "open_ballot",
         "close_ballot", "break_tie", "publish_results", "set_councillor", "list_councillors",
         "remove_councillor", "import_councillors", "create_college", "rename_college",
         "delete_college", "create_webhook", "list_webhooks",
         "get_webhook", "update_webhook", "delete_webhook", "rotate_webhook_secret",
         "list_webhook_deliveries", "redeliver_webhook_delivery"], ADMIN),
    **dict.fromkeys(
        ["create_application", "update_application", "submit_application",
         "withdraw_application", "upload_attachment", "delete_attachment"], APPLICANT),
    **dict.fromkeys(
        ["list_applications", "get_application", "list_attachments", "download_attachment"],
        APPLICANT | ADMIN),
    **dict.fromkeys(["list_jury_files", "save_scorecard", "submit_scorecard"], JURY),
    **dict.fromkeys(
        ["list_jury_members", "declare_conflict", "list_application_conflicts", "list_scorecards", "get_rankings",
         "export_rankings", "decide_prize", "get_prize_decision"], JURY | ADMIN),
    "cast_vote": {"councillor", "public"},
}
# Organization admins get 403 there: only platform admins may.
PLATFORM_ONLY = {"create_organization", "create_user"}

# Written by the setup step: this run's identity and the ids it must not reach.
IDENTITY = json.load(open(os.environ["PRIX_FUZZ_IDENTITY"]))
ROLES = set(IDENTITY["roles"])
FOREIGN = set(IDENTITY["foreign"])
FOREIGN_BY_OPERATION = {op: set(ids) for op, ids in IDENTITY["foreign_by_operation"].items()}


def _denied(operation_id):
    rule = RULES[operation_id]
    if rule == PUBLIC:
        return None
    if rule == ANY_ACCOUNT:
        return None if IDENTITY["authenticated"] else "an account"
    if operation_id in PLATFORM_ONLY and not IDENTITY["platform_admin"]:
        return "a platform admin"
    return None if ROLES & rule else " or ".join(sorted(rule))


CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@schemathesis.hook
def map_body(context, body):
    """Multipart part names travel in a Content-Disposition header, where control characters
    are not allowed (RFC 9110): the server rightly answers 400, whatever the schema says."""
    operation = context.operation
    if operation is not None and operation.definition.raw.get("operationId") == "upload_attachment" \
            and isinstance(body, dict):
        return {name: value for name, value in body.items() if not CONTROL_CHARACTERS.search(name)}
    return body


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """Every operation needs a row here, as every one has in the server's own table."""
    missing = sorted(
        op["operationId"] for item in raw_schema["paths"].values() for op in item.values()
        if isinstance(op, dict) and op.get("operationId") not in RULES)
    if missing:
        raise RuntimeError("no authorization rule in .ci/fuzz.sh for " + ", ".join(missing))


@schemathesis.check
def role_authorization(ctx, response, case):
    if not 200 <= response.status_code < 300:
        return None
    operation_id = case.operation.definition.raw["operationId"]
    who = f"{IDENTITY['name']} (roles: {', '.join(sorted(ROLES)) or 'none'})"
    needed = _denied(operation_id)
    if needed:
        raise AssertionError(f"{who} got {response.status_code} from {operation_id}, "
                             f"which only {needed} may call")
    if RULES[operation_id] == PUBLIC:
        return None
    foreign = FOREIGN_BY_OPERATION.get(operation_id, FOREIGN)
    targeted = foreign & {str(value) for value in (case.path_parameters or {}).values()}
    if targeted:
        raise AssertionError(f"{who} got {response.status_code} from {operation_id} on "
                             f"{', '.join(sorted(targeted))}, which is not theirs (expected 404)")
    body = response.content.decode("utf-8", "replace")
    leaked = sorted(i for i in foreign if i in body)
    if leaked:
        raise AssertionError(f"{who} was shown {', '.join(leaked)} by {operation_id}, "
                             "which belongs to another organization, edition or applicant")
    if not IDENTITY["platform_admin"] and operation_id in ("create_user", "update_user"):
        if '"platform_admin":true' in body.replace(" ", ""):
            raise AssertionError(f"{who} made a platform admin through {operation_id}")
    return None
PY

# Logs in, completes the demo data where it leaves an identity with nothing to reach, lists
# the demo's ids, and writes this run's identity file and schemathesis configuration.
cat > "$WORK/setup.py" << 'PY'
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

base, identity_name, email, password, out = sys.argv[1:]
api = base + "/api/v1"


def call(method, path, token=None, body=None, form_file=None):
    headers, data = {}, None
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body).encode()
    if form_file is not None:
        boundary = "prix-fuzz-boundary"
        headers["Content-Type"] = "multipart/form-data; boundary=" + boundary
        data = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                f"filename=\"dossier.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").encode()
        data += form_file + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(api + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"fuzz setup: {method} {path} -> {error.code} {error.read()[:500]!r}")
    return json.loads(raw) if raw else None


def login(address, secret):
    return call("POST", "/auth/token", body={"email": address, "password": secret})["access_token"]


def every(path, token):
    items, cursor = [], None
    while True:
        page = call("GET", path + ("&cursor=" + urllib.parse.quote(cursor) if cursor else ""), token)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


admin = login("admin@prix-ceser.example", "demo-admin-2026")
organizations = {o["short_name"]: o for o in every("/organizations?limit=200", admin)}
editions = [call("GET", f"/editions/{e['id']}", admin)
            for e in every("/editions?limit=200", admin)]
ara = organizations["ceser-ara"]["id"]
sixth = next(e for e in editions if e["organization_id"] == ara and e["status"] == "audition")
open_edition = next(e for e in editions if e["status"] == "applications_open")
users = {u["email"]: u for u in every("/users?limit=200", admin)}
juror = users["presidence@ceser-ara.example"]["id"]

# The juror sits on the 6th edition's jury (as the demo seats it: this writes nothing new) and
# on the councillors' roster.
call("PUT", f"/editions/{sixth['id']}/jury/{juror}", admin, {"seat": "president"})
call("PUT", f"/organizations/{ara}/councillors/{juror}", admin, {"college": "Collège 1 — entreprises"})
# Demo files have no applicant account: give the applicant's neighbour a draft and an
# attachment, which the applicant must not reach.
paul = login("paul.durand@example.org", "demo-candidat-2026")
draft = call("POST", f"/editions/{open_edition['id']}/applications", paul,
             {"action_title": "Atelier vélo du quartier"})
attachment = call("POST", f"/applications/{draft['id']}/attachments", paul,
                  form_file=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n")

applications = every("/applications?limit=200", admin)
edition_of = {e["id"]: e for e in editions}
prizes = [p for e in editions for p in e["prizes"]]
ids = {
    "organizations": [o["id"] for o in organizations.values()],
    "editions": list(edition_of),
    "prizes": [p["id"] for p in prizes],
    "applications": [a["id"] for a in applications],  # the draft among them
    "attachments": [attachment["id"]],
    "users": [u["id"] for u in users.values()],
}


def of_organizations(keep):
    """Ids of organizations, editions, prizes and files outside the organizations in `keep`."""
    out = [o["id"] for o in organizations.values() if o["id"] not in keep]
    out += [e["id"] for e in editions if e["organization_id"] not in keep]
    out += [p["id"] for p in prizes if edition_of[p["edition_id"]]["organization_id"] not in keep]
    out += [a["id"] for a in applications if edition_of[a["edition_id"]]["organization_id"] not in keep]
    return out


roles, foreign, foreign_by_operation = [], [], {}
if identity_name == "applicant":
    roles = ["applicant"]
    foreign = ids["applications"] + ids["attachments"]  # none is theirs at the start
elif identity_name == "organization-admin":
    roles = ["admin"]
    foreign = of_organizations({ara})
elif identity_name == "juror":
    roles = ["jury", "councillor"]
    # A councillor of the CESER AuRA who sits on its 6th edition's jury only.
    foreign = of_organizations({ara})
    for edition in editions:
        if edition["organization_id"] == ara and edition["id"] != sixth["id"]:
            foreign += [edition["id"], *(p["id"] for p in edition["prizes"])]
            foreign += [a["id"] for a in applications if a["edition_id"] == edition["id"]]
    # Votes go to any prize of the organization's roster (closed ballots answer 409).
    foreign_by_operation["cast_vote"] = of_organizations({ara})

token = login(email, password) if identity_name != "anonymous" else ""
with open(f"{out}/token", "w") as f:
    f.write(token)
with open(f"{out}/identity.json", "w") as f:
    json.dump({"name": identity_name, "authenticated": bool(token), "roles": roles,
               "platform_admin": False, "foreign": foreign,
               "foreign_by_operation": foreign_by_operation}, f)

# Real ids for the path and query parameters, drawn most of the time, so that cases reach
# the handlers' logic and the ownership checks rather than stopping at 404.
toml = ["""
max-stream-events = 2   # the ceremony screen streams until the client hangs up
request-timeout = 15

# Each run authenticates with its own --header (or not at all): schemathesis must not sign up
# and log in an account of its own, which would make the anonymous run an applicant's.
[auth]
auto-signup = false

[cache]
enabled = false

# 422 is this API's documented answer to a request that is well formed but breaks a business
# rule JSON Schema cannot state (unknown invitation token, wrong voter code, cursor not from
# this list, video host outside the allow-list…). A schema-valid request answered 400, 413 or
# 415 still fails: the server would be parsing something other than its contract.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429", "5xx"]

[parameters]
"query.edition_id" = { dictionary = "editions", probability = 0.8 }
"query.organization_id" = { dictionary = "organizations", probability = 0.8 }
"query.actor_id" = { dictionary = "users", probability = 0.8 }
"path.application_id" = { dictionary = "applications", probability = 0.8 }
"path.user_id" = { dictionary = "users", probability = 0.8 }
"""]
for name, values in ids.items():
    toml.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values)}\n")
for prefix, name in [("applications", "applications"), ("attachments", "attachments"),
                     ("editions", "editions"), ("organizations", "organizations"),
                     ("prizes", "prizes"), ("users", "users")]:
    toml.append(f'[[operations]]\ninclude-path-regex = "^/api/v1/{prefix}/\\\\{{id\\\\}}"\n'
                f'parameters = {{ "path.id" = {{ dictionary = "{name}", probability = 0.8 }} }}\n')
with open(f"{out}/schemathesis.toml", "w") as f:
    f.write("\n".join(toml))

PY

# Checks, and why. The five conformance checks are the contract itself. Beyond them:
# - ignored_auth: an operation that declares bearer auth must refuse a missing or forged
#   token (it replays successful cases without the token and with a bogus one);
# - role_authorization (authz_hooks.py): a role, or an organization, reaching what it may not;
# - negative_data_rejection / positive_data_acceptance: the server accepts exactly what the
#   schemas describe, so the document can be trusted by clients (422 tuned above);
# - missing_required_header, unsupported_method (405 with Allow), allow_header_conformance:
#   cheap, and the server promises them (src/auth/access.rs answers 405 with Allow);
# - use_after_free, ensure_resource_availability: in the stateful phase, a deleted prize or
#   attachment must be gone and a created one reachable.
# Left out: object_level_authorization needs schemathesis to log each identity in itself
# (a WFC auth file with peers), which --header runs cannot give; role_authorization covers
# the same ground with the demo's ownership known in advance.
CHECKS=not_a_server_error,status_code_conformance,content_type_conformance
CHECKS+=,response_schema_conformance,response_headers_conformance,ignored_auth
CHECKS+=,negative_data_rejection,positive_data_acceptance,missing_required_header
CHECKS+=,unsupported_method,allow_header_conformance,use_after_free
CHECKS+=,ensure_resource_availability,role_authorization

declare -A OUTCOME
run_identity() {
  local name=$1 email=${2:-} password=${3:-}
  local dir="$WORK/$name" rc=0 started=$SECONDS
  rm -rf "$dir" && mkdir -p "$dir"
  echo "== $name: fresh server and demo database in $dir"
  start_server "$dir"
  python3 "$WORK/setup.py" "$BASE" "$name" "$email" "$password" "$dir"
  # One worker (the default) keeps a seed's cases in one order; the server needs the other core.
  local args=(--checks "$CHECKS" --max-examples "$MAX_EXAMPLES" --seed "$SEED"
    --generation-database none --no-color --output-truncate false
    --report json,junit --report-dir "$dir/report")
  if [ -s "$dir/token" ]; then
    args+=(--header "Authorization: Bearer $(cat "$dir/token")")
    # Deleting the fuzzing account would turn the rest of the run into 401s. Logout needs
    # no exclusion: it revokes only the refresh token in its body, never this access token.
    args+=(--exclude-operation-id delete_me)
  fi
  # In the background with `wait`, so that a signal stops the run at once, not at its end.
  (cd "$dir" && SCHEMATHESIS_HOOKS="$WORK/authz_hooks.py" PRIX_FUZZ_IDENTITY="$dir/identity.json" \
    exec python3 -m schemathesis.cli --config-file "$dir/schemathesis.toml" run \
    "$BASE/api-docs/openapi.json" "${args[@]}") > >(tee "$dir/schemathesis.log") 2>&1 &
  FUZZER_PID=$!
  wait "$FUZZER_PID" || rc=$?
  FUZZER_PID=""
  if ! kill -0 "$SERVER_PID" 2> /dev/null; then
    echo "fuzz: the server died during the $name run" >&2
    rc=1
  fi
  if grep -q 'panicked' "$dir/server.log"; then
    echo "fuzz: the server panicked during the $name run:" >&2
    grep 'panicked' "$dir/server.log" | head -n 5 >&2
    rc=1
  fi
  stop_server
  OUTCOME[$name]="$rc $((SECONDS - started))"
}

# FUZZ_IDENTITIES narrows the run, e.g. FUZZ_IDENTITIES="juror" while chasing one failure.
IDENTITIES="${FUZZ_IDENTITIES:-anonymous applicant organization-admin juror}"
started=$SECONDS
for name in $IDENTITIES; do
  case $name in
    anonymous) run_identity anonymous ;;
    applicant) run_identity applicant claire.martin@example.org demo-candidat-2026 ;;
    organization-admin)
      run_identity organization-admin secretariat@ceser-ara.example demo-secretariat-2026 ;;
    juror) run_identity juror presidence@ceser-ara.example demo-jury-2026 ;;
    *) echo "fuzz: unknown identity $name" >&2; exit 2 ;;
  esac
done

echo
echo "================================ fuzz summary ================================"
failed=0
for name in $IDENTITIES; do
  read -r rc seconds <<< "${OUTCOME[$name]}"
  if [ "$rc" = 0 ]; then verdict=passed; else verdict=FAILED; failed=1; fi
  printf '%-19s %-6s %4ss  %s\n' "$name" "$verdict" "$seconds" "$WORK/$name/schemathesis.log"
  # One entry per failing case: operation, check, message, response and the curl to replay it.
  python3 - "$WORK/$name/report" << 'PY'
import glob
import sys
import xml.etree.ElementTree as ET

reports = glob.glob(sys.argv[1] + "/junit-*.xml")
if not reports:
    print("    no report: schemathesis stopped before testing (see the log)")
for path in reports:
    for case in ET.parse(path).iter("testcase"):
        for outcome in case:
            if outcome.tag not in ("failure", "error"):
                continue
            lines = [line.strip() for line in (outcome.text or "").splitlines() if line.strip()]
            print(f"  * {case.get('name')}")
            for index, line in enumerate(lines):
                if line.startswith("- ") or line.startswith("["):
                    print(f"      {line}")
                    following = lines[index + 1] if index + 1 < len(lines) else ""
                    if not following.startswith(("- ", "[", "Reproduce", "curl")):
                        print(f"        {following[:400]}")
                elif line.startswith("curl "):
                    print(f"      {line[:1500]}")
PY
done
echo "seed $SEED, $MAX_EXAMPLES examples per operation and phase, $((SECONDS - started))s in all"
echo "To replay a case, start the binary as start_server does and put a token in the curl line."
# The closing line CI reads: identities whose run passed and failed.
total=$(wc -w <<< "$IDENTITIES")
failures=0
for name in $IDENTITIES; do [ "${OUTCOME[$name]%% *}" = 0 ] || failures=$((failures + 1)); done
echo "fuzz: $((total - failures)) passed, $failures failed"
exit "$failed"
