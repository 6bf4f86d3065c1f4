#!/usr/bin/env python3
"""Whisper server stand-in (api-notes/model-services.md 2d), both styles:

--api whispercpp: POST /inference (multipart; `file` required; response_format json|text|srt|
vtt|verbose_json with their content types), GET /health (503 {"status":"loading model"} with
--loading), one request at a time (a global lock, like whisper-server).
--api openai: POST /v1/audio/transcriptions (speaches): `file` and `model` required (422
list-shaped detail), model must be installed (404), undecodable audio 415, optional Bearer key
(403), verbose_json with segments and words when timestamp_granularities[]=word; GET /v1/models.
The transcript is --text spread over the audio's duration (read from the WAV header);
--segments gives none, only [BLANK_AUDIO], or whisper.cpp's sub-word "words"; `trailing-silence`
adds what Whisper makes of silence after the speech: the same short line three times with a high
no_speech_prob and a low avg_logprob (the known hallucination loop), unless the request asks for
whisper.cpp's `vad=true` (the server's VAD then cuts the silence away).
--key: the openai style answers 403 {"detail"} without the Bearer key (speaches); the whispercpp
style answers 401 with `WWW-Authenticate: Bearer` (whisper-server has no key of its own, so a key
means an authenticating reverse proxy in front of it).
GET /_stats → {"requests", "peak_in_flight"} (the stand-in's own counters, for tests).
"""
import json
import struct
import threading
import time

import common

SERIAL = threading.Lock()


def wav_duration(data):
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    byte_rate = struct.unpack("<I", data[28:32])[0]
    p = 12
    while p + 8 <= len(data):
        size = struct.unpack("<I", data[p + 4:p + 8])[0]
        if data[p:p + 4] == b"data":
            return min(size, len(data) - p - 8) / float(byte_rate or 1)
        p += 8 + size + (size & 1)
    return None


def ts(t, sep):
    ms = int(round(t * 1000))
    return "%02d:%02d:%02d%s%03d" % (ms // 3600000, ms // 60000 % 60, ms // 1000 % 60, sep, ms % 1000)


def segments_for(text, duration):
    words = text.split()
    half = max(1, len(words) // 2)
    parts = [words[:half], words[half:]] if len(words) > 1 else [words]
    segs, t, per = [], 0.0, duration / max(1, len(words))
    for i, p in enumerate(x for x in parts if x):
        start = t
        wl = []
        for w in p:
            wl.append({"word": " " + w, "start": round(t, 2), "end": round(t + per, 2), "probability": 0.9})
            t += per
        segs.append({"id": i, "seek": 0, "start": round(start, 2), "end": round(t, 2), "text": " " + " ".join(p),
                     "tokens": [1, 2, 3], "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1,
                     "no_speech_prob": 0.01, "words": wl})
    return segs


def subword(segs):
    """whisper.cpp's verbose_json "words" are tokens: long words come in pieces."""
    for s in segs:
        pieces = []
        for w in s["words"]:
            word = w["word"]
            if len(word.strip()) > 5:
                mid = (w["start"] + w["end"]) / 2
                pieces.append(dict(w, word=word[:4], end=round(mid, 2)))
                pieces.append(dict(w, word=word[4:], start=round(mid, 2)))
            else:
                pieces.append(w)
        s["words"] = pieces
    return segs


def render(handler, fmt, text, duration, language, words_wanted, api, vad=False):
    mode = handler.server.args.segments
    segs = segments_for(text, duration * (0.5 if mode == "trailing-silence" else 1.0))
    if mode == "trailing-silence" and not vad:
        t = duration * 0.5
        for i in range(3):
            segs.append({"id": len(segs), "seek": 0, "start": round(t, 2), "end": round(t + duration / 6, 2),
                         "text": " Thank you.", "tokens": [1], "temperature": 0.0, "avg_logprob": -1.3,
                         "compression_ratio": 0.9, "no_speech_prob": 0.92, "words": []})
            t += duration / 6
    if mode == "empty":
        text, segs = "", []
    elif mode == "blank":
        text = " [BLANK_AUDIO]"
        segs = [dict(segments_for("x", duration)[0], text=text, words=[])]
    elif mode == "subword":
        segs = subword(segs)
    if fmt == "json":
        return handler.send(200, {"text": text})
    if fmt == "text":
        return handler.send(200, text + "\n", "text/html; charset=utf-8" if api == "whispercpp" else "text/plain; charset=utf-8")
    if fmt == "srt":
        out = "".join("%d\n%s --> %s\n%s\n\n" % (i + 1, ts(s["start"], ","), ts(s["end"], ","), s["text"].strip())
                      for i, s in enumerate(segs))
        return handler.send(200, out, "application/x-subrip" if api == "whispercpp" else "text/plain; charset=utf-8")
    if fmt == "vtt":
        out = "WEBVTT\n\n" + "".join("%s --> %s\n%s\n\n" % (ts(s["start"], "."), ts(s["end"], "."), s["text"].strip())
                                     for s in segs)
        return handler.send(200, out, "text/vtt")
    if fmt == "verbose_json":
        if api == "whispercpp":
            body = {"task": "transcribe", "language": "english", "duration": duration, "text": text,
                    "segments": [dict(s, words=[dict(w, t_dtw=-1) for w in s["words"]]) for s in segs],
                    "detected_language": "english", "detected_language_probability": 0.98}
        else:
            body = {"language": language or "en", "duration": duration, "text": text,
                    "segments": [{k: v for k, v in s.items() if k != "words"} for s in segs],
                    "words": [w for s in segs for w in s["words"]] if words_wanted else None}
        if handler.server.args.wrong_schema:
            body = {"transcript": text}
        return handler.send(200, body)
    return handler.send(400, {"error": "unsupported response_format"})


IN_FLIGHT = {"now": 0, "peak": 0, "requests": 0}
IN_FLIGHT_LOCK = threading.Lock()


class H(common.Handler):
    def do_GET(self):
        a = self.server.args
        if self.path == "/_stats":
            with IN_FLIGHT_LOCK:
                return self.send(200, {"requests": IN_FLIGHT["requests"], "peak_in_flight": IN_FLIGHT["peak"]})
        if a.api == "whispercpp" and a.key and self.headers.get("Authorization") != "Bearer " + a.key:
            return self.send(401, {"error": "unauthorized"}, headers={"WWW-Authenticate": 'Bearer realm="whisper"'})
        if a.api == "whispercpp" and self.path == "/health":
            if a.loading:
                return self.send(503, {"status": "loading model"})
            return self.send(200, {"status": "ok"})
        if a.api == "openai" and self.path == "/v1/models":
            return self.send(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "Systran"}
                                                               for m in a.models.split(",") if m]})
        if a.api == "openai" and self.path == "/health":
            return self.send(200, "OK", "text/plain")
        self.send(404, "File Not Found (%s)" % self.path, "text/plain")

    def do_POST(self):
        with IN_FLIGHT_LOCK:
            IN_FLIGHT["now"] += 1
            IN_FLIGHT["requests"] += 1
            IN_FLIGHT["peak"] = max(IN_FLIGHT["peak"], IN_FLIGHT["now"])
        self._in_flight = True
        try:
            return self.post()
        finally:
            self.leave()

    def leave(self):
        if getattr(self, "_in_flight", False):
            self._in_flight = False
            with IN_FLIGHT_LOCK:
                IN_FLIGHT["now"] -= 1

    def send(self, *args, **kwargs):
        # The answer is decided: no longer "in flight" from here, before its bytes go out (a
        # client that reads them may send its next request at once, and counting that one while
        # this thread is still writing would report more than the client ever had in flight).
        self.leave()
        return super().send(*args, **kwargs)

    def post(self):
        a = self.server.args
        if a.api == "whispercpp" and a.key and self.headers.get("Authorization") != "Bearer " + a.key:
            return self.send(401, {"error": "unauthorized"}, headers={"WWW-Authenticate": 'Bearer realm="whisper"'})
        if a.api == "whispercpp" and self.path == "/inference":
            with SERIAL:
                return self.whispercpp()
        if a.api == "openai" and self.path == "/v1/audio/transcriptions":
            return self.openai()
        self.send(404, "File Not Found (%s)" % self.path, "text/plain")

    def common_failures(self):
        a = self.server.args
        if a.delay:
            time.sleep(a.delay)
        if common.should_fail(self.server):
            self.send(a.fail, "500 Internal Server Error\nboom", "text/plain")
            return True
        if a.garbage:
            self.send(200, "\x00garbage", "application/json")
            return True
        return False

    def whispercpp(self):
        fields = common.parse_multipart(self) or {}
        if "file" not in fields:
            return self.send(400, {"error": "no 'file' field in the request"})
        if self.common_failures():
            return
        data = fields["file"][0][1]
        duration = wav_duration(data)
        if duration is None:
            return self.send(400, {"error": "failed to read audio data"})
        fmt = fields.get("response_format", [(None, b"json")])[0][1].decode()
        lang = fields.get("language", [(None, b"en")])[0][1].decode()
        vad = fields.get("vad", [(None, b"false")])[0][1].decode() == "true"
        render(self, fmt, self.server.args.text, duration, lang, True, "whispercpp", vad)

    def openai(self):
        a = self.server.args
        if a.key and self.headers.get("Authorization") != "Bearer " + a.key:
            return self.send(403, {"detail": "Invalid API key"})
        fields = common.parse_multipart(self)
        if fields is None:
            return self.send(422, {"detail": [{"loc": ["body"], "msg": "Expected multipart/form-data", "type": "value_error"}]})
        missing = [k for k in ("file", "model") if k not in fields]
        if missing:
            return self.send(422, {"detail": [{"loc": ["body", k], "msg": "Field required", "type": "missing"} for k in missing]})
        model = fields["model"][0][1].decode()
        if model not in a.models.split(","):
            return self.send(404, {"detail": "Model '%s' is not installed locally. You can download the model using POST /v1/models" % model})
        data = fields["file"][0][1]
        if not data:
            return self.send(400, {"detail": "Empty file"})
        if self.common_failures():
            return
        duration = wav_duration(data)
        if duration is None:
            return self.send(415, {"detail": "Failed to decode audio. The provided file type is not supported."})
        fmt = fields.get("response_format", [(None, b"json")])[0][1].decode()
        grans = [v.decode() for _, v in fields.get("timestamp_granularities[]", [])]
        lang = fields.get("language", [(None, b"")])[0][1].decode()
        render(self, fmt, a.text, duration, lang, "word" in grans, "openai")


if __name__ == "__main__":
    p = common.base_parser("Whisper server stand-in")
    p.add_argument("--api", default="whispercpp", choices=["whispercpp", "openai"])
    p.add_argument("--text", default="Hello world from the stand-in. It speaks in two parts.")
    p.add_argument("--models", default="Systran/faster-whisper-small")
    p.add_argument("--key", default="")
    p.add_argument("--loading", action="store_true")
    p.add_argument("--wrong-schema", action="store_true", help="verbose_json without segments")
    p.add_argument("--segments", default="speech", choices=["speech", "empty", "blank", "subword", "trailing-silence"],
                   help="empty: no segments; blank: only [BLANK_AUDIO]; subword: words are token pieces")
    common.serve(H, {}, p)
