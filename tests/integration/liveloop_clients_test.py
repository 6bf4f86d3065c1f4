#!/usr/bin/env python3
"""LiveLoop played by real IPTV clients, from outside (issue 9, "Tests (in CI)", first bullet).

Starts a real `beacon serve` (free port, temp data folder, clean environment), sets the admin
password, signs in, makes short library items with the built-in engines (media.segment_seconds
= 2), publishes them on the default channel (an in-order loop), takes the channel URL from the
M3U an IPTV user is given, and reads it with ffmpeg (capture, then ffprobe per stream), ffprobe
(live packets), mpv (JSON IPC positions), VLC (as an unprivileged user, rc `stats` counters)
and GStreamer playbin (fake sinks synced to the clock, every rendered buffer counted by their
handoff signal in gst_playbin.py), all at once, long enough to cross at
least 20 item boundaries. Part `stream_ts` reads /live/<slug>/stream.ts with ffmpeg and VLC.

Per client and per stream (audio, video; never their total) it passes only if:
  coverage    media played (players) or received (captures) >= 98% of the wall time read
  resets      no timestamp going backwards; no forward jump (media skipped)
  stall       captures: received media never falls behind the wall clock by more than one
              segment; players: the position never stands still longer than one segment
  log         no timestamp warning or reset in the client's own log (patterns below)
and the channel crossed >= 20 boundaries (counted from /api/v1/playlists/{id}/now).

Coverage and lag count from each stream's first packet (a capture) or from the moment a player's
position is 1 s in (start-up, reported apart, must stay under 20 s).

usage: liveloop_clients_test.py path/to/beacon [--parts hls,stream_ts] [--clients a,b]
       [--seconds N] [--keep] [--url URL]
Environment: LIVELOOP_CLIENTS_PARTS, LIVELOOP_CLIENTS (same as the options),
LIVELOOP_CLIENTS_KEEP=1 (= --keep). --url reads any stream instead (no beacon, no boundary
count): a healthy reference live stream passes with every client, which is how the thresholds
were checked.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, beacon serve, API session)

PASSWORD = "liveloop-clients-pass"
SEGMENT_SECONDS = 2
ITEM_SECONDS = [4, 5, 6, 5]          # 5 s on average: 20 boundaries in 100 s
MIN_BOUNDARIES = 20
MIN_COVERAGE = 0.98
HLS_CLIENTS = ["ffmpeg", "ffprobe", "mpv", "vlc", "gstreamer"]
STREAM_TS_CLIENTS = ["ffmpeg", "vlc"]

# What each client writes when timestamps jump, reset or arrive too late (decided from runs
# against the separate-rendition, restarting-timestamp channel of issue 9).
LOG_PATTERNS = {
    "ffmpeg": [r"Non-monotonous DTS", r"non monotonically increasing dts", r"DTS discontinuity",
               r"timestamp discontinuity", r"Invalid timestamps", r"out of order",
               r"Packet corrupt", r"Queue input is backward in time"],
    "mpv": [r"Invalid audio PTS", r"Invalid video timestamp", r"timestamp reset",
            r"Reset playback", r"Non-monotonous DTS", r"non monotonically increasing dts",
            r"DTS discontinuity", r"timestamp discontinuity", r"Timestamp jump",
            r"Audio/Video desynchronisation detected"],
    "vlc": [r"buffer too late", r"too late to be displayed", r"dropped as too late",
            r"Timestamp conversion failed", r"no reference clock", r"Could not convert timestamp",
            r"is called too late", r"late frames, dropping frame", r"clock gap",
            r"discontinuity received"],
    "gstreamer": [r"WARNING", r"ERROR", r"discont.*(backward|jump)", r"Timestamp.*(backward|jump)"],
}
LOG_PATTERNS["ffprobe"] = LOG_PATTERNS["ffmpeg"]
# VLC also says these when a starved CPU (2 shared cores in CI) makes a frame late: a few are
# load, not timestamps (the broken channel of issue 9 gave thousands). Every other pattern: 0.
LOG_TOLERATED = {r"buffer too late": 10, r"too late to be displayed": 10,
                 r"late frames, dropping frame": 10}


def log(msg):
    print(msg, flush=True)


def gi_python():
    """A Python that can load GStreamer's introspection (Debian's python3-gi lives in the
    system interpreter, which a virtualenv or pyenv python3 on PATH may not see)."""
    for py in dict.fromkeys([sys.executable, "/usr/bin/python3", shutil.which("python3")]):
        if py and os.path.exists(py) and subprocess.run(
                [py, "-c", "import gi; gi.require_version('Gst', '1.0')"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return py
    return None


# --- analysis ---------------------------------------------------------------------------------

class StreamSeries:
    """One stream as the client saw it: (wall time, media timestamp, duration) units, or
    (wall time, position) samples of a player."""

    def __init__(self, kind):
        self.kind = kind               # "capture" or "player"
        self.units = []                # capture: (wall, pts, dur)
        self.samples = []              # player: (wall, position)

    def analyse(self, t_start, t_end):
        """Coverage, resets, forward jumps, lag behind the wall clock (and, for a player, the
        longest time its position stood still), measured from the stream's start."""
        if self.kind == "capture":
            return self._analyse_capture(t_start, t_end)
        return self._analyse_player()

    def _analyse_capture(self, t_start, t_end):
        r = {"units": len(self.units), "media": 0.0, "resets": 0, "skips": 0,
             "first_pts": None, "last_pts": None, "max_gap": 0.0, "lag": t_end - t_start,
             "wall": t_end - t_start}
        if not self.units:
            r["coverage"] = 0.0
            return r
        prev = None
        t0 = self.units[0][0]
        r["startup"] = t0
        r["wall"] = t_end - t0
        received = 0.0
        lag = 0.0
        for wall, pts, dur in self.units:
            if prev is not None:
                step = pts - (prev[1] + prev[2])
                if pts < prev[1] - 0.5:
                    r["resets"] += 1
                elif step > 0.5:
                    r["skips"] += 1
                    r["max_gap"] = max(r["max_gap"], step)
            lag = max(lag, (wall - t0) - received)
            received += dur
            prev = (wall, pts, dur)
        lag = max(lag, (t_end - t0) - received)
        r.update(media=received, first_pts=self.units[0][1], last_pts=prev[1], lag=lag,
                 coverage=received / r["wall"])
        return r

    def _analyse_player(self):
        r = {"units": len(self.samples), "media": 0.0, "resets": 0, "skips": 0,
             "first_pts": None, "last_pts": None, "max_gap": 0.0, "freeze": 0.0,
             "lag": 0.0, "wall": 0.0, "coverage": 0.0}
        pts = [(w, p) for w, p in self.samples if p is not None]
        # Playback is under way at the first sample 1 s past the first position (a player may
        # show one frame, then settle in); start-up is reported apart.
        start = next((i for i in range(1, len(pts)) if pts[i][1] >= pts[0][1] + 1.0), None)
        if start is None:
            r["wall"] = 0.0
            r["freeze"] = (pts[-1][0] - pts[0][0]) if pts else 0.0
            return r
        t0 = pts[start][0]
        r["startup"] = t0
        credited = 0.0
        frozen_since = t0
        lag = 0.0
        for (w0, p0), (w1, p1) in zip(pts[start:], pts[start + 1:]):
            d = p1 - p0
            if d < -0.5:
                r["resets"] += 1
            elif d > (w1 - w0) + 1.0:
                r["skips"] += 1
                r["max_gap"] = max(r["max_gap"], d - (w1 - w0))
            if d > 0.001:
                credited += min(d, (w1 - w0) + 0.25)
                r["freeze"] = max(r["freeze"], w0 - frozen_since)
                frozen_since = w1
            lag = max(lag, (w1 - t0) - credited)
        r["freeze"] = max(r["freeze"], pts[-1][0] - frozen_since)
        r.update(media=credited, first_pts=pts[start][1], last_pts=pts[-1][1],
                 wall=pts[-1][0] - t0, lag=lag)
        r["coverage"] = credited / r["wall"] if r["wall"] > 0 else 0.0
        return r


class Client:
    """One client reading one URL for `seconds` of wall time, in its own thread."""

    def __init__(self, name, part, url, seconds, work, info):
        self.name, self.part, self.url, self.seconds = name, part, url, seconds
        self.work = work
        self.info = info               # fps, sample_rate of the channel
        self.label = f"{name} ({part})"
        self.log_path = os.path.join(work, f"{part}_{name}.log")
        self.streams = {}
        self.notes = []
        self.error = None
        self.t_start = self.t_end = 0.0
        self.procs = []

    def run(self):
        try:
            getattr(self, "_run_" + self.name)()
        except Exception as e:  # reported in the table, never swallowed
            self.error = f"{type(e).__name__}: {e}"
            self.t_end = self.t_end or time.monotonic()
        finally:
            for p in self.procs:
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            if getattr(self, "logf", None):
                self.logf.close()

    # helpers
    def _spawn(self, argv, stdout=subprocess.PIPE, env=None):
        self.logf = open(self.log_path, "wb")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stdout,
                             stderr=self.logf, env=env, start_new_session=True)
        self.procs.append(p)
        return p

    def _stop(self, p, sig=signal.SIGINT, grace=10):
        if p.poll() is None:
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        else:
            self.notes.append(f"exited by itself with status {p.returncode} "
                              f"after {time.monotonic() - self.t_start:.0f} s")

    def _deadline_wait(self, p):
        end = self.t_start + self.seconds
        while time.monotonic() < end and p.poll() is None:
            time.sleep(0.1)

    # ffmpeg: -c copy capture to a pipe; arrival time of each byte, then ffprobe per packet
    def _run_ffmpeg(self):
        out = os.path.join(self.work, f"{self.part}_ffmpeg.ts")
        argv = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "repeat+level+debug",
                "-i", self.url, "-map", "0:v:0", "-map", "0:a:0", "-c", "copy",
                "-flush_packets", "1", "-f", "mpegts", "pipe:1"]
        self.t_start = time.monotonic()
        p = self._spawn(argv)
        arrivals = []          # (byte offset after the chunk, wall)
        size = 0

        def reader():
            nonlocal size
            with open(out, "wb") as f:
                while True:
                    chunk = p.stdout.read1(65536)
                    if not chunk:
                        break
                    f.write(chunk)
                    size += len(chunk)
                    arrivals.append((size, time.monotonic()))

        th = threading.Thread(target=reader)
        th.start()
        self._deadline_wait(p)
        self.t_end = time.monotonic()
        self._stop(p)
        th.join()
        self.streams = {"video": StreamSeries("capture"), "audio": StreamSeries("capture")}
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries",
             "packet=codec_type,pts_time,dts_time,duration_time,pos", "-of", "compact=p=0",
             out], capture_output=True, text=True, timeout=120)
        idx = 0
        for line in probe.stdout.splitlines():
            f = dict(kv.split("=", 1) for kv in line.split("|") if "=" in kv)
            kind = f.get("codec_type")
            if kind not in self.streams:
                continue
            ts = f.get("dts_time") if kind == "video" else f.get("pts_time")
            if ts in (None, "N/A"):
                ts = f.get("pts_time")
            if ts in (None, "N/A") or f.get("duration_time") in (None, "N/A"):
                continue
            pos = int(f["pos"]) if f.get("pos", "N/A") != "N/A" else 0
            while idx < len(arrivals) - 1 and arrivals[idx][0] <= pos:
                idx += 1
            wall = arrivals[idx][1] if arrivals else self.t_end
            self.streams[kind].units.append((wall, float(ts), float(f["duration_time"])))
        self.notes.append(f"capture {size // 1024} KiB")

    # ffprobe on the live URL: packets as they are read
    def _run_ffprobe(self):
        argv = ["stdbuf", "-oL", "ffprobe", "-hide_banner", "-loglevel", "repeat+level+verbose",
                "-show_entries", "packet=codec_type,pts_time,dts_time,duration_time",
                "-of", "compact=p=0", self.url]
        self.streams = {"video": StreamSeries("capture"), "audio": StreamSeries("capture")}
        self.t_start = time.monotonic()
        p = self._spawn(argv)

        def reader():
            for raw in p.stdout:
                wall = time.monotonic()
                f = dict(kv.split("=", 1) for kv in raw.decode(errors="replace").strip().split("|")
                         if "=" in kv)
                kind = f.get("codec_type")
                if kind not in self.streams:
                    continue
                ts = f.get("dts_time") if kind == "video" else f.get("pts_time")
                if ts in (None, "N/A") or f.get("duration_time") in (None, "N/A"):
                    continue
                self.streams[kind].units.append((wall, float(ts), float(f["duration_time"])))

        th = threading.Thread(target=reader)
        th.start()
        self._deadline_wait(p)
        self.t_end = time.monotonic()
        self._stop(p)
        th.join()

    # mpv: positions of video (time-pos) and audio (audio-pts) over JSON IPC
    def _run_mpv(self):
        sock_path = os.path.join(self.work, f"{self.part}_mpv.sock")
        argv = ["mpv", "--no-config", "--ytdl=no", "--ao=null", "--vo=null", "--no-terminal",
                f"--input-ipc-server={sock_path}", f"--log-file={self.log_path}.full",
                "--msg-level=all=v", self.url]
        self.streams = {"video": StreamSeries("player"), "audio": StreamSeries("player")}
        self.t_start = time.monotonic()
        p = self._spawn(argv, stdout=subprocess.DEVNULL)
        s = None
        while s is None and time.monotonic() < self.t_start + 20 and p.poll() is None:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(sock_path)
            except OSError:
                s = None
                time.sleep(0.1)
        if s is None:
            raise RuntimeError("mpv's IPC socket never opened")
        f = s.makefile("rwb")
        end = self.t_start + self.seconds
        rid = 0
        while time.monotonic() < end and p.poll() is None:
            got = {}
            for prop in ("time-pos", "audio-pts"):
                rid += 1
                f.write((json.dumps({"command": ["get_property", prop], "request_id": rid})
                         + "\n").encode())
                f.flush()
                while True:
                    msg = json.loads(f.readline())
                    if msg.get("request_id") == rid:
                        got[prop] = msg.get("data") if msg.get("error") == "success" else None
                        break
            wall = time.monotonic()
            self.streams["video"].samples.append((wall, got["time-pos"]))
            self.streams["audio"].samples.append((wall, got["audio-pts"]))
            time.sleep(0.25)
        self.t_end = time.monotonic()
        s.close()
        self._stop(p, signal.SIGTERM)
        if os.path.exists(self.log_path + ".full"):
            with open(self.log_path + ".full", "rb") as src, open(self.log_path, "ab") as dst:
                shutil.copyfileobj(src, dst)

    # VLC: decodes to dummy outputs, as an unprivileged user; rc `stats` every 0.5 s
    def _run_vlc(self):
        port = bh.free_port()
        home = tempfile.mkdtemp(prefix="vlc-home-", dir=self.work)
        os.chmod(home, 0o777)
        argv = ["cvlc", "--verbose=1", "--no-video-title-show", "--vout=dummy", "--aout=dummy",
                "--stats", "--no-dbus", "-I", "rc", "--rc-host", f"127.0.0.1:{port}", self.url]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "nobody", "--", "env", "-i", f"PATH={env['PATH']}",
                    f"HOME={home}"] + argv
        self.streams = {"video": StreamSeries("player"), "audio": StreamSeries("player")}
        self.t_start = time.monotonic()
        p = self._spawn(argv, stdout=subprocess.DEVNULL, env=env)
        conn = None
        while conn is None and time.monotonic() < self.t_start + 20 and p.poll() is None:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                time.sleep(0.1)
        if conn is None:
            raise RuntimeError("VLC's rc interface never answered")
        buf = b""
        end = self.t_start + self.seconds
        fps = self.info["fps"]
        abuf = 1024.0 / self.info["sample_rate"]
        last = {}
        while time.monotonic() < end and p.poll() is None:
            conn.sendall(b"stats\n")
            try:
                while b"end of statistical info" not in buf:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    buf += chunk
            except socket.timeout:     # no input open (e.g. the URL failed): no counters
                self.notes.append("VLC printed no stats (no input playing)")
                break
            wall = time.monotonic()
            text, _, buf = buf.partition(b"end of statistical info")
            text = text.decode(errors="replace")
            nums = {k: int(v) for k, v in re.findall(r"\|\s*([a-z ]+?)\s*:\s*(-?\d+)", text)}
            last = nums
            self.streams["video"].samples.append((wall, nums.get("frames displayed", 0) / fps))
            self.streams["audio"].samples.append((wall, nums.get("buffers played", 0) * abuf))
            time.sleep(0.5)
        self.t_end = time.monotonic()
        if last:
            self.notes.append("stats: " + ", ".join(
                f"{k} {last.get(k, 0)}" for k in ("frames displayed", "frames lost",
                                                  "buffers played", "buffers lost")))
        try:
            conn.sendall(b"quit\n")
        except OSError:
            pass
        conn.close()
        self._stop(p, signal.SIGTERM)

    # GStreamer playbin with fake sinks synced to the clock: every rendered buffer counted by
    # the sinks' handoff signal (gst_playbin.py; gst-launch's printed last-message loses some)
    def _run_gstreamer(self):
        py = gi_python()
        if py is None:
            raise RuntimeError("no python3 with GStreamer's introspection (python3-gi, "
                               "gir1.2-gstreamer-1.0; scripts/setup.sh installs them)")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gst_playbin.py")
        argv = [py, script, self.url, str(self.seconds)]
        self.streams = {"video": StreamSeries("capture"), "audio": StreamSeries("capture")}
        self.t_start = time.monotonic()
        p = self._spawn(argv)
        rest = open(self.log_path + ".out", "wb")

        def reader():
            for raw in p.stdout:
                parts = raw.split()
                if len(parts) == 4 and parts[0] in (b"video", b"audio"):
                    wall, pts, dur = (float(x) for x in parts[1:])
                    self.streams[parts[0].decode()].units.append((wall, pts, dur))
                else:
                    rest.write(raw)

        th = threading.Thread(target=reader)
        th.start()
        self._deadline_wait(p)
        self.t_end = time.monotonic()
        self._stop(p, grace=15)
        th.join()
        rest.close()
        with open(self.log_path + ".out", "rb") as src, open(self.log_path, "ab") as dst:
            shutil.copyfileobj(src, dst)

    # verdict
    def verdict(self, td):
        rows = []
        failures = []
        if self.error:
            failures.append(self.error)
        pats = LOG_PATTERNS[self.name]
        hits = {}
        per_pattern = {}
        if os.path.exists(self.log_path):
            with open(self.log_path, "rb") as f:
                text = f.read().decode(errors="replace").replace("\r", "\n")
                for line in text.split("\n"):
                    for pat in pats:
                        if re.search(pat, line):
                            key = (pat, re.sub(r"\d+", "N", line.strip())[:110])
                            hits[key] = hits.get(key, 0) + 1
                            per_pattern[pat] = per_pattern.get(pat, 0) + 1
                            break
        over = [(key, n) for key, n in hits.items()
                if per_pattern[key[0]] > LOG_TOLERATED.get(key[0], 0)]
        for (pat, line), n in sorted(over, key=lambda kv: -kv[1])[:4]:
            failures.append(f"log x{n}: {line}")
        for (pat, line), n in hits.items():
            if (pat, line) not in dict(over):
                self.notes.append(f"tolerated x{n}: {line[:60]}")
        for kind in ("video", "audio"):
            s = self.streams.get(kind)
            r = s.analyse(self.t_start, self.t_end) if s else {"coverage": 0.0, "units": 0}
            problems = []
            if r["coverage"] < MIN_COVERAGE:
                problems.append(f"coverage {r['coverage']:.1%} < {MIN_COVERAGE:.0%}")
            if r.get("resets"):
                problems.append(f"{r['resets']} timestamp reset(s)")
            if r.get("skips"):
                problems.append(f"{r['skips']} forward jump(s), largest {r['max_gap']:.1f} s")
            if s is not None and s.kind == "capture" and r.get("lag", 0) > td:
                problems.append(f"fell {r['lag']:.1f} s behind the wall clock (> {td} s)")
            if s is not None and s.kind == "player" and r.get("freeze", 0) > td:
                problems.append(f"position stood still {r['freeze']:.1f} s (> {td} s)")
            if s is not None and s.kind == "player" and r.get("lag", 0) > td:
                problems.append(f"position fell {r['lag']:.1f} s behind the wall clock")
            if s is not None and "startup" in r:
                startup = r["startup"] - self.t_start
                if startup > 20:
                    problems.append(f"started playing after {startup:.0f} s")
            failures += [f"{kind}: {p}" for p in problems]
            rows.append((kind, r))
        return rows, failures


# --- server set-up ------------------------------------------------------------------------------

def start_server(beacon, work):
    """`beacon serve` with media.segment_seconds = SEGMENT_SECONDS and the admin password set:
    its data in <work>/data, its config <work>/beacon.toml, its log <work>/serve.log."""
    return bh.Serve(beacon, work, os.path.join(work, "data"),
                    f"[media]\nsegment_seconds = {SEGMENT_SECONDS}\n",
                    config=os.path.join(work, "beacon.toml"), password=PASSWORD)


def make_channel(api):
    """Makes the short items, publishes them (default channel, in-order loop); returns the
    channel and the items' durations."""
    jobs = []
    for i, secs in enumerate(ITEM_SECONDS):
        r = api.call("POST", "/api/v1/generate", {
            "prompt": f"A lighthouse number {i + 1} blinks at night. 1 scene.",
            "duration_target": secs, "produce_preview": False, "output_preset": "480p"})
        jobs.append(r["job_id"])
    deadline = time.monotonic() + 600
    done = {}
    while len(done) < len(jobs):
        if time.monotonic() > deadline:
            raise RuntimeError(f"items not made in 600 s: {done}")
        for j in jobs:
            if j in done:
                continue
            job = api.call("GET", f"/api/v1/jobs/{j}")
            if job["status"] in ("failed", "canceled", "cancelled"):
                raise RuntimeError(f"job {j} {job['status']}: {job.get('error')}")
            if job["status"] in ("completed", "succeeded") and job.get("content_id"):
                done[j] = job["content_id"]
        time.sleep(0.5)
    durations = []
    for j in jobs:
        item = api.call("POST", f"/api/v1/content/{done[j]}/publish?confirm=true")  # never reviewed
        durations.append(item["duration"])
    channels = api.call("GET", "/api/v1/playlists")["items"]
    channel = next(c for c in channels if set(done.values()) <= set(c["items"]))
    return channel, durations


def channel_url_from_m3u(m3u_text, slug):
    """The URL of the channel's entry (tvg-id "<slug>.beacon"), as an IPTV app reads it."""
    lines = [ln.strip() for ln in m3u_text.splitlines() if ln.strip()]
    for i, ln in enumerate(lines):
        if ln.startswith("#EXTINF") and f'tvg-id="{slug}.beacon"' in ln:
            for nxt in lines[i + 1:]:
                if not nxt.startswith("#"):
                    return nxt
    raise RuntimeError(f"no entry for channel {slug} in the M3U:\n{m3u_text}")


def probe_info(url):
    r = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                        "stream=codec_type,avg_frame_rate,r_frame_rate,sample_rate", "-of", "json",
                        url], capture_output=True, text=True, timeout=60)
    info = {"fps": 25.0, "sample_rate": 48000}
    try:
        for s in json.loads(r.stdout).get("streams", []):
            if s.get("codec_type") == "video":
                num, den = (s.get("avg_frame_rate") or s.get("r_frame_rate")).split("/")
                if float(den) > 0 and float(num) > 0:
                    info["fps"] = float(num) / float(den)
            elif s.get("codec_type") == "audio" and s.get("sample_rate"):
                info["sample_rate"] = int(s["sample_rate"])
    except (ValueError, AttributeError):
        pass
    return info


def count_boundaries(api, channel_id, stop, out):
    """Counts item changes on air (the /now occurrence's start) while the clients read."""
    last = None
    while not stop.is_set():
        try:
            now = api.call("GET", f"/api/v1/playlists/{channel_id}/now").get("now") or {}
            key = (now.get("content_id"), now.get("start"))
            if last is not None and key != last:
                out["boundaries"] += 1
            last = key
        except (OSError, ValueError, bh.ApiError):
            out["errors"] += 1
        stop.wait(0.5)


def url_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            r.read(188)
            return r.status, r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", "")
    except OSError as e:
        return None, str(e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("beacon")
    ap.add_argument("--parts", default=os.environ.get("LIVELOOP_CLIENTS_PARTS", "hls,stream_ts"))
    ap.add_argument("--clients", default=os.environ.get("LIVELOOP_CLIENTS", ""))
    ap.add_argument("--seconds", type=float, default=105.0)
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (logs, captures)")
    ap.add_argument("--url", help="read this URL instead of starting beacon (diagnosis: a "
                    "reference stream); item boundaries are then not counted")
    ap.add_argument("--report-only", default=os.environ.get("LIVELOOP_CLIENTS_REPORT_ONLY", ""),
                    help="clients whose verdict is printed but does not fail the run (a known, "
                         "documented defect being worked on)")
    args = ap.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    only = {c for c in args.clients.split(",") if c}
    report_only = {c for c in args.report_only.split(",") if c}
    for tool in ("ffmpeg", "ffprobe", "mpv", "cvlc", "stdbuf"):
        if shutil.which(tool) is None:
            log(f"FAIL {tool} is not installed (scripts/setup.sh installs it)")
            return 1

    work = tempfile.mkdtemp(prefix="liveloop-clients-")
    os.chmod(work, 0o755)
    server = None
    failed = []
    try:
        t0 = time.monotonic()
        if args.url:
            api, channel, key, hls_url, parts = None, None, None, args.url, ["hls"]
            log(f"reading {hls_url} (no beacon started; boundaries not counted)")
        else:
            server = start_server(os.path.abspath(args.beacon), work)
            base = server.base
            api = bh.Client(base)
            api.login(PASSWORD)
            channel, durations = make_channel(api)
            key = api.call("GET", "/api/v1/stream-key")
            with urllib.request.urlopen(key["m3u_url"], timeout=30) as r:
                m3u = r.read().decode()
            hls_url = channel_url_from_m3u(m3u, channel["slug"])
            log(f"channel {channel['slug']}: {len(durations)} items of {durations} s, made in "
                f"{time.monotonic() - t0:.0f} s; M3U entry {hls_url}")
        info = probe_info(hls_url)
        clients = []
        if "hls" in parts:
            clients += [Client(n, "hls", hls_url, args.seconds, work, info)
                        for n in HLS_CLIENTS if not only or n in only]
        if "stream_ts" in parts:
            ts_url = f"{base}/live/{channel['slug']}/stream.ts?key={key['key']}"
            status, ctype = url_status(ts_url)
            if status != 200:
                log(f"FAIL stream.ts: {ts_url.split('?')[0]} answered {status} ({ctype}): "
                    f"not yet available, so ffmpeg and VLC could not read it")
                failed.append("stream.ts not available")
            else:
                clients += [Client(n, "stream_ts", ts_url, args.seconds, work, info)
                            for n in STREAM_TS_CLIENTS if not only or n in only]
        stop = threading.Event()
        counted = {"boundaries": 0, "errors": 0}
        counter = threading.Thread(target=count_boundaries,
                                   args=(api, channel["id"], stop, counted)) if api else None
        if counter:
            counter.start()
        threads = [threading.Thread(target=c.run, name=c.label) for c in clients]
        t_read = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join(args.seconds + 120)
        stop.set()
        if counter:
            counter.join()
        log(f"read for {time.monotonic() - t_read:.0f} s of wall time, {len(clients)} clients "
            f"in parallel; {counted['boundaries']} item boundaries on air")
        if counter and counted["boundaries"] < MIN_BOUNDARIES and clients:
            failed.append(f"only {counted['boundaries']} boundaries crossed")

        td = SEGMENT_SECONDS
        header = (f"{'client':<22}{'stream':<7}{'wall s':>7}{'media s':>8}{'cover':>8}"
                  f"{'units':>7}{'first':>9}{'last':>9}{'resets':>7}{'jumps':>6}{'lag s':>7}"
                  f"{'still s':>8}  verdict")
        table = [header, "-" * len(header)]
        details = []
        for c in clients:
            rows, failures = c.verdict(td)
            for kind, r in rows:
                fmt = lambda v: "-" if v is None else f"{v:.2f}"
                table.append(
                    f"{c.label:<22}{kind:<7}{r.get('wall', 0):>7.1f}{r.get('media', 0):>8.1f}"
                    f"{r.get('coverage', 0):>8.1%}{r.get('units', 0):>7}"
                    f"{fmt(r.get('first_pts')):>9}{fmt(r.get('last_pts')):>9}"
                    f"{r.get('resets', 0):>7}{r.get('skips', 0):>6}{r.get('lag', 0):>7.1f}"
                    f"{fmt(r.get('freeze')):>8}  "
                    f"{'FAIL' if any(f.startswith(kind) for f in failures) else 'ok'}")
            if failures and c.name not in report_only:
                failed.append(c.label)
            details.append((c, failures))
            with open(os.path.join(work, f"{c.part}_{c.name}_series.json"), "w") as f:
                json.dump({k: {"units": s.units, "samples": s.samples, "t_start": c.t_start,
                               "t_end": c.t_end} for k, s in c.streams.items()}, f)
        log("\n".join(table))
        for c, failures in details:
            extra = ("; " + "; ".join(c.notes)) if c.notes else ""
            if failures and c.name in report_only:
                log(f"KNOWN {c.label}{extra} (reported, not failing the run: --report-only)")
                for f in failures:
                    log(f"       {f}")
            elif failures:
                log(f"FAIL {c.label}{extra}")
                for f in failures:
                    log(f"       {f}")
            else:
                log(f"ok   {c.label}{extra}")
    except Exception as e:
        log(f"FAIL set-up: {type(e).__name__}: {e}")
        failed.append("set-up")
    finally:
        if server is not None:
            server.stop(grace=15)
        if args.keep or os.environ.get("LIVELOOP_CLIENTS_KEEP"):
            log(f"logs and captures kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failed:
        log(f"FAILED: {', '.join(failed)}")
        return 1
    log("PASSED: every client played audio and video across the boundaries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
