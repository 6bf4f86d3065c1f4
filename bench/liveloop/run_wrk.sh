#!/bin/sh
# Requests per second for a LiveLoop channel playlist served through LiveLoopService (behind the
# test HTTP server in src/liveloop/test_http_server.hpp: Beast, one thread per connection) and
# for the same playlist text served by nginx as a static file, in the same run.
# usage: bench/liveloop/run_wrk.sh [build dir] [seconds] [connections]
# Needs: the liveloop_serve_channel target built, wrk, nginx (nginx-light), ffmpeg.
set -eu
BUILD=${1:-build-liveloop}
SECS=${2:-5}
CONNS=${3:-16}
TOOL="$BUILD/src/liveloop/liveloop_serve_channel"
[ -x "$TOOL" ] || { echo "build the liveloop_serve_channel target first" >&2; exit 2; }
WORK=$(mktemp -d)
SERVE_PID=""
NGINX_PID=""
cleanup() {
    [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
    exec 3>&- 2>/dev/null || true
    [ -n "$SERVE_PID" ] && wait "$SERVE_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
mkfifo "$WORK/in"
"$TOOL" "$WORK/channel" "$WORK/port" 4 < "$WORK/in" > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
exec 3> "$WORK/in"
i=0
while [ ! -s "$WORK/port" ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
PORT=$(cat "$WORK/port")
BEACON="http://127.0.0.1:$PORT/live/main/video.m3u8"
chmod 755 "$WORK"
mkdir -p "$WORK/www"
curl -sf "$BEACON" > "$WORK/www/video.m3u8"
chmod 644 "$WORK/www/video.m3u8"
NPORT=$((PORT + 1))
cat > "$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    types { application/vnd.apple.mpegurl m3u8; }
    server {
        listen 127.0.0.1:$NPORT;
        root $WORK/www;
        location / { add_header Cache-Control no-cache; }
    }
}
CONF
nginx -c "$WORK/nginx.conf" -p "$WORK" &
NGINX_PID=$!
sleep 1
echo "playlist bytes: $(wc -c < "$WORK/www/video.m3u8")"
echo "beacon answers: $(curl -s -o /dev/null -w '%{http_code} %{size_download}B' "$BEACON")"
echo "nginx answers:  $(curl -s -o /dev/null -w '%{http_code} %{size_download}B' "http://127.0.0.1:$NPORT/video.m3u8")"
[ -s "$WORK/nginx-error.log" ] && tail -3 "$WORK/nginx-error.log"
echo "== Beacon LiveLoopService (test server), $CONNS connections, ${SECS}s"
wrk -t1 -c"$CONNS" -d"${SECS}s" "$BEACON" | grep -E "Requests/sec|Latency|requests in"
echo "== nginx static file, $CONNS connections, ${SECS}s"
wrk -t1 -c"$CONNS" -d"${SECS}s" "http://127.0.0.1:$NPORT/video.m3u8" | grep -E "Requests/sec|Latency|requests in"
