#!/usr/bin/env python3
"""Hostile-request corpus against a live `beacon serve`.

Starts the server on a free port in a temporary data folder, then sends every case of
corpus.jsonl (raw bytes, each on its own connection) and generated cases (bad bodies on every
JSON route, bad credentials on every route). Fails when any answer is a 5xx, when a case's status
is not one it expects, when an /api error is not the JSON error shape, or when the server stops
answering. Usage: run.py path/to/beacon
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "hostile corpus password"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def exchange(port, raw, timeout=10.0):
    """Sends raw bytes; returns (status, headers, body) of the first answer (status 0: none)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(raw)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            data += chunk
            if len(data) > (4 << 20):
                break
    finally:
        s.close()
    while re.match(rb"HTTP/1\.[01] 1\d\d ", data):  # interim answers (100 Continue)
        data = data.partition(b"\r\n\r\n")[2]
    head, _, body = data.partition(b"\r\n\r\n")
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    if not m:
        return 0, {}, b""
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    return int(m.group(1)), headers, body


def request(port, method, path, body=None, headers=None):
    host = f"127.0.0.1:{port}"
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    for k, v in (headers or {}).items():
        lines.append(f"{k}: {v}")
    payload = b""
    if body is not None:
        payload = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        lines.append(f"Content-Length: {len(payload)}")
        if not any(k.lower() == "content-type" for k in (headers or {})):
            lines.append("Content-Type: application/json")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
    return exchange(port, raw)


def main():
    binary = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-hostile-")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work,
           "BEACON_ADMIN_PASSWORD": PASSWORD}
    log = open(os.path.join(work, "serve.log"), "wb")
    server = subprocess.Popen([binary, "serve", "--data", os.path.join(work, "data"),
                               "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log, env=env,
                              cwd=work)
    failures = []
    counts = {"cases": 0, "5xx": 0}
    try:
        for _ in range(500):
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.02)
        else:
            print("FAIL the server did not start")
            return 1
        token = subprocess.run([binary, "token", "create", "--data", os.path.join(work, "data"),
                                "--name", "hostile"], capture_output=True, text=True, env=env,
                               cwd=work).stdout.strip().splitlines()[-1]
        st, hdr, body = request(port, "POST", "/api/v1/auth/login",
                                json.dumps({"password": PASSWORD}))
        assert st == 200, (st, body)
        cookie = hdr["set-cookie"].split(";")[0]
        csrf = json.loads(body)["csrf_token"]
        auth = {"Authorization": f"Bearer {token}"}

        def record(name, status, headers, body, expect=None, path=""):
            counts["cases"] += 1
            if status >= 500:
                counts["5xx"] += 1
                failures.append(f"{name}: {status} {body[:200]!r}")
                return
            if expect is not None and status not in expect:
                failures.append(f"{name}: status {status}, expected one of {expect} {body[:200]!r}")
                return
            if status >= 400 and (path.startswith("/api/") or path == ""):
                try:
                    err = json.loads(body)["error"]
                    assert isinstance(err["code"], str) and isinstance(err["message"], str)
                except Exception:
                    failures.append(f"{name}: {status} error is not the JSON error shape: "
                                    f"{body[:200]!r}")

        # 1. The hand-written corpus: raw requests.
        with open(os.path.join(HERE, "corpus.jsonl"), encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                case = json.loads(line)
                raw = case["raw"].replace("{host}", f"127.0.0.1:{port}")
                raw = raw.replace("{port}", str(port)).replace("{token}", token)
                raw = raw.replace("{cookie}", cookie)
                raw = re.sub(r"\{long:(\d+)\}", lambda m: "a" * int(m.group(1)), raw)
                status, headers, body = exchange(port, raw.encode("latin-1"))
                record(case["name"], status, headers, body, case.get("expect"))

        # 2. Bad bodies on every JSON route (authenticated, so they reach the handlers).
        routes = [("POST", "/api/v1/generate"), ("POST", "/api/v1/tokens"),
                  ("POST", "/api/v1/playlists"), ("PATCH", "/api/v1/playlists/1"),
                  ("POST", "/api/v1/playlists/1/insert"), ("PATCH", "/api/v1/content/1"),
                  ("POST", "/api/v1/jobs/1/scenes/1/regenerate"), ("POST", "/api/v1/auth/password"),
                  ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/setup")]
        deep = "[" * 100000 + "]" * 100000
        bodies = {
            "1e309": '{"prompt":"a","duration_target":1e309,"title":1e309,"items":[1e309],'
                     '"password":1e309,"name":1e309,"seed":1e309}',
            "-1e309": '{"seed":-1e309}',
            "400 digits": '{"duration_target":' + "9" * 400 + ',"seed":' + "9" * 400 + "}",
            "400 digits in array": '{"items":[' + "1" * 400 + "]}",
            "big ints": '{"prompt":"a","duration_target":18446744073709551615,"seed":'
                        '-9223372036854775809,"scene_count":9223372036854775807}',
            "floats for ints": '{"prompt":"a","duration_target":7.5e300,"seed":0.5}',
            "deep nesting": deep,
            "deep object": '{"a":' * 50000 + "1" + "}" * 50000,
            "not an object": "[1,2,3]",
            "string": '"hello"',
            "truncated": '{"prompt":"a',
            "bad utf-8": b'{"prompt":"\xff\xfe\xfd","title":"\xc0\x80"}',
            "lone surrogate": '{"prompt":"\\ud800","title":"\\udc00x"}',
            "nul": '{"prompt":"a\\u0000b","name":"\\u0000"}',
            "wrong types": '{"prompt":[],"title":{},"items":"x","slug":5,"scheduled_slots":{},'
                           '"current_password":1,"new_password":true,"revoke_tokens":"yes"}',
            "bad slots": '{"scheduled_slots":[{"time":"25:99","days":[4294967296]},'
                         '{"time":"10:00","days":[-1]},{"time":"10:00","days":"weekly"}]}',
            "nulls": '{"prompt":null,"title":null,"items":null,"seed":null}',
            "duplicate keys": '{"prompt":"a","prompt":"b"}',
            "empty": "",
            "huge string": '{"prompt":"' + "x" * 900000 + '"}',
        }
        for method, path in routes:
            for bname, body in bodies.items():
                headers = dict(auth)
                if path.startswith("/api/v1/auth/") and path != "/api/v1/auth/password":
                    headers = {}
                status, h, b = request(port, method, path, body, headers)
                record(f"{method} {path} [{bname}]", status, h, b, None, path)

        # 3. Every route with bad credentials.
        gets = ["/api/v1/jobs", "/api/v1/jobs/1", "/api/v1/jobs/1/logs", "/api/v1/content",
                "/api/v1/content/1", "/api/v1/content/1/assets", "/api/v1/playlists",
                "/api/v1/playlists/1", "/api/v1/playlists/1/now", "/api/v1/tokens",
                "/api/v1/stream-key", "/api/v1/auth/me", "/api/v1/engines",
                "/api/v1/voices", "/media/library/1/video.mp4"]
        creds = {
            "none": {},
            "wrong bearer": {"Authorization": "Bearer bcn_wrong"},
            "empty bearer": {"Authorization": "Bearer "},
            "basic": {"Authorization": "Basic YWRtaW46cGFzcw=="},
            "long bearer": {"Authorization": "Bearer " + "a" * 8000},
            "forged cookie": {"Cookie": "beacon_session=forged"},
            "empty cookie": {"Cookie": "beacon_session="},
            "query token": {},
            "stream key": {},
        }
        for path in gets:
            for cname, headers in creds.items():
                target = path
                if cname == "query token":
                    target += "?token=bcn_wrong"
                if cname == "stream key":
                    target += "?key=wrong"
                status, h, b = request(port, "GET", target, None, headers)
                record(f"GET {target} [{cname}]", status, h, b, [401], path)
        # and a cookie-authenticated change without the CSRF token, with a wrong one, and right
        for name, extra, expect in [("no csrf", {}, [403]),
                                    ("wrong csrf", {"X-CSRF-Token": "x"}, [403]),
                                    ("right csrf", {"X-CSRF-Token": csrf}, [201])]:
            headers = {"Cookie": cookie, **extra}
            status, h, b = request(port, "POST", "/api/v1/playlists",
                                   json.dumps({"title": "csrf " + name}), headers)
            record(f"POST /api/v1/playlists [{name}]", status, h, b, expect, "/api/v1/playlists")

        if request(port, "GET", "/healthz")[0] != 200:
            failures.append("the server stopped answering /healthz")
        if server.poll() is not None:
            failures.append(f"the server exited with status {server.returncode}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    for f in failures:
        print("FAIL", f)
    print(f"{counts['cases']} hostile requests, {counts['5xx']} answered 5xx, "
          f"{len(failures)} failures")
    if failures:
        with open(os.path.join(work, "serve.log"), "rb") as f:
            sys.stdout.write(f.read()[-4000:].decode("utf-8", "replace"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
