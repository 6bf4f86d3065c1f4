#!/usr/bin/env python3
"""Verse worlds against a real `beacon serve` (issue 17).

Create a world from a template, save revisions with If-Match (a stale save is 409), restore an
older revision, upload assets by content hash (stored once, refused when lying or mistyped),
refuse hostile documents, and open a share link without login: it reads its own world and that
world's assets only, and stops working once revoked.

usage: verse_test.py path/to/beacon
"""
import json
import os
import shutil
import struct
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (beacon serve, API session)

PASSWORD = "verse-test-password"
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def request(api, method, path, body=None, headers=None, raw=None, session=True):
    """One request; returns (status, headers, parsed JSON or bytes)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    if session:
        status, h, payload = api.raw(method, path, data, headers)
    else:
        status, h, payload = bh.fetch(api.base + path, method, headers, data)
    if h.get("Content-Type", "").startswith("application/json") and payload:
        return status, h, json.loads(payload)
    return status, h, payload


def png(w, h):
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", w, h) +
            b"\x08\x06\x00\x00\x00" + b"\0" * 20)


def glb(count):
    """One triangle whose accessor declares `count` vertices (3 is honest)."""
    bin_ = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0)
    j = json.dumps({
        "asset": {"version": "2.0"}, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0}}]}],
        "accessors": [{"bufferView": 0, "componentType": 5126, "count": count, "type": "VEC3",
                       "min": [0, 0, 0], "max": [1, 1, 0]}],
        "bufferViews": [{"buffer": 0, "byteLength": 36}], "buffers": [{"byteLength": 36}]}).encode()
    j += b" " * (-len(j) % 4)
    total = 12 + 8 + len(j) + 8 + len(bin_)
    return (b"glTF" + struct.pack("<II", 2, total) + struct.pack("<I", len(j)) + b"JSON" + j +
            struct.pack("<I", len(bin_)) + b"BIN\0" + bin_)


def main():
    beacon = os.path.abspath(sys.argv[1])
    work = tempfile.mkdtemp(prefix="beacon-verse-")
    server = None
    try:
        server = bh.Serve(beacon, work, os.path.join(work, "data"), "[media]\nsegment_seconds = 2\n",
                          config=os.path.join(work, "beacon.toml"), password=PASSWORD)
        base = server.base
        api = bh.Client(base)
        api.login(PASSWORD)

        st, _, body = request(api, "GET", "/api/v1/worlds", session=False)
        check(st == 401, f"worlds need a login (got {st})")
        st, _, t = request(api, "GET", "/api/v1/worlds/templates")
        ids = [x["id"] for x in t["items"]] if st == 200 else []
        check({"lighthouse-coast", "neon-street", "forest-clearing", "space-station",
               "empty-stage"} <= set(ids), f"five templates listed: {ids}")

        for tid in ids:
            st, _, w = request(api, "POST", "/api/v1/worlds", {"title": tid, "template": tid})
            b = w.get("budget", {}) if isinstance(w, dict) else {}
            check(st == 201 and b.get("within_share_budget") is True,
                  f"template {tid}: {b.get('nodes')} nodes, {b.get('triangles', {}).get('used')} "
                  f"triangles, {b.get('materials', {}).get('used')} materials, "
                  f"{b.get('lights', {}).get('used')} lights, within the share budget")
            request(api, "DELETE", f"/api/v1/worlds/{w['id']}")

        st, _, a = request(api, "POST", "/api/v1/worlds",
                           {"title": "Coast", "template": "lighthouse-coast"})
        check(st == 201 and a["revision"] == 1 and a["document"]["title"] == "Coast",
              f"world created from a template ({st})")
        wid = a["id"]
        original = a["document"]
        st, _, _ = request(api, "POST", "/api/v1/worlds", {"title": "x", "template": "nope"})
        check(st == 400, f"unknown template is 400 ({st})")

        doc = json.loads(json.dumps(original))
        doc["nodes"].append({"id": "cube1", "name": "Cube", "parent": None, "type": "box",
                             "material": doc["nodes"][0]["material"], "position": [1, 0.5, 2],
                             "rotation": [0, 0, 0], "scale": [1, 1, 1], "visible": True})
        st, h, saved = request(api, "PUT", f"/api/v1/worlds/{wid}", doc, {"If-Match": '"1"'})
        check(st == 200 and saved["revision"] == 2 and h.get("ETag") == '"2"',
              f"save with If-Match 1 makes revision 2 ({st}, {h.get('ETag')})")
        st, _, err = request(api, "PUT", f"/api/v1/worlds/{wid}", original, {"If-Match": '"1"'})
        check(st == 409, f"a stale save is 409, not an overwrite ({st})")
        st, _, _ = request(api, "PUT", f"/api/v1/worlds/{wid}", original)
        check(st == 428, f"a save without If-Match is 428 ({st})")
        st, _, now = request(api, "GET", f"/api/v1/worlds/{wid}")
        check(any(n["id"] == "cube1" for n in now["document"]["nodes"]),
              "the newer save is kept after the stale one")

        hostile = json.loads(json.dumps(doc))
        hostile["scripts"] = {"cube1": [{"source": "fetch('/api/v1/tokens')"}]}
        st, _, err = request(api, "PUT", f"/api/v1/worlds/{wid}", hostile, {"If-Match": "2"})
        check(st == 400 and "scripts" in json.dumps(err), f"a document with scripts is 400 ({st})")
        st, _, _ = request(api, "PUT", f"/api/v1/worlds/{wid}", None, {"If-Match": "2"},
                           raw=b"[" * 100000)
        check(st == 400, f"deeply nested body is 400 ({st})")
        text = json.loads(json.dumps(doc))
        text["nodes"][-1]["name"] = "<script>alert(1)</script>"
        st, _, saved = request(api, "PUT", f"/api/v1/worlds/{wid}", text, {"If-Match": "2"})
        st2, _, back = request(api, "GET", f"/api/v1/worlds/{wid}")
        check(st == 200 and back["document"]["nodes"][-1]["name"] == "<script>alert(1)</script>",
              "script-like names are kept as plain text")

        st, _, revs = request(api, "GET", f"/api/v1/worlds/{wid}/revisions")
        check(st == 200 and [r["revision"] for r in revs["items"]] == [3, 2, 1],
              f"three revisions listed newest first ({revs})")
        st, _, restored = request(api, "POST", f"/api/v1/worlds/{wid}/revisions/1/restore")
        check(st == 201 and restored["revision"] == 4, f"restore makes revision 4 ({st})")
        st, _, cur = request(api, "GET", f"/api/v1/worlds/{wid}")
        check(cur["document"] == original, "the restored world is revision 1's document")

        # Assets: stored once by content hash.
        st, _, b = request(api, "POST", "/api/v1/worlds", {"title": "Street", "template": "neon-street"})
        other = b["id"]
        image = png(64, 32)
        st1, _, up1 = request(api, "POST", f"/api/v1/worlds/{wid}/assets?name=wall.png", None,
                              {"Content-Type": "image/png"}, raw=image)
        st2, _, up2 = request(api, "POST", f"/api/v1/worlds/{wid}/assets?name=again.png", None,
                              {"Content-Type": "image/png"}, raw=image)
        st3, _, up3 = request(api, "POST", f"/api/v1/worlds/{other}/assets?name=w.png", None,
                              {"Content-Type": "image/png"}, raw=image)
        check((st1, up1.get("stored")) == (201, "new") and (st2, up2.get("stored")) == (200, "existing")
              and (st3, up3.get("stored")) == (200, "existing"),
              f"one upload stores bytes, repeats do not ({st1} {st2} {st3})")
        img_hash = up1["hash"]
        files = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(work, "data"))
                 for f in fs if f.startswith(img_hash)]
        check(len(files) == 1, f"the bytes are on disk once ({files})")
        st, _, model = request(api, "POST", f"/api/v1/worlds/{other}/assets?name=tri.glb", None,
                               {"Content-Type": "model/gltf-binary"}, raw=glb(3))
        check(st == 201 and model["triangles"] == 1, f"a GLB is measured ({st}, {model})")
        st, _, err = request(api, "POST", f"/api/v1/worlds/{wid}/assets", None,
                             {"Content-Type": "model/gltf-binary"}, raw=glb(2_000_000_000))
        check(st == 400 and "bufferView" in json.dumps(err), f"a lying GLB is refused ({st})")
        st, _, err = request(api, "POST", f"/api/v1/worlds/{wid}/assets", None,
                             {"Content-Type": "image/jpeg"}, raw=image)
        check(st == 400, f"a PNG declared as JPEG is refused ({st})")
        st, _, err = request(api, "POST", f"/api/v1/worlds/{wid}/assets", None,
                             {"Content-Type": "text/html"}, raw=b"<script>alert(1)</script>")
        check(st == 400, f"HTML is not an asset ({st})")

        # Share links.
        st, _, share = request(api, "POST", f"/api/v1/worlds/{wid}/share")
        check(st == 201 and share["url"].startswith(base + "/verse/view/"), f"share link made ({st})")
        token = share["token"]
        st, h, seen = request(api, "GET", f"/api/v1/shared/{token}", session=False)
        check(st == 200 and seen["id"] == wid and seen["read_only"] and seen["document"] == original,
              f"the link opens its world without login ({st})")
        st, h, got = request(api, "GET", f"/api/v1/shared/{token}/assets/{img_hash}",
                             session=False)
        check(st == 200 and got == image and h.get("Content-Type") == "image/png",
              f"the link reads its world's asset ({st})")
        st, _, _ = request(api, "GET", f"/api/v1/shared/{token}/assets/{model['hash']}", session=False)
        check(st == 404, f"the link does not read another world's asset ({st})")
        st, _, _ = request(api, "GET", f"/api/v1/worlds/{other}", session=False,
                           headers={"Authorization": "Bearer " + token})
        check(st == 401, f"the share token is no API credential ({st})")
        forged = token.replace(f"v1~{wid}~", f"v1~{other}~", 1)
        check(forged != token, "the token names its world")
        st, _, _ = request(api, "GET", f"/api/v1/shared/{forged}", session=False)
        check(st == 404, f"a token pointed at another world opens nothing ({st})")
        st, _, _ = request(api, "PUT", f"/api/v1/shared/{token}", original, session=False)
        check(st in (404, 405), f"the link is read-only ({st})")
        st, _, shares = request(api, "GET", f"/api/v1/worlds/{wid}/shares")
        st, _, _ = request(api, "DELETE", f"/api/v1/worlds/{wid}/shares/{share['id']}")
        check(st == 204, f"share revoked ({st})")
        st, _, _ = request(api, "GET", f"/api/v1/shared/{token}", session=False)
        check(st == 404, f"a revoked link opens nothing ({st})")

        st, _, _ = request(api, "DELETE", f"/api/v1/worlds/{wid}")
        st2, _, _ = request(api, "GET", f"/api/v1/worlds/{wid}")
        check(st == 204 and st2 == 404, f"world deleted ({st}, {st2})")
        files = [f for d, _, fs in os.walk(os.path.join(work, "data")) for f in fs if f.startswith(img_hash)]
        check(len(files) == 1, "bytes another world uses are kept")
    finally:
        if server:
            server.stop()
        if failures:
            log = os.path.join(work, "serve.log")
            if os.path.exists(log):
                print(open(log, errors="replace").read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all verse checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
