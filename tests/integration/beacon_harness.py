"""Plumbing shared by the Python integration tests (tests/integration/*_test.py): free ports, a
clean environment, waiting for a server to answer, `beacon serve` started and stopped in a work
folder, and a JSON client of the studio's API.

A test script imports it from its own folder, so that it runs from any working directory:

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import beacon_harness as bh  # noqa: E402
"""
import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request


def free_port():
    """A TCP port of 127.0.0.1 that was free a moment ago (bound to port 0, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env(home, **extra):
    """A child's environment with nothing inherited but PATH (no service hosts, keys or CA
    overrides): HOME = `home`, plus the variables in `extra`."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, **extra}


def wait_http(url, proc, what, seconds=30):
    """Waits until `url` answers with any HTTP status (an error status counts: it answers).
    Raises RuntimeError naming `what` when `proc` exits first (with its exit status) or when
    nothing answered within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with status {proc.returncode}")
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not answer {url} in {seconds} s")


def fetch(url, method="GET", headers=None, body=None, timeout=30):
    """One request with no session: (status, headers as a dict, body bytes), a 4xx/5xx answer
    too (urllib's HTTPError is not raised). Raises OSError when nothing answers in `timeout`."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def stop(proc, grace=30):
    """Stops a process started with start_new_session=True and everything it started: SIGTERM
    to its process group, SIGKILL after `grace` seconds; waits for it. Does nothing when `proc`
    is None or has exited already."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Serve:
    """One `beacon serve --data DATA [--config CONFIG] --listen 127.0.0.1:PORT` on a free port,
    in its own process group, run in `work` with its output appended to <work>/<name>.log.
    Attributes: proc, port, base ("http://127.0.0.1:PORT"), data, config, log_path."""

    def __init__(self, beacon, work, data, toml=None, *, config=None, name="serve", env=None,
                 password=None, seconds=30):
        """Writes `toml` to `config` (default <work>/<name>.toml) when given; a `config` alone is
        used as it is; neither: no --config. With `password`, sets the admin password first
        (`beacon user set-password`, which raises CalledProcessError if it fails). `env`
        defaults to clean_env(work). Waits for /healthz (wait_http, `seconds`); when serve exits
        or does not answer, prints the log's tail, stops it and raises RuntimeError."""
        self.data = data
        self.config = config
        if toml is not None:
            self.config = config or os.path.join(work, name + ".toml")
            with open(self.config, "w") as f:
                f.write(toml)
        env = env if env is not None else clean_env(work)
        with_config = ["--config", self.config] if self.config else []
        if password is not None:
            subprocess.run([beacon, "user", "set-password", "--data", data, *with_config],
                           input=password + "\n", text=True, env=env, check=True,
                           capture_output=True, timeout=60, cwd=work)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(work, name + ".log")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [beacon, "serve", "--data", data, *with_config, "--listen",
                 f"127.0.0.1:{self.port}"], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env, cwd=work, start_new_session=True)
        try:
            wait_http(self.base + "/healthz", self.proc, f"beacon serve ({name})", seconds)
        except RuntimeError as e:
            self.stop()
            print(f"--- {self.log_path} (tail)\n{self.read_log()[-3000:]}", flush=True)
            raise RuntimeError(f"{e}; see {self.log_path}") from None

    def read_log(self):
        """Everything serve has written to its log so far (text, undecodable bytes replaced)."""
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self, grace=30):
        """Stops serve (stop()); does nothing once it has exited."""
        stop(self.proc, grace)


class ApiError(RuntimeError):
    """A 4xx or 5xx answer to Client.call; `status` and `body` (bytes) are the answer's."""

    def __init__(self, method, path, status, body):
        super().__init__(f"{method} {path}: {status} {body[:300]!r}")
        self.status = status
        self.body = body


class Client:
    """The studio's JSON API at `base`: a cookie session after login() (its CSRF token sent on
    every later request) and/or, with `token`, a bearer token. `headers` are sent with every
    request; `opener` carries the session's cookies (`jar`)."""

    def __init__(self, base, token=None, timeout=30):
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = "Bearer " + token

    @property
    def csrf(self):
        """The session's CSRF token ("" before login())."""
        return self.headers.get("X-CSRF-Token", "")

    def raw(self, method, path, body=None, headers=None):
        """One request: `body` bytes are sent as they are, any other value but None as JSON;
        `headers` add to (or replace) the client's. Returns (status, headers as a dict, body
        bytes), a 4xx/5xx answer too (urllib's HTTPError is not raised). Raises OSError when
        the server cannot be reached or does not answer within the client's timeout."""
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers={**self.headers, **(headers or {})})
        try:
            with self.opener.open(req, timeout=self.timeout) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method, path, body=None, headers=None):
        """raw() answered as (status, value): the parsed JSON when the answer is JSON, None when
        its body is empty, else the body bytes. Raises what raw() raises, and ValueError for a
        JSON answer that does not parse."""
        status, answer_headers, raw = self.raw(method, path, body, headers)
        if not raw:
            return status, None
        if answer_headers.get("Content-Type", "").startswith("application/json"):
            return status, json.loads(raw)
        return status, raw

    def call(self, method, path, body=None):
        """A request that must succeed: returns the answer's JSON (None for an empty body);
        raises ApiError on a 4xx/5xx, ValueError when the body is not JSON."""
        status, _, raw = self.raw(method, path, body)
        if status >= 400:
            raise ApiError(method, path, status, raw)
        return json.loads(raw) if raw else None

    def login(self, password):
        """Signs in with the admin password (POST /api/v1/auth/login) and sends the session's
        CSRF token from then on. Raises ApiError when the server refuses."""
        r = self.call("POST", "/api/v1/auth/login", {"password": password})
        self.headers["X-CSRF-Token"] = r["csrf_token"]
