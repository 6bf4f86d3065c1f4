#!/usr/bin/env bash
# Disk full against a real `beacon serve` (issue 10, item 4): a job whose media folder (then
# whose whole data folder) is a small tmpfs fails with "disk full: N MB free in DIR" instead of
# hanging in a running state, and the worker does not spin on the error; below the
# [storage] min_free_mb reserve new jobs get 503, and GET /api/v1/system and `beacon doctor`
# show the free space. Needs root to mount a tmpfs: prints SKIP and passes otherwise.
set -uo pipefail
BIN=${1:?usage: disk_full_test.sh path/to/beacon}
if [ "$(id -u)" != 0 ]; then echo "SKIP: mounting a tmpfs needs root"; exit 0; fi
work=$(mktemp -d)
pids=()
mounts=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
probe="$work/probe"; mkdir -p "$probe"
if ! mount -t tmpfs -o size=1m tmpfs "$probe" 2>/dev/null; then
  echo "SKIP: cannot mount a tmpfs here (no CAP_SYS_ADMIN in this container?)"; exit 0
fi
umount "$probe"
passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
field() { python3 -c "import json,sys;j=json.load(sys.stdin);print($1)" 2>/dev/null; }
run_env() { env -i PATH="$PATH" HOME="$work" BEACON_ADMIN_PASSWORD=disk-full-pass "$@"; }

serve() {  # data config log -> sets $port, $spid
  port=$(free_port)
  env -i PATH="$PATH" HOME="$work" BEACON_ADMIN_PASSWORD=disk-full-pass \
    "$BIN" serve --data "$1" --config "$2" --listen 127.0.0.1:$port >"$3" 2>&1 &
  spid=$!; pids+=("$spid")
  for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
}

# One case: the folder `full` (the media folder or the whole data folder) is a `size` tmpfs.
full_disk_case() {
  local name=$1 data=$2 full=$3 size=$4
  mkdir -p "$full"
  mount -t tmpfs -o size="$size" tmpfs "$full" || { failed=$((failed + 1)); echo "FAIL $name: mount"; return; }
  mounts+=("$full")
  local cfg="$work/$name.toml"
  printf '[storage]\nmin_free_mb = 0\n' >"$cfg"
  mkdir -p "$data"
  local log="$work/$name.log"
  serve "$data" "$cfg" "$log"
  local tok
  tok=$(run_env "$BIN" token create --data "$data" --config "$cfg" --name t 2>/dev/null | tail -n1)
  local auth="Authorization: Bearer $tok"
  local job
  job=$(curl -fs -H "$auth" -H 'Content-Type: application/json' \
    -d '{"prompt":"A lighthouse keeper watches a storm roll in. 3 scenes.","duration_target":12,"output_preset":"1080p"}' \
    "http://127.0.0.1:$port/api/v1/generate" | field 'j["job_id"]')
  check "$name: the job was accepted" test -n "$job"
  local status="" body=""
  for _ in $(seq 1 1200); do  # hang guard: 120 s
    body=$(curl -fs -H "$auth" "http://127.0.0.1:$port/api/v1/jobs/$job")
    status=$(field 'j["status"]' <<<"$body")
    case "$status" in completed|failed|canceled) break;; esac
    sleep 0.1
  done
  local error
  error=$(field 'j["error_log"]' <<<"$body")
  check "$name: the job failed (status $status)" test "$status" = failed
  check "$name: the error says disk full ($error)" contains "$error" "^disk full: [0-9]* MB free in /"
  check "$name: the error names the full folder" contains "$error" "MB free in $full"
  # The worker goes on polling: it must not spin on the error meanwhile.
  local before after
  before=$(wc -l <"$log")
  sleep 3
  after=$(wc -l <"$log")
  check "$name: no log spinning after the failure ($((after - before)) lines in 3 s)" test $((after - before)) -le 3
  local worker_lines
  worker_lines=$(grep -c 'beacon: worker' "$log")
  check "$name: worker error lines stay few ($worker_lines)" test "$worker_lines" -le 10
  check "$name: the server still answers" curl -fs "http://127.0.0.1:$port/healthz" -o /dev/null
  kill "$spid"; wait "$spid" 2>/dev/null
}

full_disk_case media "$work/m/data" "$work/m/data/media" 1m
full_disk_case data "$work/d/data" "$work/d/data" 12m

# --- the database itself cannot write: the worker backs off instead of spinning ---------------
# A job becomes due 3 s from now; meanwhile a filler takes every free byte of the data tmpfs, so
# the worker's claim (a write) fails with "database or disk is full" again and again.
data="$work/q/data"; mkdir -p "$data"
mount -t tmpfs -o size=6m tmpfs "$data" && mounts+=("$data")
cfg="$work/q.toml"; printf '[storage]\nmin_free_mb = 0\n' >"$cfg"
serve "$data" "$cfg" "$work/q.log"
python3 - "$data/beacon.db" <<'PY'
import sqlite3, sys, time
now = int(time.time() * 1000)
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute("INSERT INTO jobs(user_id, prompt_text, created_at, updated_at, run_after) VALUES(1, 'A lighthouse', ?, ?, ?)",
           (now, now, now + 3000))
db.commit()
PY
dd if=/dev/zero of="$data/filler" bs=64k >/dev/null 2>&1
sleep 10
errors=$(grep -c 'beacon: worker' "$work/q.log")
check "db: the claim failure is reported ($errors lines)" test "$errors" -ge 1
check "db: it says disk full in the data folder" grep -q "disk full: 0 MB free in $data" "$work/q.log"
check "db: the worker backs off instead of spinning ($errors lines in 7 s, 2 workers)" test "$errors" -le 10
rm -f "$data/filler"
state=""
for _ in $(seq 1 600); do  # hang guard: 60 s (the backoff is capped at 30 s)
  state=$(python3 -c "import sqlite3,sys;print(sqlite3.connect(sys.argv[1]).execute('SELECT status FROM jobs').fetchone()[0])" "$data/beacon.db" 2>/dev/null)
  [ -n "$state" ] && [ "$state" != queued ] && break
  sleep 0.1
done
check "db: with space back the job is taken up (status $state)" test -n "$state" -a "$state" != queued
kill "$spid"; wait "$spid" 2>/dev/null

# --- the reserve: below [storage] min_free_mb new jobs are refused with 503 ---------------------
data="$work/r"
cfg="$work/reserve.toml"
printf '[storage]\nmin_free_mb = 1000000000\n' >"$cfg"
serve "$data" "$cfg" "$work/r.log"
tok=$(run_env "$BIN" token create --data "$data" --config "$cfg" --name t 2>/dev/null | tail -n1)
code=$(curl -s -o "$work/r.body" -w '%{http_code}' -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
  -d '{"prompt":"A lighthouse"}' "http://127.0.0.1:$port/api/v1/generate")
msg=$(field 'j["error"]["message"]' <"$work/r.body")
check "below the reserve a new job gets 503 (got $code)" test "$code" = 503
check "the refusal names the free space, the folder and the reserve ($msg)" contains "$msg" "MB free in $data.*1000000000 MB reserve"
sys=$(curl -fs -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/system")
check "GET /api/v1/system shows the free space ($sys)" contains "$(field 'j["disk"]["folders"][0]["free_mb"]' <<<"$sys")" "^[0-9][0-9]*$"
check "GET /api/v1/system says no new jobs are accepted" test "$(field 'j["disk"]["accepting_jobs"]' <<<"$sys")" = False
kill "$spid"; wait "$spid" 2>/dev/null
out=$(run_env "$BIN" doctor --data "$data" --config "$cfg" 2>&1); rc=$?
check "doctor shows the free space per folder" contains "$out" "MB free of [0-9]* MB in $data"
check "doctor fails below the reserve" test "$rc" -ne 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
