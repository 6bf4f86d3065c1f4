#!/usr/bin/env bash
# Media pipeline benchmark: time to a playable preview and to the final library item for the
# 2-scene lighthouse prompt with the built-in engines, and a final+compose rerun whose encode is
# reused (content-addressed). Usage: bench/media/media_bench.sh [build-dir] [duration] [preset]
set -euo pipefail
here="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$here/build}"
duration="${2:-7}"
preset="${3:-720p}"
cmake --build "$build" --target pipeline_bench -j2 >/dev/null
echo "machine: $(nproc) cores, $(ffmpeg -hide_banner -version | head -1)"
for run in 1 2 3; do
  echo "--- run $run"
  "$build/src/pipeline/pipeline_bench" --duration "$duration" --preset "$preset" | grep -v '^  log:' || exit 1
done
