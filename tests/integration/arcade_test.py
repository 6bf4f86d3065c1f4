#!/usr/bin/env python3
"""Arcade against a real `beacon serve` (issue 16): uploads a good game through the API, plays
its files from the games' own origin (a second listener, one host name per game) and checks the
headers there (strict CSP framed by the studio only, nosniff, wasm type, no cookies set, the
studio's cookie opens nothing, no core routes); then uploads every hostile archive of a corpus
built here and expects a clear 4xx and no file kept; updates a game (the old version keeps
serving until the new one is checked), saves per game, `beacon game add`, and delete.

usage: arcade_test.py path/to/beacon
"""
import http.client
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import uuid
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, beacon serve, API session)

PASSWORD = "arcade-test-password"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


class Api(bh.Client):
    """The studio's API (a signed-in session) with multipart game uploads."""

    def upload(self, path, zip_bytes, fields=None, filename="game.zip"):
        boundary = "----beacon" + uuid.uuid4().hex
        out = io.BytesIO()
        for name, value in (fields or {}).items():
            out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                      .encode() + value.encode() + b"\r\n")
        out.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                  f"filename=\"{filename}\"\r\nContent-Type: application/zip\r\n\r\n".encode())
        out.write(zip_bytes + f"\r\n--{boundary}--\r\n".encode())
        status, _, raw = self.raw("POST", path, out.getvalue(),
                                  {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, {"raw": raw[:200]}


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


def vm_hwm_kb(pid):
    """The process's peak resident memory (VmHWM), in KiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def upload_file_streamed(api, path, zip_path, title):
    """POSTs a multipart upload of the zip at zip_path without holding it in this process's
    memory (1 MB chunks)."""
    boundary = "----beacon" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.zip\"\r\n"
            "Content-Type: application/zip\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + os.path.getsize(zip_path) + len(tail)
    host, port = api.base.split("//")[1].split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=300)
    cookie = "; ".join(f"{k.name}={k.value}" for k in api.jar)
    c.putrequest("POST", path)
    for k, v in (("Content-Type", f"multipart/form-data; boundary={boundary}"),
                 ("Content-Length", str(size)), ("Cookie", cookie), ("X-CSRF-Token", api.csrf)):
        c.putheader(k, v)
    c.endheaders()
    c.send(head)
    with open(zip_path, "rb") as f:
        while chunk := f.read(1 << 20):
            c.send(chunk)
    c.send(tail)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, json.loads(body)


def game_get(port, host, path, headers=None):
    """GET from the games' listener with a given Host (g<id>.localhost resolves to loopback in
    browsers; here we connect to 127.0.0.1 and name the host)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("GET", path, headers={"Host": host, **(headers or {})})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def make_zip(entries, compression=zipfile.ZIP_DEFLATED):
    """entries: list of (name, bytes) or (ZipInfo, bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def symlink_zip():
    info = zipfile.ZipInfo("secret")
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    return make_zip([("index.html", b"ok"), (info, b"/etc/passwd")])


def encrypted_zip():
    """A zip whose entry says it is encrypted (general-purpose flag bit 0), stored."""
    raw = bytearray(make_zip([("index.html", b"secret game")], zipfile.ZIP_STORED))
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        raw[i + flag_at] |= 1
    return bytes(raw)


def tar_bytes():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"<p>tar</p>"
        info = tarfile.TarInfo("index.html")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("passwd")
        link.type = tarfile.LNKTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
    return buf.getvalue()


def hostile_corpus():
    page = ("index.html", b"<p>hostile</p>")
    many = [page] + [(f"f/{i}.txt", b"x") for i in range(1100)]
    return [
        ("traversal ../", make_zip([page, ("../escape.html", b"evil")])),
        ("traversal a/../../", make_zip([page, ("a/../../escape.html", b"evil")])),
        ("absolute path", make_zip([page, ("/tmp/escape.html", b"evil")])),
        ("drive letter", make_zip([page, ("C:/escape.html", b"evil")])),
        ("backslashes", make_zip([page, ("..\\..\\escape.html", b"evil")])),
        ("symlink", symlink_zip()),
        ("duplicate after normalisation", make_zip([page, ("./index.html", b"twice")])),
        ("duplicate by case", make_zip([page, ("INDEX.HTML", b"twice")])),
        ("duplicate after NFC (precomposed vs decomposed)",
         make_zip([page, ("caf\u00e9.js", b"one"), ("cafe\u0301.js", b"two")])),
        ("duplicate after NFC and case folding",
         make_zip([page, ("sprites/\u00e9t\u00e9.png", b"one"), ("SPRITES/E\u0301TE\u0301.PNG", b"two")])),
        ("bomb 1:1000", make_zip([page, ("zeros.bin", b"\0" * (200 << 20))])),
        ("1,100 files", make_zip(many)),
        ("300-character path", make_zip([page, ("d/" * 150 + "x.js", b"x")])),
        ("encrypted entry", encrypted_zip()),
        ("no entry file", make_zip([("start.html", b"x")])),
        ("0-byte upload", b""),
        ("not a zip", b"<html>definitely not a zip</html>"),
        ("tar renamed .zip (with a hard link)", tar_bytes()),
    ]


def tree(root):
    out = []
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def two_servers_both_serve_games(beacon, work, env):
    """Without [arcade] listen, two Beacons on one machine both serve their games (the second
    one, or both when 8091 is taken already, on a free port)."""
    servers = []
    try:
        ports = []
        for name in ("first", "second"):
            server = bh.Serve(beacon, work, os.path.join(work, name), "[arcade]\nsamples = false\n",
                              name=name, env=env, password=PASSWORD)
            servers.append(server)
            api = Api(server.base, timeout=120)
            api.login(PASSWORD)
            status, game = api.upload("/api/v1/games", make_zip([("index.html", f"<p>{name}</p>".encode())]))
            check(status == 201, f"{name} server: upload: {status}")
            url = urllib.parse.urlsplit(game["play_url"])
            status, _, body = game_get(url.port, url.netloc, url.path)
            check(status == 200 and name.encode() in body,
                  f"{name} server serves its game on {url.netloc}: {status}")
            ports.append(url.port)
        check(ports[0] != ports[1], f"the two servers' games listen on different ports: {ports}")
    finally:
        for server in servers:
            server.stop()


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-arcade-")
    server = None
    try:
        data = os.path.join(work, "data")
        game_port = bh.free_port()
        env = bh.clean_env(work)
        server = bh.Serve(beacon, work, data,
                          f"[arcade]\nlisten = \"127.0.0.1:{game_port}\"\nsamples = false\n",
                          config=os.path.join(work, "beacon.toml"), env=env, password=PASSWORD)
        config, port, proc = server.config, server.port, server.proc
        studio = server.base
        api = Api(server.base, timeout=120)
        api.login(PASSWORD)
        games_dir = os.path.join(data, "arcade", "games")

        # A good game.
        good = make_zip([("index.html", b"<!doctype html><canvas id=c></canvas><script src=game.js></script>"),
                         ("game.js", b"document.title = 'played';"),
                         ("lib/engine.wasm", b"\0asm\1\0\0\0"),
                         ("music.ogg", b"OggS")])
        status, game = api.upload("/api/v1/games", good, {"title": "Rocks", "description": "Shoot"})
        check(status == 201, f"upload a good game: {status} {game}")
        gid = game["id"]
        # Non-ASCII names that differ are kept apart (the server runs without LANG here).
        status, accented = api.upload("/api/v1/games", make_zip([
            ("index.html", b"<p>accents</p>"), ("caf\u00e9.js", b"1"), ("cafe.js", b"2"),
            ("sprites/\u00e9t\u00e9.png", b"3")]))
        check(status == 201 and accented.get("files") == 4,
              f"a game with non-ASCII file names is accepted: {status} {accented}")
        if status == 201:
            api.json("DELETE", f"/api/v1/games/{accented['id']}")
        host = f"g{gid}.localhost:{game_port}"
        check(game["play_url"] == f"http://{host}/play/{gid}/1/index.html",
              f"play_url on the game's own origin: {game.get('play_url')}")
        status, listing = api.json("GET", "/api/v1/games")
        check(status == 200 and [g["id"] for g in listing["items"]] == [gid], "the game is listed")

        status, headers, body = game_get(game_port, host, f"/play/{gid}/1/index.html")
        check(status == 200 and b"<canvas" in body, f"the entry page from the game origin: {status}")
        csp = headers.get("content-security-policy", "")
        check("default-src 'self'" in csp and "connect-src 'self'" in csp and
              f"frame-ancestors {studio}" in csp, f"strict CSP framed by the studio only: {csp}")
        check(headers.get("x-content-type-options") == "nosniff", "nosniff")
        check("set-cookie" not in headers, "no cookie set on the game origin")
        check("cross-origin-embedder-policy" not in headers, "no COEP for a game without threads")
        status, headers, _ = game_get(game_port, host, f"/play/{gid}/1/lib/engine.wasm")
        check(status == 200 and headers.get("content-type") == "application/wasm", "wasm MIME type")
        status, headers, _ = game_get(game_port, host, f"/play/{gid}/1/music.ogg")
        check(status == 200 and headers.get("content-type") == "audio/ogg", "ogg MIME type")

        # A game that asks for threads is served cross-origin isolated (and only then).
        status, _ = api.json("PATCH", f"/api/v1/games/{gid}", {"threads": True})
        check(status == 200, f"mark the game as needing threads: {status}")
        status, headers, _ = game_get(game_port, host, f"/play/{gid}/1/index.html")
        check(headers.get("cross-origin-embedder-policy") == "require-corp" and
              headers.get("cross-origin-opener-policy") == "same-origin",
              "COOP/COEP once the game needs threads")
        api.json("PATCH", f"/api/v1/games/{gid}", {"threads": False})
        status, headers, _ = game_get(game_port, host, f"/play/{gid}/1/index.html")
        check("cross-origin-embedder-policy" not in headers, "and gone again without")

        # The studio's credentials open nothing on the game origin.
        cookie = "; ".join(f"{c.name}={c.value}" for c in api.jar)
        check(cookie != "", "the studio session has a cookie to try")
        for path in ["/api/v1/content", "/api/v1/auth/me", "/api/v1/games", "/healthz", "/"]:
            status, headers, body = game_get(game_port, host, path,
                                             {"Cookie": cookie, "X-CSRF-Token": api.csrf})
            check(status == 404 and b"csrf" not in body.lower(),
                  f"{path} on the game origin with the studio's cookie: {status}")
        status, headers, body = game_get(game_port, host, f"/play/{gid}/1/index.html",
                                         {"Cookie": cookie})
        check(status == 200 and "set-cookie" not in headers, "a cookie sent along changes nothing")
        status, _, _ = game_get(game_port, f"g{gid + 1}.localhost:{game_port}",
                                f"/play/{gid}/1/index.html")
        check(status == 404, f"another game's host name does not serve this game: {status}")
        status, _, _ = game_get(game_port, f"127.0.0.1:{port}", f"/play/{gid}/1/index.html")
        check(status == 404, "the studio's host name does not serve games")
        status, headers, body = game_get(game_port, host, "/beacon-game.js")
        check(status == 200 and headers.get("content-type", "").startswith("text/javascript") and
              studio.encode() in body, "the SDK script names the studio's origin")
        status, _, _ = game_get(game_port, host, f"/play/{gid}/1/../../arcade.db")
        check(status in (400, 404), f"a dot-dot request on the game origin: {status}")

        # The hostile corpus: every one refused clearly, nothing kept.
        before = tree(games_dir)
        for name, blob in hostile_corpus():
            status, body = api.upload("/api/v1/games", blob, {"title": name})
            msg = (body.get("error") or {}).get("message", "") if isinstance(body, dict) else ""
            check(status in (400, 413) and msg != "", f"hostile '{name}': {status} {msg}")
            if name.startswith("duplicate"):
                check("duplicate" in msg, f"hostile '{name}' is refused as a duplicate")
            check(tree(games_dir) == before, f"hostile '{name}': no file kept in the games folder")
            check(tree(os.path.join(data, "arcade", "staging")) == [],
                  f"hostile '{name}': nothing left in staging")
        check(not os.path.exists(os.path.join(data, "escape.html")) and
              not os.path.exists(os.path.join(data, "arcade", "escape.html")),
              "nothing written outside the games folder")
        status, listing = api.json("GET", "/api/v1/games")
        check(len(listing["items"]) == 1, "only the good game is listed")

        # An update: refused ones leave the game as it was; a good one switches.
        status, body = api.upload(f"/api/v1/games/{gid}/versions", hostile_corpus()[0][1])
        check(status == 400, f"a hostile update is refused: {status}")
        status, g = api.json("GET", f"/api/v1/games/{gid}")
        check(g["version"] == 1, "the game stays at version 1")
        v2 = make_zip([("index.html", b"<p>version two</p>")])
        status, g = api.upload(f"/api/v1/games/{gid}/versions", v2)
        check(status == 201 and g["version"] == 2 and g["play_url"].endswith("/2/index.html"),
              f"a good update is version 2: {status}")
        status, _, body = game_get(game_port, host, f"/play/{gid}/2/index.html")
        check(status == 200 and b"version two" in body, "version 2 is served")
        status, _, body = game_get(game_port, host, f"/play/{gid}/1/index.html")
        check(status == 200 and b"<canvas" in body, "version 1 still serves players who loaded it")

        # Saves, per game and user, survive the update.
        status, _ = api.json("PUT", f"/api/v1/games/{gid}/save", {"data": "level=7"})
        check(status == 200, f"save: {status}")
        status, s = api.json("GET", f"/api/v1/games/{gid}/save")
        check(status == 200 and s["data"] == "level=7", "load returns the save")

        # A large upload (160 MB of incompressible files, stored) goes to disk as it arrives:
        # the server's peak memory grows by far less than the upload (it held the whole body
        # before: ~+150 MB for a 200 MB upload).
        big_path = os.path.join(work, "big.zip")
        with zipfile.ZipFile(big_path, "w", zipfile.ZIP_STORED) as z:
            z.writestr("index.html", b"<p>big</p>")
            for i in range(4):
                z.writestr(f"data/blob{i}.bin", os.urandom(40 << 20))
        reset_peak(proc.pid)
        baseline = vm_kb(proc.pid, "VmRSS")
        status, big = upload_file_streamed(api, "/api/v1/games", big_path, "Big")
        grown_mb = (vm_hwm_kb(proc.pid) - baseline) / 1024
        check(status == 201 and big.get("bytes", 0) >= 160 << 20,
              f"a 160 MB upload is accepted: {status} {big.get('bytes')}")
        check(grown_mb < 64, f"the server's peak memory grew by {grown_mb:.1f} MB (< 64 MB) "
              "during a 160 MB upload")
        check(tree(os.path.join(data, "arcade", "staging")) == [],
              "the spooled upload body is removed from staging")
        os.remove(big_path)
        status, _ = api.json("DELETE", f"/api/v1/games/{big['id']}")
        check(status == 204, f"delete the big game: {status}")

        # The CLI beside the running server.
        zip_path = os.path.join(work, "cli.zip")
        with open(zip_path, "wb") as f:
            f.write(make_zip([("index.html", b"<p>from the cli</p>")]))
        out = subprocess.run([beacon, "game", "add", zip_path, "--title", "CLI game", "--data", data,
                              "--config", config], env=env, capture_output=True, text=True, timeout=60)
        check(out.returncode == 0, f"beacon game add: {out.returncode} {out.stderr.strip()}")
        added = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else {}
        status, listing = api.json("GET", "/api/v1/games")
        check(added.get("id") in [g["id"] for g in listing["items"]], "the CLI's game is listed")
        bad_path = os.path.join(work, "bad.zip")
        with open(bad_path, "wb") as f:
            f.write(hostile_corpus()[0][1])
        out = subprocess.run([beacon, "game", "add", bad_path, "--data", data, "--config", config],
                             env=env, capture_output=True, text=True, timeout=60)
        check(out.returncode == 2 and "climbs out" in out.stderr,
              f"beacon game add refuses a hostile zip: {out.returncode} {out.stderr.strip()}")

        two_servers_both_serve_games(beacon, work, env)

        # Delete.
        status, _ = api.json("DELETE", f"/api/v1/games/{gid}")
        check(status == 204, f"delete: {status}")
        status, _, _ = game_get(game_port, host, f"/play/{gid}/2/index.html")
        check(status == 404, "a deleted game is no longer served")
        check(not os.path.exists(os.path.join(games_dir, str(gid))), "its files are gone")
    finally:
        if server:
            server.stop()
        if failures:
            log = os.path.join(work, "serve.log")
            if os.path.exists(log):
                print(open(log, errors="replace").read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
