#!/usr/bin/env python3
"""HDHomeRun tuner emulation against a real `beacon serve` (issue 9, item 4).

Server 1 (default config): the tuner routes answer 404 with the JSON error shape.
Server 2 ([liveloop] hdhomerun = true): without any session or key, as Plex and Jellyfin call
them, /discover.json, /lineup_status.json, /lineup.json and /device.xml answer with the shapes
those clients read (key names and JSON types as a SiliconDust device and ErsatzTV/Tunarr serve
them), POST /lineup.post?scan=start answers 200; the lineup lists exactly the channels of
channels.m3u, under the same numbers and names, with absolute URLs of each channel's stream.ts
carrying the owner's stream key; ffmpeg reads the lineup URL of a channel with a published
item and gets video and audio. Also: guide.xml carries no stream key and the logo it names
answers without one; an unknown liveloop.time_zone stops start-up naming the key.

Every server starts on 127.0.0.1 on a free port, in a temp folder, with a clean environment.
usage: hdhomerun_test.py path/to/beacon [--keep]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import beacon_harness as bh  # noqa: E402  (free ports, beacon serve, API session)

PASSWORD = "hdhomerun-test-pass"
CHECKSUM_TABLE = [0xA, 0x5, 0xF, 0x6, 0x7, 0xC, 0x1, 0xB, 0x9, 0x2, 0x8, 0xD, 0x4, 0x3, 0xE, 0x0]

passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {what}", flush=True)
    else:
        failed += 1
        print(f"FAIL {what}", flush=True)
    return ok


def clean_env(work):
    return bh.clean_env(work, LANG="C.UTF-8")


def valid_device_id(text):
    """libhdhomerun's hdhomerun_discover_validate_device_id."""
    if not re.fullmatch(r"[0-9A-Fa-f]{8}", text):
        return False
    v = int(text, 16)
    c = 0
    for nibble in range(7, -1, -1):
        n = (v >> (nibble * 4)) & 0xF
        c ^= CHECKSUM_TABLE[n] if nibble % 2 == 1 else n
    return c == 0


def raw(method, url, body=None, headers=None):
    """(status, content type, body bytes) with no credentials."""
    status, answer_headers, out = bh.fetch(url, method, headers, body)
    return status, answer_headers.get("Content-Type", ""), out


class Server(bh.Serve):
    """`beacon serve` in its own folder <work>/<name> (data, beacon.toml, serve.log), signed in."""

    def __init__(self, beacon, work, name, toml):
        self.work = os.path.join(work, name)
        os.makedirs(self.work)
        super().__init__(beacon, self.work, os.path.join(self.work, "data"), toml,
                         config=os.path.join(self.work, "beacon.toml"), env=clean_env(self.work),
                         password=PASSWORD)
        self.client = bh.Client(self.base)
        self.client.login(PASSWORD)

    def api(self, method, path, body=None):
        return self.client.call(method, path, body)


def m3u_entries(text):
    """[(tvg-chno, tvg-name, title, tvg-id)] of an M3U."""
    out = []
    for line in text.splitlines():
        if line.startswith("#EXTINF"):
            attrs = dict(re.findall(r'([a-z-]+)="([^"]*)"', line))
            title = line.split('group-title="Beacon",', 1)[1]
            out.append((attrs["tvg-chno"], attrs["tvg-name"], title, attrs["tvg-id"]))
    return out


def make_item(srv):
    """One short library item made with the built-in engines, published on the default
    channel; returns the content id."""
    job = srv.api("POST", "/api/v1/generate", {
        "prompt": "A lighthouse blinks at night. 1 scene.", "duration_target": 4,
        "produce_preview": False, "output_preset": "480p"})["job_id"]
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        j = srv.api("GET", f"/api/v1/jobs/{job}")
        if j["status"] in ("failed", "canceled", "cancelled"):
            raise RuntimeError(f"job {job} {j['status']}: {j.get('error')}")
        if j["status"] in ("completed", "succeeded") and j.get("content_id"):
            srv.api("POST", f"/api/v1/content/{j['content_id']}/publish?confirm=true")
            return j["content_id"]
        time.sleep(0.5)
    raise RuntimeError("the item was not made in 400 s")


def main():
    beacon = os.path.realpath(sys.argv[1])
    keep = "--keep" in sys.argv
    work = tempfile.mkdtemp(prefix="beacon-hdhr-")
    servers = []
    try:
        # --- off by default -----------------------------------------------------------------
        off = Server(beacon, work, "off", "")
        servers.append(off)
        for method, path in [("GET", "/discover.json"), ("GET", "/lineup_status.json"),
                             ("GET", "/lineup.json"), ("GET", "/device.xml"),
                             ("POST", "/lineup.post?scan=start")]:
            st, ctype, body = raw(method, off.base + path, b"" if method == "POST" else None)
            err = {}
            try:
                err = json.loads(body).get("error", {})
            except ValueError:
                pass
            check(st == 404 and ctype.startswith("application/json") and
                  err.get("code") == "not_found",
                  f"off by default: {method} {path} answers 404 JSON (got {st} {ctype})")
        off.stop()

        # --- an unknown time zone stops start-up ----------------------------------------------
        bad = os.path.join(work, "bad.toml")
        with open(bad, "w") as f:
            f.write('[liveloop]\ntime_zone = "Mars/Olympus_Mons"\n')
        r = subprocess.run([beacon, "serve", "--data", os.path.join(work, "bad-data"),
                            "--config", bad, "--listen", f"127.0.0.1:{bh.free_port()}"],
                           env=clean_env(work), capture_output=True, text=True, timeout=60)
        check(r.returncode != 0 and "liveloop.time_zone" in r.stderr and
              "Mars/Olympus_Mons" in r.stderr,
              f"an unknown time_zone stops start-up naming the key (rc {r.returncode}: "
              f"{r.stderr.strip()[-200:]})")

        # --- on -------------------------------------------------------------------------------
        srv = Server(beacon, work, "on",
                     "[media]\nsegment_seconds = 2\n[liveloop]\nhdhomerun = true\n"
                     'time_zone = "Europe/Berlin"\n')
        servers.append(srv)
        content = make_item(srv)
        # A second channel whose title holds a comma and quotes.
        news = srv.api("POST", "/api/v1/playlists", {"title": 'News, Weather & "Sport"',
                                                     "slug": "news"})
        srv.api("PATCH", f"/api/v1/playlists/{news['id']}", {"active": True, "items": [content],
                                                        "confirm": True})
        key = srv.api("GET", "/api/v1/stream-key")["key"]
        check(bool(key), "the owner has a stream key")

        st, ctype, body = raw("GET", srv.base + "/discover.json")
        check(st == 200 and ctype.startswith("application/json"), f"discover.json 200 JSON ({st})")
        d = json.loads(body)
        for k in ["FriendlyName", "Manufacturer", "ModelNumber", "FirmwareName",
                  "FirmwareVersion", "DeviceID", "DeviceAuth", "BaseURL", "LineupURL"]:
            check(isinstance(d.get(k), str), f"discover.json {k} is a string ({d.get(k)!r})")
        check(type(d.get("TunerCount")) is int and d["TunerCount"] >= 1,
              f"discover.json TunerCount is a positive integer ({d.get('TunerCount')!r})")
        check(d.get("ModelNumber") == "HDTC-2US", "ModelNumber HDTC-2US")
        check(d.get("FirmwareName") == "hdhomeruntc_atsc", "FirmwareName hdhomeruntc_atsc")
        check(valid_device_id(d.get("DeviceID", "")),
              f"DeviceID {d.get('DeviceID')!r} passes libhdhomerun's checksum")
        check(d.get("BaseURL") == srv.base, f"BaseURL {d.get('BaseURL')} is the server")
        check(d.get("LineupURL") == srv.base + "/lineup.json", "LineupURL is /lineup.json")
        st2, _, body2 = raw("GET", srv.base + "/discover.json")
        check(json.loads(body2)["DeviceID"] == d["DeviceID"], "DeviceID is stable")

        st, ctype, body = raw("GET", srv.base + "/lineup_status.json")
        check(st == 200 and json.loads(body) == {"ScanInProgress": 0, "ScanPossible": 1,
                                                 "Source": "Cable", "SourceList": ["Cable"]},
              f"lineup_status.json ({st} {body[:120]!r})")

        st, ctype, body = raw("GET", srv.base + "/lineup.json")
        check(st == 200 and ctype.startswith("application/json"), f"lineup.json 200 JSON ({st})")
        lineup = json.loads(body)
        check(isinstance(lineup, list) and len(lineup) >= 2, f"lineup lists the channels ({body[:300]!r})")
        for e in lineup:
            check(set(e) >= {"GuideNumber", "GuideName", "URL"} and
                  all(isinstance(e[k], str) for k in ("GuideNumber", "GuideName", "URL")),
                  f"lineup entry {e} has GuideNumber, GuideName, URL as strings")
        st, _, m3u = raw("GET", f"{srv.base}/live/channels.m3u?key={urllib.parse.quote(key)}")
        entries = m3u_entries(m3u.decode())
        check([(c, n) for c, n, _, _ in entries] ==
              [(e["GuideNumber"], e["GuideName"]) for e in lineup],
              f"the lineup is channels.m3u's channels, numbers and names: {entries} vs {lineup}")
        check(all(n == t for _, n, t, _ in entries), "M3U tvg-name equals the title")
        for (_, _, _, tvg_id), e in zip(entries, lineup):
            slug = tvg_id[: -len(".beacon")]
            want = f"{srv.base}/live/{slug}/stream.ts?key={urllib.parse.quote(key, safe='')}"
            check(e["URL"] == want, f"lineup URL {e['URL']} is absolute stream.ts with the key")
        check(any(e["GuideName"] == "News, Weather & 'Sport'" for e in lineup),
              "a title with a comma and quotes keeps its comma")

        st, ctype, body = raw("GET", srv.base + "/device.xml")
        check(st == 200 and "xml" in ctype, f"device.xml 200 XML ({st} {ctype})")
        root = ET.fromstring(body)
        ns = {"u": "urn:schemas-upnp-org:device-1-0"}
        check(root.tag == "{urn:schemas-upnp-org:device-1-0}root", f"device.xml root {root.tag}")
        check(root.findtext("u:URLBase", namespaces=ns) == srv.base, "device.xml URLBase")
        check(root.findtext("u:device/u:deviceType", namespaces=ns) ==
              "urn:schemas-upnp-org:device:MediaServer:1", "device.xml deviceType MediaServer")
        check(root.findtext("u:device/u:modelNumber", namespaces=ns) == "HDTC-2US",
              "device.xml modelNumber")
        check(root.findtext("u:device/u:manufacturer", namespaces=ns) == "Silicondust",
              "device.xml manufacturer")
        check((root.findtext("u:device/u:UDN", namespaces=ns) or "").startswith("uuid:"),
              "device.xml UDN uuid:")

        st, _, _ = raw("POST", srv.base + "/lineup.post?scan=start", b"")
        check(st == 200, f"POST /lineup.post?scan=start 200 ({st})")
        st, _, _ = raw("POST", srv.base + "/lineup.post?scan=abort", b"")
        check(st == 200, f"POST /lineup.post?scan=abort 200 ({st})")
        st, _, _ = raw("POST", srv.base + "/lineup.post", b"")
        check(st == 400, f"POST /lineup.post without scan 400 ({st})")

        st, _, guide = raw("GET", f"{srv.base}/live/guide.xml?key={urllib.parse.quote(key)}")
        check(st == 200 and key.encode() not in guide and
              urllib.parse.quote(key, safe="").encode() not in guide,
              "guide.xml carries no stream key")
        logo = re.search(rb'<icon src="([^"]+)"', guide)
        st, ctype, _ = raw("GET", logo.group(1).decode() if logo else srv.base + "/live/logo.svg")
        check(bool(logo) and st == 200 and ctype.startswith("image/svg+xml"),
              f"the logo guide.xml names answers without a key ({st})")

        # ffmpeg tunes in to the lineup URL of the channel with the item.
        url = lineup[0]["URL"]
        out = os.path.join(srv.work, "tuned.ts")
        r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-rw_timeout", "20000000",
                            "-i", url, "-t", "6", "-c", "copy", "-f", "mpegts", "-y", out],
                           capture_output=True, text=True, timeout=120)
        streams = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                                  "stream=codec_type:format=duration", "-of", "json", out],
                                 capture_output=True, text=True, timeout=60)
        info = json.loads(streams.stdout or "{}")
        kinds = sorted(s.get("codec_type") for s in info.get("streams", []))
        duration = float(info.get("format", {}).get("duration", 0) or 0)
        check(r.returncode == 0 and kinds == ["audio", "video"] and duration >= 4,
              f"ffmpeg reads {url}: streams {kinds}, {duration:.1f} s "
              f"(rc {r.returncode} {r.stderr.strip()[-300:]})")
    except Exception as e:  # a set-up step failed: report it as a failure, not a crash
        check(False, f"set-up: {e}")
    finally:
        for s in servers:
            s.stop()
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
