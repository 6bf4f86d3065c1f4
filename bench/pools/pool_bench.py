#!/usr/bin/env python3
"""Host pools and batches (issue 20), measured with ComfyUI stand-ins at 3 s per picture.

1. One 12-scene job with one ComfyUI host, then with two (goal: two hosts take <= 0.55x the time).
2. A batch of 20 one-scene jobs on two hosts, against the bound the delays allow: 20 pictures
   over 2 hosts at 3 s each = 30 s of pictures (goal: <= 1.1x). Voice, captions and encoding run
   on this machine's cores beside it; the report says how much of the wall time they took.

usage: bench/pools/pool_bench.py path/to/beacon
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STEP_DELAY = 0.15  # x 20 steps = 3 s per picture
STEPS = 20


def start_double():
    p = subprocess.Popen([sys.executable, "-u", os.path.join(ROOT, "tests/doubles/comfyui_double.py"),
                          "--step-delay", str(STEP_DELAY)], stdout=subprocess.PIPE, text=True,
                         env={"PATH": os.environ["PATH"], "LANG": "C.UTF-8"})
    line = p.stdout.readline().strip()
    assert line.startswith("PORT "), line
    return p, "http://127.0.0.1:" + line.split()[1]


def config(work, hosts, name):
    path = os.path.join(work, name + ".toml")
    with open(path, "w") as f:
        f.write('[engines]\npictures = "comfyui"\n[comfyui]\n')
        f.write('checkpoint = "v1-5-pruned-emaonly.safetensors"\nconcurrency = 1\n')
        f.write(f"steps = {STEPS}\n")
        if len(hosts) == 1:
            f.write(f'host = "{hosts[0]}"\n')
        else:
            f.write("hosts = [" + ", ".join(f'"{h}"' for h in hosts) + "]\n")
    return path


def run(beacon, args, work, name):
    env = {"PATH": os.environ["PATH"], "HOME": work}
    t0 = time.monotonic()
    r = subprocess.run([beacon, "generate", "--data", os.path.join(work, name)] + args, env=env,
                       capture_output=True, text=True, timeout=1800)
    dt = time.monotonic() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{name} failed: {r.stderr[-500:]}")
    return dt


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-pool-bench-")
    d1, u1 = start_double()
    d2, u2 = start_double()
    try:
        print(f"machine: {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[:3]}")
        # Each run its own words: ComfyUI (and its stand-in) answers a prompt it has already run
        # from its cache at once.
        def job(word):
            return [f"A tour of twelve {word} lighthouses, one per scene. 12 scenes.", "--duration",
                    "42", "--no-preview", "--preset", "480p"]
        one = run(beacon, job("northern") + ["--config", config(work, [u1], "one")], work, "one")
        two = run(beacon, job("southern") + ["--config", config(work, [u1, u2], "two")], work, "two")
        print(f"12-scene job: 1 host {one:.1f} s, 2 hosts {two:.1f} s, ratio {two / one:.2f} (goal <= 0.55)")
        listing = os.path.join(work, "batch.txt")
        with open(listing, "w") as f:
            for i in range(20):
                f.write(f"Harbour scene number {i}. 1 scene.\n")
        batch = run(beacon, ["--batch", listing, "--duration", "3", "--no-preview", "--preset", "480p",
                             "--config", config(work, [u1, u2], "batch")], work, "batch")
        bound = 20 * STEPS * STEP_DELAY / 2
        print(f"20-job batch on 2 hosts: {batch:.1f} s, picture bound {bound:.1f} s, ratio {batch / bound:.2f} (goal <= 1.1)")
    finally:
        for d in (d1, d2):
            d.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
