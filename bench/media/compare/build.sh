#!/usr/bin/env bash
# Builds assembly_bench into <build>/bench/media/compare/: the CMake target when the top-level
# CMakeLists.txt includes bench/media/compare, else g++ against the static libraries already in
# <build>. Usage: bench/media/compare/build.sh [build-dir]; prints the executable's path.
set -euo pipefail
src="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${1:-$src/build}"
if cmake --build "$build" --target assembly_bench -j2 >/dev/null 2>&1; then
  echo "$build/bench/media/compare/assembly_bench"
  exit 0
fi
cmake --build "$build" --target beacon_engines beacon_media beacon_core -j2 >/dev/null
out="$build/bench/media/compare"
mkdir -p "$out"
g++ -std=c++20 -O2 -g -Wall -Wextra -Wpedantic -Wno-missing-field-initializers -I"$src/src" \
  "$src/bench/media/compare/assembly_bench.cpp" -o "$out/assembly_bench" \
  "$build/src/media/libbeacon_media.a" "$build/src/engines/libbeacon_engines.a" \
  "$build/src/core/libbeacon_core.a" \
  -lflite_cmu_us_slt -lflite_cmu_us_kal16 -lflite_cmu_us_kal -lflite_cmu_us_awb \
  -lflite_cmu_us_rms -lflite_usenglish -lflite_cmulex -lflite \
  $(pkg-config --libs pangocairo cairo) -lcurl -lpthread -lm
echo "$out/assembly_bench"
