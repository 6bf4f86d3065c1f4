#!/usr/bin/env bash
# End-to-end checks of the beacon binary with the built-in engines and real ffmpeg:
# help and errors in words, generate (--out, --json, failure exit status), doctor, tokens,
# and crash recovery: a `beacon serve` killed with SIGKILL mid-job resumes the job from its last
# finished stage on the next start and completes it exactly once.
set -uo pipefail
BIN=${1:?usage: cli_test.sh path/to/beacon}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# --- help and errors in words --------------------------------------------------------------
out=$("$BIN" --help 2>&1); check "--help lists the subcommands" contains "$out" "generate"
out=$("$BIN" generate --help 2>&1); check "generate --help lists --duration" contains "$out" "--duration"
printf '[jobs]\nworkers = 0\n' >"$work/bad.toml"
out=$("$BIN" doctor --config "$work/bad.toml" --data "$work/d0" 2>&1); rc=$?
check "a bad config value stops with the key named" contains "$out" "jobs.workers"
check "a bad config value exits non-zero" test "$rc" -ne 0
out=$("$BIN" generate "" --data "$work/d0" 2>&1); rc=$?
check "an empty prompt is refused in words" contains "$out" "prompt"
check "an empty prompt exits non-zero" test "$rc" -ne 0

# --- doctor ---------------------------------------------------------------------------------
out=$("$BIN" doctor --data "$work/d1" 2>&1); rc=$?
check "doctor passes on the built-in engines ($out)" test "$rc" -eq 0
check "doctor checks ffmpeg" contains "$out" "ffmpeg"
out=$(OLLAMA_HOST=127.0.0.1:9 "$BIN" doctor --data "$work/d1" 2>&1); rc=$?
check "doctor fails when a configured service is unreachable" test "$rc" -ne 0
check "doctor names the unreachable service" contains "$out" "127.0.0.1:9"

# --- generate ---------------------------------------------------------------------------------
out=$("$BIN" generate "A short sci-fi animation about a lighthouse that controls storms. Emerald palette, 2 scenes." \
  --data "$work/d2" --out "$work/out.mp4" --json 2>"$work/gen.err"); rc=$?
check "generate succeeds with the built-in engines" test "$rc" -eq 0
check "generate --json prints job events" contains "$out" '"type":"job.updated"'
check "generate --json ends with the result" contains "$(tail -n1 <<<"$out")" '"type":"result"'
check "generate copies the MP4 to --out" test -s "$work/out.mp4"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/out.mp4" 2>/dev/null)
check "the MP4 lasts the 7 s default (got $dur)" python3 -c "import sys; sys.exit(0 if abs(float('$dur') - 7.0) <= 0.05 else 1)"
out=$(OLLAMA_HOST=127.0.0.1:9 "$BIN" generate "anything" --data "$work/d3" 2>&1); rc=$?
check "generate fails when the configured LLM is down" test "$rc" -ne 0
check "the failure names Ollama's URL" contains "$out" "127.0.0.1:9"

# --- tokens -----------------------------------------------------------------------------------
tok=$("$BIN" token create --data "$work/d2" --name ci 2>/dev/null | tail -n1)
check "token create prints a token on its last line" test "${#tok}" -ge 20

# --- crash recovery: SIGKILL mid-job, resume after the last finished stage -----------------------
port=$(free_port)
data="$work/d4"
BEACON_ADMIN_PASSWORD=crash-test-pass "$BIN" serve --data "$data" --listen 127.0.0.1:$port >"$work/s1.log" 2>&1 &
spid=$!; pids+=("$spid")
for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
tok=$("$BIN" token create --data "$data" --name crash 2>/dev/null | tail -n1)
job=$(curl -fs -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
  -d '{"prompt":"A lighthouse keeper watches a storm roll in. 3 scenes.","duration_target":9}' \
  "http://127.0.0.1:$port/api/v1/generate" | python3 -c 'import json,sys;print(json.load(sys.stdin)["job_id"])')
check "the API accepted the job" test -n "$job"
# Wait until the script stage has finished (recorded), then kill the process without warning.
for _ in $(seq 1 1000); do
  st=$(curl -fs -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/api/v1/jobs/$job" | python3 -c 'import json,sys;j=json.load(sys.stdin);print("yes" if "script" in j.get("stages",{}) else j["status"])')
  [ "$st" = yes ] && break; sleep 0.01
done
kill -9 "$spid"; wait "$spid" 2>/dev/null
check "the job was mid-flight when killed" test "$st" = yes
port2=$(free_port)
"$BIN" serve --data "$data" --listen 127.0.0.1:$port2 >"$work/s2.log" 2>&1 &
spid=$!; pids+=("$spid")
for _ in $(seq 1 500); do curl -fs "http://127.0.0.1:$port2/healthz" >/dev/null 2>&1 && break; sleep 0.02; done
status=""
for _ in $(seq 1 3000); do
  status=$(curl -fs -H "Authorization: Bearer $tok" "http://127.0.0.1:$port2/api/v1/jobs/$job" | python3 -c 'import json,sys;print(json.load(sys.stdin)["status"])')
  case "$status" in completed|failed|canceled) break;; esac
  sleep 0.05
done
check "the resumed job completed (status $status)" test "$status" = completed
logs=$(curl -fs -H "Authorization: Bearer $tok" "http://127.0.0.1:$port2/api/v1/jobs/$job/logs?after=0")
n_script=$(grep -o 'stage script started' <<<"$logs" | wc -l)
n_done=$(grep -o '"message":"completed"' <<<"$logs" | wc -l)
check "the script stage ran once, not again after the crash (ran $n_script times)" test "$n_script" -eq 1
check "the job completed exactly once ($n_done)" test "$n_done" -eq 1
items=$(curl -fs -H "Authorization: Bearer $tok" "http://127.0.0.1:$port2/api/v1/content" | python3 -c 'import json,sys;print(json.load(sys.stdin)["total"])')
check "exactly one library item exists ($items)" test "$items" -eq 1
kill "$spid"; wait "$spid" 2>/dev/null

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
