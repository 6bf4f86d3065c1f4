#!/usr/bin/env python3
"""`beacon backup` with S3 through the command line and beacon.toml, against a real S3 server
(npm's s3rver, SigV4 checked) started here on a free port: a backup to s3:// set by [backup]
s3_endpoint is verified and restored from its prefix (newest) into a fresh folder; the secret
key never shows in the output; a studio whose media are in S3 ([storage] s3_endpoint, the
object put there by s3cmd) backs up its media, which a restore without [storage] puts into
media/ and one with [storage] into the configured bucket (s3cmd reads it back).

Usage: backup_s3_cli_test.py path/to/beacon
"""
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, clean environment)

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "S3RVER"  # s3rver's fixed access and secret key
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-backup-s3-")
    env = bh.clean_env(work)
    port = bh.free_port()
    os.makedirs(os.path.join(work, "s3"))
    server = subprocess.Popen(["node", os.path.join(HERE, "s3_tools", "serve.js"),
                               os.path.join(work, "s3"), str(port)],
                              stdout=open(os.path.join(work, "s3.log"), "w"),
                              stderr=subprocess.STDOUT, env=env)
    endpoint = f"http://127.0.0.1:{port}"
    hostport = f"127.0.0.1:{port}"

    def run(*args, config=None):
        cmd = [beacon, *args] + (["--config", config] if config else [])
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)

    def s3cmd(*args):
        return subprocess.run(["s3cmd", "--config=/dev/null", "--no-ssl", f"--host={hostport}",
                               f"--host-bucket={hostport}", "--access_key=S3RVER",
                               "--secret_key=S3RVER", "--region=us-east-1", "--force", *args],
                              capture_output=True, text=True, env=env, timeout=60)

    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        # A studio on local disk, its backups in S3 through [backup].
        data = os.path.join(work, "data")
        plain = os.path.join(work, "plain.toml")
        with open(plain, "w") as f:
            f.write('[backup]\ndir = "s3://cli-backups/studio"\n'
                    f's3_endpoint = "{endpoint}"\ns3_access_key = "S3RVER"\n'
                    f's3_secret_key = "{KEY}"\n')
        r = subprocess.run([beacon, "user", "set-password", "--data", data, "--config", plain],
                           input="a-long-password\n", capture_output=True, text=True, env=env,
                           timeout=60)
        check(r.returncode == 0, "a studio with one account: " + r.stderr.strip()[-200:])
        os.makedirs(os.path.join(data, "media", "library", "1"))
        video = os.urandom(200000)
        with open(os.path.join(data, "media", "library", "1", "video.mp4"), "wb") as f:
            f.write(video)
        r = run("backup", "create", "--data", data, config=plain)
        url = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
        check(r.returncode == 0 and url.startswith("s3://cli-backups/studio/beacon-backup-"),
              f"backup create to [backup] dir s3:// prints its URL ({url}) {r.stderr.strip()[-300:]}")
        check(KEY not in r.stdout + r.stderr, "no key in the output")
        r = run("backup", "verify", url, config=plain)
        check(r.returncode == 0 and "match the manifest" in r.stdout,
              "backup verify s3://...: " + (r.stdout + r.stderr).strip()[-200:])
        got = os.path.join(work, "got.mp4")
        r = s3cmd("get", url + "/media/library/1/video.mp4", got)
        check(r.returncode == 0 and open(got, "rb").read() == video,
              "s3cmd reads the backup's video: " + r.stderr.strip()[-200:])
        restored = os.path.join(work, "restored")
        r = run("backup", "restore", "s3://cli-backups/studio", "--data", restored, config=plain)
        check(r.returncode == 0, "restore from the prefix: " + (r.stdout + r.stderr).strip()[-300:])
        users = sqlite3.connect(os.path.join(restored, "beacon.db")).execute(
            "SELECT COUNT(*) FROM users").fetchone()[0] if os.path.exists(
                os.path.join(restored, "beacon.db")) else 0
        check(users == 1, f"the restored database has the account ({users} user)")
        check(os.path.exists(os.path.join(restored, "media/library/1/video.mp4")) and open(
            os.path.join(restored, "media/library/1/video.mp4"), "rb").read() == video,
              "the restored video has the same bytes")

        # A studio whose media are in S3: the object is only in the bucket.
        s3conf = os.path.join(work, "s3.toml")
        with open(s3conf, "w") as f:
            f.write(f'[storage]\ns3_endpoint = "{endpoint}"\nbucket = "studio-media"\n'
                    'access_key = "S3RVER"\nsecret_key = "S3RVER"\n')
        src = os.path.join(work, "clip.ts")
        with open(src, "wb") as f:
            f.write(b"segment from the bucket " * 100)
        # s3rver keeps each bucket as a folder (s3cmd's mb fails its signature check).
        os.makedirs(os.path.join(work, "s3", "studio-media"))
        r = s3cmd("put", src, "s3://studio-media/library/2/hls/seg_00000.ts")
        check(r.returncode == 0, "s3cmd puts an object in the studio's bucket: " + r.stderr[-200:])
        r = run("backup", "create", "--data", data, "--to", "s3://cli-backups/s3studio",
                config=s3conf)
        check(r.returncode == 0, "backup of a studio with media in S3 (service from [storage]): "
              + r.stderr.strip()[-300:])
        into_folder = os.path.join(work, "into-folder")
        r = run("backup", "restore", "s3://cli-backups/s3studio", "--data", into_folder,
                config=plain)
        seg = os.path.join(into_folder, "media/library/2/hls/seg_00000.ts")
        check(r.returncode == 0 and os.path.exists(seg) and open(seg, "rb").read() == open(
            src, "rb").read(), "restored without [storage]: the object is in media/ "
              + r.stderr.strip()[-200:])
        check(not os.path.exists(os.path.join(into_folder, "media/library/1/video.mp4")),
              "the folder's media/ (a cache with S3) was not in that backup")
        moved = os.path.join(work, "moved.toml")
        with open(moved, "w") as f:
            f.write(f'[storage]\ns3_endpoint = "{endpoint}"\nbucket = "studio-media-2"\n'
                    'access_key = "S3RVER"\nsecret_key = "S3RVER"\n')
        into_bucket = os.path.join(work, "into-bucket")
        r = run("backup", "restore", "s3://cli-backups/s3studio", "--data", into_bucket,
                config=moved)
        check(r.returncode == 0, "restored with [storage]: " + r.stderr.strip()[-300:])
        r = s3cmd("get", "s3://studio-media-2/library/2/hls/seg_00000.ts", got)
        check(r.returncode == 0 and open(got, "rb").read() == open(src, "rb").read(),
              "s3cmd reads the object back from the new studio's bucket " + r.stderr[-200:])
    finally:
        server.terminate()
        server.wait(timeout=10)
        if not failures:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed; files kept in {work}")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
