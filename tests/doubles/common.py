"""Shared plumbing for the protocol-faithful stand-ins (Python 3 standard library only).

Each double listens on 127.0.0.1 with an OS-chosen port and prints `PORT <n>` on its first
stdout line, so a test can start it as a child process and connect. Misbehaviour is chosen
with command-line switches (see each double's --help).

Every double logs each request on arrival and the status it got; GET /__double/requests returns
that log as JSON ([{method, path, status, headers, json | form | body}]), so tests assert on what
Beacon sent (DoubleProcess::Requests() in double_process.hpp; `curl` in shell tests).
"""
import argparse
import base64
import hashlib
import http.server
import json
import socketserver
import struct
import sys
import threading
import zlib


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BeaconDouble/1"
    _raw_body = None

    def log_message(self, fmt, *args):  # quiet unless asked
        if getattr(self.server, "verbose", False):
            sys.stderr.write("%s\n" % (fmt % args))

    def parse_request(self):
        """Answers GET /__double/requests (the request log) before the double's own routes."""
        if not super().parse_request():
            return False
        self._raw_body = None
        if self.command == "GET" and self.path.split("?")[0] == LOG_PATH:
            with self.server.lock:
                log = json.loads(json.dumps(self.server.request_log))
            self.send(200, log, record=False)
            return False
        # Logged on arrival (status null until answered), so requests that time out still count.
        self._entry = {"method": self.command, "path": self.path, "status": None,
                       "headers": {k.lower(): v for k, v in self.headers.items()}}
        with self.server.lock:
            self.server.request_log.append(self._entry)
        return True

    def body(self):
        if self._raw_body is None:
            n = int(self.headers.get("Content-Length") or 0)
            self._raw_body = self.rfile.read(n) if n else b""
        return self._raw_body

    def record(self, status):
        """Appends what this request was and what it got to the log that tests read."""
        raw = self.body()
        entry = {"status": status}
        ctype = self.headers.get("Content-Type", "")
        if "multipart/form-data" in ctype:
            fields = parse_multipart(self) or {}
            entry["form"] = {k: [fn if fn else v.decode("utf-8", "replace") for fn, v in vals]
                             for k, vals in fields.items()}
        elif raw:
            try:
                entry["json"] = json.loads(raw)
            except ValueError:
                entry["body"] = raw[:2000].decode("utf-8", "replace")
        with self.server.lock:
            self._entry.update(entry)

    def json_body(self):
        raw = self.body()
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def send(self, status, payload, ctype="application/json", headers=None, record=True):
        if record:
            self.record(status)
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload).encode()
        elif isinstance(payload, str):
            payload = payload.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def start_chunked(self, status, ctype):
        self.record(status)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def end_chunks(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


LOG_PATH = "/__double/requests"


def parse_multipart(handler):
    """Returns {name: (filename or None, bytes)} for a multipart/form-data body (repeated names
    keep a list under name + '[]' as sent, e.g. 'timestamp_granularities[]')."""
    ctype = handler.headers.get("Content-Type", "")
    if "multipart/form-data" not in ctype or "boundary=" not in ctype:
        return None
    boundary = ctype.split("boundary=", 1)[1].split(";")[0].strip().strip('"').encode()
    data = handler.body()
    fields = {}
    for part in data.split(b"--" + boundary):
        if not part or part in (b"--\r\n", b"--"):
            continue
        part = part.lstrip(b"\r\n")
        if b"\r\n\r\n" not in part:
            continue
        head, value = part.split(b"\r\n\r\n", 1)
        if value.endswith(b"\r\n"):
            value = value[:-2]
        name = filename = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            if line.lower().startswith("content-disposition"):
                for item in line.split(";"):
                    item = item.strip()
                    if item.startswith("name="):
                        name = item[5:].strip('"')
                    elif item.startswith("filename="):
                        filename = item[9:].strip('"')
        if name is None:
            continue
        fields.setdefault(name, []).append((filename, value))
    return fields


def png_bytes(width, height, seed=0):
    """A real PNG (RGB gradient) of the given size."""
    # Built a row at a time with slice assignment (the same bytes as a per-pixel loop, which
    # cost about a second of CPU per 854x480 picture and slowed benchmarks on small machines).
    reds = bytes((x * 255 // max(1, width - 1) + seed) % 256 for x in range(width))
    blue = (seed * 7) % 256
    rows = []
    for y in range(height):
        row = bytearray(3 * width)
        row[0::3] = reds
        row[1::3] = bytes([(y * 255 // max(1, height - 1)) % 256]) * width
        row[2::3] = bytes([blue]) * width
        rows.append(b"\x00" + bytes(row))
    raw = b"".join(rows)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def wav_bytes(seconds, rate=16000):
    """A real mono 16-bit WAV of quiet noise-free tone."""
    import math
    n = int(seconds * rate)
    samples = b"".join(struct.pack("<h", int(3000 * math.sin(2 * math.pi * 220 * i / rate))) for i in range(n))
    header = b"RIFF" + struct.pack("<I", 36 + len(samples)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(samples))
    return header + samples


# ---- minimal WebSocket (RFC 6455) server side, text frames only --------------------------------

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_accept(handler):
    key = handler.headers.get("Sec-WebSocket-Key")
    if not key or handler.headers.get("Upgrade", "").lower() != "websocket":
        handler.send(400, {"error": "not a websocket request"})
        return False
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    handler.record(101)
    handler.send_response(101, "Switching Protocols")
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", accept)
    handler.end_headers()
    handler.wfile.flush()
    return True


def ws_send(wfile, payload, opcode=0x1):
    if isinstance(payload, (dict, list)):
        payload = json.dumps(payload)
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload)
    if n < 126:
        head = struct.pack(">BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack(">BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack(">BBQ", 0x80 | opcode, 127, n)
    wfile.write(head + payload)
    wfile.flush()


def serve(handler_cls, state, argv_parser):
    args = argv_parser.parse_args()
    srv = Server(("127.0.0.1", 0), handler_cls)
    srv.args = args
    srv.state = state
    srv.lock = threading.Lock()
    srv.request_log = []
    srv.counters = {}  # should_fail() and count(), apart from each double's own state
    srv.verbose = getattr(args, "verbose", False)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


def base_parser(desc):
    p = argparse.ArgumentParser(description=desc)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--delay", type=float, default=0.0, help="seconds to wait before answering")
    p.add_argument("--fail", type=int, default=0, help="answer this HTTP status (e.g. 500) to the main call")
    p.add_argument("--fail-times", type=int, default=-1,
                   help="fail only the first N main calls (-1: always)")
    p.add_argument("--retry-after", default="", help="Retry-After header value sent with 429/503")
    p.add_argument("--garbage", action="store_true", help="answer the main call with non-JSON garbage")
    return p


def should_fail(server):
    """True when the main call should answer --fail (counting --fail-times)."""
    a = server.args
    if not a.fail:
        return False
    with server.lock:
        n = server.counters.get("fail_count", 0)
        if a.fail_times >= 0 and n >= a.fail_times:
            return False
        server.counters["fail_count"] = n + 1
        return True


def count(server, key):
    with server.lock:
        server.counters[key] = server.counters.get(key, 0) + 1
        return server.counters[key]
