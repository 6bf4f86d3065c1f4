#!/usr/bin/env python3
"""LiveLoop segment serving through the timestamp rewrite, against nginx, and stream.ts viewers
(issue 9, "Measured"), on a real `beacon serve` in one run.

1. Requests per second (wrk) for one channel segment, /live/<slug>/v/<msn>.ts (timestamps moved
   onto the channel clock, answered from the rewritten-segment cache after the first request),
   and for the same bytes served as a static file by nginx (sendfile), same connections.
2. N viewers reading /live/<slug>/stream.ts for S seconds: the server's CPU (share of one core,
   from /proc/<pid>/stat) and RSS before and after.

usage: bench/liveloop/live_serving.py path/to/beacon [--viewers 50] [--seconds 30]
Needs: wrk, nginx (nginx-light), curl; the built-in engines make the items.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import liveloop_clients_test as lc  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wrk(url, seconds, conns):
    out = subprocess.run(["wrk", "-t2", f"-c{conns}", f"-d{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, int(errors.group(1)) if errors else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("beacon")
    ap.add_argument("--viewers", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--wrk-seconds", type=int, default=5)
    ap.add_argument("--connections", type=int, default=16)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="beacon-live-bench-")
    proc = nginx = None
    try:
        proc, base = lc.start_server(os.path.abspath(a.beacon), work)
        api = lc.Api(base)
        api.login()
        lc.ITEM_SECONDS = [6, 8, 6]
        channel, _ = lc.make_channel(api)
        slug = channel["slug"]
        key = api.call("GET", "/api/v1/stream-key")["key"]
        q = "?key=" + urllib.request.quote(key, safe="")
        video = urllib.request.urlopen(f"{base}/live/{slug}/video.m3u8{q}").read().decode()
        uris = [ln for ln in video.splitlines() if ln and not ln.startswith("#")]
        seg_url = f"{base}/live/{slug}/{uris[-2]}"  # published, stays in the window a while
        body = urllib.request.urlopen(seg_url).read()
        www = os.path.join(work, "www")
        os.makedirs(www)
        with open(os.path.join(www, "seg.ts"), "wb") as f:
            f.write(body)
        os.chmod(work, 0o755)
        os.chmod(www, 0o755)
        os.chmod(os.path.join(www, "seg.ts"), 0o644)
        nport = lc.free_port()
        conf = os.path.join(work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    types {{ video/mp2t ts; }}
    server {{ listen 127.0.0.1:{nport}; root {www}; }}
}}
""")
        nginx = subprocess.Popen(["nginx", "-c", conf, "-p", work], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        time.sleep(1)
        load = os.getloadavg()[0]
        print(f"segment: {len(body)} bytes; load average {load:.1f}; "
              f"{os.cpu_count()} cores", flush=True)
        b_rps, b_err = wrk(seg_url, a.wrk_seconds, a.connections)
        n_rps, n_err = wrk(f"http://127.0.0.1:{nport}/seg.ts", a.wrk_seconds, a.connections)
        print(f"| one channel segment, {a.connections} connections | beacon {b_rps:.0f} req/s "
              f"({b_err} errors) | nginx {n_rps:.0f} req/s ({n_err} errors) | "
              f"ratio {b_rps / n_rps:.2f}x |", flush=True)

        stream_url = f"{base}/live/{slug}/stream.ts{q}"
        rss0 = rss_mib(proc.pid)
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.monotonic()
        viewers = [subprocess.Popen(["curl", "-s", "-o", os.devnull, "-w", "%{size_download}",
                                     "--max-time", str(a.seconds), stream_url],
                                    stdout=subprocess.PIPE, text=True)
                   for _ in range(a.viewers)]
        peak = rss0
        while any(v.poll() is None for v in viewers):
            peak = max(peak, rss_mib(proc.pid))
            time.sleep(0.5)
        wall = time.monotonic() - t0
        cpu = cpu_seconds(proc.pid) - cpu0
        sizes = [int(v.stdout.read() or 0) for v in viewers]
        mbit = sum(sizes) * 8 / wall / 1e6
        print(f"| {a.viewers} viewers of stream.ts for {wall:.0f} s | server CPU "
              f"{100 * cpu / wall:.1f}% of one core | RSS {rss0:.0f} -> peak {peak:.0f} MiB | "
              f"{mbit:.1f} Mbit/s out; least a viewer got {min(sizes) / 1e6:.2f} MB |",
              flush=True)
    finally:
        if nginx:
            nginx.terminate()
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
