#!/usr/bin/env python3
"""Wiki facts latency (issue 15): a ZIM of N generated articles (zimwriterfs, made here, not in
CI), a real `beacon serve` with [wiki] zim, and GET /api/v1/wiki timed per request:

  cold exact   names never asked before, exact titles        (libzim title lookup + lead parse)
  cold case    never asked before, lower-case                 (case variants, then title index)
  cold miss    names that are in no title                     (every variant + suggestion search)
  warm         the same names again                           (wiki.db cache)

p50/p95/max in ms against MediaWiki Page Previews' 500 ms goal (cold) and 50 ms (warm).
Also lookups per second through the API with 4 concurrent clients (cold names).

usage: bench/wiki/run.py path/to/beacon [--articles 100000] [--samples 200] [--keep DIR]
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import liveloop_clients_test as lc  # noqa: E402
import wiki_test as wt  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def timed(api, names):
    q = urllib.parse.quote(",".join(names))
    t0 = time.perf_counter()
    r = api.call("GET", f"/api/v1/wiki?entities={q}")
    return (time.perf_counter() - t0) * 1000.0, r["items"]


def row(label, ms):
    return {"case": label, "n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "max_ms": round(max(ms), 2), "mean_ms": round(statistics.mean(ms), 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("beacon")
    ap.add_argument("--articles", type=int, default=100000)
    ap.add_argument("--samples", type=int, default=200)
    ap.add_argument("--keep", default="", help="reuse/keep the ZIM in this folder")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="beacon-bench-wiki-")
    zim_dir = a.keep or work
    zim = os.path.join(zim_dir, f"bench{a.articles}.zim")
    proc = None
    try:
        if not os.path.exists(zim):
            t0 = time.time()
            subprocess.run([sys.executable, os.path.join(ROOT, "tests/wiki/make_zim.py"), zim,
                            "--extra", str(a.articles)], check=True)
            print(f"built {zim} ({os.path.getsize(zim) / 1e6:.1f} MB) in {time.time() - t0:.0f} s", flush=True)
        proc, base = wt.start_beacon(os.path.abspath(a.beacon), work, "bench", f'[wiki]\nzim = "{zim}"\n')
        api = lc.Api(base)
        api.login()
        rng = random.Random(15)
        ids = rng.sample(range(1, a.articles + 1), min(a.articles, a.samples * 3))
        exact = [f"Generated article {i}" for i in ids[:a.samples]]
        lower = [f"generated article {i}" for i in ids[a.samples:2 * a.samples]]
        misses = [f"Nonexistent topic {rng.randrange(10**9)}" for _ in range(a.samples)]
        results = []
        for label, names in (("cold exact", exact), ("cold case", lower), ("cold miss", misses)):
            ms = []
            for n in names:
                t, items = timed(api, [n])
                if label != "cold miss" and not items[0]["resolved"]:
                    raise RuntimeError(f"{n} did not resolve")
                ms.append(t)
            results.append(row(label, ms))
        ms = [timed(api, [n])[0] for n in exact + lower]
        results.append(row("warm", ms))
        # Throughput, 4 concurrent clients, names never asked before.
        fresh = [f"Generated article {i}" for i in ids[2 * a.samples:3 * a.samples]]
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(4) as ex:
            list(ex.map(lambda n: timed(api, [n]), fresh))
        rate = len(fresh) / (time.perf_counter() - t0)
        print(f"\nZIM: {a.articles} generated articles + the fixture; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}")
        print(f"{'case':<12}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}   goal")
        for r in results:
            goal = "p95 <= 50 ms" if r["case"] == "warm" else "p95 <= 500 ms"
            print(f"{r['case']:<12}{r['n']:>5}{r['p50_ms']:>10}{r['p95_ms']:>10}{r['max_ms']:>10}   {goal}")
        print(f"cold lookups per second through the API (4 clients): {rate:.0f}")
        print(json.dumps({"articles": a.articles, "rows": results, "cold_lookups_per_s": round(rate, 1)}))
    finally:
        if proc:
            wt.stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
