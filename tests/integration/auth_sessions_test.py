#!/usr/bin/env python3
"""Signed-token sessions through the real binary (issue 19): `[auth]` lifetimes and their bounds,
`beacon token sessions|revoke|revoke-all` against a running `beacon serve`, and signed tokens on
PostgreSQL with two `beacon serve` processes (each its own data folder and signing key) on one
database: a token from one is checked and refreshed by the other, and a revocation made through
one (or by the CLI) reaches the other and survives its restart.

environment: a throwaway PostgreSQL cluster from Debian's postgresql package (as `nobody` when
run as root), on 127.0.0.1 with a free port, in a temporary folder.

usage: auth_sessions_test.py path/to/beacon
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, beacon serve, API requests)

failures = []
passed = []
BIN = os.path.abspath(sys.argv[1])
PG_BIN = os.environ.get("BEACON_PG_BIN") or (sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                    key=lambda p: int(p.split("/")[-2]))[-1:] or [""])[0]
RUN_AS = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    (passed if ok else failures).append(what)


def call(port, method, path, body=None, token=None, agent=None):
    """(status, JSON answer) of one request to the server on `port`, with a bearer token and,
    given `agent`, that User-Agent."""
    return bh.Client(f"http://127.0.0.1:{port}", token).json(
        method, path, body, {"User-Agent": agent} if agent else None)


def until(pred, seconds):
    """Polls `pred` (hang guard `seconds`); True once it held."""
    end = time.time() + seconds
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def serve(work, name, data, config, env, servers):
    """`beacon serve` (bh.Serve, 90 s to answer), added to `servers`; None when it did not start
    (its log's tail is printed)."""
    try:
        server = bh.Serve(BIN, work, data, config=config, name=name, env=env, seconds=90)
    except RuntimeError as e:
        print(e, flush=True)
        return None
    servers.append(server)
    return server


def beacon(work, env, *args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120, env=env, cwd=work)


def sqlite_part(work, env, servers):
    data = os.path.join(work, "data")
    bad = os.path.join(work, "bad.toml")
    with open(bad, "w") as f:
        f.write("[auth]\naccess_token_minutes = 0\n")
    r = subprocess.run([BIN, "serve", "--data", data, "--config", bad, "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=60, env=env, cwd=work)
    check(r.returncode != 0 and "auth.access_token_minutes" in r.stderr and "between 1 and 1440" in r.stderr,
          f"a lifetime out of bounds stops serve with a clear error ({r.returncode}: {r.stderr.strip()[-200:]})")
    with open(bad, "w") as f:
        f.write("[auth]\nrefresh_idle_days = 40\nrefresh_max_days = 30\n")
    r = subprocess.run([BIN, "serve", "--data", data, "--config", bad, "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=60, env=env, cwd=work)
    check(r.returncode != 0 and "auth.refresh_idle_days" in r.stderr and "auth.refresh_max_days" in r.stderr,
          f"an idle lifetime beyond the sign-in's is refused ({r.stderr.strip()[-200:]})")

    conf = os.path.join(work, "auth.toml")
    with open(conf, "w") as f:
        f.write("[auth]\naccess_token_minutes = 2\nrefresh_idle_days = 3\nrefresh_max_days = 7\n"
                "revocation_sync_seconds = 1\n")
    r = beacon(work, env, "token", "create", "--data", data, "--config", conf, "--name", "cli")
    api_token = r.stdout.strip().splitlines()[-1] if r.returncode == 0 else ""
    srv = serve(work, "sqlite", data, conf, env, servers)
    check(srv is not None, "beacon serve starts with [auth] lifetimes")
    status, t = call(srv.port, "POST", "/api/v1/auth/token", {"name": "nightly uploader"}, api_token,
                     agent="uploader/1.4 (cron)")
    check(status == 200 and t["expires_in"] == 120, f"access tokens live access_token_minutes ({t.get('expires_in')})")
    exp = time.time() + 3 * 86400
    got = time.mktime(time.strptime(t["refresh_expires_at"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    check(abs(got - exp) < 120, f"refresh tokens expire after refresh_idle_days ({t['refresh_expires_at']})")

    r = beacon(work, env, "token", "sessions", "--data", data, "--config", conf)
    check(r.returncode == 0 and t["family"] in r.stdout and "uploader/1.4 (cron)" in r.stdout
          and "nightly uploader" in r.stdout and "admin" in r.stdout,
          f"`beacon token sessions` lists the sign-in with its account, name and User-Agent:\n{r.stdout}")
    r = beacon(work, env, "token", "sessions", "--data", data, "--config", conf, "--json")
    rows = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    check(len(rows) == 1 and rows[0]["family"] == t["family"] and rows[0]["source"] == "api_token",
          "--json gives one object per sign-in")

    check(call(srv.port, "GET", "/api/v1/jobs", token=t["access_token"])[0] == 200, "the access token works")
    r = beacon(work, env, "token", "revoke", t["family"], "--data", data, "--config", conf)
    check(r.returncode == 0 and "Revoked" in r.stdout, f"`beacon token revoke` ({r.stdout.strip()} {r.stderr.strip()})")
    check(until(lambda: call(srv.port, "GET", "/api/v1/jobs", token=t["access_token"])[0] == 401, 20),
          "the running server refuses the revoked family's access token (read back from the database)")
    status, _ = call(srv.port, "POST", "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]})
    check(status == 401, "and its refresh token")
    r = beacon(work, env, "token", "sessions", "--data", data, "--config", conf)
    check(t["family"] not in r.stdout, "a revoked sign-in is no longer listed")
    r = beacon(work, env, "token", "revoke", "fam_nosuchfamily", "--data", data, "--config", conf)
    check(r.returncode == 1 and "fam_nosuchfamily" in r.stderr, f"an unknown family is an error ({r.stderr.strip()})")

    _, a = call(srv.port, "POST", "/api/v1/auth/token", {}, api_token)
    _, b = call(srv.port, "POST", "/api/v1/auth/token", {}, api_token)
    r = beacon(work, env, "token", "revoke-all", "--data", data, "--config", conf)
    check(r.returncode == 0 and "2 sign-ins" in r.stdout, f"`beacon token revoke-all` ({r.stdout.strip()})")
    check(until(lambda: call(srv.port, "GET", "/api/v1/jobs", token=a["access_token"])[0] == 401
                and call(srv.port, "GET", "/api/v1/jobs", token=b["access_token"])[0] == 401, 20),
          "every signed token of the account is refused by the running server")
    check(call(srv.port, "GET", "/api/v1/jobs", token=api_token)[0] == 200, "the API token still works")
    _, c = call(srv.port, "POST", "/api/v1/auth/token", {}, api_token)
    check(call(srv.port, "GET", "/api/v1/jobs", token=c["access_token"])[0] == 200,
          "a token issued after revoke-all works")
    srv.stop()


def postgres_part(work, env, servers):
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        check(False, "PostgreSQL server binaries found (Debian: postgresql-15)")
        return
    pg = os.path.join(work, "pg")
    os.makedirs(pg)
    if RUN_AS:
        shutil.chown(pg, "nobody")
    subprocess.run(RUN_AS + [os.path.join(PG_BIN, "initdb"), "-D", os.path.join(pg, "data"), "-A", "trust",
                             "-U", "beacon", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    port = bh.free_port()
    subprocess.run(RUN_AS + [os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(pg, "data"), "-l",
                             os.path.join(pg, "server.log"), "-w", "-t", "60", "-o",
                             f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories= "
                             "-c fsync=off", "start"], check=True, capture_output=True)
    servers.append(("pg", pg))
    subprocess.run([os.path.join(PG_BIN, "psql"), "-qtA", "-h", "127.0.0.1", "-p", str(port), "-U", "beacon",
                    "-d", "postgres", "-c", "CREATE DATABASE beacon"], check=True, capture_output=True)
    url = f"postgresql://beacon@127.0.0.1:{port}/beacon"
    conf = os.path.join(work, "pg.toml")
    with open(conf, "w") as f:
        f.write(f"[database]\nurl = \"{url}\"\n[auth]\nrevocation_sync_seconds = 1\n"
                f"[arcade]\npublic_url = \"http://127.0.0.1:{bh.free_port()}\"\nsamples = false\n")
    da, db = os.path.join(work, "pg-a"), os.path.join(work, "pg-b")
    a = serve(work, "pg-a", da, conf, env, servers)
    b = serve(work, "pg-b", db, conf, env, servers)
    check(a is not None and b is not None, "two beacon serve processes start on one PostgreSQL")
    r = beacon(work, env, "token", "create", "--data", da, "--config", conf, "--name", "pg")
    api_token = r.stdout.strip().splitlines()[-1] if r.returncode == 0 else ""
    status, t = call(a.port, "POST", "/api/v1/auth/token", {"name": "pg client"}, api_token, agent="pgclient/1")
    check(status == 200, f"signed tokens work on PostgreSQL (no 501) ({status})")
    if status != 200:
        return
    check(call(b.port, "GET", "/api/v1/jobs", token=t["access_token"])[0] == 200,
          "the other studio checks the token with the first one's published key")
    status, t2 = call(b.port, "POST", "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]})
    check(status == 200 and t2["family"] == t["family"], "the other studio refreshes it (one store)")
    status, _ = call(a.port, "POST", "/api/v1/auth/refresh", {"refresh_token": t["refresh_token"]})
    check(status == 401, "the spent refresh token is refused by the first studio (reuse)")
    check(until(lambda: call(b.port, "GET", "/api/v1/jobs", token=t2["access_token"])[0] == 401, 20),
          "the reuse revoked the family, and the other studio refuses its access token")

    _, t3 = call(b.port, "POST", "/api/v1/auth/token", {}, api_token)
    check(call(a.port, "GET", "/api/v1/jobs", token=t3["access_token"])[0] == 200,
          "a token from the second studio works on the first")
    status, _ = call(a.port, "POST", "/api/v1/auth/revoke", {"family": t3["family"]}, api_token)
    check(status == 200, "revoked through the first studio")
    check(until(lambda: call(b.port, "GET", "/api/v1/jobs", token=t3["access_token"])[0] == 401, 20),
          "the second studio refuses it within revocation_sync_seconds")
    b.stop()
    b2 = serve(work, "pg-b2", db, conf, env, servers)
    check(b2 is not None and call(b2.port, "GET", "/api/v1/jobs", token=t3["access_token"])[0] == 401,
          "the revocation survives the second studio's restart")
    _, t4 = call(a.port, "POST", "/api/v1/auth/token", {"name": "listed"}, api_token)
    r = beacon(work, env, "token", "sessions", "--data", da, "--config", conf)
    check(r.returncode == 0 and t4["family"] in r.stdout and t3["family"] not in r.stdout,
          f"`beacon token sessions` reads PostgreSQL:\n{r.stdout}{r.stderr[-300:]}")
    check(not os.path.exists(os.path.join(da, "beacon.db")), "no SQLite file is made on PostgreSQL")


def main():
    work = tempfile.mkdtemp(prefix="beacon-auth-sessions-")
    os.chmod(work, 0o755)  # PostgreSQL runs as nobody when this runs as root
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work, "LANG": "C.UTF-8",
           "BEACON_ADMIN_PASSWORD": "sessions-pass"}
    servers = []
    try:
        sqlite_part(work, env, servers)
        postgres_part(work, env, servers)
    finally:
        for s in servers:
            if isinstance(s, bh.Serve):
                s.stop()
            else:
                subprocess.run(RUN_AS + [os.path.join(PG_BIN, "pg_ctl"), "-D", os.path.join(s[1], "data"),
                                         "-m", "immediate", "stop"], capture_output=True)
        if failures:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
