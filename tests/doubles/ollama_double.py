#!/usr/bin/env python3
"""Ollama stand-in, written from the Ollama REST API notes (api-notes/model-services.md 2a).

Routes: GET / and HEAD / ("Ollama is running"), GET /api/version, GET /api/tags,
POST /api/show, POST /api/chat (NDJSON stream by default, one JSON object with stream:false).
The answer's message.content is a JSON string shaped by the request's `format` schema.
Errors use {"error": "..."}: 404 unknown model, 400 missing model, 503 busy, mid-stream error
line. The answer reads the request where a model would (translations, entities of the text
sent). Switches choose misbehaviour and odd-but-legal answers (see --help): a markdown fence or
prose around the JSON, a `thinking` field, unknown or missing optional fields, NDJSON lines split
across writes, done_reason "length".

Loaded models (issue 19): a model answered through /api/chat or /api/generate stays loaded for
its keep_alive ("5m" by default; 0 unloads at once, a negative one keeps it) and GET /api/ps lists
it with size, size_vram (--vram-share of --loaded-bytes) and expires_at; POST /api/generate with no
prompt only loads (or, with keep_alive 0, unloads) the model. --ps-fail answers /api/ps with an error.
"""
import datetime
import json
import re
import time

import common

STATS = {"total_duration": 10706818083, "load_duration": 6338219291, "prompt_eval_count": 26,
         "prompt_eval_duration": 130079000, "eval_count": 259, "eval_duration": 4232710000}


def shaped(schema, name="value"):
    """A value matching a JSON schema (the subset Ollama users send)."""
    if not isinstance(schema, dict):
        return "value of %s" % name
    if "enum" in schema:
        return schema["enum"][0]
    t = schema.get("type")
    if t == "object":
        props = schema.get("properties", {})
        keys = schema.get("required", list(props.keys()))
        return {k: shaped(props.get(k, {}), k) for k in keys}
    if t == "array":
        n = max(1, schema.get("minItems", 1))
        if "maxItems" in schema:
            n = min(n, schema["maxItems"])
        return [shaped(schema.get("items", {}), name) for _ in range(n)]
    if t == "number":
        return 2.5
    if t == "integer":
        return 1
    if t == "boolean":
        return True
    return "value of %s" % name


WORDS = {"hello": "hola", "good night": "buenas noches", "the sea": "el mar"}


def user_text(req):
    msgs = [m for m in req.get("messages", []) if isinstance(m, dict) and m.get("role") == "user"]
    return msgs[-1].get("content", "") if msgs else ""


def answer_for(req, fmt):
    """What a model answers: it reads the request (translation, entities) or follows the schema."""
    props = fmt.get("properties", {}) if isinstance(fmt, dict) else {}
    text = user_text(req)
    if "translation" in props:
        return {"translation": WORDS.get(text.strip().lower(), "[%s] %s" % ("es", text))}
    if "entities" in props:
        # Runs of capitalised words, as written (a crude but honest NER over what was sent).
        out, run = [], []
        for w in text.replace(",", " ").replace(".", " ").split() + [""]:
            if w[:1].isupper():
                run.append(w)
            elif run:
                out.append(" ".join(run))
                run = []
        return {"entities": out}
    return shaped(fmt)


def wrap(content, how):
    if how == "fence":
        return "```json\n" + content + "\n```"
    if how == "fence-prose":
        return "Here is the JSON you asked for:\n\n```json\n" + content + "\n```\nLet me know if you need changes."
    if how == "prose":
        return "Sure! Here it is: " + content + " Hope this helps."
    return content


def keep_alive_seconds(value):
    """Ollama's keep_alive: a duration string ("5m", "1h30m", "45s"), or a number of seconds."""
    if value is None:
        return 300.0
    if isinstance(value, (int, float)):
        return float(value)
    total, units = 0.0, {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(-?[0-9.]+)(ms|h|m|s)", str(value))
    if not parts:
        try:
            return float(value)
        except ValueError:
            return 300.0
    for n, u in parts:
        total += float(n) * units[u]
    return total


def mark_loaded(server, model, keep_alive):
    """Loads (or with keep_alive 0 unloads) `model`; a negative keep_alive keeps it for good."""
    secs = keep_alive_seconds(keep_alive)
    model = model if ":" in model else model + ":latest"  # /api/ps names the tag, as the server does
    with server.lock:
        loaded = server.state.setdefault("loaded", {})
        if secs == 0:
            loaded.pop(model, None)
        else:
            loaded[model] = None if secs < 0 else time.time() + secs


def running_models(server):
    a = server.args
    now = time.time()
    with server.lock:
        loaded = server.state.setdefault("loaded", {})
        for m in [m for m, until in loaded.items() if until is not None and until <= now]:
            del loaded[m]
        items = sorted(loaded.items())
    out = []
    for m, until in items:
        when = datetime.datetime.fromtimestamp(until if until is not None else now + 10 * 365 * 86400,
                                               datetime.timezone.utc)
        out.append({"name": m, "model": m, "size": a.loaded_bytes, "digest": "a80c4f17acd5",
                    "details": {"parent_model": "", "format": "gguf", "family": "llama", "families": ["llama"],
                                "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
                    "expires_at": when.isoformat(timespec="microseconds"),
                    "size_vram": int(a.loaded_bytes * a.vram_share), "context_length": 4096})
    return out


class H(common.Handler):
    def do_HEAD(self):
        if self.path == "/":
            self.send(200, "Ollama is running", "text/plain; charset=utf-8")
        else:
            self.send(404, "404 page not found", "text/plain")

    def do_GET(self):
        a = self.server.args
        if self.path == "/":
            return self.send(200, "Ollama is running", "text/plain; charset=utf-8")
        if self.path == "/api/version":
            return self.send(200, {"version": "0.5.1"})
        if self.path == "/api/ps":
            if a.ps_fail:
                return self.send(a.ps_fail, {"error": "an error was encountered while listing models"})
            return self.send(200, {"models": running_models(self.server)})
        if self.path == "/api/tags":
            if a.garbage_tags:
                return self.send(200, "<html>nope</html>", "text/html")
            models = [{"name": m, "model": m, "modified_at": "2024-01-01T00:00:00Z", "size": 2019393189,
                       "digest": "a80c4f17acd5", "details": {"format": "gguf", "family": "llama",
                                                              "parameter_size": "3.2B",
                                                              "quantization_level": "Q4_K_M"}}
                      for m in a.models.split(",") if m]
            return self.send(200, {"models": models})
        self.send(404, "404 page not found", "text/plain")

    def known(self, model):
        names = [m for m in self.server.args.models.split(",") if m]
        norm = lambda s: s if ":" in s else s + ":latest"
        return any(norm(model) == norm(m) for m in names)

    def do_POST(self):
        a = self.server.args
        req = self.json_body()
        if self.path == "/api/show":
            if not isinstance(req, dict) or not self.known(req.get("model", "")):
                return self.send(404, {"error": "model '%s' not found" % (req or {}).get("model", "")})
            return self.send(200, {"modelfile": "", "parameters": "", "template": "{{ .Prompt }}",
                                   "details": {"family": "llama"}, "capabilities": ["completion"]})
        if self.path == "/api/generate":
            if not isinstance(req, dict) or not req.get("model"):
                return self.send(400, {"error": "model is required"})
            if not self.known(req["model"]):
                return self.send(404, {"error": "model '%s' not found" % req["model"]})
            mark_loaded(self.server, req["model"], req.get("keep_alive"))
            unload = keep_alive_seconds(req.get("keep_alive")) == 0
            base = {"model": req["model"], "created_at": "2024-08-04T08:52:19.385406455-07:00", "done": True}
            if not req.get("prompt"):
                return self.send(200, dict(base, response="", done_reason="unload" if unload else "load"))
            return self.send(200, dict(base, response="value of response", done_reason="stop", **STATS))
        if self.path != "/api/chat":
            return self.send(404, "404 page not found", "text/plain")
        n = common.count(self.server, "chat")
        if req is None:
            return self.send(400, {"error": "missing request body"})
        if not req.get("model"):
            return self.send(400, {"error": "model is required"})
        if not self.known(req["model"]):
            return self.send(404, {"error": "model '%s' not found" % req["model"]})
        if a.delay:
            time.sleep(a.delay)
        if a.busy:
            return self.send(503, {"error": "server busy, please try again.  maximum pending requests exceeded"},
                             headers={"Retry-After": a.retry_after} if a.retry_after else None)
        if common.should_fail(self.server):
            hdr = {"Retry-After": a.retry_after} if a.retry_after else None
            return self.send(a.fail, {"error": "an error was encountered while running the model"}, headers=hdr)
        if a.garbage:
            return self.send(200, "\x00\x01 definitely not json {{{", "application/x-ndjson")
        mark_loaded(self.server, req["model"], req.get("keep_alive"))
        fmt = req.get("format")
        if a.answer == "invalid" or (a.answer == "invalid-once" and n == 1):
            content = json.dumps({"title": "", "scenes": "none"})
        elif a.answer == "prose":
            content = "Sure! Here is your script: a lighthouse, some waves."
        elif isinstance(fmt, dict):
            content = json.dumps(answer_for(req, fmt), ensure_ascii=False)
        else:
            content = "value of content"
        content = wrap(content, a.wrap)
        done_reason = "stop"
        if a.done_reason_length:
            content, done_reason = content[:len(content) // 2], "length"
        base = {"model": req["model"], "created_at": "2024-08-04T08:52:19.385406455-07:00"}
        stats = dict(STATS)
        if a.minimal:
            base, stats = {"model": req["model"]}, {}  # optional fields left out
        if a.extra_fields:
            base = dict(base, id="0193f5c2-7d6e-7b1a-9c1e-2f3a4b5c6d7e", system_fingerprint="fp_ollama",
                        remote_host="", logprobs=None)
        thinking = "The user wants JSON. Shape: {\"draft\": [1, 2} ... let me think." if a.thinking else None

        def msg(text, think=None):
            m = {"role": "assistant", "content": text}
            if think is not None:
                m["thinking"] = think
            if a.extra_fields:
                m["images"] = None
                m["tool_calls"] = []
            return m

        if req.get("stream", True) is False:
            out = dict(base, message=msg(content, thinking), done=True, **stats)
            if not a.minimal or done_reason != "stop":
                out["done_reason"] = done_reason
            return self.send(200, out)
        self.start_chunked(200, "application/x-ndjson")
        lines = []
        if thinking:
            lines += [dict(base, message=msg("", thinking[i:i + 9]), done=False) for i in range(0, len(thinking), 9)]
        pieces = [content[i:i + 7] for i in range(0, len(content), 7)]
        for i, p in enumerate(pieces):
            if a.midstream_error and i == len(pieces) // 2:
                lines.append({"error": "an error was encountered while running the model"})
                break
            lines.append(dict(base, message=msg(p), done=False))
        else:
            final = dict(base, message=msg(""), done=True, **stats)
            if not a.minimal or done_reason != "stop":
                final["done_reason"] = done_reason
            lines.append(final)
        for line in lines:
            data = (json.dumps(line, ensure_ascii=False) + "\n").encode()
            if a.split_lines:
                # One NDJSON line across two reads: the client must join them.
                half = len(data) // 2
                self.chunk(data[:half])
                time.sleep(0.01)
                self.chunk(data[half:])
            else:
                self.chunk(data)
            if a.token_delay:
                time.sleep(a.token_delay)
        self.end_chunks()


if __name__ == "__main__":
    p = common.base_parser("Ollama stand-in")
    p.add_argument("--models", default="llama3.2:latest", help="comma-separated installed models")
    p.add_argument("--answer", default="schema", choices=["schema", "invalid", "invalid-once", "prose"])
    p.add_argument("--busy", action="store_true", help="answer 503 server busy")
    p.add_argument("--midstream-error", action="store_true")
    p.add_argument("--token-delay", type=float, default=0.0)
    p.add_argument("--garbage-tags", action="store_true")
    p.add_argument("--wrap", default="none", choices=["none", "fence", "fence-prose", "prose"],
                   help="wrap the JSON answer in a markdown fence and/or prose, as models often do")
    p.add_argument("--thinking", action="store_true", help="add a `thinking` field (reasoning models)")
    p.add_argument("--extra-fields", action="store_true", help="add fields the client does not know")
    p.add_argument("--minimal", action="store_true", help="leave out optional fields (stats, created_at)")
    p.add_argument("--done-reason-length", action="store_true",
                   help="stop halfway with done_reason \"length\" (num_predict reached)")
    p.add_argument("--split-lines", action="store_true", help="split every NDJSON line across two writes")
    p.add_argument("--loaded-bytes", type=int, default=3338665984, help="size of a loaded model (bytes)")
    p.add_argument("--vram-share", type=float, default=1.0, help="share of a loaded model in VRAM (0..1)")
    p.add_argument("--ps-fail", type=int, default=0, help="answer /api/ps with this status")
    common.serve(H, {}, p)
