#!/usr/bin/env bash
# Serving benchmarks (issues 2 and 6), all in one run on this machine:
#  1. GET /api/v1/jobs/{id} with wrk at 64 connections vs nginx serving the same JSON as a static
#     file (baseline), reported as a ratio of requests/s and both p99 latencies;
#  2. idle resident memory of `beacon serve`;
#  3. time from exec to the first answered /healthz;
#  4. one HLS segment of a real library item: beacon's /media (sendfile) vs nginx sendfile.
# Usage: bench/api/run.sh [BEACON_BIN]   (default build/src/app/beacon)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-build/src/app/beacon}
DUR=${BENCH_SECONDS:-10}
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
curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/jobs/$job" >"$work/job.json"

nport=$(free_port)
mkdir -p "$work/www"
cp "$work/job.json" "$work/www/job.json"
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
           location /media/ { alias $work/data/media/; types { video/mp2t ts; } } }
}
NGINX
chmod -R a+rX "$work"  # nginx's workers run as www-data; mktemp makes a private folder
nginx -c "$work/nginx.conf" -p "$work"
sleep 0.3
for u in /job.json /media/library/1/hls/video/seg_00000.ts; do
  curl -fs -o /dev/null "http://127.0.0.1:$nport$u" || { echo "nginx baseline cannot serve $u"; exit 1; }
done

wrk_run() {  # url [header]
  if [ -n "${2:-}" ]; then
    wrk -t2 -c64 -d"${DUR}s" --latency -H "$2" "$1"
  else
    wrk -t2 -c64 -d"${DUR}s" --latency "$1"
  fi
}
wrk_run "http://127.0.0.1:$nport/job.json" >"$work/nginx.txt"
wrk_run "http://127.0.0.1:$port/api/v1/jobs/$job" "Authorization: Bearer $token" >"$work/beacon.txt"
seg=/media/library/1/hls/video/seg_00000.ts
wrk_run "http://127.0.0.1:$nport$seg" >"$work/nginx-seg.txt"
wrk_run "http://127.0.0.1:$port$seg" "Authorization: Bearer $token" >"$work/beacon-seg.txt"
seg_bytes=$(stat -c %s "$work/data/media/library/1/hls/video/seg_00000.ts")
nginx -c "$work/nginx.conf" -p "$work" -s stop || true

rps() { awk '/Requests\/sec/{print $2}' "$1"; }
p99() { awk '$1=="99%"{print $2}' "$1"; }
non2xx() { awk '/Non-2xx/{n=$NF} END{print n+0}' "$1"; }
xfer() { awk '/Transfer\/sec/{print $2}' "$1"; }
b_rps=$(rps "$work/beacon.txt"); n_rps=$(rps "$work/nginx.txt")
ratio=$(python3 -c "print(f'{$b_rps/$n_rps:.2f}')")
echo "load average at start: $load0"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "start-up to first /healthz: ${startup_ms} ms"
echo "idle RSS of beacon serve: $((rss_kb / 1024)) MiB ($rss_kb kB)"
echo "GET /api/v1/jobs/{id}, wrk 2 threads, 64 connections, ${DUR}s:"
echo "  beacon: $b_rps req/s, p99 $(p99 "$work/beacon.txt"), non-2xx: $(non2xx "$work/beacon.txt")"
echo "  nginx static file (baseline): $n_rps req/s, p99 $(p99 "$work/nginx.txt"), non-2xx: $(non2xx "$work/nginx.txt")"
echo "  ratio beacon/nginx: $ratio"
bs_rps=$(rps "$work/beacon-seg.txt"); ns_rps=$(rps "$work/nginx-seg.txt")
echo "GET one HLS segment ($seg_bytes bytes, $seg), wrk 2 threads, 64 connections, ${DUR}s:"
echo "  beacon: $bs_rps req/s, p99 $(p99 "$work/beacon-seg.txt"), non-2xx: $(non2xx "$work/beacon-seg.txt")"
echo "  beacon transfer: $(xfer "$work/beacon-seg.txt")/s"
echo "  nginx sendfile (baseline): $ns_rps req/s, p99 $(p99 "$work/nginx-seg.txt"), $(xfer "$work/nginx-seg.txt")/s, non-2xx: $(non2xx "$work/nginx-seg.txt")"
echo "  ratio beacon/nginx: $(python3 -c "print(f'{$bs_rps/$ns_rps:.2f}')")"
