#!/usr/bin/env bash
# Runs every benchmark and prints its figures (copy them into docs/BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
for b in bench/*/run.sh; do
  echo "=== $b"
  "$b"
done
