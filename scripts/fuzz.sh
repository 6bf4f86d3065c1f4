#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/, a separate clang configuration with ASan + UBSan) and
# runs each for a bounded time from its seed corpus in fuzz/corpus/<name>/ (copied: the repo's
# corpus is never written). A crash, leak or timeout fails the script and leaves the input
# under the printed folder: add it to fuzz/corpus/<name>/ and as a unit test once fixed.
#   BEACON_FUZZ_SECONDS  seconds per harness (default 20)
#   BEACON_FUZZ_BUILD    build folder (default build-fuzz)
#   BEACON_FUZZ_ONLY     run only these harnesses (space-separated names)
#   BEACON_FUZZ_SEED     libFuzzer seed (default 1; 0 = a new random seed each run)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${BEACON_FUZZ_SECONDS:-20}"
build="${BEACON_FUZZ_BUILD:-build-fuzz}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$build" -G Ninja -DBEACON_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Release -DBEACON_MODULES="core;config;media" "${launcher[@]}" >/dev/null
names="${BEACON_FUZZ_ONLY:-request_json script_json config_toml range multipart zip webvtt hls world}"
targets=()
for n in $names; do targets+=("fuzz_$n"); done
cmake --build "$build" -j2 --target "${targets[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/beacon-fuzz-XXXXXX")"
failed=()
for n in $names; do
  mkdir -p "$work/$n/corpus" "$work/$n/artifacts"
  cp -r "fuzz/corpus/$n/." "$work/$n/corpus/"
  echo "== fuzz $n (${seconds} s)"
  # A fixed seed (BEACON_FUZZ_SEED, default 1) makes a run repeatable: the same inputs in the
  # same order, so a crash CI finds is found again here, and a clean run stays clean.
  if ! "$build/fuzz/fuzz_$n" -seed="${BEACON_FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -artifact_prefix="$work/$n/artifacts/" "$work/$n/corpus" \
      >"$work/$n/log" 2>&1; then
    failed+=("$n")
    tail -n 40 "$work/$n/log"
    echo "fuzz $n: FAILED; the input is in $work/$n/artifacts/"
  else
    tail -n 1 "$work/$n/log"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzers failed: ${failed[*]}"
  exit 1
fi
rm -rf "$work"
echo "== all fuzzers ran clean"
