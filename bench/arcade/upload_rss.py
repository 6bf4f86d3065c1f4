#!/usr/bin/env python3
"""Peak memory of `beacon serve` during one large game upload (issue 16).

Starts a server in a temp folder, builds a zip of SIZE_MB incompressible bytes (stored, 40 MB
files), uploads it streamed from disk and prints the upload time and the growth of the server's
VmHWM (peak RSS) over its value just before the upload.

usage: upload_rss.py path/to/beacon [SIZE_MB=200]
"""
import os
import shutil
import sys
import tempfile
import time
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests", "integration"))
import arcade_test as t  # noqa: E402  (its server and upload helpers)


def main():
    beacon = os.path.abspath(sys.argv[1])
    size_mb = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    work = tempfile.mkdtemp(prefix="beacon-arcade-bench-")
    proc = None
    try:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work}
        proc, base = t.start_serve(beacon, work, "bench",
                                   f"[arcade]\nlisten = \"127.0.0.1:{t.free_port()}\"\nsamples = false\n", env)
        api = t.Api(base)
        api.login()
        zip_path = os.path.join(work, "big.zip")
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as z:
            z.writestr("index.html", b"<p>big</p>")
            left = size_mb << 20
            i = 0
            while left > 0:
                n = min(left, 40 << 20)
                z.writestr(f"data/blob{i}.bin", os.urandom(n))
                left -= n
                i += 1
        t.reset_peak(proc.pid)
        before = t.vm_kb(proc.pid, "VmRSS")
        start = time.monotonic()
        status, game = t.upload_file_streamed(api, "/api/v1/games", zip_path, "Big")
        took = time.monotonic() - start
        grown = (t.vm_hwm_kb(proc.pid) - before) / 1024
        print(f"upload of {os.path.getsize(zip_path) / 2**20:.0f} MB: status {status}, {took:.2f} s, "
              f"server peak RSS {t.vm_hwm_kb(proc.pid) / 1024:.0f} MB "
              f"(+{grown:.1f} MB over its {before / 1024:.0f} MB RSS before the upload)")
        return 0 if status == 201 else 1
    finally:
        t.stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
