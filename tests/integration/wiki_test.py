#!/usr/bin/env python3
"""Wiki facts against a real `beacon serve` configured with a test ZIM (issue 15).

A small ZIM is built with Debian's zimwriterfs (tests/wiki/make_zim.py) and served by Beacon
([wiki] zim) and by kiwix-serve (source links point at it: [wiki] kiwix_serve_url). Checked:
an item's entities carry the spans where they are spoken and their facts; adding and removing
entities; GET /api/v1/wiki resolves case, redirects and a disambiguation page by the other
names (and never shows the disambiguation page); /wiki/ serves the ZIM's article HTML with no
script, event handler, javascript: link, iframe or form left in it and a CSP that allows none;
images and redirects; sign-in required. A second server with [wiki] source = "wikipedia"
against the REST stand-in shows the cache: the second ask does not reach Wikipedia.

usage: wiki_test.py path/to/beacon
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, beacon serve, API session)

PASSWORD = "wiki-test-password"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def start_beacon(beacon, work, name, toml):
    server = bh.Serve(beacon, work, os.path.join(work, name + "-data"),
                      toml + "\n[arcade]\nenabled = false\n", name=name, password=PASSWORD)
    return server.proc, server.base


def raw(api, path, method="GET", body=None, follow=True):
    """(status, headers, bytes) with the session; no exception on 4xx/5xx."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(api.base + path, data=data, method=method, headers=api.headers)
    opener = api.opener
    if not follow:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **k):
                return None
        opener = urllib.request.build_opener(NoRedirect, *[h for h in api.opener.handlers
                                                           if isinstance(h, urllib.request.HTTPCookieProcessor)])
    try:
        with opener.open(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def make_item(api, prompt):
    job = api.call("POST", "/api/v1/generate", {
        "prompt": prompt, "duration_target": 8, "produce_preview": False, "output_preset": "480p"})
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        j = api.call("GET", f"/api/v1/jobs/{job['job_id']}")
        if j["status"] == "completed" and j.get("content_id"):
            return j["content_id"]
        if j["status"] in ("failed", "canceled"):
            raise RuntimeError(f"job failed: {j.get('error')}")
        time.sleep(0.5)
    raise RuntimeError("item not made in 600 s")


def offline_checks(beacon, work, zim):
    kiwix_port = bh.free_port()
    kiwix = subprocess.Popen(["kiwix-serve", "--address=127.0.0.1", f"--port={kiwix_port}", zim],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    kiwix_url = f"http://127.0.0.1:{kiwix_port}"
    proc = None
    try:
        bh.wait_http(kiwix_url + "/", kiwix, "kiwix-serve")
        proc, base = start_beacon(beacon, work, "offline",
                                  f'[wiki]\nzim = "{zim}"\nkiwix_serve_url = "{kiwix_url}"\n')
        api = bh.Client(base)
        doctor = subprocess.run([beacon, "doctor", "--data", os.path.join(work, "doctor-data"),
                                 "--config", os.path.join(work, "offline.toml")],
                                capture_output=True, text=True, timeout=120,
                                env=bh.clean_env(work))
        line = next((ln for ln in doctor.stdout.splitlines() if "kiwix ZIM" in ln), "")
        check(line.startswith("ok") and "12 articles, language eng" in line,
              f"beacon doctor opens the ZIM: {line!r}")
        status, _, _ = raw(api, "/api/v1/wiki?entities=Lighthouse")
        check(status == 401, f"facts need sign-in: {status}")
        status, _, _ = raw(api, "/wiki/Lighthouse.html")
        check(status == 401, f"/wiki/ needs sign-in: {status}")
        api.login(PASSWORD)

        # Facts by name: case, redirect, disambiguation by the other names, a miss.
        q = urllib.parse.quote("frankfurt am main,Pharos,Mercury,Planet,Zanzibar Sky Tower")
        facts = api.call("GET", f"/api/v1/wiki?entities={q}&lang=en")["items"]
        by = {f["entity"]: f for f in facts}
        check(by["frankfurt am main"]["title"] == "Frankfurt am Main" and
              by["frankfurt am main"]["resolved"], "another letter case finds Frankfurt am Main")
        check(by["Pharos"]["title"] == "Lighthouse" and by["Pharos"]["source"] == "kiwix",
              "a redirect (Pharos) gives the Lighthouse article")
        check(by["Mercury"]["title"] == "Mercury (planet)" and by["Mercury"]["resolved"],
              f"Mercury beside Planet is the planet: {by['Mercury']['title']!r}")
        check(not by["Zanzibar Sky Tower"]["resolved"], "an unknown name is unresolved")
        lone = api.call("GET", "/api/v1/wiki?entities=Mercury")["items"][0]
        check(not lone["resolved"] and lone["ambiguous"] and lone["summary"] == "" and
              {c["title"] for c in lone["candidates"]} == {"Mercury (planet)", "Mercury (element)"},
              "Mercury alone stays ambiguous: the disambiguation page is never a fact")
        check(by["Pharos"]["source_url"] == kiwix_url + "/testwiki/Lighthouse.html",
              f"source link opens kiwix-serve: {by['Pharos']['source_url']}")
        with urllib.request.urlopen(by["Pharos"]["source_url"], timeout=30) as r:
            page = r.read().decode("utf-8", "replace")
            check(r.status == 200 and "lighthouse" in page.lower(),
                  "kiwix-serve opens the article the card links to")
        check(by["Pharos"]["image_url"] == "/wiki/I/Lighthouse.png", "the main image is served by Beacon")
        status, headers, png = raw(api, by["Pharos"]["image_url"])
        check(status == 200 and headers.get("Content-Type") == "image/png" and png[1:4] == b"PNG",
              f"the image: {status} {headers.get('Content-Type')}")
        status, _, body = raw(api, "/api/v1/wiki?entities=Lighthouse&lang=de")
        check(status == 400, f"a language that is not configured: {status}")

        # /wiki/: the ZIM's own HTML, sanitised.
        status, headers, body = raw(api, "/wiki/Scripted_article.html")
        html = body.decode("utf-8", "replace")
        csp = headers.get("Content-Security-Policy", "")
        check(status == 200 and headers.get("Content-Type", "").startswith("text/html"),
              f"/wiki/Scripted_article.html: {status}")
        for bad in ["<script", "onclick", "onerror", "javascript:", "<iframe", "<form", "<input",
                    "<svg", "background: red", "evil.example", "pwned-by-script"]:
            check(bad not in html, f"the served article has no {bad!r}")
        check("&lt;script&gt;alert(1)&lt;/script&gt;" in html,
              "escaped markup in the article stays visible text")
        check("default-src 'none'" in csp and "script-src" not in csp and "sandbox" in csp,
              f"the article's CSP allows no script: {csp}")
        check(headers.get("X-Content-Type-Options") == "nosniff", "nosniff on /wiki/")
        status, headers, _ = raw(api, "/wiki/Pharos.html", follow=False)
        check(status == 302 and headers.get("Location") == "/wiki/Lighthouse.html",
              f"a redirect entry answers 302 to its target: {status} {headers.get('Location')}")
        status, headers, body = raw(api, "/wiki/Nowhere.html")
        check(status == 404 and json.loads(body).get("error"), f"a missing entry is a JSON 404: {status}")

        # An item: entities with the spans where they are spoken, then edits.
        item = make_item(api, "The Eddystone Lighthouse stands on the rocks near Cornwall. "
                              "Storms break on the Eddystone Lighthouse at night. 2 scenes.")
        ents = api.call("GET", f"/api/v1/content/{item}/entities")["items"]
        names = {e["name"]: e for e in ents}
        print("entities:", json.dumps([(e["name"], e["spans"], (e["fact"] or {}).get("title"))
                                       for e in ents]), flush=True)
        eddy = names.get("Eddystone Lighthouse")
        check(eddy is not None, "the extractor's Eddystone Lighthouse is listed")
        if eddy:
            check(len(eddy["spans"]) >= 1 and all(s["end"] > s["start"] >= 0 for s in eddy["spans"]),
                  f"Eddystone Lighthouse has the spans where it is spoken: {eddy['spans']}")
            check(eddy["fact"]["resolved"] and eddy["fact"]["title"] == "Eddystone Lighthouse" and
                  "Rame Head" in eddy["fact"]["summary"], "and its fact from the ZIM")
        facts = api.call("GET", f"/api/v1/content/{item}/facts")["items"]
        check(any(f["entity"] == "Eddystone Lighthouse" and f["end"] > f["start"] for f in facts),
              "GET /facts lists one entry per mention span")
        check([f["start"] for f in facts] == sorted(f["start"] for f in facts), "facts in time order")

        status, _, body = raw(api, f"/api/v1/content/{item}/entities", "POST",
                              {"name": "Pharos", "type": "thing"})
        added = json.loads(body) if status == 201 else {}
        check(status == 201 and added.get("added_by") == "user" and
              added["fact"]["title"] == "Lighthouse", f"adding an entity: {status}")
        status, _, _ = raw(api, f"/api/v1/content/{item}/entities", "POST", {"name": "  "})
        check(status == 400, f"an empty name is refused: {status}")
        status, _, _ = raw(api, f"/api/v1/content/{item}/entities/Cornwall", "DELETE")
        check(status == 204, f"removing an entity: {status}")
        after = {e["name"] for e in api.call("GET", f"/api/v1/content/{item}/entities")["items"]}
        check("Pharos" in after and "Cornwall" not in after,
              f"the list shows the edits: {sorted(after)}")
        status, _, _ = raw(api, "/api/v1/content/999999/entities")
        check(status == 404, f"an unknown item: {status}")
    finally:
        bh.stop(proc)
        bh.stop(kiwix)


def online_checks(beacon, work):
    double = subprocess.Popen([sys.executable, "-u", os.path.join(ROOT, "tests/doubles/wikipedia_double.py")],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    proc = None
    try:
        port = int(double.stdout.readline().split()[1])
        wiki_url = f"http://127.0.0.1:{port}"
        proc, base = start_beacon(beacon, work, "online",
                                  f'[wiki]\nsource = "wikipedia"\nwikipedia_url = "{wiki_url}"\n'
                                  f'user_agent = "BeaconIntegrationTest/1 (wiki)"\n')
        api = bh.Client(base)
        api.login(PASSWORD)
        first = api.call("GET", "/api/v1/wiki?entities=Lighthouse,Pharos")["items"]
        check(first[0]["source"] == "wikipedia" and first[0]["resolved"] and
              first[0]["source_url"] == "https://en.wikipedia.org/wiki/Lighthouse",
              "online: a fact from the Wikipedia REST API")
        with urllib.request.urlopen(wiki_url + "/__double/requests", timeout=10) as r:
            before = len(json.loads(r.read()))
        again = api.call("GET", "/api/v1/wiki?entities=Lighthouse,Pharos")["items"]
        with urllib.request.urlopen(wiki_url + "/__double/requests", timeout=10) as r:
            log = json.loads(r.read())
        check(len(log) == before and again == first, "online: the second ask comes from the cache")
        check(all(e["headers"].get("user-agent") == "BeaconIntegrationTest/1 (wiki)" for e in log),
              "online: every request carries the configured User-Agent")
        status, _, _ = raw(api, "/wiki/Lighthouse.html")
        check(status == 404, f"online without a ZIM: /wiki/ is 404: {status}")
    finally:
        bh.stop(proc)
        bh.stop(double)


def main():
    beacon = os.path.abspath(sys.argv[1])
    for tool in ("zimwriterfs", "kiwix-serve"):
        if not shutil.which(tool):
            print(f"FAIL {tool} is missing (Debian zim-tools / kiwix-tools)")
            return 1
    work = tempfile.mkdtemp(prefix="beacon-wiki-")
    try:
        zim = os.path.join(work, "testwiki.zim")
        subprocess.run([sys.executable, os.path.join(ROOT, "tests/wiki/make_zim.py"), zim], check=True)
        offline_checks(beacon, work, zim)
        online_checks(beacon, work)
    except Exception as e:  # noqa: BLE001  (report, with the server logs)
        failures.append(f"error: {e}")
        print(f"FAIL error: {e}")
        for name in ("offline.log", "online.log"):
            p = os.path.join(work, name)
            if os.path.exists(p):
                print(f"--- {name} (tail)\n" + open(p, errors="replace").read()[-3000:])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failure(s)" if failures else "all wiki checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
