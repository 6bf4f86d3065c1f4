#!/usr/bin/env bash
# Engines benchmark (issue 3, "Measured"): the built-in engines, then the per-scene parallelism
# of a 4-scene job against stand-ins with fixed delays. Usage: bench/engines/run.sh [build-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$("$here/build.sh" ${1:+"$1"})"
echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "--- built-in engines"
"$bin" builtin
echo "--- per-scene parallelism (real pipeline stages + Ollama/ElevenLabs/ComfyUI adapters vs stand-ins)"
"$bin" parallel --script-delay 2 --voice-delay 0.5 --picture-delay 3 --scenes 4 \
  --picture-slots 1 --voice-slots 2 --runs 2
