#!/usr/bin/env bash
# Sets up a fresh machine (scripts/setup.sh) and starts the studio on its embedded defaults:
# SQLite + media under ./data, in-process durable queue, built-in engines, http://127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec ./build/src/app/beacon serve --data "${BEACON_DATA:-data}" "$@"
