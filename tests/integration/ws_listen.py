#!/usr/bin/env python3
"""Listens to a Beacon events WebSocket and prints each text message on its own line.
usage: ws_listen.py URL TOKEN SECONDS   (URL: ws://127.0.0.1:PORT/api/v1/events)
Standard library only (RFC 6455 client: masked frames out, unmasked text frames in)."""
import base64, os, socket, struct, sys, time
from urllib.parse import urlparse

url, token, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
u = urlparse(url)
s = socket.create_connection((u.hostname, u.port), timeout=10)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
           f"Authorization: Bearer {token}\r\n\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("closed during the handshake")
    buf += chunk
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.exit("no upgrade: " + head.decode(errors="replace"))
print("connected", flush=True)
end = time.time() + seconds
s.settimeout(0.5)

def need(n):
    global buf
    while len(buf) < n:
        if time.time() > end:
            raise TimeoutError
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            raise EOFError
        buf += chunk
    out, buf = buf[:n], buf[n:]
    return out

try:
    while time.time() < end:
        b0, b1 = need(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", need(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", need(8))[0]
        payload = need(n)
        op = b0 & 0x0F
        if op == 1:
            print(payload.decode(), flush=True)
        elif op == 8:
            break
        elif op == 9:  # ping: answer pong (masked, as a client must)
            mask = os.urandom(4)
            s.sendall(bytes([0x8A, 0x80 | len(payload)]) + mask +
                      bytes(c ^ mask[i % 4] for i, c in enumerate(payload)))
except (TimeoutError, EOFError):
    pass
