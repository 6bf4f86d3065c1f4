#!/usr/bin/env bash
# Runs every benchmark and prints its figures (docs/BENCHMARKS.md records them).
# Usage: bench/run.sh [--all]   (--all adds the ~10 minute 60 s/1080p assembly comparison)
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "=== serving (issues 2, 6): bench/api/run.sh";            bench/api/run.sh
echo "=== engines (issue 3): bench/engines/run.sh";             bench/engines/run.sh
echo "=== generation (issue 4): bench/media/media_bench.sh";     bench/media/media_bench.sh build
echo "=== LiveLoop core (issue 6): liveloop_playlist_bench";
cmake --build build --target liveloop_playlist_bench >/dev/null && build/src/liveloop/liveloop_playlist_bench
echo "=== LiveLoop timestamp rewrite (issue 9): liveloop_ts_rewrite_bench"
cmake --build build --target liveloop_ts_rewrite_bench >/dev/null && build/src/liveloop/liveloop_ts_rewrite_bench
echo "=== LiveLoop serving vs nginx, stream.ts viewers (issue 9): bench/liveloop/live_serving.py"
python3 bench/liveloop/live_serving.py build/src/app/beacon
echo "=== watch party (issue 14): bench/party/bench.mjs"
BEACON_BIN=build/src/app/beacon node bench/party/bench.mjs
echo "=== wiki facts (issue 15): bench/wiki/run.py (a 20,000-article ZIM)"
python3 bench/wiki/run.py build/src/app/beacon --articles 20000
echo "=== job queue on PostgreSQL vs SQLite (issue 18): queue_bench"
cmake --build build --target queue_bench >/dev/null && build/src/storage/queue_bench 4 1000 1
echo "=== backup and restore of a 1,000-item library (issue 19): bench/ops/backup_bench.py"
python3 bench/ops/backup_bench.py build/src/app/beacon --items 1000
echo "=== host pools and batches (issue 20): bench/pools/pool_bench.py"
python3 bench/pools/pool_bench.py build/src/app/beacon
echo "=== web (issue 5): bundle size and Library time to interactive"
(cd web && npm run --silent size && npm run --silent bench:library)
if [ "${1:-}" = "--all" ]; then
  echo "=== final assembly comparison (issue 4): bench/media/compare/run.sh"
  bench/media/compare/run.sh
fi
