#!/usr/bin/env python3
"""Backup and restore time for a library of N items (issue 19, "Measured").

Usage: bench/ops/backup_bench.py BEACON_BIN [--items 1000] [--repeat 2] [--s3]

One real item is generated with the built-in engines (`beacon generate`), then cloned into
N library items: each clone gets its own copy of the item's library files (video, HLS
renditions, captions, pictures; about 1.2 MB) and its own `content` row, so the backup sees
N items' worth of distinct files and rows, as a library that grew by generation would hold.

Timed, in the same run:
  * baseline: `cp -a` of the data folder plus `sha256sum` of every file in it: the least any
    verified copy must do (read everything, write everything, hash everything);
  * `beacon backup create` (consistent database copy, media copy, SHA-256 manifest);
  * a second `beacon backup create` into the same folder with nothing changed (media
    hard-linked from the first: incremental);
  * `beacon backup restore` into a fresh folder (verify against the manifest, copy while
    re-hashing, integrity check of each database, rename into place).
With --s3 the same three are also timed against an S3 server on this machine (npm's s3rver
from tests/integration/s3_tools, started here): backup to s3://bench/library, the unchanged
second backup (media copied server-side, not uploaded), restore from the prefix.
Figures are printed as seconds and as ratios to the baseline. The page cache is warm (the
clone step just wrote every file), which the note printed at the end says.
"""
import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr.strip()[-500:]}")
    return out


def timed(cmd, **kw):
    start = time.monotonic()
    out = run(cmd, **kw)
    return time.monotonic() - start, out


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("OLLAMA_HOST", "COMFYUI_HOST", "ELEVEN_API_KEY", "ELEVENLABS_API_KEY",
                        "WHISPER_URL", "BEACON_DATABASE_URL", "BEACON_REDIS_URL")}
    return env


def make_library(beacon, data, items, env):
    run([beacon, "generate", "A short film about a lighthouse at night. 2 scenes.",
         "--data", data], env=env)
    media = os.path.join(data, "media", "library")
    db = sqlite3.connect(os.path.join(data, "beacon.db"))
    cols = [r[1] for r in db.execute("PRAGMA table_info(content)")]
    row = dict(zip(cols, db.execute("SELECT * FROM content WHERE id = 1").fetchone()))
    url_cols = [c for c in cols if isinstance(row[c], str) and "/media/library/1/" in row[c]]
    for i in range(2, items + 1):
        shutil.copytree(os.path.join(media, "1"), os.path.join(media, str(i)))
        r = dict(row)
        r["id"] = i
        r["job_id"] = None
        r["title"] = f"{row['title']} #{i}"
        for c in url_cols:
            r[c] = row[c].replace("/media/library/1/", f"/media/library/{i}/")
        if "preview_url" in r:
            r["preview_url"] = ""
        db.execute(f"INSERT INTO content ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                   [r[c] for c in cols])
    db.commit()
    db.close()


def folder_stats(path):
    files, size = 0, 0
    for root, _, names in os.walk(path):
        for n in names:
            files += 1
            size += os.path.getsize(os.path.join(root, n))
    return files, size


def baseline(data, scratch):
    target = os.path.join(scratch, "cp")
    start = time.monotonic()
    run(["cp", "-a", data, target])
    run(["bash", "-c", "find . -type f -print0 | xargs -0 sha256sum > /dev/null"], cwd=target)
    took = time.monotonic() - start
    shutil.rmtree(target)
    return took


def start_s3(scratch, env):
    """s3rver on a free port; returns (process, config file naming it as [backup]'s service)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    here = os.path.dirname(os.path.abspath(__file__))
    serve = os.path.join(here, "..", "..", "tests", "integration", "s3_tools", "serve.js")
    os.makedirs(os.path.join(scratch, "s3"))
    # s3rver's ListObjectsV2 continuation tokens use DES, which Node's OpenSSL 3 only has
    # through the legacy provider (without it a listing over 1,000 keys answers HTTP 500).
    proc = subprocess.Popen(["node", "--openssl-legacy-provider", serve,
                             os.path.join(scratch, "s3"), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    config = os.path.join(scratch, "s3.toml")
    with open(config, "w") as f:
        f.write(f'[backup]\ns3_endpoint = "http://127.0.0.1:{port}"\n'
                's3_access_key = "S3RVER"\ns3_secret_key = "S3RVER"\n')
    return proc, config


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("beacon")
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--s3", action="store_true", help="also time backups to and from S3")
    args = ap.parse_args()
    beacon = os.path.abspath(args.beacon)
    env = clean_env()
    scratch = tempfile.mkdtemp(prefix="beacon-backup-bench-")
    s3 = None
    try:
        data = os.path.join(scratch, "data")
        t0 = time.monotonic()
        make_library(beacon, data, args.items, env)
        files, size = folder_stats(data)
        print(f"library: {args.items} items, {files} files, {size / 1e6:.0f} MB "
              f"(built in {time.monotonic() - t0:.1f} s)")
        rows = []
        for rep in range(args.repeat):
            base = baseline(data, scratch)
            out_dir = os.path.join(scratch, f"backups{rep}")
            os.mkdir(out_dir)
            b, out = timed([beacon, "backup", "create", "--data", data, "--to", out_dir], env=env)
            folder = out.stdout.strip().splitlines()[-1].strip()
            if not os.path.isabs(folder):
                folder = os.path.join(out_dir, folder)
            # A second backup into the same folder with nothing changed: media are linked from
            # the first (incremental), databases copied again.
            inc, _ = timed([beacon, "backup", "create", "--data", data, "--to", out_dir], env=env)
            restored = os.path.join(scratch, f"restored{rep}")
            r, _ = timed([beacon, "backup", "restore", folder, "--data", restored], env=env)
            db = sqlite3.connect(os.path.join(restored, "beacon.db"))
            count = db.execute("SELECT count(*) FROM content").fetchone()[0]
            db.close()
            if count != args.items:
                sys.exit(f"restore holds {count} items, expected {args.items}")
            rows.append((base, b, r, inc))
            print(f"run {rep + 1}: baseline (cp -a + sha256sum) {base:.2f} s, "
                  f"backup {b:.2f} s ({b / base:.2f}x), unchanged again {inc:.2f} s ({inc / base:.2f}x), "
                  f"restore {r:.2f} s ({r / base:.2f}x); "
                  f"restored items {count}")
            shutil.rmtree(out_dir)
            shutil.rmtree(restored)
        s3_rows = []
        if args.s3:
            s3, config = start_s3(scratch, env)
            for rep in range(args.repeat):
                where = f"s3://bench/library{rep}"
                b, out = timed([beacon, "backup", "create", "--data", data, "--to", where,
                                "--config", config], env=env)
                inc, _ = timed([beacon, "backup", "create", "--data", data, "--to", where,
                                "--config", config], env=env)
                restored = os.path.join(scratch, f"s3-restored{rep}")
                r, _ = timed([beacon, "backup", "restore", where, "--data", restored,
                              "--config", config], env=env)
                db = sqlite3.connect(os.path.join(restored, "beacon.db"))
                count = db.execute("SELECT count(*) FROM content").fetchone()[0]
                db.close()
                if count != args.items:
                    sys.exit(f"S3 restore holds {count} items, expected {args.items}")
                base = rows[min(rep, len(rows) - 1)][0]
                s3_rows.append((b, inc, r))
                print(f"S3 run {rep + 1}: backup {b:.2f} s ({b / base:.2f}x baseline), "
                      f"unchanged again {inc:.2f} s ({inc / base:.2f}x), restore {r:.2f} s "
                      f"({r / base:.2f}x); restored items {count}")
                shutil.rmtree(restored)
        load = open("/proc/loadavg").read().split()[:3]
        print(json.dumps({"items": args.items, "files": files, "bytes": size,
                          "runs": [{"baseline_s": round(a, 3), "backup_s": round(b, 3),
                                    "incremental_s": round(d, 3),
                                    "restore_s": round(c, 3)} for a, b, c, d in rows],
                          "s3_runs": [{"backup_s": round(b, 3), "incremental_s": round(i, 3),
                                       "restore_s": round(r, 3)} for b, i, r in s3_rows],
                          "load": load, "cores": os.cpu_count(), "page_cache": "warm"}))
    finally:
        if s3:
            s3.terminate()
            s3.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
