#!/usr/bin/env python3
"""Batches against a real `beacon serve` and `beacon generate --batch` (issue 20, item 1).

The API: a batch of three prompts with shared defaults runs to completion, each job names its
batch, the batch view counts states; bad bodies get 400 naming the item; another user's or an
unknown batch is 404; cancel stops what has not finished and retry brings it back. The CLI: a
JSON Lines file with a comment and a blank line makes one job per prompt and prints the table.

usage: batch_test.py path/to/beacon
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

PASSWORD = "batch-test-password"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def wait_batch(api, batch_id, states, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        b = api.call("GET", f"/api/v1/batches/{batch_id}")
        if b["state"] in states:
            return b
        time.sleep(0.5)
    raise RuntimeError(f"batch {batch_id} did not reach {states}: {b}")


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-batch-")
    server = None
    try:
        server = bh.Serve(beacon, work, os.path.join(work, "data"), "[media]\nsegment_seconds = 2\n",
                          config=os.path.join(work, "beacon.toml"), password=PASSWORD)
        api = bh.Client(server.base)
        api.login(PASSWORD)
        defaults = {"duration_target": 3, "produce_preview": False, "output_preset": "480p"}
        body = {"name": "three", "max_parallel": 2, "defaults": defaults,
                "items": ["A red kite over a beach. 1 scene.",
                          {"prompt": "A lantern in the fog. 1 scene.", "title": "Lantern"},
                          "A paper boat on a stream. 1 scene."]}
        b = api.call("POST", "/api/v1/generate/batch", body)
        check(b["total"] == 3 and len(b["job_ids"]) == 3, "a batch of 3 makes 3 jobs")
        check(b["max_parallel"] == 2 and b["name"] == "three", "name and cap are kept")
        job = api.call("GET", f"/api/v1/jobs/{b['job_ids'][1]}")
        check(job.get("batch_id") == b["id"], "each job names its batch")
        check(job["title"] == "Lantern" and job["duration_target"] == 3,
              "item fields override the defaults, defaults fill the rest")
        done = wait_batch(api, b["id"], ("completed", "failed"))
        check(done["state"] == "completed" and done["counts"].get("completed") == 3,
              f"the batch completes ({done['counts']})")
        check(done["progress"] == 100 and done["finished"] == 3, "progress 100, 3 finished")
        check(all(j["content_id"] for j in done["jobs"]), "every job made a library item")
        listed = api.call("GET", "/api/v1/batches")["items"]
        check([x["id"] for x in listed] == [b["id"]], "the batch is listed")

        # Bad bodies: 400 with the item named; nothing is created.
        for bad, needle in [
            ({"items": []}, "items"),
            ({"items": ["ok prompt", {"prompt": ""}]}, "items[1]"),
            ({"items": ["ok", {"prompt": "x", "duration_target": "long"}]}, "items[1]"),
            ({"items": ["ok"], "colour": "red"}, "colour"),
            ({"items": ["ok"], "defaults": {"prompt": "x"}}, "defaults"),
            ({"items": ["p"] * 501}, "at most 500"),
            ({"items": [42]}, "items[0]"),
        ]:
            code, err = api.json("POST", "/api/v1/generate/batch", bad)
            msg = err.get("error", {}).get("message", "") if isinstance(err, dict) else ""
            check(code == 400 and needle in msg, f"bad batch body -> 400 naming {needle!r} ({code} {msg[:80]})")
        check(len(api.call("GET", "/api/v1/batches")["items"]) == 1, "bad bodies created no batch")
        code, _ = api.json("GET", "/api/v1/batches/99999")
        check(code == 404, "unknown batch -> 404")

        # Cancel a running batch (one at a time), then retry it.
        slow = api.call("POST", "/api/v1/generate/batch", {
            "max_parallel": 1, "defaults": defaults,
            "items": [f"A slow study of clouds number {i}. 1 scene." for i in range(4)]})
        canceled = api.call("POST", f"/api/v1/batches/{slow['id']}/cancel")
        check(canceled["canceled"] >= 3, f"cancel reaches the unfinished jobs ({canceled['canceled']})")
        after = wait_batch(api, slow["id"], ("canceled", "failed", "completed"))
        check(after["counts"].get("canceled", 0) >= 3, f"the batch's jobs are canceled ({after['counts']})")
        retried = api.call("POST", f"/api/v1/batches/{slow['id']}/retry")
        check(retried["retried"] == after["counts"].get("canceled", 0), "retry requeues the canceled jobs")
        again = wait_batch(api, slow["id"], ("completed", "failed"))
        check(again["state"] == "completed", f"the retried batch completes ({again['counts']})")
    finally:
        if server:
            server.stop()

    # The CLI on its own data folder.
    data = os.path.join(work, "cli-data")
    listing = os.path.join(work, "prompts.jsonl")
    with open(listing, "w") as f:
        f.write("# two prompts\n\nA clock tower at noon. 1 scene.\n")
        f.write(json.dumps({"prompt": "A snail on a leaf. 1 scene.", "title": "Snail"}) + "\n")
    env = bh.clean_env(work)
    r = subprocess.run([beacon, "generate", "--data", data, "--batch", listing, "--duration", "3",
                        "--no-preview", "--preset", "480p"], env=env, capture_output=True,
                       text=True, timeout=600)
    check(r.returncode == 0, f"beacon generate --batch exits 0 ({r.returncode}: {r.stderr[-300:]})")
    rows = [line for line in r.stdout.splitlines() if "completed" in line and "of" not in line]
    check(len(rows) == 2, f"the table lists 2 completed jobs:\n{r.stdout}")
    check("2 of 2 completed" in r.stdout, "the summary says 2 of 2")
    bad = os.path.join(work, "bad.jsonl")
    with open(bad, "w") as f:
        f.write("fine prompt\n{\"prompt\": \"x\", \"style\": 7}\n")
    r = subprocess.run([beacon, "generate", "--data", data, "--batch", bad], env=env,
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 2 and "line 2" in r.stderr, f"a bad line is named, exit 2 ({r.stderr.strip()[:120]})")

    if failures:
        print(f"\n{len(failures)} check(s) failed; work dir kept: {work}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    print("\nall batch checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
