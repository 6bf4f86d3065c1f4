#!/usr/bin/env bash
# Builds engines_bench into <build>/bench/engines/. Uses the CMake target when the top-level
# CMakeLists.txt includes bench/engines; otherwise compiles the one source with g++ against the
# static libraries already built in <build> (beacon_pipeline, _engines, _storage, _media, _core).
# Usage: bench/engines/build.sh [build-dir]; prints the executable's path.
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$src/build}"
if cmake --build "$build" --target engines_bench -j2 >/dev/null 2>&1; then
  echo "$build/bench/engines/engines_bench"
  exit 0
fi
cmake --build "$build" --target beacon_pipeline beacon_engines beacon_storage beacon_media \
  beacon_core -j2 >/dev/null
out="$build/bench/engines"
mkdir -p "$out"
g++ -std=c++20 -O2 -g -Wall -Wextra -Wpedantic -Wno-missing-field-initializers \
  -I"$src/src" -I"$src" -DBEACON_SOURCE_DIR="\"$src\"" \
  "$src/bench/engines/engines_bench.cpp" -o "$out/engines_bench" \
  "$build/src/pipeline/libbeacon_pipeline.a" "$build/src/engines/libbeacon_engines.a" \
  "$build/src/storage/libbeacon_storage.a" "$build/src/media/libbeacon_media.a" \
  "$build/src/core/libbeacon_core.a" \
  -lflite_cmu_us_slt -lflite_cmu_us_kal16 -lflite_cmu_us_kal -lflite_cmu_us_awb \
  -lflite_cmu_us_rms -lflite_usenglish -lflite_cmulex -lflite \
  $(pkg-config --libs pangocairo cairo) -lcurl -lsqlite3 -lcrypto -lpthread -lm
echo "$out/engines_bench"
