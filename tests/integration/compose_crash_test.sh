#!/usr/bin/env bash
# A `beacon serve` killed (SIGKILL) while a job is composing its library item (issue 10, item 3):
# no ghost item (empty mp4_url, duration 0) is listed or found by search, and after a restart
# the resumed job completes with exactly one library item.
set -uo pipefail
BIN=${1:?usage: compose_crash_test.sh path/to/beacon}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
data="$work/data"
printf '[storage]\nmin_free_mb = 0\n' >"$work/beacon.toml"
serve() {  # log -> $port, $spid
  port=$(free_port)
  env -i PATH="$PATH" HOME="$work" BEACON_ADMIN_PASSWORD=crash-pass \
    "$BIN" serve --data "$data" --config "$work/beacon.toml" --listen 127.0.0.1:$port >"$1" 2>&1 &
  spid=$!; pids+=("$spid")
  for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
}
serve "$work/s1.log"
tok=$(env -i PATH="$PATH" HOME="$work" "$BIN" token create --data "$data" --config "$work/beacon.toml" --name t 2>/dev/null | tail -n1)

# Post a job, watch the database closely and kill the server the moment compose has made its
# (pending) library row, before the item is whole.
killed=$(python3 - "$port" "$tok" "$spid" "$data/beacon.db" <<'PY'
import http.client, json, os, signal, sqlite3, sys, time
port, tok, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[4], uri=True, timeout=10)
h = {"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
c.request("POST", "/api/v1/generate", json.dumps({
    "prompt": "A lighthouse keeper watches a storm roll in. 3 scenes.",
    "duration_target": 20, "output_preset": "480p", "produce_preview": False}), h)
job = json.loads(c.getresponse().read())["job_id"]
deadline = time.time() + 300  # hang guard
while time.time() < deadline:
    if db.execute("SELECT COUNT(*) FROM content WHERE pending = 1").fetchone()[0] > 0:
        os.kill(pid, signal.SIGKILL)
        print(job)
        break
    status = db.execute("SELECT status FROM jobs WHERE id = ?", (job,)).fetchone()[0]
    if status in ("completed", "failed", "canceled"):
        print("missed:" + status)
        break
    time.sleep(0.005)
PY
)
kill -9 "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
check "the server was killed while composing the library item ($killed)" test -n "$killed" -a "${killed#missed}" = "$killed"
case "$killed" in ""|missed*) echo "$passed passed, $failed failed"; exit 1;; esac
job=$killed

# While it is down: what the library would list (pending rows are never listed).
visible=$(python3 -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM content WHERE pending = 0').fetchone()[0])" "$data/beacon.db")
check "no ghost item is visible after the crash ($visible)" test "$visible" = 0
rows=$(python3 -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM content').fetchone()[0])" "$data/beacon.db")
check "the half-made row was there, pending, when the server died ($rows)" test "$rows" = 1

serve "$work/s2.log"
auth="Authorization: Bearer $tok"
list=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/content?search=lighthouse")
status=""
for _ in $(seq 1 3000); do  # hang guard: 300 s
  status=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/jobs/$job" | python3 -c 'import json,sys;print(json.load(sys.stdin)["status"])')
  case "$status" in completed|failed|canceled) break;; esac
  sleep 0.1
done
check "search shows no ghost while the job resumes ($list)" python3 -c "
import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if all(i['mp4_url'] and i['duration'] > 0 for i in j['items']) else 1)" "$list"
check "the resumed job completed (status $status)" test "$status" = completed
list=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/content")
found=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/content?search=lighthouse")
check "exactly one library item is listed" test "$(python3 -c 'import json,sys;print(json.load(sys.stdin)["total"])' <<<"$list")" = 1
check "search finds exactly that item, whole" python3 -c "
import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if j['total'] == 1 and j['items'][0]['mp4_url'] and j['items'][0]['duration'] > 0 else 1)" "$found"
rows=$(python3 -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM content').fetchone()[0])" "$data/beacon.db")
check "the database holds exactly one content row ($rows)" test "$rows" = 1
kill "$spid"; wait "$spid" 2>/dev/null

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
