#!/usr/bin/env python3
"""Host pools and batches (issue 20), measured with ComfyUI stand-ins at 3 s per picture.

1. One 12-scene job with one ComfyUI host, then with two (goal: two hosts take <= 0.55x the time).
2. A batch of 20 one-scene jobs on two hosts against a lower bound computed from the delays
   (goal: <= 1.1x). The bound is honest about what is not a picture:
       bound = 20 pictures x 3 s / 2 hosts  +  T1
   where T1 is the wall time of one 1-scene job whose picture takes ~0.1 s (same machine, same
   settings): the script and voice of the first job must come before the first picture and the
   captions and encoding of the last job after the last one, and T1 bounds those from below
   only if nothing else ran. (Voice, captions and encoding of the other jobs can overlap the
   pictures and are not in the bound.)

usage: bench/pools/pool_bench.py path/to/beacon [--workers N] [--concurrency N] [--skip-job]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import json
import re
import resource
import sqlite3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STEP_DELAY = 0.15  # x 20 steps = 3 s per picture
STEPS = 20
PICTURE_S = STEP_DELAY * STEPS


def start_double(step_delay=STEP_DELAY):
    p = subprocess.Popen([sys.executable, "-u", os.path.join(ROOT, "tests/doubles/comfyui_double.py"),
                          "--step-delay", str(step_delay)], stdout=subprocess.PIPE, text=True,
                         env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8"})
    line = p.stdout.readline().strip()
    assert line.startswith("PORT "), line
    return p, "http://127.0.0.1:" + line.split()[1]


def stats(url):
    with urllib.request.urlopen(url + "/__double/stats") as r:
        return json.load(r)


def config(work, hosts, name, workers, concurrency):
    path = os.path.join(work, name + ".toml")
    with open(path, "w") as f:
        f.write(f"[jobs]\nworkers = {workers}\n")
        f.write('[engines]\npictures = "comfyui"\n[comfyui]\n')
        f.write(f'checkpoint = "v1-5-pruned-emaonly.safetensors"\nconcurrency = {concurrency}\n')
        f.write(f"steps = {STEPS}\n")
        if len(hosts) == 1:
            f.write(f'host = "{hosts[0]}"\n')
        else:
            f.write("hosts = [" + ", ".join(f'"{h}"' for h in hosts) + "]\n")
    return path


last_cpu = 0.0  # CPU seconds of the last run (beacon and its ffmpeg children)


def run(beacon, args, work, name):
    env = {"PATH": os.environ["PATH"], "HOME": work}
    global last_cpu
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run([beacon, "generate", "--data", os.path.join(work, name)] + args, env=env,
                       capture_output=True, text=True, timeout=1800)
    dt = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    last_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        raise RuntimeError(f"{name} failed: {r.stderr[-800:]}")
    return dt


def stages(work, name):
    """Seconds per stage, summed over the run's jobs, from the job log ("stage X finished in N ms")."""
    db = sqlite3.connect(os.path.join(work, name, "beacon.db"))
    out = {}
    for (msg,) in db.execute("select message from job_logs where message like 'stage % finished in % ms'"):
        m = re.match(r"stage (\w+) finished in (\d+) ms", msg)
        if m:
            out[m.group(1)] = round(out.get(m.group(1), 0) + int(m.group(2)) / 1000, 1)
    db.close()
    return out


def load():
    return " ".join(open("/proc/loadavg").read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("beacon")
    ap.add_argument("--workers", type=int, default=2, help="[jobs] workers")
    ap.add_argument("--concurrency", type=int, default=1, help="[comfyui] concurrency (prompts per host)")
    ap.add_argument("--skip-job", action="store_true", help="only the batch")
    ap.add_argument("--skip-batch", action="store_true", help="only the 12-scene job")
    a = ap.parse_args()
    beacon = os.path.abspath(a.beacon)
    work = tempfile.mkdtemp(prefix="beacon-pool-bench-")
    d1, u1 = start_double()
    d2, u2 = start_double()
    fast, uf = start_double(0.005)
    try:
        print(f"machine: {os.cpu_count()} cores, {os.uname().machine}; load {load()}; "
              f"workers {a.workers}, concurrency {a.concurrency}", flush=True)
        common = ["--no-preview", "--preset", "480p"]
        if not a.skip_job:
            # Each run its own words: ComfyUI (and its stand-in) answers a prompt it has
            # already run from its cache at once.
            def job(word):
                return [f"A tour of twelve {word} lighthouses, one per scene. 12 scenes.", "--duration",
                        "42"] + common
            one = run(beacon, job("northern") + ["--config", config(work, [u1], "one", a.workers, a.concurrency)],
                      work, "one")
            two = run(beacon, job("southern") + ["--config", config(work, [u1, u2], "two", a.workers, a.concurrency)],
                      work, "two")
            print(f"12-scene job: 1 host {one:.1f} s, 2 hosts {two:.1f} s, ratio {two / one:.2f} "
                  f"(goal <= 0.55); pictures alone: {12 * PICTURE_S:.0f} s vs {6 * PICTURE_S:.0f} s; "
                  f"load {load()}", flush=True)
            s1, s2 = stages(work, "one"), stages(work, "two")
            print(f"  stages, 1 host: {s1}; 2 hosts: {s2}; scenes stage (voices and pictures) ratio "
                  f"{s2.get('scenes', 0) / max(0.1, s1.get('scenes', 0)):.2f}", flush=True)
        if not a.skip_batch:
            t1 = run(beacon, ["A single harbour picture to time the rest. 1 scene.", "--duration", "3"] + common +
                     ["--config", config(work, [uf], "calib", a.workers, a.concurrency)], work, "calib")
            listing = os.path.join(work, "batch.txt")
            with open(listing, "w") as f:
                for i in range(20):
                    f.write(f"Harbour scene number {i}. 1 scene.\n")
            before = [stats(u)["images"] for u in (u1, u2)]
            batch = run(beacon, ["--batch", listing, "--duration", "3"] + common +
                        ["--config", config(work, [u1, u2], "batch", a.workers, a.concurrency)], work, "batch")
            batch_cpu = last_cpu
            after = [stats(u)["images"] for u in (u1, u2)]
            pictures = 20 * PICTURE_S / 2
            bound = pictures + t1
            print(f"20-job batch on 2 hosts: {batch:.1f} s; one 1-scene job without picture time T1 = {t1:.1f} s; "
                  f"bound = {pictures:.0f} + {t1:.1f} = {bound:.1f} s; ratio {batch / bound:.2f} (goal <= 1.1); "
                  f"pictures per host {[x - y for x, y in zip(after, before)]}; load {load()}", flush=True)
            cpu_bound = max(pictures, batch_cpu / os.cpu_count()) + t1
            print(f"  CPU: the batch used {batch_cpu:.1f} CPU-s (beacon, flite, ffmpeg); with all {os.cpu_count()} "
                  f"cores free it needs >= {batch_cpu / os.cpu_count():.1f} s; bound with CPU = "
                  f"{cpu_bound:.1f} s, ratio {batch / cpu_bound:.2f}", flush=True)
            print(f"  stages summed over the 20 jobs: {stages(work, 'batch')}; one job (T1): {stages(work, 'calib')}",
                  flush=True)
    finally:
        for d in (d1, d2, fast):
            d.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
