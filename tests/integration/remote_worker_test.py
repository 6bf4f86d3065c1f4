#!/usr/bin/env python3
"""Remote workers (issue 18): `beacon serve` on SQLite running no jobs itself ([jobs] workers = 0)
and `beacon worker --server URL --token T` processes, each in its own data folder with no
database and no media store of their own: they reach the studio over HTTP only.

Checks, with real processes on 127.0.0.1 and free ports, in a temporary folder and a clean
environment:
  - a wrong registration token: the worker exits at once, says 401 and what to do;
  - a job runs on a remote worker, completes, and its MP4 plays (ffprobe) from the studio;
    the worker's folder holds no database;
  - the worker is SIGKILLed mid-job: the studio's watchdog re-queues the job, a second remote
    worker completes it, exactly once ("completed" logged once, two claims, attempts 2);
  - the Workers list shows both (silent / idle) with their hosts and heartbeats;
  - the registration token is revoked: the running worker is refused (401), says so and exits.
usage: remote_worker_test.py path/to/beacon
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, API requests)

BIN = os.path.realpath(sys.argv[1])
work = tempfile.mkdtemp(prefix="beacon-remote-")
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


def start(args, log, extra=None):
    env = dict(ENV, **(extra or {}))
    f = open(os.path.join(work, log), "w")
    p = subprocess.Popen([BIN] + args, env=env, stdout=f, stderr=subprocess.STDOUT, cwd=work)
    procs.append(p)
    return p


def read(log):
    with open(os.path.join(work, log)) as f:
        return f.read()


port = bh.free_port()
base = f"http://127.0.0.1:{port}"
token = None


def api(method, path, body=None, headers=None):
    """(status, JSON answer or body bytes) of one request to the studio, with the API token."""
    return bh.Client(base, token, timeout=30).json(method, path, body, headers)


def wait_for(pred, seconds, step=0.1):
    end = time.time() + seconds
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


try:
    with open(os.path.join(work, "studio.toml"), "w") as f:
        f.write("[jobs]\nworkers = 0\nlease_seconds = 3\n")
    with open(os.path.join(work, "worker.toml"), "w") as f:
        f.write("[jobs]\nworkers = 1\n")
    data = os.path.join(work, "studio")
    serve = start(["serve", "--data", data, "--config", "studio.toml", "--listen", f"127.0.0.1:{port}"],
                  "serve.log", {"BEACON_ADMIN_PASSWORD": "remote-pass"})
    up = wait_for(lambda: subprocess.run(["curl", "-fs", base + "/healthz"], capture_output=True).returncode == 0
                  or serve.poll() is not None, 60)
    check("beacon serve starts with [jobs] workers = 0 (" + read("serve.log")[-200:].strip() + ")",
          up and serve.poll() is None)
    out = subprocess.run([BIN, "token", "create", "--data", data, "--name", "remote-test"], env=ENV,
                         capture_output=True, text=True, cwd=work)
    token = out.stdout.strip().splitlines()[-1]

    st, made = api("POST", "/api/v1/workers/tokens", {"name": "render box"})
    check(f"the admin makes a registration token through the API ({st})", st == 201 and made.get("token"))
    reg_token, reg_id = made["token"], made["id"]

    # A wrong token: refused at registration, in words, with a distinct exit status.
    wrong = subprocess.run([BIN, "worker", "--data", os.path.join(work, "w0"), "--server", base,
                            "--token", "bwr_wrong"], env=ENV, capture_output=True, text=True,
                           timeout=60, cwd=work)
    check("a wrong token: the worker exits 3 and says 401 and what to do (" + wrong.stderr.strip()[:240] + ")",
          wrong.returncode == 3 and "401" in wrong.stderr and "worker-token create" in wrong.stderr)

    w1 = start(["worker", "--data", "w1", "--config", "worker.toml", "--server", base, "--token", reg_token,
                "--name", "gpu-one"], "w1.log")

    def submit(prompt, duration, preset="480p"):
        st, r = api("POST", "/api/v1/generate", {"prompt": prompt, "duration_target": duration,
                                                  "output_preset": preset})
        return r["job_id"] if st in (200, 201, 202) else None

    def job(j):
        return api("GET", f"/api/v1/jobs/{j}")[1]

    def final(j, seconds=300):
        return wait_for(lambda: job(j)["status"] if job(j)["status"] in ("completed", "failed", "canceled") else None,
                        seconds, 0.2)

    first = submit("Harbour lights at night. 2 scenes.", 4)
    status = final(first)
    check(f"a job on the remote worker completes ({status}; {job(first).get('error_log', '')[:200]})",
          status == "completed")
    st, logs = api("GET", f"/api/v1/jobs/{first}/logs")
    lines = [l["message"] for l in logs["items"]]
    check("it was claimed by the remote worker", any("claimed by remote worker" in m and "gpu-one" in m for m in lines))
    cid = job(first)["content_id"]
    st, content = api("GET", f"/api/v1/content/{cid}")
    mp4 = os.path.join(work, "first.mp4")
    subprocess.run(["curl", "-fs", "-H", "Authorization: Bearer " + token, "-o", mp4, base + content["mp4_url"]])
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_type:format=duration",
                            "-of", "json", mp4], capture_output=True, text=True)
    info = json.loads(probe.stdout or "{}")
    kinds = sorted(s.get("codec_type") for s in info.get("streams", []))
    dur = float(info.get("format", {}).get("duration", 0) or 0)
    check(f"its MP4 plays from the studio (streams {kinds}, {dur:.1f} s)", "audio" in kinds and "video" in kinds and dur > 1)
    check("the worker's folder has no database", not any(n.endswith(".db") for n in os.listdir(os.path.join(work, "w1"))))

    # SIGKILL mid-job: the watchdog gives the job back, another worker completes it once.
    victim = submit("A storm over the harbour, slowly. 4 scenes.", 30, "720p")
    running = wait_for(lambda: job(victim)["status"] not in ("queued", "completed") and job(victim)["progress"] > 0, 120, 0.05)
    check(f"the second job runs on the remote worker ({job(victim)['status']}, {job(victim)['progress']} %)", running)
    w1.send_signal(signal.SIGKILL)
    w1.wait()
    killed_at = time.time()
    requeued = wait_for(lambda: "went silent" in (job(victim).get("error_log") or "")
                        or any("went silent" in l["message"] for l in api("GET", f"/api/v1/jobs/{victim}/logs")[1]["items"]), 60, 0.2)
    check(f"the watchdog re-queued it after {time.time() - killed_at:.1f} s (lease 3 s)", requeued)
    w2 = start(["worker", "--data", "w2", "--config", "worker.toml", "--server", base, "--token", reg_token,
                "--name", "gpu-two"], "w2.log")
    status = final(victim, 600)
    check(f"a second remote worker completed it ({status})", status == "completed")
    lines = [l["message"] for l in api("GET", f"/api/v1/jobs/{victim}/logs")[1]["items"]]
    claims = [m for m in lines if "claimed by remote worker" in m]
    done = [m for m in lines if m.startswith("completed on remote worker")]
    check(f"exactly once: two claims ({len(claims)}), one completion ({done}), attempts {job(victim)['attempts']}",
          len(claims) == 2 and "gpu-two" in claims[-1] and len(done) == 1 and "gpu-two" in done[0]
          and job(victim)["attempts"] == 2)
    st, items = api("GET", "/api/v1/content?limit=50")
    check(f"one library item per job ({items['total']})", items["total"] == 2)

    st, ws = api("GET", "/api/v1/workers")
    by_name = {w["name"]: w for w in ws["workers"]}
    check("the workers list shows both, with host, heartbeat and state (" +
          ", ".join(f"{n}: {w['state']} done {w['jobs_done']}" for n, w in by_name.items()) + ")",
          by_name.get("gpu-one", {}).get("state") == "silent" and by_name.get("gpu-two", {}).get("state") in ("idle", "busy")
          and by_name["gpu-two"]["jobs_done"] == 1 and by_name["gpu-two"]["host"] and by_name["gpu-two"]["last_heartbeat"])

    # Revoked: the running worker is refused at its next call, says so, and exits.
    st, _ = api("DELETE", f"/api/v1/workers/tokens/{reg_id}")
    check(f"the admin revokes the registration token ({st})", st == 204)
    try:
        rc = w2.wait(timeout=60)
    except subprocess.TimeoutExpired:
        rc = None
    log = read("w2.log")
    check(f"the worker is refused (401), says so and exits 3 (rc {rc}: {log.strip().splitlines()[-1][:200] if log.strip() else ''})",
          rc == 3 and "401" in log and "revoked" in log)
    st, ws = api("GET", "/api/v1/workers")
    check("both workers are shown as revoked", all(w["state"] == "revoked" for w in ws["workers"]))
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    if os.environ.get("REMOTE_TEST_KEEP"):
        print("kept", work)
    else:
        shutil.rmtree(work, ignore_errors=True)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
