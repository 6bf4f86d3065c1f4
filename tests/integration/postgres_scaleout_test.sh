#!/usr/bin/env bash
# Scale-out on PostgreSQL, Redis and S3: a `beacon serve` and two `beacon worker` processes, each
# with its own data folder (no shared disk), share one real PostgreSQL (a throwaway cluster
# started here from Debian's postgresql package, on 127.0.0.1 and a free port; as the user
# `nobody` when run as root, since postgres refuses root), one redis-server and one S3 server
# (tests/integration/s3_tools, SigV4-verifying); the server serves media the workers wrote. Jobs made through the API with the built-in engines complete; each is
# claimed exactly once; the work is shared between processes; nothing was written to SQLite; the
# events of jobs run by the worker processes reach the server's WebSocket (through Redis). Then
# Redis is killed, and a worker is killed with SIGKILL mid-job: its lease runs out and the job is
# finished elsewhere, exactly once, with no Redis at all.
#
# Isolation: every beacon process starts from a clean, explicit environment (env -i).
set -uo pipefail
BIN=$(realpath "${1:?usage: postgres_scaleout_test.sh path/to/beacon}")
HERE=$(cd "$(dirname "$0")" && pwd)
PG_BIN=${BEACON_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
work=$(mktemp -d)
chmod 755 "$work"
cd "$work" || exit 1
mkdir -p home tmp
pids=()
run_as=()
[ "$(id -u)" -eq 0 ] && run_as=(runuser -u nobody --)
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -d "$work/pg/data" ] && "${run_as[@]}" "$PG_BIN/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1
  cd / && { [ -n "${PG_TEST_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"; }
}
trap cleanup EXIT
passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# --- PostgreSQL -----------------------------------------------------------------------------------
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "FAIL PostgreSQL server binaries not found (Debian: postgresql-15)"; echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$work/pg"
[ "${#run_as[@]}" -gt 0 ] && chown nobody "$work/pg"
"${run_as[@]}" "$PG_BIN/initdb" -D "$work/pg/data" -A trust -U beacon -E UTF8 --no-sync >"$work/pg/initdb.log" 2>&1 ||
  { cat "$work/pg/initdb.log"; echo "0 passed, 1 failed"; exit 1; }
pg_port=$(free_port)
"${run_as[@]}" "$PG_BIN/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories= -c fsync=off" start >/dev/null ||
  { cat "$work/pg/server.log"; echo "0 passed, 1 failed"; exit 1; }
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U beacon -d postgres -c "CREATE DATABASE beacon" >/dev/null
DB_URL="postgresql://beacon@127.0.0.1:$pg_port/beacon"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
redis_pid=$!; pids+=("$redis_pid")
for _ in $(seq 1 200); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.05; done
psql_q() { "$PG_BIN/psql" -qtA -h 127.0.0.1 -p "$pg_port" -U beacon -d beacon -c "$1"; }

s3_port=$(free_port)
mkdir -p "$work/s3"
node "$HERE/s3_tools/serve.js" "$work/s3" "$s3_port" >"$work/s3.log" 2>&1 &
s3_pid=$!; pids+=("$s3_pid")
for _ in $(seq 1 400); do curl -s -o /dev/null "http://127.0.0.1:$s3_port/" && break; sleep 0.05; done

clean=(env -i "PATH=$PATH" "HOME=$work/home" "TMPDIR=$work/tmp" "LANG=C.UTF-8" "BEACON_DATABASE_URL=$DB_URL"
  "BEACON_REDIS_URL=redis://127.0.0.1:$redis_port"
  "BEACON_S3_ENDPOINT=http://127.0.0.1:$s3_port" BEACON_S3_BUCKET=beacon-media
  BEACON_S3_ACCESS_KEY=S3RVER BEACON_S3_SECRET_KEY=S3RVER)
beacon() { "${clean[@]}" "$BIN" "$@"; }

# --- beacon migrate: an existing SQLite library's metadata into an empty PostgreSQL database -------
"$PG_BIN/psql" -q -h 127.0.0.1 -p "$pg_port" -U beacon -d postgres -c "CREATE DATABASE moved" >/dev/null
plain=(env -i "PATH=$PATH" "HOME=$work/home" "TMPDIR=$work/tmp" "LANG=C.UTF-8")
"${plain[@]}" "$BIN" token create --data "$work/old" --name old-ci >/dev/null 2>&1
out=$("${plain[@]}" "$BIN" migrate --from "sqlite:$work/old" --to "postgresql://beacon@127.0.0.1:$pg_port/moved" 2>&1); rc=$?
check "beacon migrate copies a SQLite library ($rc: $(tr '\n' ' ' <<<"$out" | head -c 200))" test "$rc" -eq 0
moved=$("$PG_BIN/psql" -qtA -h 127.0.0.1 -p "$pg_port" -U beacon -d moved -c "SELECT name FROM api_tokens")
check "the token made on SQLite is in PostgreSQL ($moved)" test "$moved" = old-ci
out=$("${plain[@]}" "$BIN" migrate --from "sqlite:$work/old" --to "postgresql://beacon@127.0.0.1:$pg_port/moved" 2>&1); rc=$?
check "migrating into a database in use is refused in words ($out)" test "$rc" -ne 0 -a -n "$(grep -i 'not empty' <<<"$out")"

data="$work/data"
printf '[jobs]\nworkers = 1\nlease_seconds = 4\n' >"$work/one-worker.toml"
port=$(free_port)
"${clean[@]}" BEACON_ADMIN_PASSWORD=pg-pass "$BIN" serve --data "$data" --config "$work/one-worker.toml" \
  --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
serve_pid=$!; pids+=("$serve_pid")
up=no
for _ in $(seq 1 1500); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { up=yes; break; }
  kill -0 "$serve_pid" 2>/dev/null || break
  sleep 0.02
done
check "beacon serve starts on PostgreSQL ($(tail -c 300 "$work/serve.log"))" test "$up" = yes
wpids=()
for w in 1 2; do
  "${clean[@]}" "$BIN" worker --data "$work/worker$w-data" --config "$work/one-worker.toml" >"$work/worker$w.log" 2>&1 &
  wpids+=("$!"); pids+=("$!")
done
tok=$(beacon token create --data "$data" --name pg 2>"$work/token.err" | tail -n1)
check "token create works on PostgreSQL ($(tail -c 300 "$work/token.err"))" test "${#tok}" -ge 20
api() { curl -fs -H "Authorization: Bearer $tok" "$@"; }
json_field() { python3 -c "import json,sys;print(json.load(sys.stdin)$1)"; }
submit() {
  api -H 'Content-Type: application/json' -d "$1" "http://127.0.0.1:$port/api/v1/generate" | json_field '["job_id"]'
}
wait_status() {  # job id → its final status (hang guard: 5 min)
  local s=""
  for _ in $(seq 1 3000); do
    s=$(api "http://127.0.0.1:$port/api/v1/jobs/$1" | json_field '["status"]')
    case "$s" in completed|failed|canceled) break;; esac
    sleep 0.1
  done
  echo "$s"
}

python3 "$HERE/ws_listen.py" "ws://127.0.0.1:$port/api/v1/events" "$tok" 240 >"$work/ws.log" 2>&1 &
ws_pid=$!; pids+=("$ws_pid")
for _ in $(seq 1 100); do grep -q connected "$work/ws.log" && break; sleep 0.05; done
check "a WebSocket client is connected to the server's events ($(head -c 200 "$work/ws.log"))" grep -q connected "$work/ws.log"
jobs_ids=()
for i in 1 2 3 4 5 6; do
  jobs_ids+=("$(submit "{\"prompt\":\"Harbour lights, part $i. 2 scenes.\",\"duration_target\":4,\"output_preset\":\"480p\"}" 2>/dev/null)")
done
all_done=yes
for j in "${jobs_ids[@]}"; do
  if [ -z "$j" ]; then all_done="no (a submission was refused)"; break; fi
  s=$(wait_status "$j"); [ "$s" = completed ] || all_done="no ($j: $s)"
done
check "six jobs on a server and two workers all completed: $all_done" test "$all_done" = yes
claims=$(psql_q "SELECT count(*) FROM job_logs WHERE message LIKE 'attempt % started on %'")
firsts=$(psql_q "SELECT count(DISTINCT job_id) FROM job_logs WHERE message LIKE 'attempt 1 started on %'")
check "each job was claimed exactly once ($claims claims, $firsts first claims)" test "$claims" -eq 6 -a "$firsts" -eq 6
done_n=$(psql_q "SELECT count(*) FROM job_logs WHERE message = 'completed'")
check "each job completed once ($done_n completions)" test "$done_n" -eq 6
owners=$(psql_q "SELECT message FROM job_logs WHERE message LIKE 'attempt % started on %'" |
  sed 's/.* started on //; s/#[0-9]*$//' | sort -u | wc -l)
check "the jobs were shared between processes ($owners processes ran jobs)" test "$owners" -ge 2
items=$(api "http://127.0.0.1:$port/api/v1/content" | json_field '["total"]')
check "six library items, one per job, listed by the server ($items)" test "$items" -eq 6
hits=$(api "http://127.0.0.1:$port/api/v1/content?q=harbour" | json_field '["total"]')
check "the library search (tsvector) finds them ($hits)" test "$hits" -eq 6
check "nothing was written to SQLite" test ! -e "$data/beacon.db" -a ! -e "$work/worker1-data/beacon.db" -a ! -e "$work/worker2-data/beacon.db"

# --- media: in the bucket, served by the server whichever process made them -----------------------
served=0; media_fail=""; same=0
s3get() {  # key file: s3cmd (Debian) reads the object straight from the bucket
  s3cmd --config=/dev/null --no-ssl --host="127.0.0.1:$s3_port" --host-bucket="127.0.0.1:$s3_port" \
    --access_key=S3RVER --secret_key=S3RVER --region=us-east-1 --force get "s3://beacon-media/$1" "$2" >/dev/null 2>&1
}
for u in $(api "http://127.0.0.1:$port/api/v1/content?limit=50" | python3 -c 'import json,sys;print(" ".join(i["mp4_url"] for i in json.load(sys.stdin)["items"]))'); do
  n=$(api -o "$work/got.mp4" -w '%{size_download}' "http://127.0.0.1:$port$u")
  d=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/got.mp4" 2>/dev/null)
  if [ "${n:-0}" -gt 10000 ] && [ -n "$d" ]; then served=$((served + 1)); else media_fail="$media_fail $u"; fi
  s3get "${u#/media/}" "$work/bucket.mp4" && cmp -s "$work/got.mp4" "$work/bucket.mp4" && same=$((same + 1))
done
check "the server serves every item's MP4, playable, from S3 through its cache ($served of 6;$media_fail)" test "$served" -eq 6
check "the bucket holds the same bytes, read by s3cmd ($same of 6)" test "$same" -eq 6

# --- events of jobs run by the worker processes reach the server's WebSocket (Redis) -------------
sleep 1
kill "$ws_pid" 2>/dev/null
remote_jobs=$(psql_q "SELECT job_id FROM job_logs WHERE message LIKE 'attempt 1 started on %' AND message NOT LIKE '%/serve:%'")
seen_remote=0; missing=""
for j in $remote_jobs; do
  if python3 - "$work/ws.log" "$j" <<'PY'
import json, sys
found = False
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    d = e.get("data") or {}
    if e.get("type") == "job.updated" and d.get("id") == int(sys.argv[2]) and d.get("status") == "completed":
        found = True
sys.exit(0 if found else 1)
PY
  then seen_remote=$((seen_remote + 1)); else missing="$missing $j"; fi
done
n_remote=$(wc -w <<<"$remote_jobs")
# Measured, not asserted: how long queued jobs waited before a worker process claimed them.
echo "info: queued-to-claimed by worker processes, ms: $(psql_q "SELECT string_agg((l.at - j.created_at)::text, ' ') FROM job_logs l JOIN jobs j ON j.id = l.job_id WHERE l.message LIKE 'attempt 1 started on %' AND l.message NOT LIKE '%/serve:%'")"
check "jobs run by worker processes: $n_remote" test "$n_remote" -ge 1
check "their completion reached the server's WebSocket through Redis ($seen_remote of $n_remote; missing:$missing)" \
  test "$seen_remote" -eq "$n_remote"

# --- Redis gone: no job depends on it --------------------------------------------------------------
kill -9 "$redis_pid"; wait "$redis_pid" 2>/dev/null

# --- a worker killed mid-job: its lease runs out and another process finishes the job -------------
# The server runs a worker too: submit until a job is claimed by a `beacon worker` process
# (lease owner "<host>:<pid>#<n>"), then SIGKILL that process.
killed=no; victim=""; held=""
for try in 1 2 3 4 5 6; do
  victim=$(submit "{\"prompt\":\"Storm over the harbour, take $try. 3 scenes.\",\"duration_target\":6,\"output_preset\":\"480p\"}" 2>/dev/null)
  [ -n "$victim" ] || break
  held=""
  for _ in $(seq 1 600); do
    held=$(psql_q "SELECT lease_owner FROM jobs WHERE id = $victim AND lease_owner IS NOT NULL AND status <> 'queued'")
    [ -n "$held" ] && break
    sleep 0.02
  done
  for wp in "${wpids[@]}"; do
    if [[ "$held" == *":$wp#"* ]]; then kill -9 "$wp"; wait "$wp" 2>/dev/null; killed=$wp; fi
  done
  [ "$killed" != no ] && break
  wait_status "$victim" >/dev/null  # the server's own worker took it: let it finish, try again
done
check "a beacon worker process was SIGKILLed while holding job $victim ($held)" test "$killed" != no
s=$(wait_status "${victim:-0}")
check "the job of the killed worker completes elsewhere after its lease runs out ($s)" test "$s" = completed
vdone=$(psql_q "SELECT count(*) FROM job_logs WHERE job_id = ${victim:-0} AND message = 'completed'")
check "and completes exactly once ($vdone)" test "$vdone" -eq 1
att=$(psql_q "SELECT attempts FROM jobs WHERE id = ${victim:-0}")
check "it was claimed a second time (attempts $att)" test "$att" -ge 2
for w in "${wpids[@]}"; do
  kill -0 "$w" 2>/dev/null || continue
  kill -TERM "$w"; wait "$w"; rc=$?
  check "beacon worker exits cleanly on SIGTERM ($rc)" test "$rc" -eq 0
done
kill -TERM "$serve_pid"; wait "$serve_pid"; rc=$?
check "beacon serve exits cleanly on SIGTERM ($rc)" test "$rc" -eq 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
