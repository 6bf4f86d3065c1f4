#!/usr/bin/env python3
"""TLS on the listener, against a real `beacon serve` (issue 19, item 7).

A certificate authority and two server certificates are made here with the openssl CLI. With
[server] tls_cert/tls_key set: curl trusting the CA gets /healthz with HSTS; a client without
the CA refuses the certificate; plain HTTP to the TLS port gets a 400 telling it to use https
and the connection closes; sign-in cookies are Secure; the events WebSocket works over TLS; after
the certificate files are replaced and SIGHUP is sent, the next connection gets the new
certificate on the same listener, and a broken replacement keeps the old one. Without TLS, an
address that is neither loopback nor a private LAN range is refused at start unless
allow_insecure_remote = true.

usage: tls_test.py path/to/beacon
"""
import base64
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, clean environment)

failures = []
PASSWORD = "tls test password"


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)


def openssl(*args, cwd):
    r = run(["openssl", *args], cwd=cwd)
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)}: {r.stderr}")


def make_certs(d):
    """ca.pem, then server1.{pem,key} (CN beacon-one) and server2.{pem,key} (CN beacon-two),
    both for 127.0.0.1 and localhost, signed by the CA."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Beacon Test CA",
            cwd=d)
    with open(os.path.join(d, "san.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for n, cn in (("server1", "beacon-one"), ("server2", "beacon-two")):
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", f"{n}.key", "-out", f"{n}.csr", "-subj", f"/CN={cn}", cwd=d)
        openssl("x509", "-req", "-in", f"{n}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{n}.pem", "-days", "2", "-extfile", "san.cnf", cwd=d)


def peer_common_name(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            subject = dict(x[0] for x in s.getpeercert()["subject"])
            return subject.get("commonName")


def curl(env, *args):
    return run(["curl", "-sS", "--max-time", "20", *args], env=env)


def ws_over_tls(port, ca, token, trigger):
    """Opens /api/v1/events over TLS, runs trigger(), returns the first text frame's JSON."""
    ctx = ssl.create_default_context(cafile=ca)
    raw = socket.create_connection(("127.0.0.1", port), timeout=20)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Authorization: Bearer {token}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
        status = head.split(b"\r\n", 1)[0].decode(errors="replace")
        if " 101 " not in status + " ":
            return status, None
        rest = head.split(b"\r\n\r\n", 1)[1]
        trigger()

        def need(n):
            nonlocal rest
            while len(rest) < n:
                chunk = s.recv(65536)
                if not chunk:
                    raise RuntimeError("the WebSocket closed")
                rest += chunk

        while True:
            need(2)
            opcode, length = rest[0] & 0x0F, rest[1] & 0x7F
            offset = 2
            if length == 126:
                need(4)
                length, offset = int.from_bytes(rest[2:4], "big"), 4
            elif length == 127:
                need(10)
                length, offset = int.from_bytes(rest[2:10], "big"), 10
            need(offset + length)
            payload, rest = rest[offset:offset + length], rest[offset + length:]
            if opcode == 1:
                return status, json.loads(payload)
    finally:
        s.close()


def start(beacon, work, data, config, listen, env):
    log = open(os.path.join(work, "serve.log"), "ab")
    return subprocess.Popen([beacon, "serve", "--data", data, "--config", config, "--listen",
                             listen], stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True)


def refused_at_start(beacon, work, toml, listen):
    """Runs serve with this config; (exit status or None if still running after 30 s, log)."""
    config = os.path.join(work, "refusal.toml")
    with open(config, "w") as f:
        f.write(toml)
    data = os.path.join(work, "refusal-data")
    env = bh.clean_env(work)
    env["BEACON_ADMIN_PASSWORD"] = PASSWORD
    p = subprocess.Popen([beacon, "serve", "--data", data, "--config", config, "--listen", listen],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        out, _ = p.communicate(timeout=30)
        return p.returncode, out.decode(errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGTERM)
        out, _ = p.communicate(timeout=30)
        return None, out.decode(errors="replace")


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-tls-")
    proc = None
    try:
        certs = os.path.join(work, "certs")
        os.makedirs(certs)
        make_certs(certs)
        ca = os.path.join(certs, "ca.pem")
        live_cert = os.path.join(work, "tls.pem")
        live_key = os.path.join(work, "tls.key")
        shutil.copy(os.path.join(certs, "server1.pem"), live_cert)
        shutil.copy(os.path.join(certs, "server1.key"), live_key)
        config = os.path.join(work, "beacon.toml")
        with open(config, "w") as f:
            f.write(f'[server]\ntls_cert = "{live_cert}"\ntls_key = "{live_key}"\n')
        data = os.path.join(work, "data")
        env = bh.clean_env(work)
        r = run([beacon, "user", "set-password", "--data", data, "--config", config],
                input=PASSWORD + "\n", env=env)
        check(r.returncode == 0, "the admin password is set")
        r = run([beacon, "token", "create", "--data", data, "--config", config, "--name", "tls"],
                env=env)
        token = r.stdout.strip().splitlines()[-1] if r.returncode == 0 else ""
        check(bool(token), "an API token is made")

        port = bh.free_port()
        proc = start(beacon, work, data, config, f"127.0.0.1:{port}", env)
        base = f"https://127.0.0.1:{port}"
        ready = False
        for _ in range(600):
            r = curl(env, "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", base + "/healthz")
            if r.stdout == "200":
                ready = True
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        check(ready, "beacon serve answers https:// with the configured certificate")
        if not ready:
            raise RuntimeError("the TLS server did not come up; see serve.log")

        # A client trusting the CA: 200 and HSTS.
        r = curl(env, "--cacert", ca, "-D", "-", base + "/healthz")
        check(r.returncode == 0 and " 200" in r.stdout.splitlines()[0],
              "curl --cacert gets /healthz over TLS")
        hsts = [l for l in r.stdout.splitlines() if l.lower().startswith("strict-transport-security:")]
        check(len(hsts) == 1 and "max-age=" in hsts[0], f"the answer carries HSTS ({hsts})")
        r = curl(env, "--cacert", ca, "-H", f"Authorization: Bearer {token}", base + "/api/v1/jobs")
        check(r.returncode == 0 and '"items"' in r.stdout, "the API answers over TLS with a token")

        # A client without the CA refuses the certificate (curl: exit 60).
        r = curl(env, "-o", "/dev/null", base + "/healthz")
        check(r.returncode == 60, f"curl without the CA refuses the certificate (exit {r.returncode})")
        # Plain HTTP to the TLS port: a 400 saying to use https, then the connection closes.
        r = curl(env, "-D", "-", f"http://127.0.0.1:{port}/healthz")
        first = r.stdout.splitlines()[0] if r.stdout else ""
        check(" 400" in first and "https" in r.stdout.lower() and '"status":"ok"' not in r.stdout,
              f"plain HTTP to the TLS port gets 400 naming https ({first!r})")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            got = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            check(got.startswith(b"HTTP/1.1 400") and b'"status":"ok"' not in got,
                  "the plain-HTTP connection is answered once and closed")

        # Sign-in over TLS sets a Secure cookie.
        r = curl(env, "--cacert", ca, "-D", "-", "-H", "Content-Type: application/json",
                 "--data", json.dumps({"password": PASSWORD}), base + "/api/v1/auth/login")
        cookie = [l for l in r.stdout.splitlines() if l.lower().startswith("set-cookie:")]
        check(len(cookie) == 1 and "; secure" in cookie[0].lower(),
              f"the session cookie is Secure over TLS ({cookie})")

        # The events WebSocket over TLS.
        def make_channel():
            r = curl(env, "--cacert", ca, "-H", f"Authorization: Bearer {token}", "-H",
                     "Content-Type: application/json", "--data",
                     json.dumps({"title": "Over TLS", "slug": "over-tls"}),
                     base + "/api/v1/playlists")
            if r.returncode != 0 or '"over-tls"' not in r.stdout:
                raise RuntimeError(f"creating a channel failed: {r.stdout} {r.stderr}")
        status, event = ws_over_tls(port, ca, token, make_channel)
        check(" 101 " in status + " ", f"the events WebSocket upgrades over TLS ({status})")
        check(event is not None and event.get("type") == "playlist.updated" and
              event.get("data", {}).get("slug") == "over-tls",
              f"an event arrives over the TLS WebSocket ({event})")

        # SIGHUP with new certificate files: the next connection gets the new certificate.
        check(peer_common_name(port, ca) == "beacon-one", "the first certificate is served")
        shutil.copy(os.path.join(certs, "server2.pem"), live_cert)
        shutil.copy(os.path.join(certs, "server2.key"), live_key)
        os.kill(proc.pid, signal.SIGHUP)
        seen = None
        for _ in range(200):
            seen = peer_common_name(port, ca)
            if seen == "beacon-two":
                break
            time.sleep(0.05)
        check(seen == "beacon-two", f"after SIGHUP the new certificate is served ({seen})")
        check(proc.poll() is None, "the server kept running through SIGHUP")
        # A broken replacement is refused: the server keeps the certificate it has.
        with open(live_cert, "w") as f:
            f.write("not a certificate\n")
        os.kill(proc.pid, signal.SIGHUP)
        time.sleep(0.5)
        check(proc.poll() is None and peer_common_name(port, ca) == "beacon-two",
              "a broken certificate file on SIGHUP keeps the current certificate")
        with open(os.path.join(work, "serve.log"), errors="replace") as f:
            log = f.read()
        check("tls" in log.lower() and "reload" in log.lower(),
              "the reloads are logged")

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        proc = None

        # Refusal of a public address without TLS (TEST-NET-3: not this machine's, not a LAN).
        rc, out = refused_at_start(beacon, work, "", "203.0.113.7:8080")
        check(rc not in (0, None) and "allow_insecure_remote" in out and "TLS" in out,
              f"a public address without TLS is refused at start (exit {rc}): {out[-300:]!r}")
        rc, out = refused_at_start(beacon, work, "[server]\nallow_insecure_remote = true\n",
                                   "203.0.113.7:8080")
        check("allow_insecure_remote" not in out and "cannot listen" in out,
              f"allow_insecure_remote = true lets it try (bind fails here): {out[-300:]!r}")
        good_cert = os.path.join(certs, "server1.pem")
        good_key = os.path.join(certs, "server1.key")
        rc, out = refused_at_start(
            beacon, work, f'[server]\ntls_cert = "{good_cert}"\ntls_key = "{good_key}"\n',
            "203.0.113.7:8080")
        check("allow_insecure_remote" not in out and "cannot listen" in out,
              f"with TLS a public address is allowed (bind fails here): {out[-300:]!r}")
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if failures:
            log = os.path.join(work, "serve.log")
            if os.path.exists(log):
                with open(log, errors="replace") as f:
                    print("---- serve.log (tail)\n" + f.read()[-4000:])
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all TLS checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
