#!/usr/bin/env python3
"""What a LiveLoop stream key opens, against a real `beacon serve` (issue 9, item 5).

A stream key grants the channels and nothing else: the channel's playlists and segments under
/live/ (which serve only what the channel published) answer 200; the library's own files under
/media/ (a published item's MP4, an unpublished or private item, job intermediates) answer 403
with the JSON error, whatever the item; a wrong key is 401. Also: guide.xml carries no key, the
logo is public, /live errors are JSON, undeclared renditions are 404, and web players on another
origin get CORS headers and preflight answers.

usage: live_access_test.py path/to/beacon
"""
import json
import os
import shutil
import sys
import tempfile
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (API session, requests without one)
import liveloop_clients_test as lc  # noqa: E402  (server start, items)

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def is_json_error(headers, body):
    try:
        j = json.loads(body)
    except ValueError:
        return False
    return headers.get("Content-Type", "").startswith("application/json") and "error" in j


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-live-access-")
    server = None
    try:
        server = lc.start_server(beacon, work)
        base = server.base
        api = bh.Client(base)
        api.login(lc.PASSWORD)
        lc.ITEM_SECONDS = [4, 5]
        channel, _ = lc.make_channel(api)
        slug = channel["slug"]
        published = channel["items"][0]
        # One more item, never published, and private.
        job = api.call("POST", "/api/v1/generate", {
            "prompt": "A private note about a teapot. 1 scene.", "duration_target": 4,
            "produce_preview": False, "output_preset": "480p"})
        private_item = None
        for _ in range(1200):
            j = api.call("GET", f"/api/v1/jobs/{job['job_id']}")
            if j["status"] == "completed" and j.get("content_id"):
                private_item = j["content_id"]
                break
            if j["status"] in ("failed", "canceled"):
                raise RuntimeError(f"job failed: {j.get('error')}")
            lc.time.sleep(0.5)
        api.call("PATCH", f"/api/v1/content/{private_item}", {"visibility": "private"})
        key = api.call("GET", "/api/v1/stream-key")["key"]
        q = "?key=" + urllib.request.quote(key, safe="")

        # The channel: playlists and the segments they name.
        status, _, body = bh.fetch(f"{base}/live/{slug}/tv.m3u8{q}")
        check(status == 200 and body.startswith(b"#EXTM3U"), f"tv.m3u8 with the key: {status}")
        seg = next(ln for ln in body.decode().splitlines() if ln and not ln.startswith("#"))
        status, headers, seg_body = bh.fetch(f"{base}/live/{slug}/{seg}")
        check(status == 200 and seg_body[:1] == b"\x47" and len(seg_body) % 188 == 0,
              f"a published segment through the channel ({seg}): {status}")
        status, _, _ = bh.fetch(f"{base}/live/{slug}/index.m3u8{q}")
        check(status == 200, f"index.m3u8 with the key: {status}")

        # The library's files: never with a key, whatever the item.
        for what, path in [
                ("published item's MP4", f"/media/library/{published}/video.mp4"),
                ("published item's segment", f"/media/library/{published}/hls/video/seg_00000.ts"),
                ("private item's MP4", f"/media/library/{private_item}/video.mp4"),
                ("private item's segments.json", f"/media/library/{private_item}/hls/segments.json"),
                ("job intermediate", f"/media/jobs/{job['job_id']}/narration.wav")]:
            status, headers, body = bh.fetch(f"{base}{path}{q}")
            check(status == 403 and is_json_error(headers, body),
                  f"{what} with the stream key: {status} (want 403 JSON)")
        # Signed in, the owner still reads them.
        req = urllib.request.Request(f"{base}/media/library/{published}/hls/segments.json",
                                     headers=api.headers)
        with api.opener.open(req, timeout=30) as r:
            check(r.status == 200, "the owner's session reads library media")

        # Wrong key, errors, guide.
        status, headers, body = bh.fetch(f"{base}/live/{slug}/tv.m3u8?key=wrong")
        check(status == 401 and is_json_error(headers, body), f"a wrong key: {status}")
        for path in [f"/live/nope/index.m3u8{q}", f"/live/{slug}/audio_xx.m3u8{q}",
                     f"/live/{slug}/muxed_xx.m3u8{q}", f"/live/{slug}/v/99999999.ts{q}"]:
            status, headers, body = bh.fetch(base + path)
            check(status == 404 and is_json_error(headers, body), f"{path}: {status} JSON 404")
        status, _, guide = bh.fetch(f"{base}/live/guide.xml{q}")
        check(status == 200 and key.encode() not in guide, "guide.xml does not carry the key")
        status, _, _ = bh.fetch(f"{base}/live/logo.svg")
        check(status == 200, "the logo needs no key")

        # CORS for web players on another origin.
        origin = {"Origin": "https://player.example"}
        status, headers, _ = bh.fetch(f"{base}/live/{slug}/tv.m3u8{q}", headers=origin)
        check(headers.get("Access-Control-Allow-Origin") == "*", "CORS on a playlist")
        status, headers, _ = bh.fetch(f"{base}/live/{slug}/{seg}", headers=origin)
        check(headers.get("Access-Control-Allow-Origin") == "*", "CORS on a segment")
        status, headers, _ = bh.fetch(f"{base}/live/{slug}/{seg}", method="OPTIONS", headers={
            **origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "range"})
        check(status == 204 and "GET" in headers.get("Access-Control-Allow-Methods", "") and
              "Range" in headers.get("Access-Control-Allow-Headers", ""),
              f"preflight: {status} {headers.get('Access-Control-Allow-Methods')}")

        # An item packaged before muxed renditions existed is upgraded when the server starts.
        server.stop()
        hls = os.path.join(work, "data", "media", "library", str(published), "hls")
        with open(os.path.join(hls, "segments.json")) as f:
            manifest = json.load(f)
        check("muxed" in manifest, "new items are packaged with a muxed rendition")
        manifest.pop("muxed", None)
        manifest.pop("muxed_first_pts", None)
        with open(os.path.join(hls, "segments.json"), "w") as f:
            json.dump(manifest, f)
        for name in os.listdir(hls):
            if name.startswith("muxed_"):
                shutil.rmtree(os.path.join(hls, name))
        server = lc.start_server(beacon, work)
        base = server.base
        upgraded = False
        for _ in range(240):
            with open(os.path.join(hls, "segments.json")) as f:
                if "muxed" in json.load(f):
                    upgraded = True
                    break
            lc.time.sleep(0.25)
        check(upgraded, "an old item gets its muxed rendition at start-up")
        with open(os.path.join(work, "serve.log")) as f:
            check("added muxed (IPTV) renditions to 1 library item" in f.read(),
                  "serve says so in its log")
        status, _, body = bh.fetch(f"{base}/live/{slug}/tv.m3u8{q}")
        segs = [ln for ln in body.decode().splitlines() if ln and not ln.startswith("#")]
        ok = status == 200 and segs and all(
            bh.fetch(f"{base}/live/{slug}/{u}")[0] == 200 for u in segs)
        check(bool(ok), f"after the upgrade every muxed segment is served ({len(segs)})")
    finally:
        if server:
            server.stop()
        if failures and os.environ.get("LIVE_ACCESS_KEEP"):
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"FAILED: {len(failures)} check(s)")
        sys.exit(1)
    print("all access checks passed")


if __name__ == "__main__":
    main()
