#!/usr/bin/env bash
# End-to-end checks of the beacon binary with the built-in engines and real ffmpeg:
# help and errors in words, generate (--out, --json, failure exit status), doctor, tokens,
# `user set-password`, crash recovery (a `beacon serve` killed with SIGKILL inside each stage
# resumes the job from its last finished stage on the next start and completes it exactly once),
# a clean SIGTERM shutdown with a job running (the job resumes on the next start), several
# `beacon worker` processes contending for leases, and the deferred-delete sweeper.
#
# Isolation: every beacon process starts from a clean, explicit environment (env -i) in a temp
# folder, so the caller's OLLAMA_HOST, COMFYUI_HOST, ELEVEN_API_KEY or WHISPER_URL can never
# switch a test to a real service; the script plants such variables itself to prove it.
set -uo pipefail
BIN=$(realpath "${1:?usage: cli_test.sh path/to/beacon}")
FFMPEG=$(command -v ffmpeg)
work=$(mktemp -d)
cd "$work" || exit 1  # no stray beacon.toml from the caller's directory
mkdir -p home tmp
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for f in "$work"/trap-*/held; do [ -f "$f" ] && xargs -r kill -9 <"$f" 2>/dev/null; done
  cd / && { [ -n "${CLI_TEST_KEEP:-}" ] && echo "kept $work" || rm -rf "$work"; }
}
trap cleanup EXIT
passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }
# CLI_TEST_ONLY="kill term ..." runs only those sections (for debugging); unset runs all.
only() { [ -z "${CLI_TEST_ONLY:-}" ] || [[ " $CLI_TEST_ONLY " == *" $1 "* ]]; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# A polluted caller environment: none of it may reach a beacon process.
export OLLAMA_HOST=127.0.0.1:9 COMFYUI_HOST=127.0.0.1:9 ELEVEN_API_KEY=from-the-caller \
  WHISPER_URL=http://127.0.0.1:9 BEACON_DATA="$work/caller-data" BEACON_LISTEN=127.0.0.1:9 \
  BEACON_ADMIN_PASSWORD=from-the-caller
clean=(env -i "PATH=$PATH" "HOME=$work/home" "TMPDIR=$work/tmp" "LANG=C.UTF-8")
beacon() { "${clean[@]}" "$BIN" "$@"; }
with_env() { "${clean[@]}" "$@"; }  # NAME=VALUE... "$BIN" args...

# --- help and errors in words --------------------------------------------------------------
out=$(beacon --help 2>&1); check "--help lists the subcommands" contains "$out" "generate"
out=$(beacon generate --help 2>&1); check "generate --help lists --duration" contains "$out" "--duration"
printf '[jobs]\nworkers = 65\n' >"$work/bad.toml"
out=$(beacon doctor --config "$work/bad.toml" --data "$work/d0" 2>&1); rc=$?
check "a bad config value stops with the key named" contains "$out" "jobs.workers"
check "a bad config value exits non-zero" test "$rc" -ne 0
out=$(beacon generate "" --data "$work/d0" 2>&1); rc=$?
check "an empty prompt is refused in words" contains "$out" "prompt"
check "an empty prompt exits non-zero" test "$rc" -ne 0

# --- doctor ---------------------------------------------------------------------------------
out=$(beacon doctor --data "$work/d1" 2>&1); rc=$?
check "doctor passes on the built-in engines, the caller's services unseen ($out)" test "$rc" -eq 0
check "doctor checks ffmpeg" contains "$out" "ffmpeg"
out=$(with_env OLLAMA_HOST=127.0.0.1:9 "$BIN" doctor --data "$work/d1" 2>&1); rc=$?
check "doctor fails when a configured service is unreachable" test "$rc" -ne 0
check "doctor names the unreachable service" contains "$out" "127.0.0.1:9"
check "nothing was written to the caller's BEACON_DATA" test ! -e "$work/caller-data"

# --- generate ---------------------------------------------------------------------------------
# A relative --data folder, as scripts/run.sh passes it (ffmpeg's concat lists once resolved
# such paths against the list's own folder and every generation failed).
out=$(beacon generate "A short sci-fi animation about a lighthouse that controls storms. Emerald palette, 2 scenes." \
  --data d2 --out "$work/out.mp4" --json 2>"$work/gen.err"); rc=$?
check "generate succeeds with the built-in engines" test "$rc" -eq 0
check "generate --json prints job events" contains "$out" '"type":"job.updated"'
check "generate --json ends with the result" contains "$(tail -n1 <<<"$out")" '"type":"result"'
check "generate copies the MP4 to --out" test -s "$work/out.mp4"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$work/out.mp4" 2>/dev/null)
check "the MP4 lasts the 7 s default (got $dur)" python3 -c "import sys; sys.exit(0 if abs(float('$dur') - 7.0) <= 0.05 else 1)"
out=$(with_env OLLAMA_HOST=127.0.0.1:9 "$BIN" generate "anything" --data "$work/d3" 2>&1); rc=$?
check "generate fails when the configured LLM is down" test "$rc" -ne 0
check "the failure names Ollama's URL" contains "$out" "127.0.0.1:9"

# --- tokens -----------------------------------------------------------------------------------
tok=$(beacon token create --data "$work/d2" --name ci 2>/dev/null | tail -n1)
check "token create prints a token on its last line" test "${#tok}" -ge 20

# --- servers under test -------------------------------------------------------------------------
# start_serve DATA LOG [NAME=VALUE...]: a `beacon serve` on a free port; sets spid and port.
start_serve() {
  local data=$1 log=$2; shift 2
  port=$(free_port)
  # Not through a shell function: $! must be beacon itself (env execs it), not a subshell.
  "${clean[@]}" "$@" "$BIN" serve --data "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
  spid=$!; pids+=("$spid")
  for _ in $(seq 1 1500); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$spid" 2>/dev/null || return 1
    sleep 0.02
  done
  return 1
}
api() { curl -fs -H "Authorization: Bearer $tok" "$@"; }
sql() { sqlite3 -cmd ".timeout 10000" "$1/beacon.db" "$2"; }
json_field() { python3 -c "import json,sys;print(json.load(sys.stdin)$1)"; }
submit() {  # body → job id
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
gone() {  # pid → true when no live process has it (exited or a zombie)
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
  [ -z "$st" ] || [ "$st" = Z ]
}
# ffmpeg stand-in for trapped servers: the first ffmpeg run writing into the scratch folder of the
# stage named by BEACON_TEST_TRAP records its pid and holds (as a long encode would) until killed;
# every other run is the real ffmpeg.
make_trap() {  # folder
  mkdir -p "$1/bin"
  cat >"$1/bin/ffmpeg" <<TRAP
#!/bin/sh
for a in "\$@"; do
  case "\$a" in
    */job-*/"\$BEACON_TEST_TRAP"/*) echo \$\$ >>"$1/held"; exec sleep 600;;
  esac
done
exec "$FFMPEG" "\$@"
TRAP
  chmod +x "$1/bin/ffmpeg"
}
job_body='{"prompt":"A lighthouse keeper watches a storm roll in. 3 scenes.","duration_target":9,"output_preset":"480p"}'

# --- crash recovery: SIGKILL inside each stage, resume after the last finished stage ------------
# kill_inside STAGE: runs a job on a fresh data folder and kills the server with SIGKILL while
# the job is inside STAGE; sets data, tok, job, caught (the stage was running and unrecorded at
# the kill, and the job not finished).
kill_inside() {
  local stage=$1 attempt trapdir st
  caught=no
  for attempt in 1 2 3; do
    data="$work/kill-$stage-$attempt"
    trapdir="$work/trap-$stage-$attempt"; make_trap "$trapdir"
    start_serve "$data" "$work/kill-$stage-$attempt.log" "PATH=$trapdir/bin:$PATH" \
      "BEACON_TEST_TRAP=$stage" BEACON_ADMIN_PASSWORD=crash-test-pass || return 1
    tok=$(beacon token create --data "$data" --name crash 2>/dev/null | tail -n1)
    job=$(submit "$job_body")
    [ -n "$job" ] || return 1
    if [ "$stage" = scenes ]; then
      # No external process runs in the scenes stage with the built-in engines: watch the
      # database and kill as soon as the job is rendering (the scenes stage has begun).
      for _ in $(seq 1 20000); do
        st=$(sql "$data" "SELECT status || ':' || ifnull(json_type(stages, '\$.scenes'), '') FROM jobs WHERE id=$job")
        case "$st" in rendering_preview:*|rendering_final:*|composing:*|completed:*|failed:*) break;; esac
      done
    else
      for _ in $(seq 1 3000); do [ -s "$trapdir/held" ] && break; sleep 0.02; done
    fi
    kill -9 "$spid"; wait "$spid" 2>/dev/null
    [ -f "$trapdir/held" ] && xargs -r kill -9 <"$trapdir/held" 2>/dev/null
    # What the database says after the kill is what counts: inside the stage, nothing finished.
    st=$(sql "$data" "SELECT status || ':' || ifnull(json_type(stages, '\$.$stage'), 'none') || ':' || ifnull(content_id, 'none') FROM jobs WHERE id=$job")
    local started
    started=$(sql "$data" "SELECT count(*) FROM job_logs WHERE job_id=$job AND message='stage $stage started'")
    echo "     killed in $stage (attempt $attempt): job state $st, stage started $started time(s)"
    # (compose creates the library row early; the job is unfinished until the stage is recorded)
    case "$st" in completed:*|*:object:*) continue;; esac
    [ "$started" = 1 ] && { caught=yes; return 0; }
  done
}
for stage in ${CLI_TEST_STAGES:-scenes preview final compose}; do
  only kill || break
  kill_inside "$stage"
  check "killed inside the $stage stage, before it finished and before the job did" test "$caught" = yes
  [ "$caught" = yes ] || continue
  start_serve "$data" "$work/resume-$stage.log"
  status=$(wait_status "$job")
  check "after a kill in $stage, the resumed job completed (status $status)" test "$status" = completed
  logs=$(api "http://127.0.0.1:$port/api/v1/jobs/$job/logs?after=0")
  for s in script scenes preview final compose; do
    n=$(grep -o "stage $s started" <<<"$logs" | wc -l)
    if [ "$s" = "$stage" ]; then want=2; else want=1; fi
    check "after a kill in $stage, stage $s ran $want time(s) (ran $n)" test "$n" -eq "$want"
  done
  n_done=$(grep -o '"message":"completed"' <<<"$logs" | wc -l)
  check "after a kill in $stage, the job completed exactly once ($n_done)" test "$n_done" -eq 1
  items=$(api "http://127.0.0.1:$port/api/v1/content" | json_field '["total"]')
  check "after a kill in $stage, exactly one library item exists ($items)" test "$items" -eq 1
  kill "$spid"; wait "$spid" 2>/dev/null
done

# --- clean SIGTERM shutdown with a job running, resumed on the next start ------------------------
if only term; then
data="$work/term"
trapdir="$work/trap-term"; make_trap "$trapdir"
start_serve "$data" "$work/term1.log" "PATH=$trapdir/bin:$PATH" BEACON_TEST_TRAP=final
tok=$(beacon token create --data "$data" --name term 2>/dev/null | tail -n1)
job=$(submit "$job_body")
for _ in $(seq 1 3000); do [ -s "$trapdir/held" ] && break; sleep 0.02; done
check "the SIGTERM job is running its final encode" test -s "$trapdir/held"
held=$(head -n1 "$trapdir/held" 2>/dev/null)
kill -TERM "$spid"
rc=124
for _ in $(seq 1 600); do kill -0 "$spid" 2>/dev/null || { wait "$spid"; rc=$?; break; }; sleep 0.05; done
check "serve exits cleanly on SIGTERM with a job running (exit status $rc)" test "$rc" -eq 0
check "the running encode was stopped with it" gone "${held:-0}"
st=$(sql "$data" "SELECT status || ':' || cancel_requested || ':' || ifnull(lease_owner, 'none') FROM jobs WHERE id=$job")
check "the interrupted job is queued again, not failed or canceled, its lease released ($st)" test "$st" = "queued:0:none"
n=$(sql "$data" "SELECT count(*) FROM job_logs WHERE job_id=$job AND message LIKE 'interrupted by shutdown%'")
check "the job's log says it was interrupted by the shutdown" test "$n" -eq 1
start_serve "$data" "$work/term2.log"
status=$(wait_status "$job")
check "after SIGTERM, the resumed job completed (status $status)" test "$status" = completed
logs=$(api "http://127.0.0.1:$port/api/v1/jobs/$job/logs?after=0")
n_scenes=$(grep -o 'stage scenes started' <<<"$logs" | wc -l)
n_final=$(grep -o 'stage final started' <<<"$logs" | wc -l)
check "after SIGTERM, finished stages did not run again (scenes ran $n_scenes)" test "$n_scenes" -eq 1
check "after SIGTERM, the interrupted final stage ran again (ran $n_final)" test "$n_final" -eq 2
kill -TERM "$spid"; wait "$spid" 2>/dev/null
fi

# --- user set-password ------------------------------------------------------------------------------
data="$work/pw"
out=$(printf 'first password 1\n' | beacon user set-password --data "$data" 2>&1); rc=$?
check "user set-password reads the password from standard input ($out)" test "$rc" -eq 0
out=$(printf 'short\n' | beacon user set-password --data "$data" 2>&1); rc=$?
check "user set-password refuses a weak password in words ($out)" test "$rc" -ne 0 -a -n "$out"
start_serve "$data" "$work/pw.log"
login() { curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"password\":\"$1\"}" "http://127.0.0.1:$port/api/v1/auth/login"; }
check "the password set on the command line logs in" test "$(login 'first password 1')" = 200
check "another password does not" test "$(login 'short')" = 401
out=$(printf 'second password 2\n' | beacon user set-password --data "$data" 2>&1); rc=$?
check "user set-password changes the password of a running studio" test "$rc" -eq 0
check "the old password stops working" test "$(login 'first password 1')" = 401
check "the new password logs in" test "$(login 'second password 2')" = 200
kill -TERM "$spid"; wait "$spid" 2>/dev/null

# --- several workers contending for leases ------------------------------------------------------------
if only workers; then
data="$work/workers"
printf '[jobs]\nworkers = 1\n' >"$work/one-worker.toml"
start_serve "$data" "$work/workers-serve.log" BEACON_ADMIN_PASSWORD=workers-pass
serve_pid=$spid
wpids=()
for w in 1 2; do
  "${clean[@]}" "$BIN" worker --data "$data" --config "$work/one-worker.toml" >"$work/worker$w.log" 2>&1 &
  wpids+=("$!"); pids+=("$!")
done
# Made while the server and both workers open the database: its error, if any, goes to the log.
tok=$(beacon token create --data "$data" --name workers 2>"$work/workers-token.err" | tail -n1)
check "token create works beside a running server and workers ($(tail -c 300 "$work/workers-token.err"))" \
  test "${#tok}" -ge 20
jobs_ids=()
for i in 1 2 3 4 5; do
  jobs_ids+=("$(submit "{\"prompt\":\"Harbour lights, part $i. 2 scenes.\",\"duration_target\":4,\"output_preset\":\"480p\"}" 2>/dev/null)")
done
all_done=yes
for j in "${jobs_ids[@]}"; do
  # A refused submission has no id: fail at once instead of polling a job that does not exist.
  if [ -z "$j" ]; then all_done="no (a submission was refused)"; break; fi
  s=$(wait_status "$j"); [ "$s" = completed ] || all_done="no ($j: $s)"
done
check "five jobs on three contending processes all completed: $all_done" test "$all_done" = yes
claims=$(sql "$data" "SELECT count(*) FROM job_logs WHERE message LIKE 'attempt % started on %'")
firsts=$(sql "$data" "SELECT count(DISTINCT job_id) FROM job_logs WHERE message LIKE 'attempt 1 started on %'")
check "each job was claimed exactly once ($claims claims for ${#jobs_ids[@]} jobs)" test "$claims" -eq 5 -a "$firsts" -eq 5
runs=$(sql "$data" "SELECT count(*) FROM job_logs WHERE message='stage script started'")
done_n=$(sql "$data" "SELECT count(*) FROM job_logs WHERE message='completed'")
check "no job ran twice ($runs script stages, $done_n completions)" test "$runs" -eq 5 -a "$done_n" -eq 5
# Worker ids are "<process id>#<thread>": count the processes.
owners=$(sql "$data" "SELECT message FROM job_logs WHERE message LIKE 'attempt % started on %'" |
  sed 's/.* started on //; s/#[0-9]*$//' | sort -u | wc -l)
check "the jobs were shared between processes ($owners processes ran jobs)" test "$owners" -ge 2
items=$(api "http://127.0.0.1:$port/api/v1/content" | json_field '["total"]')
check "five library items, one per job ($items)" test "$items" -eq 5
for w in "${wpids[@]}"; do
  kill -TERM "$w"; wait "$w"; rc=$?
  check "beacon worker exits cleanly on SIGTERM ($rc)" test "$rc" -eq 0
done

# --- deferred deletes: swept once due, also those left by an earlier run -------------------------------
ids=$(api "http://127.0.0.1:$port/api/v1/content" | python3 -c 'import json,sys;print(" ".join(str(i["id"]) for i in json.load(sys.stdin)["items"][:2]))')
read -r gone_id kept_id <<<"$ids"
for id in "$gone_id" "$kept_id"; do
  code=$(api -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$port/api/v1/content/$id")
  check "deleting library item $id answers 204 ($code)" test "$code" = 204
done
check "a deleted item's files stay while channels may still serve them" test -d "$data/media/library/$gone_id"
kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null
# Make one deletion due (as if its delay had passed while the studio was down).
sql "$data" "UPDATE object_deletes SET due_at = 0 WHERE prefix = 'library/$gone_id/'"
start_serve "$data" "$work/sweep.log"
for _ in $(seq 1 600); do [ -d "$data/media/library/$gone_id" ] || break; sleep 0.05; done
check "the sweeper deletes a due item's files on start" test ! -d "$data/media/library/$gone_id"
check "an item not yet due keeps its files" test -d "$data/media/library/$kept_id"
left=$(sql "$data" "SELECT count(*) FROM object_deletes WHERE prefix = 'library/$kept_id/'")
check "the not-yet-due deletion is still scheduled ($left)" test "$left" -eq 1
kill -TERM "$spid"; wait "$spid" 2>/dev/null

fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
