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
    common.serve(H, {}, p)
