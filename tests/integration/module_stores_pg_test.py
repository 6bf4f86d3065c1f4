#!/usr/bin/env python3
"""Module stores on PostgreSQL (issue 18): `beacon migrate` moves them, and two `beacon serve`
processes on one PostgreSQL database see the same Arcade games and saves, Verse worlds, wiki
entity edits, moderation flags and audit log, and remote workers' registration tokens; with one
S3 server (npm's s3rver) as their media store, each serves the games and covers the other got
(game files with Range, ETag and the games' origin headers) and the migrated studio's games,
put into the bucket when it starts on its old data folder.

Real processes only, on 127.0.0.1 and free ports, in a temporary folder with a clean
environment: a throwaway PostgreSQL cluster from Debian's postgresql package (as `nobody` when
run as root), a `beacon serve` on SQLite that makes one of each module's rows, `beacon migrate`
into PostgreSQL, then two `beacon serve` (each with its own data folder) on that database.
usage: module_stores_pg_test.py path/to/beacon
"""
import glob
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, API requests)

BIN = os.path.realpath(sys.argv[1])
work = tempfile.mkdtemp(prefix="beacon-modules-pg-")
os.chmod(work, 0o755)
procs = []
passed = failed = 0
PG_BIN = os.environ.get("BEACON_PG_BIN") or (sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                     key=lambda p: int(p.split("/")[-2]))[-1:] or [""])[0]
RUN_AS = ["runuser", "-u", "nobody", "--"] if os.getuid() == 0 else []


def check(what, ok):
    global passed, failed
    if ok:
        passed += 1
        print("ok  ", what, flush=True)
    else:
        failed += 1
        print("FAIL", what, flush=True)


def wait_for(pred, seconds, step=0.1):
    end = time.time() + seconds
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


GAME_PAGE = "<!doctype html><title>g</title><p>game</p>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR-cover-bytes"

ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.path.join(work, "home"),
       "TMPDIR": os.path.join(work, "tmp"), "LANG": "C.UTF-8"}
os.makedirs(ENV["HOME"])
os.makedirs(ENV["TMPDIR"])


class Studio:
    """One `beacon serve` and an API client with a bearer token."""

    def __init__(self, name, data, env):
        self.port = bh.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.games_port = bh.free_port()
        self.games = f"http://127.0.0.1:{self.games_port}"
        self.log = os.path.join(work, name + ".log")
        self.token = None
        with open(os.path.join(work, name + ".toml"), "w") as f:
            # No sample games: the checks count the games this script adds.
            f.write(f"[arcade]\nlisten = \"127.0.0.1:{self.games_port}\"\n"
                    f"public_url = \"{self.games}\"\nsamples = false\n")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data", data, "--config", name + ".toml", "--listen",
             f"127.0.0.1:{self.port}"], env=dict(env, BEACON_ADMIN_PASSWORD="modules-pass"),
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, cwd=work)
        procs.append(self.proc)
        self.up = wait_for(lambda: self.proc.poll() is not None or subprocess.run(
            ["curl", "-fs", self.base + "/healthz"], capture_output=True).returncode == 0, 90) \
            and self.proc.poll() is None

    def request(self, method, path, body=None, content_type="application/json"):
        """(status, JSON answer or body bytes) with the bearer token; `body` bytes as they are."""
        return bh.Client(self.base, self.token, timeout=60).json(
            method, path, body, {"Content-Type": content_type})

    def play(self, path, headers=None):
        """GET on the games' origin: (status, headers, body)."""
        req = urllib.request.Request(self.games + path, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def raw(self, path):
        """GET on the studio with the token: (status, headers, body)."""
        req = urllib.request.Request(self.base + path, headers={"Authorization": "Bearer " + self.token})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def api(self, method, path, obj=None):
        return self.request(method, path, None if obj is None else json.dumps(obj).encode())

    def upload_game(self, title):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.html", GAME_PAGE)
        boundary = "----beacon" + uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\n{title}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"g.zip\"\r\n"
                "Content-Type: application/zip\r\n\r\n").encode() + buf.getvalue() + \
            f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", "/api/v1/games", body, f"multipart/form-data; boundary={boundary}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def beacon(args, env):
    return subprocess.run([BIN] + args, env=env, capture_output=True, text=True, cwd=work, timeout=120)


pg_data = os.path.join(work, "pg", "data")
try:
    # --- PostgreSQL --------------------------------------------------------------------------------
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        check("PostgreSQL server binaries found (Debian: postgresql-15)", False)
        raise SystemExit
    os.makedirs(os.path.join(work, "pg"))
    if RUN_AS:
        shutil.chown(os.path.join(work, "pg"), "nobody")
    subprocess.run(RUN_AS + [os.path.join(PG_BIN, "initdb"), "-D", pg_data, "-A", "trust", "-U", "beacon",
                             "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    pg_port = bh.free_port()
    subprocess.run(RUN_AS + [os.path.join(PG_BIN, "pg_ctl"), "-D", pg_data, "-l",
                             os.path.join(work, "pg", "server.log"), "-w", "-t", "60", "-o",
                             f"-c listen_addresses=127.0.0.1 -p {pg_port} -c unix_socket_directories= "
                             "-c fsync=off", "start"], check=True, capture_output=True)

    def psql(sql, db="beacon"):
        out = subprocess.run([os.path.join(PG_BIN, "psql"), "-qtA", "-h", "127.0.0.1", "-p", str(pg_port),
                              "-U", "beacon", "-d", db, "-c", sql], capture_output=True, text=True)
        return out.stdout.strip() if out.returncode == 0 else "ERROR " + out.stderr.strip()

    psql("CREATE DATABASE beacon", "postgres")
    url = f"postgresql://beacon@127.0.0.1:{pg_port}/beacon"

    # --- one of each module's rows on SQLite -------------------------------------------------------
    old = os.path.join(work, "old")
    lite = Studio("lite", old, ENV)
    check("beacon serve starts on SQLite", lite.up)
    lite.token = beacon(["token", "create", "--data", old, "--name", "modules"], ENV).stdout.strip().splitlines()[-1]
    with sqlite3.connect(os.path.join(old, "beacon.db"), timeout=10) as c:
        item = c.execute("INSERT INTO content (owner_id, title, created_at, updated_at) "
                         "VALUES (1, 'Harbour', 0, 0)").lastrowid
    st, world = lite.api("POST", "/api/v1/worlds", {"title": "Old coast", "template": "lighthouse-coast"})
    check(f"a world on SQLite ({st})", st == 201)
    st, game = lite.upload_game("Old game")
    check(f"a game on SQLite ({st})", st == 201)
    st, _ = lite.api("PUT", f"/api/v1/games/{game['id']}/save", {"data": "level=3\u0000nul"})
    check(f"a save on SQLite ({st})", st == 200)
    st, _ = lite.api("POST", f"/api/v1/content/{item}/entities", {"name": "Eddystone", "type": "place"})
    check(f"a wiki entity edit on SQLite ({st})", st == 201)
    st, _ = lite.api("POST", f"/api/v1/content/{item}/flag", {"reason": "check the credits"})
    check(f"a moderation flag on SQLite ({st})", st == 200)
    st, reg = lite.api("POST", "/api/v1/workers/tokens", {"name": "old box"})
    check(f"a registration token on SQLite ({st})", st == 201)
    lite.stop()

    # --- beacon migrate ----------------------------------------------------------------------------
    out = beacon(["migrate", "--from", "sqlite:" + old, "--to", url], ENV)
    rows = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "rows":
            rows[parts[0]] = int(parts[1])
    check(f"beacon migrate moves the module stores too ({out.returncode}: {out.stdout.strip()[-600:]} "
          f"{out.stderr.strip()[-300:]})",
          out.returncode == 0 and rows.get("verse_worlds") == 1 and rows.get("arcade_games") == 1
          and rows.get("arcade_saves") == 1 and rows.get("wiki_entity_edits") == 1
          and rows.get("moderation") == 1 and rows.get("audit_log", 0) >= 1
          and rows.get("registration_tokens") == 1)
    check("the rows are in PostgreSQL",
          psql("SELECT title FROM verse_worlds") == "Old coast"
          and psql("SELECT title FROM arcade_games") == "Old game"
          and psql("SELECT reason FROM moderation") == "check the credits"
          and psql("SELECT name FROM registration_tokens") == "old box")

    # --- two studios on one PostgreSQL and one S3 server ---------------------------------------------
    # A runs on the migrated studio's data folder (its games' files are there), B on a new one.
    s3_port = bh.free_port()
    os.makedirs(os.path.join(work, "s3"))
    procs.append(subprocess.Popen(
        ["node", os.path.join(os.path.dirname(os.path.abspath(__file__)), "s3_tools", "serve.js"),
         os.path.join(work, "s3"), str(s3_port)], stdout=open(os.path.join(work, "s3.log"), "w"),
        stderr=subprocess.STDOUT, env=ENV))
    check("the S3 server starts", wait_for(lambda: subprocess.run(
        ["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{s3_port}/"]).returncode == 0, 30))
    pg_env = dict(ENV, BEACON_DATABASE_URL=url, BEACON_S3_ENDPOINT=f"http://127.0.0.1:{s3_port}",
                  BEACON_S3_BUCKET="beacon-media", BEACON_S3_ACCESS_KEY="S3RVER",
                  BEACON_S3_SECRET_KEY="S3RVER")
    old_files = {f: os.stat(os.path.join(old, f)).st_mtime_ns
                 for f in ("wiki.db", "verse.db", "remote.db", "arcade/arcade.db")
                 if os.path.exists(os.path.join(old, f))}
    a = Studio("a", old, pg_env)
    b = Studio("b", os.path.join(work, "b"), pg_env)
    check("two beacon serve processes start on one PostgreSQL", a.up and b.up)
    a.token = b.token = lite.token  # the API token moved with the studio's tables
    check("moderation is on with PostgreSQL", "moderation off" not in open(a.log).read())
    check("metrics and quotas are on with PostgreSQL (B has no beacon.db)",
          "metrics and quotas are off" not in open(b.log).read())
    st, _, body = b.raw("/metrics")
    check(f"B's /metrics counts the migrated library from PostgreSQL ({st})",
          st == 200 and "\nbeacon_library_items 1\n" in body.decode())
    # Every table the SQLite files and PostgreSQL both have (now that both studios made theirs)
    # was copied by the migrate, bookkeeping aside: a store's new table left behind fails here.
    lite_tables = set()
    for f in ("beacon.db", "wiki.db", "verse.db", "remote.db", "arcade/arcade.db"):
        if os.path.exists(os.path.join(old, f)):
            with sqlite3.connect(f"file:{os.path.join(old, f)}?mode=ro", uri=True) as c:
                lite_tables |= {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    pg_tables = set(psql("SELECT table_name FROM information_schema.tables WHERE "
                         "table_schema = current_schema() AND table_type = 'BASE TABLE'").split())
    both = {t for t in lite_tables & pg_tables if not (t.startswith("sqlite_") or t.startswith("content_fts")
                                                      or t in ("beacon_schema", "module_schema"))}
    check(f"beacon migrate copied every table both sides have ({len(both)}; left behind: "
          f"{sorted(both - set(rows))})", len(both) > 20 and not both - set(rows))
    for sqlite_file in ("wiki.db", "verse.db", "remote.db", "arcade/arcade.db"):
        path = os.path.join(old, sqlite_file)
        check(f"no {sqlite_file} in B's data folder, A's old one untouched",
              not os.path.exists(os.path.join(work, "b", sqlite_file))
              and (not os.path.exists(path) or os.stat(path).st_mtime_ns == old_files.get(sqlite_file)))

    # What was migrated, read through B.
    st, w = b.api("GET", f"/api/v1/worlds/{world['id']}")
    check(f"B reads the migrated world ({st})", st == 200 and w.get("title") == "Old coast")
    st, flagged = b.api("GET", "/api/v1/moderation")
    check(f"B lists the migrated flag ({st})",
          st == 200 and [i["content_id"] for i in flagged["items"]] == [item])

    # Written through A, read through B (and back).
    st, w2 = a.api("POST", "/api/v1/worlds", {"title": "New coast", "template": "empty-stage"})
    check(f"A creates a world ({st}); its id continues after the migrated one",
          st == 201 and w2["id"] > world["id"])
    st, listed = b.api("GET", "/api/v1/worlds")
    check(f"B lists both worlds ({st})",
          st == 200 and {i["title"] for i in listed["items"]} == {"Old coast", "New coast"})
    # Arcade files through the bucket: the migrated game (A put it there at start from its folder).
    st, _, body = b.play(f"/play/{game['id']}/1/index.html")
    check(f"B plays the migrated game, which A put into the bucket at start ({st})",
          st == 200 and body.decode() == GAME_PAGE)
    st, g2 = a.upload_game("New game")
    check(f"A adds a game ({st})", st == 201)
    st, _ = a.request("PUT", f"/api/v1/games/{g2['id']}/cover", PNG, "image/png")
    check(f"A sets its cover ({st})", st == 200)
    page = f"/play/{g2['id']}/1/index.html"
    st, h, body = b.play(page)
    check(f"B serves the game A got ({st})", st == 200 and body.decode() == GAME_PAGE)
    st_a, h_a, _ = a.play(page)
    same = all(h_a.get(k) == h.get(k) for k in ("X-Content-Type-Options", "Referrer-Policy",
                                                 "Cross-Origin-Resource-Policy", "Permissions-Policy",
                                                 "Cache-Control", "Content-Type"))
    check(f"with the games' origin headers of A's (CSP naming B's studio: {h.get('Content-Security-Policy')})",
          st_a == 200 and same and h.get("Content-Type", "").startswith("text/html")
          and h.get("Content-Security-Policy") == h_a.get("Content-Security-Policy", "").replace(f":{a.port}", f":{b.port}")
          and f"frame-ancestors {b.base}" in h.get("Content-Security-Policy", ""))
    st, h2, part = b.play(page, {"Range": "bytes=2-9"})
    check(f"B answers a range of it ({st} {h2.get('Content-Range')})",
          st == 206 and part == GAME_PAGE.encode()[2:10]
          and h2.get("Content-Range") == f"bytes 2-9/{len(GAME_PAGE)}")
    st, _, _ = b.play(page, {"If-None-Match": h.get("ETag", "none")})
    check(f"and its ETag ({h.get('ETag')}: {st})", h.get("ETag") and st == 304)
    st, h, body = b.raw(f"/api/v1/games/{g2['id']}/cover")
    check(f"B serves the cover A got ({st})",
          st == 200 and body == PNG and h.get("Content-Type") == "image/png")
    st, h, _ = b.raw(f"/media/arcade/games/{g2['id']}/v1/f0")
    check(f"a game's page is never HTML on the studio's origin (/media: {st} {h.get('Content-Type')})",
          st == 404 or (h.get("Content-Type") == "application/octet-stream"
                        and h.get("X-Content-Type-Options") == "nosniff"))
    st, games = b.api("GET", "/api/v1/games")
    check(f"B lists both games ({st})",
          st == 200 and {g["title"] for g in games["items"]} == {"Old game", "New game"})
    st, save = b.api("GET", f"/api/v1/games/{game['id']}/save")
    check(f"B loads the migrated save, NUL byte and all ({st} {save})",
          st == 200 and save.get("data") == "level=3\x00nul")
    st, _ = a.api("PUT", f"/api/v1/games/{game['id']}/save", {"data": "level=9\u0000\u00e9"})
    st2, save = b.api("GET", f"/api/v1/games/{game['id']}/save")
    check(f"a save stored through A loads through B ({st} {st2} {save})",
          st == 200 and st2 == 200 and save.get("data") == "level=9\x00\u00e9")
    st, _ = a.api("POST", f"/api/v1/content/{item}/entities", {"name": "Plymouth", "type": "place"})
    st2, ents = b.api("GET", f"/api/v1/content/{item}/entities")
    names = {e.get("name") for e in ents.get("items", [])} if st2 == 200 else set()
    check(f"wiki edits made through A (and migrated) are seen by B ({st} {st2} {sorted(names)})",
          st == 201 and {"Eddystone", "Plymouth"} <= names)
    st, _ = b.api("POST", f"/api/v1/content/{item}/approve")
    st2, flagged = a.api("GET", "/api/v1/moderation")
    check(f"B approves; A's review list is empty ({st} {st2})", st == 200 and flagged["items"] == [])
    st, audit = a.api("GET", "/api/v1/audit")
    actions = [e["action"] for e in audit.get("items", [])] if st == 200 else []
    check(f"A's audit log holds B's approval and the migrated flag ({actions})",
          actions[:1] == ["approve"] and "flag" in actions)
    st, tok = a.api("POST", "/api/v1/workers/tokens", {"name": "new box"})
    st2, workers = b.api("GET", "/api/v1/workers")
    token_names = {t["name"] for t in workers.get("tokens", [])} if st2 == 200 else set()
    check(f"B lists the registration token made through A and the migrated one ({token_names})",
          st == 201 and {"old box", "new box"} <= token_names)
    st, _ = b.api("DELETE", f"/api/v1/workers/tokens/{tok['id']}")
    req = urllib.request.Request(a.base + "/api/v1/remote/register", data=b"{}", method="POST")
    req.add_header("X-Beacon-Token", tok["token"])
    req.add_header("Content-Type", "application/json")
    try:
        code = urllib.request.urlopen(req, timeout=30).status
    except urllib.error.HTTPError as e:
        code = e.code
    check(f"a token revoked through B is refused by A ({st}, register: {code})", st == 204 and code == 401)
    st, _ = a.api("DELETE", f"/api/v1/games/{g2['id']}")
    st2, _, _ = b.play(page)
    check(f"a game deleted through A is gone from B ({st} {st2})", st == 204 and st2 == 404)

    # --- beacon backup on PostgreSQL: pg_dump into the backup, pg_restore into a new database ------
    db_env = dict(ENV, BEACON_DATABASE_URL=url)  # media in the data folder (no S3)
    out = beacon(["backup", "create", "--data", os.path.join(work, "b"), "--to", os.path.join(work, "bk")], db_env)
    backup_dir = out.stdout.strip().splitlines()[-1] if out.returncode == 0 and out.stdout.strip() else ""
    check(f"beacon backup create dumps PostgreSQL into the backup ({out.returncode}: {out.stderr.strip()[-300:]})",
          out.returncode == 0 and os.path.isfile(os.path.join(backup_dir, "database.pgdump")))
    psql("CREATE DATABASE restored", "postgres")
    restored_url = f"postgresql://beacon@127.0.0.1:{pg_port}/restored"
    out = beacon(["backup", "restore", backup_dir, "--data", os.path.join(work, "restored")],
                 dict(ENV, BEACON_DATABASE_URL=url))
    check(f"a restore into the database in use is refused ({out.returncode}: {out.stderr.strip()[-200:]})",
          out.returncode != 0 and "empty database" in out.stderr and not os.path.exists(os.path.join(work, "restored")))
    out = beacon(["backup", "restore", backup_dir, "--data", os.path.join(work, "restored")],
                 dict(ENV, BEACON_DATABASE_URL=restored_url))
    check(f"beacon backup restore runs pg_restore into an empty database ({out.returncode}: "
          f"{out.stdout.strip()[-200:]} {out.stderr.strip()[-300:]})",
          out.returncode == 0 and os.path.isdir(os.path.join(work, "restored")))
    check("the restored database holds every module's rows (worlds, games, the NUL-byte save, tokens)",
          psql("SELECT count(*) FROM verse_worlds", "restored") == "2"
          and psql("SELECT title FROM arcade_games", "restored") == "Old game"
          and psql("SELECT encode(data, 'hex') FROM arcade_saves", "restored") == b"level=9\x00\xc3\xa9".hex()
          and psql("SELECT count(*) FROM registration_tokens", "restored") == "2")
finally:
    for p in procs:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
    if os.path.exists(pg_data):
        subprocess.run(RUN_AS + [os.path.join(PG_BIN, "pg_ctl"), "-D", pg_data, "-m", "immediate", "-w",
                                 "stop"], capture_output=True)
    if failed:
        for name in ("lite", "a", "b"):
            try:
                print(f"--- {name}.log\n" + open(os.path.join(work, name + ".log")).read()[-2000:])
            except OSError:
                pass
    if not os.environ.get("PG_TEST_KEEP"):
        shutil.rmtree(work, ignore_errors=True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
