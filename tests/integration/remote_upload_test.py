#!/usr/bin/env python3
"""Remote workers' uploads reach the studio's store without sitting in its memory (issue 18).

A real `beacon serve` ([jobs] workers = 0, SQLite, a temporary folder, a clean environment); this
script plays the remote worker over HTTP: it registers with a registration token, claims a job
and, with that job's token, PUTs objects under the job's keys:
  - a 160 MiB object, streamed from disk in 1 MiB chunks with its SHA-256 in X-Beacon-Sha256: it
    is stored byte for byte, and the studio's peak memory (VmHWM) grows by far less than the
    object (it held the whole body before);
  - a small object (whole with the headers) stored likewise, and refused with a wrong SHA-256;
  - a body whose SHA-256 differs from the header: 409, nothing stored;
  - no SHA-256 header: 400, nothing stored;
  - a Content-Length over the route's limit (4 GiB): 413 before any byte is read;
  - an upload cut off mid-body: nothing stored;
and after each, the studio's spool folder (data/remote-uploads) is empty again.
usage: remote_upload_test.py path/to/beacon
"""
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, API requests)

BIN = os.path.realpath(sys.argv[1])
work = tempfile.mkdtemp(prefix="beacon-remote-upload-")
procs = []
passed = failed = 0


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
        print("ok  ", what, flush=True)
    else:
        failed += 1
        print("FAIL", what, flush=True)


ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.path.join(work, "home"),
       "TMPDIR": os.path.join(work, "tmp"), "LANG": "C.UTF-8"}
os.makedirs(ENV["HOME"])
os.makedirs(ENV["TMPDIR"])
port = bh.free_port()
base = f"http://127.0.0.1:{port}"
token = None


def api(method, path, body=None, headers=None):
    """(status, JSON answer or body bytes) of one request to the studio, with the API token."""
    return bh.Client(base, token, timeout=60).json(method, path, body, headers)


def wait_for(pred, seconds, step=0.1):
    end = time.time() + seconds
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def vm_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no " + field)


def reset_peak(pid):
    """Resets the process's VmHWM to its current RSS (proc(5): clear_refs, 5)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def put_file(path, job_token, file_path, sha):
    """PUTs the file in 1 MiB chunks (never whole in this process's memory)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    conn.putrequest("PUT", path)
    conn.putheader("X-Beacon-Token", job_token)
    conn.putheader("Content-Type", "application/octet-stream")
    conn.putheader("Content-Length", str(os.path.getsize(file_path)))
    if sha is not None:
        conn.putheader("X-Beacon-Sha256", sha)
    conn.endheaders()
    with open(file_path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            conn.send(chunk)
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


def spool_empty():
    folder = os.path.join(data, "remote-uploads")
    return os.path.isdir(folder) and os.listdir(folder) == []


try:
    with open(os.path.join(work, "studio.toml"), "w") as f:
        f.write("[jobs]\nworkers = 0\nlease_seconds = 120\n")
    data = os.path.join(work, "studio")
    log = open(os.path.join(work, "serve.log"), "w")
    serve = subprocess.Popen([BIN, "serve", "--data", data, "--config", "studio.toml", "--listen",
                              f"127.0.0.1:{port}"], env=dict(ENV, BEACON_ADMIN_PASSWORD="upload-pass"),
                             stdout=log, stderr=subprocess.STDOUT, cwd=work)
    procs.append(serve)
    up = wait_for(lambda: subprocess.run(["curl", "-fs", base + "/healthz"], capture_output=True).returncode == 0
                  or serve.poll() is not None, 60)
    check("beacon serve starts", up and serve.poll() is None)
    out = subprocess.run([BIN, "token", "create", "--data", data, "--name", "upload-test"], env=ENV,
                         capture_output=True, text=True, cwd=work)
    token = out.stdout.strip().splitlines()[-1]
    st, made = api("POST", "/api/v1/workers/tokens", {"name": "uploader"})
    check(f"a registration token ({st})", st == 201)
    st, reg = api("POST", "/api/v1/remote/register", {"name": "up", "host": "up.lan"},
                  {"X-Beacon-Token": made["token"]})
    check(f"the worker registers ({st})", st == 201)
    st, queued = api("POST", "/api/v1/generate", {"prompt": "A harbour at night.", "duration_target": 4})
    check(f"a job is queued ({st})", st in (200, 201, 202))
    job_id = queued["job_id"]
    st, claim = api("POST", "/api/v1/remote/claim", None, {"X-Beacon-Token": reg["worker_token"]})
    check(f"the worker claims it ({st})", st == 200 and claim["job"]["id"] == job_id)
    job_token = claim["job_token"]
    key = f"jobs/{job_id}/final/big.bin"
    route = f"/api/v1/remote/jobs/{job_id}/objects/"

    # 160 MiB of random bytes, written to disk in 1 MiB pieces.
    big = os.path.join(work, "big.bin")
    h = hashlib.sha256()
    with open(big, "wb") as f:
        for _ in range(160):
            chunk = os.urandom(1 << 20)
            h.update(chunk)
            f.write(chunk)
    sha = h.hexdigest()

    reset_peak(serve.pid)
    baseline = vm_kb(serve.pid, "VmRSS")
    st, body = put_file(route + key, job_token, big, sha)
    grown_mb = (vm_kb(serve.pid, "VmHWM") - baseline) / 1024
    check(f"a 160 MiB upload with its SHA-256 is stored ({st} {body[:200]!r})", st == 204)
    check(f"the studio's peak memory grew by {grown_mb:.1f} MiB (< 48) during the 160 MiB upload",
          grown_mb < 48)
    stored = os.path.join(data, "media", key)
    h2 = hashlib.sha256()
    if os.path.exists(stored):
        with open(stored, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h2.update(chunk)
    check("the stored object is the upload, byte for byte", h2.hexdigest() == sha)
    st, stat = api("GET", route + key + "?stat=1", None, {"X-Beacon-Token": job_token})
    check(f"the studio reports its size ({st} {stat})", st == 200 and stat.get("size") == 160 << 20)
    check("the spool folder is empty after the upload", spool_empty())

    # A small object (it may arrive with the headers, unspooled) is checked and stored too.
    tiny = os.path.join(work, "tiny.vtt")
    with open(tiny, "wb") as f:
        f.write(b"WEBVTT\n\n")
    st, _ = put_file(route + f"jobs/{job_id}/tiny.vtt", job_token, tiny,
                     hashlib.sha256(b"WEBVTT\n\n").hexdigest())
    tiny_stored = os.path.join(data, "media", f"jobs/{job_id}/tiny.vtt")
    check(f"a 8-byte object is stored ({st})", st == 204 and os.path.exists(tiny_stored)
          and open(tiny_stored, "rb").read() == b"WEBVTT\n\n")
    st, _ = put_file(route + f"jobs/{job_id}/tiny2.vtt", job_token, tiny, "1" * 64)
    check(f"a small object with a wrong SHA-256 is refused ({st})", st == 409)

    # A damaged body: the digest differs from the header.
    small = os.path.join(work, "small.bin")
    with open(small, "wb") as f:
        f.write(os.urandom(3 << 20))
    st, body = put_file(route + f"jobs/{job_id}/bad.bin", job_token, small, "0" * 64)
    check(f"a body whose SHA-256 differs is refused with 409 ({st} {body[:160]!r})",
          st == 409 and b"SHA-256" in body)
    st, _ = api("GET", route + f"jobs/{job_id}/bad.bin?stat=1", None, {"X-Beacon-Token": job_token})
    check(f"and nothing is stored ({st})", st == 404)
    st, body = put_file(route + f"jobs/{job_id}/nosha.bin", job_token, small, None)
    check(f"an upload without X-Beacon-Sha256 is refused with 400 ({st})", st == 400)
    check("the spool folder is empty after refused uploads", spool_empty())

    # Over the route's limit: refused from its Content-Length alone.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.putrequest("PUT", route + f"jobs/{job_id}/huge.bin")
    conn.putheader("X-Beacon-Token", job_token)
    conn.putheader("Content-Length", str(5 << 30))
    conn.putheader("X-Beacon-Sha256", "0" * 64)
    conn.endheaders()
    r = conn.getresponse()
    check(f"a 5 GiB Content-Length is refused with 413 ({r.status})", r.status == 413)
    conn.close()

    # Cut off mid-body: the partial file is removed, nothing stored.
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall((f"PUT {route}jobs/{job_id}/cut.bin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"X-Beacon-Token: {job_token}\r\nX-Beacon-Sha256: {'0' * 64}\r\n"
               f"Content-Length: {64 << 20}\r\n\r\n").encode())
    for _ in range(8):
        s.sendall(os.urandom(1 << 20))
    time.sleep(0.3)
    s.close()
    check("an upload cut off mid-body leaves no spooled file", wait_for(spool_empty, 20))
    st, _ = api("GET", route + f"jobs/{job_id}/cut.bin?stat=1", None, {"X-Beacon-Token": job_token})
    check(f"and nothing is stored ({st})", st == 404)
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    if failed:
        try:
            print(open(os.path.join(work, "serve.log")).read()[-3000:])
        except OSError:
            pass
    shutil.rmtree(work, ignore_errors=True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
