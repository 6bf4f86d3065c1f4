#!/usr/bin/env bash
# Whole runs through the service stand-ins (tests/doubles/): every engine is set to its service
# (Ollama for script, translation and entities; ElevenLabs voice; ComfyUI pictures; Whisper
# captions), each pointed at its double. `beacon generate` and a `beacon serve` job run end to
# end; then each service fails in its own way, and the job's outcome, its error text and the
# assets' provenance are checked, as are the requests the doubles received.
#
# Isolation: every process (beacon and the doubles) starts from a clean, explicit environment
# (env -i) in a temp folder that is removed at the end; the caller's OLLAMA_HOST, COMFYUI_HOST,
# ELEVEN_API_KEY or WHISPER_URL never reach it (the script plants them to prove it).
set -uo pipefail
BIN=$(realpath "${1:?usage: doubles_e2e_test.sh path/to/beacon}")
DOUBLES=$(cd "$(dirname "$0")/../doubles" && pwd)
work=$(mktemp -d)
cd "$work" || exit 1
mkdir -p home tmp
pids=()
dpids=()  # the doubles of the current run
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  cd / && rm -rf "$work"
}
trap cleanup EXIT
passed=0; failed=0
check() {  # description, command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok   $what"; else failed=$((failed + 1)); echo "FAIL $what"; fi
}
contains() { grep -q -- "$2" <<<"$1"; }
lacks() { ! grep -q -- "$2" <<<"$1"; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

export OLLAMA_HOST=127.0.0.1:9 COMFYUI_HOST=127.0.0.1:9 ELEVEN_API_KEY=from-the-caller \
  WHISPER_URL=http://127.0.0.1:9 BEACON_DATA="$work/caller-data" BEACON_LISTEN=127.0.0.1:9
clean=(env -i "PATH=$PATH" "HOME=$work/home" "TMPDIR=$work/tmp" "LANG=C.UTF-8")
KEY=sk_e2e_key_0123456789

# start_double VAR SCRIPT [ARGS...]: starts a double, sets VAR to its base URL.
start_double() {
  local var=$1 script=$2; shift 2
  local out="$work/double-$var-${#pids[@]}.out"
  "${clean[@]}" python3 -u "$DOUBLES/$script" "$@" >"$out" 2>"$out.err" &
  pids+=($!); dpids+=($!)
  for _ in $(seq 1 200); do
    if grep -q '^PORT ' "$out" 2>/dev/null; then
      printf -v "$var" 'http://127.0.0.1:%s' "$(sed -n 's/^PORT //p' "$out" | head -n1)"
      return 0
    fi
    sleep 0.05
  done
  echo "double $script did not start: $(cat "$out.err")"; return 1
}
requests() { curl -fs "$1/__double/requests"; }  # the double's request log (JSON)

# write_config FILE: every engine on its double (URLs from $OL $CO $EL $WH).
write_config() {
  cat >"$1" <<EOF
[jobs]
workers = 1
max_attempts = ${ATTEMPTS:-1}
backoff_base_ms = 50
backoff_cap_ms = 100

[engines]
script = "ollama"
voice = "elevenlabs"
pictures = "comfyui"
captions = "whisper"
translation = "ollama"
entities = "ollama"

[ollama]
host = "$OL"
model = "llama3.2"
timeout_seconds = 60

[comfyui]
host = "$CO"
checkpoint = "v1-5-pruned-emaonly.safetensors"
steps = 4
timeout_seconds = 60

[elevenlabs]
api_key = "$KEY"
base_url = "$EL"
timeout_seconds = 60

[whisper]
url = "$WH"
api = "whispercpp"
timeout_seconds = ${WH_TIMEOUT:-60}

[media]
preview_height = 240
EOF
}

# all_doubles [OLLAMA_ARGS] [COMFY_ARGS] [ELEVEN_ARGS] [WHISPER_ARGS] (each one quoted string).
all_doubles() {
  for p in "${dpids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  dpids=()
  # shellcheck disable=SC2086
  start_double OL ollama_double.py $1 && start_double CO comfyui_double.py --step-delay 0.001 $2 &&
    start_double EL elevenlabs_double.py --key "$KEY" $3 &&
    start_double WH whisper_double.py --api whispercpp \
      --text "The lighthouse keeps the storms at bay. Its keeper sleeps at dawn." $4
}

# generate NAME [ATTEMPTS=N]: runs `beacon generate --json` with its own data and config.
generate() {
  local name=$1
  write_config "$work/$name.toml"
  "${clean[@]}" "$BIN" generate "A lighthouse that controls storms. Emerald palette, 2 scenes." \
    --duration 6 --config "$work/$name.toml" --data "$work/$name-data" --json --out "$work/$name.mp4" \
    >"$work/$name.json" 2>"$work/$name.err"
}
assets() {  # NAME: "kind engine model" per asset, from the run's database
  sqlite3 "$work/$1-data/beacon.db" "select kind, engine, model from assets order by id" 2>/dev/null
}

# --- 1. beacon generate: everything through the doubles ------------------------------------------
# The services' odd-but-legal answers all at once: a fenced answer amid prose with a thinking
# field, unknown fields and NDJSON lines split across reads; a dropped progress socket; sub-word
# Whisper tokens.
all_doubles "--wrap fence-prose --thinking --extra-fields --split-lines" "--drop-ws-after 2" "" "--segments subword" || exit 1
generate ok; rc=$?
check "generate completes with every engine on its double (rc $rc: $(tail -c 400 "$work/ok.err"))" test "$rc" -eq 0
check "the MP4 decodes end to end" bash -c "ffmpeg -nostdin -v error -xerror -i '$work/ok.mp4' -f null - 2>&1 | (! grep -q .)"
streams=$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$work/ok.mp4" 2>/dev/null | sort | tr '\n' ' ')
check "the MP4 has audio ($streams)" contains "$streams" "audio"
check "the MP4 has video ($streams)" contains "$streams" "video"
# The narration is ElevenLabs' MP3 tone (440 Hz): the audio track is not silent.
vol=$(ffmpeg -nostdin -i "$work/ok.mp4" -map 0:a:0 -af volumedetect -f null - 2>&1 | sed -n 's/.*max_volume: \(-*[0-9.]*\) dB.*/\1/p')
check "the narration is audible (max volume $vol dB)" awk -v v="$vol" 'BEGIN{exit !(v != "" && v > -40)}'

a=$(assets ok)
short=$(grep -E '^(script|voice|picture)[|]' <<<"$a" | sort -u | tr '\n' ' ')
check "the script's provenance is ollama/llama3.2 ($short)" contains "$a" "script|ollama|llama3.2"
check "the voice's provenance is elevenlabs ($short)" contains "$a" "|elevenlabs|eleven_multilingual_v2"
check "the pictures' provenance is comfyui ($short)" contains "$a" "|comfyui|v1-5-pruned-emaonly.safetensors"
# The captions file is stored by the compose step (ffmpeg provenance); the job log names its engine.
check "the captions came from Whisper" contains "$(cat "$work/ok.json")" "cues by whisper"
check "ComfyUI's dropped socket was survived by polling" contains "$(cat "$work/ok.json")" "progress socket closed"
check "the model's reasoning never reached the job log" lacks "$(cat "$work/ok.json")" "let me think"
check "no built-in engine made any asset ($short)" lacks "$a" "builtin"
log=$(cat "$work/ok.json")
check "the fenced Ollama answer was accepted and the unwrapping logged" contains "$log" "script answer came wrapped in"
check "the entity extractor's unwrapping is in beacon's own log" contains "$(cat "$work/ok.err")" "entities answer came wrapped in"
chat=$(requests "$OL" | jq -c '[.[] | select(.path == "/api/chat")][0].json')
check "our script request asks llama3.2 for the schema, streamed, no thinking" \
  test "$(jq -r '[.model, .stream, .think, .format.type] | join(",")' <<<"$chat")" = "llama3.2,true,false,object"
tts=$(requests "$EL" | jq '[.[] | select(.path | startswith("/v1/text-to-speech/")) | select(.headers["xi-api-key"] == "'"$KEY"'")] | length')
check "every scene was voiced by ElevenLabs with our key ($tts requests)" test "$tts" -ge 1
prompts=$(requests "$CO" | jq '[.[] | select(.path == "/prompt" and .method == "POST")] | length')
pictures=$(grep -c '^picture|comfyui|' <<<"$a")
check "ComfyUI got one prompt per picture, none sent twice ($prompts prompts, $pictures pictures)" \
  test "$prompts" -ge 1 -a "$prompts" -eq "$pictures"
wh=$(requests "$WH" | jq -r '[.[] | select(.path == "/inference")][0].form.response_format[0]')
check "Whisper was asked for verbose_json ($wh)" test "$wh" = "verbose_json"
check "nothing was written to the caller's BEACON_DATA" test ! -e "$work/caller-data"

# --- 2. each service failing in its own way --------------------------------------------------
# fails NAME "WHAT" "EXPECTED TEXT" OLLAMA COMFY ELEVEN WHISPER
fails() {
  local name=$1 what=$2 text=$3
  all_doubles "$4" "$5" "$6" "$7" || return 1
  generate "$name"; local rc=$?
  local err; err=$(cat "$work/$name.err")
  check "$what: the job fails (rc $rc)" test "$rc" -ne 0
  check "$what: the error says '$text' ($(tail -c 300 <<<"$err"))" contains "$err" "$text"
  check "$what: no MP4 is made" test ! -s "$work/$name.mp4"
}
fails comfy "ComfyUI execution error" "ComfyUI (http://127.0.0.1:[0-9]*): prompt .* failed" "" "--exec-error" "" ""
check "ComfyUI execution error: the service's own words reach the user" contains "$(cat "$work/comfy.err")" "CUDA out of memory"
fails quota "ElevenLabs out of credits" "quota_exceeded" "" "" "--quota" ""
check "ElevenLabs out of credits: the key never appears" lacks "$(cat "$work/quota.err")" "$KEY"
fails blank "Whisper hears nothing" "no speech recognised" "" "" "" "--segments blank"
fails length "Ollama cut off" "done_reason \"length\"" "--done-reason-length" "" "" ""
# A timeout says so, with the limit.
WH_TIMEOUT=2 fails slow "Whisper answers too late" "no answer within 2 s" "" "" "" "--delay 30"
# A busy service: the client retries, the job retries; the counts in the text are what was sent.
ATTEMPTS=2 fails busy "Ollama busy" "HTTP 503: server busy" "--busy" "" "" ""
sent=$(requests "$OL" | jq '[.[] | select(.path == "/api/chat")] | length')
err=$(cat "$work/busy.err")
check "Ollama busy: the text counts the requests of each attempt ($err)" contains "$err" "(3 requests sent, all failed)"
check "Ollama busy: and the job attempts" contains "$err" "(gave up after 2 job attempts)"
check "Ollama busy: 3 requests x 2 attempts were really sent ($sent)" test "$sent" -eq 6

# --- 3. a server job through the doubles, and the voice list with a refused key ---------------
all_doubles "" "--step-delay 0.001" "" "" || exit 1
write_config "$work/serve.toml"
port=$(free_port)
"${clean[@]}" "$BIN" token create --config "$work/serve.toml" --data "$work/serve-data" --name e2e \
  >"$work/token.out" 2>/dev/null
tok=$(tail -n1 "$work/token.out")
"${clean[@]}" "$BIN" serve --config "$work/serve.toml" --data "$work/serve-data" --listen "127.0.0.1:$port" \
  >"$work/serve.log" 2>&1 &
spid=$!; pids+=("$spid")
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
api() { curl -s -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' "$@"; }
base="http://127.0.0.1:$port/api/v1"
# wait_job ID: polls the job until it ends; sets detail and state.
wait_job() {
  state=""
  for _ in $(seq 1 600); do
    detail=$(api "$base/jobs/$1")
    state=$(jq -r '.status // .job.status // empty' <<<"$detail")
    case "$state" in completed|failed|canceled) return 0 ;; esac
    sleep 0.2
  done
}
job=$(api -X POST "$base/generate" -d '{"prompt":"A fox in the snow at night, 2 scenes.","duration_target":6}')
id=$(jq -r '.job_id // empty' <<<"$job")
check "the server accepts a job ($job)" test -n "$id"
wait_job "$id"
check "the server job completes through the doubles ($state: $(jq -c '.error // .job.error // empty' <<<"$detail" | head -c 300))" test "$state" = "completed"
engines=$(jq -r '[.assets[] | .kind + ":" + .engine] | unique | join(" ")' <<<"$detail")
for e in script:ollama voice:elevenlabs picture:comfyui; do
  check "its $e asset names its service ($engines)" contains "$engines" "$e"
done
check "no asset of it is built-in ($engines)" lacks "$engines" "builtin"
check "its captions came from Whisper" contains "$detail" "cues by whisper"

# Cancel a job whose picture waits in ComfyUI's queue behind another prompt: it is deleted from
# the queue (and never runs), not left to run after the job is gone.
blocker='{"prompt":{"1":{"class_type":"EmptyLatentImage","inputs":{"width":64,"height":64}},"2":{"class_type":"KSampler","inputs":{"steps":2000,"seed":7}},"3":{"class_type":"SaveImage","inputs":{"filename_prefix":"blocker"}}},"client_id":"someone-else"}'
curl -fs -X POST -H 'Content-Type: application/json' -d "$blocker" "$CO/prompt" >/dev/null
job=$(api -X POST "$base/generate" -d '{"prompt":"A harbour at dawn.","duration_target":4}')
id=$(jq -r '.job_id // empty' <<<"$job")
ours=""
for _ in $(seq 1 600); do
  ours=$(curl -fs "$CO/queue" | jq -r '[.queue_pending[] | select(.[3].client_id != "someone-else") | .[1]][0] // empty')
  [ -n "$ours" ] && break
  sleep 0.1
done
check "the job's prompt waits in ComfyUI's queue ($ours)" test -n "$ours"
api -X POST "$base/jobs/$id/cancel" >/dev/null
wait_job "$id"
check "the job is canceled ($state)" test "$state" = "canceled"
deleted=$(requests "$CO" | jq --arg id "$ours" '[.[] | select(.path == "/queue" and .method == "POST") | select(.json.delete | index($id))] | length')
check "cancel deleted the queued prompt from ComfyUI's queue" test "$deleted" -ge 1
pending=$(curl -fs "$CO/queue" | jq -r --arg id "$ours" '[.queue_pending[] | select(.[1] == $id)] | length')
check "the prompt is no longer queued" test "$pending" -eq 0
curl -fs -X POST "$CO/interrupt" >/dev/null
sleep 0.5
check "and it never ran" test "$(curl -fs "$CO/history/$ours")" = "{}"
voices=$(api "$base/voices")
check "the voice list comes from ElevenLabs ($voices)" contains "$voices" "Rachel"
kill "$spid"; wait "$spid" 2>/dev/null

# The same server with a key ElevenLabs refuses: /voices is a bad gateway, never Beacon's 401.
# (Its own data folder: the first server's cached voice would spare the call to ElevenLabs.)
KEY=sk_refused_key_999 write_config "$work/refused.toml"
port=$(free_port)
tok=$("${clean[@]}" "$BIN" token create --config "$work/refused.toml" --data "$work/refused-data" --name e2e 2>/dev/null | tail -n1)
"${clean[@]}" "$BIN" serve --config "$work/refused.toml" --data "$work/refused-data" --listen "127.0.0.1:$port" \
  >"$work/serve2.log" 2>&1 &
spid=$!; pids+=("$spid")
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
base="http://127.0.0.1:$port/api/v1"
headers=$(curl -s -D - -o "$work/voices.json" -H "Authorization: Bearer $tok" "$base/voices")
code=$(head -n1 <<<"$headers" | awk '{print $2}')
body=$(cat "$work/voices.json")
check "a refused ElevenLabs key makes /voices a 502, not 401 ($code)" test "$code" = "502"
check "no WWW-Authenticate for a service's refusal" lacks "$(tr 'A-Z' 'a-z' <<<"$headers")" "www-authenticate"
check "the error is external_error naming ElevenLabs ($body)" \
  test "$(jq -r '.error.code' <<<"$body")" = "external_error" -a -n "$(jq -r '.error.message | select(contains("ElevenLabs"))' <<<"$body")"
check "the refused key never appears in the answer" lacks "$body" "sk_refused_key_999"
# A job on this server fails at the voice stage, in ElevenLabs' words, without the key.
job=$(api -X POST "$base/generate" -d '{"prompt":"A quiet library at night.","duration_target":4}')
id=$(jq -r '.job_id // empty' <<<"$job")
wait_job "$id"
msg=$(jq -r '(.error.message // .job.error.message // .error_log // .job.error_log // "")' <<<"$detail")
check "a server job with a refused key fails ($state)" test "$state" = "failed"
check "its error names ElevenLabs and its refusal ($msg)" contains "$msg" "ElevenLabs (http://127.0.0.1:[0-9]*/v1/text-to-speech/.*HTTP 401: invalid_api_key"
check "its error never shows the key" lacks "$detail" "sk_refused_key_999"
kill "$spid"; wait "$spid" 2>/dev/null

# --- 4. beacon doctor reads the ElevenLabs quota ------------------------------------------------
all_doubles "" "" "--characters-left 0" "" || exit 1
write_config "$work/doctor.toml"
out=$("${clean[@]}" "$BIN" doctor --config "$work/doctor.toml" --data "$work/doctor-data" 2>&1); rc=$?
check "doctor fails on a used-up ElevenLabs quota (rc $rc)" test "$rc" -ne 0
check "doctor says how many characters are left ($(grep elevenlabs <<<"$out"))" contains "$out" "0 of 100000 characters left"
all_doubles "" "" "--characters-left 5000" "" || exit 1
write_config "$work/doctor.toml"
out=$("${clean[@]}" "$BIN" doctor --config "$work/doctor.toml" --data "$work/doctor-data" 2>&1); rc=$?
check "doctor passes with every service on its double (rc $rc: $out)" test "$rc" -eq 0
check "doctor reports the quota left" contains "$out" "5000 of 100000 characters left"

echo "doubles e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
