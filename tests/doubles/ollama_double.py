#!/usr/bin/env python3
"""Ollama stand-in, written from the Ollama REST API notes (api-notes/model-services.md 2a).

Routes: GET / and HEAD / ("Ollama is running"), GET /api/version, GET /api/tags,
POST /api/show, POST /api/chat (NDJSON stream by default, one JSON object with stream:false).
The answer's message.content is a JSON string shaped by the request's `format` schema.
Errors use {"error": "..."}: 404 unknown model, 400 missing model, 503 busy, mid-stream error
line. Switches choose misbehaviour (see --help).
"""
import json
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
        fmt = req.get("format")
        if a.answer == "invalid" or (a.answer == "invalid-once" and n == 1):
            content = json.dumps({"title": "", "scenes": "none"})
        elif a.answer == "prose":
            content = "Sure! Here is your script: a lighthouse, some waves."
        elif isinstance(fmt, dict):
            content = json.dumps(shaped(fmt))
        else:
            content = "value of content"
        with self.server.lock:
            self.server.state.setdefault("requests", []).append(req)
        base = {"model": req["model"], "created_at": "2024-08-04T08:52:19.385406455-07:00"}
        if req.get("stream", True) is False:
            out = dict(base, message={"role": "assistant", "content": content}, done=True, done_reason="stop", **STATS)
            return self.send(200, out)
        self.start_chunked(200, "application/x-ndjson")
        pieces = [content[i:i + 7] for i in range(0, len(content), 7)]
        for i, p in enumerate(pieces):
            if a.midstream_error and i == len(pieces) // 2:
                self.chunk(json.dumps({"error": "an error was encountered while running the model"}) + "\n")
                return self.end_chunks()
            self.chunk(json.dumps(dict(base, message={"role": "assistant", "content": p}, done=False)) + "\n")
            if a.token_delay:
                time.sleep(a.token_delay)
        self.chunk(json.dumps(dict(base, message={"role": "assistant", "content": ""}, done=True,
                                   done_reason="stop", **STATS)) + "\n")
        self.end_chunks()


if __name__ == "__main__":
    p = common.base_parser("Ollama stand-in")
    p.add_argument("--models", default="llama3.2:latest", help="comma-separated installed models")
    p.add_argument("--answer", default="schema", choices=["schema", "invalid", "invalid-once", "prose"])
    p.add_argument("--busy", action="store_true", help="answer 503 server busy")
    p.add_argument("--midstream-error", action="store_true")
    p.add_argument("--token-delay", type=float, default=0.0)
    p.add_argument("--garbage-tags", action="store_true")
    common.serve(H, {}, p)
