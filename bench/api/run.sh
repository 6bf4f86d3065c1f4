#!/usr/bin/env bash
# Serving benchmarks (issues 2, 6, 9 and 11), all in one run on this machine. Each request below
# runs with wrk (2 threads, 64 connections) against beacon (bearer token, or the stream key for
# /live) and against nginx serving the very same bytes as a static file (sendfile, 2 workers),
# reported as a ratio of requests/s with both p99 latencies:
#  1. GET /healthz;
#  2. GET /api/v1/jobs/{id} of a completed job;
#  3. GET /api/v1/content (the first page of the library);
#  4. one HLS segment of a real library item from /media;
#  5. one LiveLoop channel segment /live/<slug>/v/<msn>.ts (timestamps moved onto the channel
#     clock, from the rewritten-segment cache);
# plus idle resident memory of `beacon serve` and the time from exec to the first /healthz.
# Usage: bench/api/run.sh [BEACON_BIN]   (default build/src/app/beacon)
# BENCH_SECONDS: seconds per wrk run (10); BENCH_ROWS: only these rows, e.g. "live" or
# "media live"; BENCH_REPEAT: runs of each row, nginx and beacon alternating (1).
# Each row also reports the CPU time per request of each server (user + system of beacon's
# process and of nginx's workers over the wrk run, from /proc): steadier than req/s on a
# shared machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/src/app/beacon}
DUR=${BENCH_SECONDS:-10}
ONLY=${BENCH_ROWS:-}
REPEAT=${BENCH_REPEAT:-1}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
load0=$(cut -d" " -f1-3 /proc/loadavg)
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# A real library item (built-in engines) so that segments can be served.
"$BIN" generate "A lighthouse that controls storms. 2 scenes." --data "$work/data" >/dev/null 2>&1

# --- start-up time and idle memory -------------------------------------------------------------
port=$(free_port)
# First start sets the admin password (argon2id hashing, on purpose slow); time the next one.
BEACON_ADMIN_PASSWORD=bench-password-1 "$BIN" serve --data "$work/data" --listen 127.0.0.1:$port \
  >"$work/serve0.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.01; done
kill "$pid"; wait "$pid" 2>/dev/null || true
start=$(date +%s%N)
"$BIN" serve --data "$work/data" --listen 127.0.0.1:$port \
  >"$work/serve.log" 2>&1 &
pid=$!
until curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
ready=$(date +%s%N)
startup_ms=$(( (ready - start) / 1000000 ))
sleep 2
rss_kb=$(awk '/VmRSS/{print $2}' /proc/$pid/status)

# --- API throughput vs nginx -------------------------------------------------------------------
token=$("$BIN" token create --data "$work/data" --name bench 2>/dev/null | tail -n1)
job=1  # the completed generate job above: its full detail (stages, logs, assets)
auth="Authorization: Bearer $token"
curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/jobs/$job" >"$work/job.json"
curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/content" >"$work/content.json"
curl -fs "http://127.0.0.1:$port/healthz" >"$work/healthz.json"
# A channel: publishing the item puts it on the default channel; one of its published segments.
curl -fs -X POST -H "$auth" "http://127.0.0.1:$port/api/v1/content/1/publish?confirm=true" >/dev/null
slug=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/playlists" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["slug"])')
key=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/stream-key" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
sleep 1
live_seg=$(curl -fs "http://127.0.0.1:$port/live/$slug/video.m3u8?key=$key" | grep -v '^#' | tail -n1)
live_url="http://127.0.0.1:$port/live/$slug/$live_seg"  # the playlist's URIs carry ?key=

nport=$(free_port)
mkdir -p "$work/www"
cp "$work/job.json" "$work/www/job.json"
cp "$work/content.json" "$work/www/content.json"
cp "$work/healthz.json" "$work/www/healthz.json"
curl -fs -o "$work/www/live.ts" "$live_url"
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  server { listen 127.0.0.1:$nport; root $work/www; default_type application/json;
           types { video/mp2t ts; application/json json; }
           location /media/ { alias $work/data/media/; } }
}
NGINX
chmod -R a+rX "$work"  # nginx's workers run as www-data; mktemp makes a private folder
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3
for u in /job.json /content.json /healthz.json /live.ts /media/library/1/hls/video/seg_00000.ts; do
  curl -fs -o /dev/null "http://127.0.0.1:$nport$u" || { echo "nginx baseline cannot serve $u"; exit 1; }
done

hz=$(getconf CLK_TCK)
cpu_ticks() {  # user + system ticks of these processes
  local t=0 p
  for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done
  echo "$t"
}
nginx_workers=$(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')
wrk_run() {  # url [header]
  if [ -n "${2:-}" ]; then
    wrk -t2 -c64 -d"${DUR}s" --latency -H "$2" "$1"
  else
    wrk -t2 -c64 -d"${DUR}s" --latency "$1"
  fi
}
seg=/media/library/1/hls/video/seg_00000.ts
# name | nginx path | beacon URL | header for beacon
rows=(
  "healthz|/healthz.json|http://127.0.0.1:$port/healthz|"
  "job|/job.json|http://127.0.0.1:$port/api/v1/jobs/$job|$auth"
  "content|/content.json|http://127.0.0.1:$port/api/v1/content|$auth"
  "media|$seg|http://127.0.0.1:$port$seg|$auth"
  "live|/live.ts|$live_url|"
)
if [ -n "$ONLY" ]; then
  kept=()
  for row in "${rows[@]}"; do
    case " $ONLY " in *" ${row%%|*} "*) kept+=("$row");; esac
  done
  rows=("${kept[@]}")
fi
for ((run = 1; run <= REPEAT; run++)); do
  for row in "${rows[@]}"; do
    IFS='|' read -r name npath burl bhdr <<<"$row"
    sfx=$([ "$run" -gt 1 ] && echo ".$run" || true)
    t0=$(cpu_ticks $nginx_workers)
    wrk_run "http://127.0.0.1:$nport$npath" >"$work/nginx-$name.txt$sfx"
    echo $(($(cpu_ticks $nginx_workers) - t0)) >"$work/nginx-$name.cpu$sfx"
    t0=$(cpu_ticks "$pid")
    wrk_run "$burl" "$bhdr" >"$work/beacon-$name.txt$sfx"
    echo $(($(cpu_ticks "$pid") - t0)) >"$work/beacon-$name.cpu$sfx"
    echo "run $run $name: load $(cut -d" " -f1 /proc/loadavg)" >"$work/load-$name.txt$sfx"
  done
done
nginx -c "$work/nginx.conf" -p "$work" -s stop || true

rps() { awk '/Requests\/sec/{print $2}' "$1"; }
p99() { awk '$1=="99%"{print $2}' "$1"; }
non2xx() { awk '/Non-2xx/{n=$NF} END{print n+0}' "$1"; }
xfer() { awk '/Transfer\/sec/{print $2}' "$1"; }
cpu_us() {  # wrk output, ticks file: CPU microseconds per request
  python3 -c "print(f'{$(cat "$2") / $hz / $(awk '/requests in/{print $1}' "$1") * 1e6:.1f}')"
}
size() { stat -c %s "$1"; }
echo "load average at start: $load0, at end: $(cut -d" " -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "start-up to first /healthz: ${startup_ms} ms"
echo "idle RSS of beacon serve: $((rss_kb / 1024)) MiB ($rss_kb kB)"
echo "wrk 2 threads, 64 connections, ${DUR}s per target; nginx 2 workers, sendfile, same bytes"
echo "| request | beacon | nginx | ratio | run, load |"
echo "|---|---|---|---|---|"
describe() {
  case $1 in
    healthz) echo "GET /healthz ($(size "$work/www/healthz.json") B)";;
    job) echo "GET /api/v1/jobs/{id}, completed job ($(size "$work/www/job.json") B)";;
    content) echo "GET /api/v1/content ($(size "$work/www/content.json") B)";;
    media) echo "GET $seg ($(size "$work/data/media/library/1/hls/video/seg_00000.ts") B)";;
    live) echo "GET /live/<slug>/${live_seg%%\?*} ($(size "$work/www/live.ts") B)";;
  esac
}
for ((run = 1; run <= REPEAT; run++)); do
  sfx=$([ "$run" -gt 1 ] && echo ".$run" || true)
  for row in "${rows[@]}"; do
    name=${row%%|*}
    b="$work/beacon-$name.txt$sfx"; n="$work/nginx-$name.txt$sfx"
    echo "| $(describe "$name") | $(rps "$b") req/s, p99 $(p99 "$b"), $(xfer "$b")/s, non-2xx $(non2xx "$b"), $(cpu_us "$b" "${b%.txt*}.cpu$sfx") µs CPU/req |" \
         "$(rps "$n") req/s, p99 $(p99 "$n"), non-2xx $(non2xx "$n"), $(cpu_us "$n" "${n%.txt*}.cpu$sfx") µs CPU/req |" \
         "$(python3 -c "print(f'{$(rps "$b")/$(rps "$n"):.2f}')") | $(cut -d" " -f2- "$work/load-$name.txt$sfx") |"
  done
done
