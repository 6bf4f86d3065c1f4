#!/usr/bin/env python3
"""Signed access tokens against a real `beacon serve` (issue 19, item 7).

An API token made with the CLI is traded for a signed access token and a refresh token; the
access token opens the API; the signing key is kept sealed in secrets.json (never in clear),
so tokens issued before a restart still verify after it and a refresh still works; a revocation
of all of the account's signed tokens holds across a restart; a key rotation keeps the old
tokens valid and signs new ones with a new key; no token appears in the server's log.

usage: auth_tokens_test.py path/to/beacon
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (beacon serve, API requests)

failures = []
passed = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    (passed if ok else failures).append(what)


def call(port, method, path, body=None, token=None):
    """(status, JSON answer) of one request to the server on `port`, with a bearer token."""
    return bh.Client(f"http://127.0.0.1:{port}", token).json(method, path, body)


def kid(token):
    footer = token.split(".")[3]
    return json.loads(base64.urlsafe_b64decode(footer + "=" * (-len(footer) % 4)))["kid"]


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-auth-")
    env = bh.clean_env(work)
    data = os.path.join(work, "data")
    server = None
    secrets_seen = []
    try:
        r = subprocess.run([beacon, "token", "create", "--data", data, "--name", "e2e"],
                           capture_output=True, text=True, timeout=120, env=env)
        api_token = r.stdout.strip().splitlines()[-1] if r.returncode == 0 else ""
        check(api_token.startswith("bcn_"), "an API token is made with the CLI")
        secrets_seen.append(api_token)

        server = bh.Serve(beacon, work, data, env=env)
        status, t = call(server.port, "POST", "/api/v1/auth/token", {"name": "e2e"}, api_token)
        check(status == 200 and t["access_token"].startswith("v4.public.") and
              t["expires_in"] == 900, f"POST /auth/token answers a signed pair ({status})")
        access, refresh = t["access_token"], t["refresh_token"]
        secrets_seen += [access, refresh]
        check(call(server.port, "GET", "/api/v1/jobs", token=access)[0] == 200,
              "the access token opens the API")
        status, keys = call(server.port, "GET", "/api/v1/auth/keys")
        check(status == 200 and len(keys["keys"]) == 1, "one public key is published")

        with open(os.path.join(data, "secrets.json")) as f:
            sealed = json.load(f)
        check("access_token_keys" in sealed and set(sealed["access_token_keys"]) == {"nonce", "box"},
              "the key ring is stored sealed (nonce + box) in secrets.json")
        check("seed" not in json.dumps(sealed), "no key material in clear in secrets.json")

        # A restart: the same key ring comes back from the sealed store.
        server.stop()
        server = bh.Serve(beacon, work, data, env=env)
        check(call(server.port, "GET", "/api/v1/jobs", token=access)[0] == 200,
              "an access token issued before a restart still verifies after it")
        status, t2 = call(server.port, "POST", "/api/v1/auth/refresh", {"refresh_token": refresh})
        check(status == 200, f"a refresh after the restart works ({status})")
        secrets_seen += [t2.get("access_token", ""), t2.get("refresh_token", "")]
        status, _ = call(server.port, "POST", "/api/v1/auth/refresh", {"refresh_token": refresh})
        check(status == 401, "the spent refresh token is refused")
        check(call(server.port, "GET", "/api/v1/jobs", token=t2["access_token"])[0] == 401,
              "its reuse revoked the family: the new access token is refused at once")

        # Key rotation: old tokens stay valid, new ones carry the new key id.
        status, t3 = call(server.port, "POST", "/api/v1/auth/token", {}, api_token)
        secrets_seen += [t3["access_token"], t3["refresh_token"]]
        status, rotated = call(server.port, "POST", "/api/v1/auth/keys/rotate", {}, api_token)
        check(status == 200 and len(rotated["keys"]) == 2, "rotation keeps the old key verifying")
        check(call(server.port, "GET", "/api/v1/jobs", token=t3["access_token"])[0] == 200,
              "a token signed before the rotation still works")
        status, t4 = call(server.port, "POST", "/api/v1/auth/refresh",
                          {"refresh_token": t3["refresh_token"]})
        secrets_seen += [t4["access_token"], t4["refresh_token"]]
        check(status == 200 and kid(t4["access_token"]) != kid(t3["access_token"]),
              "tokens after the rotation are signed with the new key")

        # Revoke everything of the account; it holds across a restart.
        status, _ = call(server.port, "POST", "/api/v1/auth/revoke", {"all": True}, api_token)
        check(status == 200, "revoke all")
        check(call(server.port, "GET", "/api/v1/jobs", token=t4["access_token"])[0] == 401,
              "revocation takes effect on the next request")
        server.stop()
        server = bh.Serve(beacon, work, data, env=env)
        check(call(server.port, "GET", "/api/v1/jobs", token=t4["access_token"])[0] == 401,
              "the revocation holds after a restart")
        check(call(server.port, "GET", "/api/v1/jobs", token=api_token)[0] == 200,
              "the opaque API token is not touched by it")
        server.stop()
        with open(server.log_path, errors="replace") as f:
            log = f.read()
        leaked = [s[:12] + "..." for s in secrets_seen if s and s in log]
        check(not leaked, f"no token in the server log ({len(log)} bytes checked)")
    finally:
        if server:
            server.stop()
        if failures:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
