#!/usr/bin/env python3
"""Simulated LiveLoop viewers: each polls the channel's video, audio and subtitle playlists once
per target duration (as hls.js does) over a keep-alive connection, and downloads each new video
and audio segment. Reports the CPU time the server process used (from /proc) per viewer count,
and the time to tune in (multivariant + media playlist + first segment).

usage: viewers.py <server pid> <master url> <target duration s> <seconds> <viewers>...
"""
import http.client
import os
import re
import sys
import threading
import time
from urllib.parse import urlsplit


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get(conn, path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    return r.status, body


def viewer(host, port, base, td, stop, errors):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    seen = set()
    try:
        status, master = get(conn, base + "index.m3u8")
        uris = ["video.m3u8"] + re.findall(rb'URI="([^"]+)"', master)
        while not stop.is_set():
            for u in uris:
                u = u.decode() if isinstance(u, bytes) else u
                status, body = get(conn, base + u)
                if status != 200:
                    errors.append(status)
                    continue
                if u.startswith("subs_"):
                    continue
                for seg in re.findall(rb"^(/media/\S+)$", body, re.M):
                    if seg not in seen:
                        seen.add(seg)
                        get(conn, seg.decode())
            stop.wait(td)
    except Exception as e:  # noqa: BLE001 - report and end this viewer
        errors.append(repr(e))


def main():
    pid, url, td, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    counts = [int(x) for x in sys.argv[5:]] or [1]
    parts = urlsplit(url)
    base = parts.path.rsplit("/", 1)[0] + "/"
    # Tune-in: multivariant + video playlist + first segment, on a fresh connection.
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    get(conn, parts.path)
    _, video = get(conn, base + "video.m3u8")
    first = re.findall(rb"^(/media/\S+)$", video, re.M)[-3]
    get(conn, first.decode())
    print(f"tune-in (master + media playlist + first segment): "
          f"{(time.perf_counter() - t0) * 1000:.1f} ms")
    for n in counts:
        stop = threading.Event()
        errors = []
        threads = [threading.Thread(target=viewer, args=(parts.hostname, parts.port, base, td,
                                                         stop, errors)) for _ in range(n)]
        c0 = cpu_seconds(pid)
        w0 = time.time()
        for t in threads:
            t.start()
        time.sleep(secs)
        stop.set()
        for t in threads:
            t.join()
        used = cpu_seconds(pid) - c0
        wall = time.time() - w0
        print(f"{n:4d} viewer(s): server CPU {used:.2f} s in {wall:.1f} s = "
              f"{100 * used / wall:.2f}% of a core; errors: {len(errors)}")


if __name__ == "__main__":
    main()
