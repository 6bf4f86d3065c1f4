#!/usr/bin/env python3
"""Ops against a real `beacon serve` (issue 19): /metrics passes `promtool check metrics` with
no findings and is closed without credentials; the daily job quota answers 429 with
Retry-After; a backup taken while the server runs restores into a fresh folder where a second
server plays the item (ffprobe reads its HLS); a tampered backup and a non-empty target are
refused; cleanup lists an orphan without removing it on a dry run; a stored secret is sealed.

usage: ops_test.py path/to/beacon
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (beacon serve, API session)

PASSWORD = "ops-test-password-1"
METRICS_TOKEN = "scrape-token-0123456789"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(beacon, work, *args, stdin=None):
    return subprocess.run([beacon, *args], input=stdin, text=True, capture_output=True,
                          env=bh.clean_env(work), timeout=300)


def wait_job(api, job_id):
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        j = api.call("GET", f"/api/v1/jobs/{job_id}")
        if j["status"] == "completed" and j.get("content_id"):
            return j
        if j["status"] in ("failed", "canceled"):
            raise RuntimeError(f"job {job_id} {j['status']}: {j.get('error')}")
        time.sleep(0.3)
    raise RuntimeError(f"job {job_id} not done in 600 s")


def metric(text, prefix):
    for line in text.splitlines():
        if line.startswith(prefix + " "):
            return float(line.split(" ")[-1])
    return None


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-ops-")
    data = os.path.join(work, "data")
    config = os.path.join(work, "beacon.toml")
    with open(config, "w") as f:
        f.write(f'[metrics]\ntoken = "{METRICS_TOKEN}"\n[quotas]\njobs_per_day = 2\n'
                '[media]\nsegment_seconds = 2\n')
    servers = []
    try:
        r = run(beacon, work, "user", "set-password", "--data", data, "--config", config,
                stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        server = bh.Serve(beacon, work, data, config=config, name="serve")
        servers.append(server)
        base = server.base
        api = bh.Client(base)
        api.login(PASSWORD)

        # --- /metrics access --------------------------------------------------------------
        status, headers, _ = bh.fetch(base + "/metrics")
        check(status == 401, f"/metrics without credentials is 401 (got {status})")
        status, _, _ = bh.fetch(base + "/metrics", headers={"Authorization": "Bearer wrong-token"})
        check(status == 401, f"/metrics with a wrong bearer is 401 (got {status})")
        status, _, _ = api.raw("GET", "/metrics")
        check(status == 200, f"/metrics for a signed-in user is 200 (got {status})")

        # --- one job, then the exposition through promtool -------------------------------
        job = api.call("POST", "/api/v1/generate", {
            "prompt": "A lighthouse blinks over a calm sea. 1 scene.", "duration_target": 4,
            "produce_preview": False, "output_preset": "480p"})
        done = wait_job(api, job["job_id"])
        item = api.call("GET", f"/api/v1/content/{done['content_id']}")
        api.call("GET", "/api/v1/content")
        status, headers, body = bh.fetch(base + "/metrics",
                                         headers={"Authorization": "Bearer " + METRICS_TOKEN})
        check(status == 200, f"/metrics with the [metrics] token is 200 (got {status})")
        check(headers.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
              "exposition content type " + headers.get("Content-Type", ""))
        text = body.decode()
        with open(os.path.join(work, "metrics.txt"), "w") as f:
            f.write(text)
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, text=True,
                              capture_output=True, timeout=60)
        findings = (lint.stdout + lint.stderr).strip()
        check(lint.returncode == 0 and findings == "",
              f"promtool check metrics: exit {lint.returncode}, findings: {findings or 'none'}")
        check(metric(text, 'beacon_jobs{state="completed"}') == 1, "beacon_jobs completed = 1")
        check(metric(text, "beacon_job_duration_seconds_count") == 1,
              "the job's round trip is in beacon_job_duration_seconds")
        check(metric(text, 'beacon_http_requests_total{method="GET",route="/api/v1/jobs/{id}",'
                           'status="200"}') is not None,
              "requests counted by route pattern (/api/v1/jobs/{id})")
        check(f"/api/v1/jobs/{job['job_id']}" not in text and "lighthouse" not in text,
              "no ids or content in labels")
        check((metric(text, "process_resident_memory_bytes") or 0) > 0, "process RSS exposed")
        check((metric(text, 'beacon_storage_bytes{class="media"}') or 0) > 0,
              "media bytes exposed")
        summary = api.call("GET", "/api/v1/ops/summary")
        check(summary["jobs"]["completed"] == 1 and len(summary["job_rtts"]) == 1
              and len(summary["history"]) >= 1, "dashboard summary has the job and history")

        # --- quota --------------------------------------------------------------------------
        second = api.call("POST", "/api/v1/generate", {
            "prompt": "A second small job. 1 scene.", "duration_target": 4,
            "produce_preview": False, "output_preset": "480p"})
        status, headers, body = api.raw("POST", "/api/v1/generate", {
            "prompt": "A third job, over the quota. 1 scene.", "duration_target": 4})
        retry = int(headers.get("Retry-After", "0") or 0)
        check(status == 429 and 0 < retry <= 86400 and b"jobs_per_day" in body,
              f"third job of the day: {status}, Retry-After {retry}, {body[:120]!r}")
        wait_job(api, second["job_id"])

        # --- backup while serving, restore into a fresh folder, play it -------------------
        r = run(beacon, work, "backup", "create", "--data", data, "--config", config,
                "--to", os.path.join(work, "backups"))
        check(r.returncode == 0, "backup create while the server runs: " + r.stderr.strip())
        backup = r.stdout.strip().splitlines()[-1]
        check(os.path.isfile(os.path.join(backup, "manifest.json")), "backup has a manifest")
        r = run(beacon, work, "backup", "verify", backup)
        check(r.returncode == 0, "backup verify: " + (r.stdout + r.stderr).strip())

        restored = os.path.join(work, "restored")
        r = run(beacon, work, "backup", "restore", backup, "--data", restored, "--config", config)
        check(r.returncode == 0, "backup restore: " + (r.stdout + r.stderr).strip())
        # A sealed ElevenLabs key in the restored folder: the second server loads it.
        secret = "eleven-secret-value-42"
        r = run(beacon, work, "secret", "set", "elevenlabs", "--data", restored, "--config",
                config, stdin=secret + "\n")
        check(r.returncode == 0, "secret set: " + r.stderr.strip())
        server2 = bh.Serve(beacon, work, restored, config=config, name="serve-restored")
        servers.append(server2)
        base2 = server2.base
        api2 = bh.Client(base2)
        api2.login(PASSWORD)  # the account came back with the database
        again = api2.call("GET", f"/api/v1/content/{item['id']}")
        check(again["title"] == item["title"], "the restored server lists the item")
        token = run(beacon, work, "token", "create", "--data", restored, "--config", config,
                    "--name", "ops-test").stdout.strip().splitlines()[-1]
        hls = base2 + again["hls_url"]
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-headers", f"Authorization: Bearer {token}\r\n",
             "-show_entries", "format=duration:stream=codec_type", "-of", "json", hls],
            capture_output=True, text=True, timeout=120)
        info = json.loads(probe.stdout or "{}")
        kinds = sorted(s.get("codec_type") for s in info.get("streams", []))
        duration = float(info.get("format", {}).get("duration", 0) or 0)
        check(probe.returncode == 0 and "video" in kinds and "audio" in kinds and duration > 3,
              f"ffprobe plays the restored item's HLS: {kinds}, {duration:.1f} s "
              f"{probe.stderr.strip()[:200]}")

        # --- refusals ----------------------------------------------------------------------
        r = run(beacon, work, "backup", "restore", backup, "--data", data, "--config", config)
        check(r.returncode != 0 and "not empty" in r.stderr,
              "restore into the live, non-empty data folder is refused: " + r.stderr.strip())
        tampered = os.path.join(work, "tampered")
        shutil.copytree(backup, tampered)
        with open(os.path.join(tampered, "manifest.json")) as f:
            manifest = json.load(f)
        entry = next(e for e in manifest["files"] if e["path"].startswith("media/"))
        entry["sha256"] = ("0" if entry["sha256"][0] != "0" else "1") + entry["sha256"][1:]
        with open(os.path.join(tampered, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        target = os.path.join(work, "from-tampered")
        r = run(beacon, work, "backup", "restore", tampered, "--data", target, "--config", config)
        check(r.returncode != 0 and "SHA-256" in r.stderr and not os.path.exists(target),
              "a tampered manifest is refused and nothing is written: " + r.stderr.strip())

        # --- cleanup -----------------------------------------------------------------------
        orphan = os.path.join(data, "media", "library", "987654")
        os.makedirs(orphan)
        with open(os.path.join(orphan, "video.mp4"), "wb") as f:
            f.write(b"x" * 1000)
        r = run(beacon, work, "cleanup", "--dry-run", "--data", data, "--config", config)
        check(r.returncode == 0 and "987654" in r.stdout and os.path.exists(orphan),
              "cleanup --dry-run lists the orphan and keeps it")
        check(f"library/{item['id']}" not in r.stdout, "cleanup keeps the live item")
        r = run(beacon, work, "cleanup", "--data", data, "--config", config)
        check(r.returncode == 0 and not os.path.exists(orphan), "cleanup removes the orphan")

        # --- secrets -----------------------------------------------------------------------
        answers = b""
        for path in ("/api/v1/engines", "/api/v1/system", "/api/v1/ops/summary", "/metrics",
                     "/api/v1/auth/me"):
            answers += api2.raw("GET", path)[2]
        check(secret.encode() not in answers, "the key is in no API answer")
        server2.stop()
        with open(os.path.join(work, "serve-restored.log"), errors="replace") as f:
            check(secret not in f.read(), "the key is in no log line of the server that loaded it")
        sealed = open(os.path.join(restored, "secrets.json")).read()
        key_mode = os.stat(os.path.join(restored, "secret.key")).st_mode & 0o777
        check(secret not in sealed and key_mode == 0o600,
              f"the key is sealed at rest (key file mode {oct(key_mode)})")
        r = run(beacon, work, "secret", "list", "--data", restored, "--config", config)
        # The studio's own signing key ring (access_token_keys, issue 19) is sealed beside it.
        names = set(r.stdout.split())
        check("elevenlabs" in names and names <= {"elevenlabs", "access_token_keys"}
              and secret not in r.stdout + r.stderr,
              "secret list names it without the value")
    finally:
        for server in servers:
            server.stop()
        logs = ""
        for name in ("serve.log", "serve-restored.log"):
            path = os.path.join(work, name)
            if os.path.exists(path):
                logs += open(path, errors="replace").read()
        if failures:
            print("logs kept in " + work)
            print(logs[-3000:])
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("all ops checks passed")


if __name__ == "__main__":
    main()
