#!/usr/bin/env bash
# Final assembly of a 60 s, 6-scene, 1080p video with motion and crossfades (issue 4, "Measured"):
# Beacon's media::MakeFinal beside (a) the brief's naive path (render PNG frames at 24 fps, then
# `ffmpeg -r 24 -i frames/frame_%04d.png -i audio.wav -c:v libx264 -pix_fmt yuv420p -c:a aac
# -shortest out.mp4`) and (b) MLT's melt doing the same composition, all in this one run on the
# same pictures and narration. Usage: bench/media/compare/run.sh [build-dir] [work-dir]
# Needs: ffmpeg, melt (Debian package "melt"). Set SKIP_MELT=1 / SKIP_NAIVE=1 / SKIP_PARALLAX=1
# to leave a contender out.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$("$here/build.sh" ${1:+"$1"})"
work="${2:-${TMPDIR:-/tmp}/beacon-assembly-compare}"
rm -rf "$work"
mkdir -p "$work"
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }

echo "machine: $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
command -v melt >/dev/null || { echo "installing melt (Debian package) for the comparison"; apt-get install -y -qq melt >/dev/null; }
echo "tools: $(ffmpeg -hide_banner -version | head -1 | cut -d' ' -f1-3); $(melt --version 2>&1 | head -1 || echo 'melt missing')"
"$bin" prepare "$work"
mapfile -t scenes < "$work/scenes.txt"   # "picture camera" per scene

# --- Beacon: narration mix + loudness pass + one-pass motion/crossfade/loudnorm/x264 encode
# (house format: 25 fps, H.264 High, veryfast, CRF 20, closed GOP; AAC 48 kHz stereo).
out_beacon="$("$bin" final "$work" stills)"
echo "$out_beacon"
beacon_s="$(sed -n 's/^beacon_stills_s: \([0-9.]*\).*/\1/p' <<<"$out_beacon")"
if [[ -z "${SKIP_PARALLAX:-}" ]]; then
  "$bin" final "$work" parallax   # the storyboard's depth layers: what the built-in path uses
fi

# --- (a) naive: every frame written as PNG at 24 fps, then the brief's command.
if [[ -z "${SKIP_NAIVE:-}" ]]; then
  mkdir -p "$work/frames"
  args=() ; graph="" ; n=${#scenes[@]}
  for i in "${!scenes[@]}"; do
    read -r pic cam <<<"${scenes[$i]}"
    len=10.5; [[ $i -eq $((n - 1)) ]] && len=10
    frames=$(awk -v l="$len" 'BEGIN { print int(l * 24) }')
    args+=(-loop 1 -framerate 24 -t "$len" -i "$pic")
    case "$cam" in
      zoom_in)  m="zoompan=z='1+0.1*on/$frames':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=1920x1080:fps=24" ;;
      zoom_out) m="zoompan=z='1.1-0.1*on/$frames':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=1920x1080:fps=24" ;;
      pan_left) m="scale=2112:1188,crop=1920:1080:x='(in_w-out_w)*(1-t/$len)':y='(in_h-out_h)/2'" ;;
      *)        m="scale=2112:1188,crop=1920:1080:x='(in_w-out_w)*t/$len':y='(in_h-out_h)/2'" ;;
    esac
    graph+="[$i:v]scale=1920:1080,$m,setsar=1,format=rgb24[v$i];"
  done
  prev="v0"
  for ((i = 1; i < n; i++)); do
    graph+="[$prev][v$i]xfade=transition=fade:duration=0.5:offset=$((10 * i))[x$i];"
    prev="x$i"
  done
  graph="${graph%;}"
  t0="$(now)"
  ffmpeg -hide_banner -loglevel error -y "${args[@]}" -filter_complex "$graph" -map "[$prev]" \
    -frames:v 1440 "$work/frames/frame_%04d.png"
  frames_s="$(since "$t0")"
  t1="$(now)"
  ffmpeg -hide_banner -loglevel error -y -r 24 -i "$work/frames/frame_%04d.png" -i "$work/audio.wav" \
    -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest "$work/naive.mp4"
  encode_s="$(since "$t1")"
  naive_s="$(awk -v a="$frames_s" -v b="$encode_s" 'BEGIN { printf "%.2f", a + b }')"
  echo "naive_s: $naive_s (PNG frames $frames_s s: $(ls "$work/frames" | wc -l) files," \
       "$(du -sh "$work/frames" | cut -f1); brief's encode $encode_s s; output $(dur "$work/naive.mp4") s at 24 fps)"
  rm -rf "$work/frames"
fi

# --- (b) melt: the same 6 stills, affine zoom/pan per scene, 12-frame luma crossfades, the
# narration as an audio track, avformat consumer to libx264 (veryfast, CRF 20 like Beacon) +
# AAC, 1080p24, two render threads (real_time=-2).
if [[ -z "${SKIP_MELT:-}" ]]; then
  margs=(-silent -profile atsc_1080p_24)
  for i in "${!scenes[@]}"; do
    read -r pic cam <<<"${scenes[$i]}"
    case "$cam" in
      zoom_in)  rect="0=0 0 1920 1080 1;249=-96 -54 2112 1188 1" ;;
      zoom_out) rect="0=-96 -54 2112 1188 1;249=0 0 1920 1080 1" ;;
      pan_left) rect="0=-192 -54 2112 1188 1;249=0 -54 2112 1188 1" ;;
      *)        rect="0=0 -54 2112 1188 1;249=-192 -54 2112 1188 1" ;;
    esac
    margs+=("$pic" in=0 out=249 -attach-cut affine "transition.rect=$rect")
    [[ $i -gt 0 ]] && margs+=(-mix 12 -mixer luma)
  done
  margs+=(-audio-track "$work/audio.wav" in=0 out=1439
          -consumer "avformat:$work/melt.mp4" real_time=-2 vcodec=libx264 preset=veryfast crf=20
          pix_fmt=yuv420p acodec=aac ab=128k ar=48000 channels=2)
  t0="$(now)"
  melt "${margs[@]}" > "$work/melt.log" 2>&1 || { tail -20 "$work/melt.log"; exit 1; }
  melt_s="$(since "$t0")"
  echo "melt_s: $melt_s (output $(dur "$work/melt.mp4") s at 24 fps)"
fi

echo "--- ratios (contender time / Beacon time; goal >= 2.0 for both, Beacon < 60 s)"
echo "beacon_time_over_video_length: $(ratio "$beacon_s" 60) (below 1 = faster than real time; 60 s of video in $beacon_s s)"
[[ -n "${naive_s:-}" ]] && echo "naive_over_beacon: $(ratio "$naive_s" "$beacon_s")"
[[ -n "${melt_s:-}" ]] && echo "melt_over_beacon: $(ratio "$melt_s" "$beacon_s")"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "${KEEP:-}" ]] || rm -rf "$work"
