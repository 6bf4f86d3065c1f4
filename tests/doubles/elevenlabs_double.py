#!/usr/bin/env python3
"""ElevenLabs TTS stand-in (api-notes/model-services.md 2c).

POST /v1/text-to-speech/{voice_id} (raw audio), .../with-timestamps (JSON with audio_base64
and per-character alignment, one entry per character of `text`), .../stream/with-timestamps
(NDJSON), GET /v1/voices, GET /v1/voices/{id}, GET /v1/models, GET /v1/user/subscription
(character quota). Auth: xi-api-key must equal --key (401 invalid_api_key otherwise). Errors:
401 quota_exceeded, 400 max_character_limit_exceeded, 422 list-shaped detail, 429
too_many_concurrent_requests / system_busy (with Retry-After), 5xx; a concurrency limit. The
audio is real MP3 (a tone encoded by ffmpeg) or WAV of the spoken length; normalized_alignment
follows the normalised text (digits read out), and either alignment may be null.
"""
import base64
import json
import re
import subprocess
import threading
import time
from urllib.parse import urlparse, parse_qs

import common

VOICES = [{"voice_id": "21m00Tcm4TlvDq8ikWAM", "name": "Rachel", "category": "premade",
           "labels": {"accent": "american", "language": "en"}, "description": "calm",
           "preview_url": "", "settings": None,
           "verified_languages": [{"language": "en", "model_id": "eleven_multilingual_v2"}]}]


AUDIO_CACHE = {}


def mp3_tone(seconds, rate, kbps):
    """Real, decodable MP3 (a 440 Hz tone) of the given length, encoded by ffmpeg (cached)."""
    key = (round(seconds, 2), rate, kbps)
    if key not in AUDIO_CACHE:
        out = subprocess.run(
            ["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
             "sine=frequency=440:sample_rate=%d:duration=%.2f" % (rate, key[0]),
             "-c:a", "libmp3lame", "-b:a", "%dk" % kbps, "-ar", str(rate), "-ac", "1",
             "-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "-"],
            stdout=subprocess.PIPE, check=True)
        AUDIO_CACHE[key] = out.stdout
    return AUDIO_CACHE[key]


def spoken(text):
    """ElevenLabs' text normalisation, in small: digits are read out."""
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return "".join(names[int(c)] if c.isdigit() else c for c in text)


def err(status, code, message):
    return {"detail": {"type": "error", "code": code, "message": message, "status": code,
                       "request_id": "req_123", "param": None}}


class H(common.Handler):
    def auth(self):
        a = self.server.args
        if self.headers.get("xi-api-key") != a.key:
            self.send(401, err(401, "invalid_api_key", "Invalid API key"))
            return False
        return True

    def do_GET(self):
        if not self.auth():
            return
        path = urlparse(self.path).path
        if path == "/v1/voices":
            return self.send(200, {"voices": VOICES})
        m = re.fullmatch(r"/v1/voices/([^/]+)", path)
        if m:
            for v in VOICES:
                if v["voice_id"] == m.group(1):
                    return self.send(200, v)
            return self.send(404, {"detail": {"status": "voice_not_found",
                                              "message": "A voice with the voice_id %s was not found." % m.group(1)}})
        if path == "/v1/user/subscription":
            a = self.server.args
            return self.send(200, {"tier": "creator", "character_count": 100000 - a.characters_left,
                                   "character_limit": 100000, "can_extend_character_limit": False,
                                   "allowed_to_extend_character_limit": False,
                                   "next_character_count_reset_unix": 1767225600, "voice_limit": 30,
                                   "status": "active", "currency": "usd"})
        if path == "/v1/models":
            return self.send(200, [{"model_id": "eleven_multilingual_v2", "name": "Multilingual v2",
                                    "can_do_text_to_speech": True, "languages": [{"language_id": "en", "name": "English"}]}])
        self.send(404, {"detail": "Not Found"})

    def do_POST(self):
        a = self.server.args
        u = urlparse(self.path)
        m = re.fullmatch(r"/v1/text-to-speech/([^/]+)(/stream)?(/with-timestamps)?", u.path)
        if not m:
            return self.send(404, {"detail": "Not Found"})
        if not self.auth():
            return
        if a.quota:
            return self.send(401, {"detail": {"status": "quota_exceeded", "message":
                                              "This request exceeds your quota of 10000. You have 0 credits remaining, while 91 credits are required for this request."}})
        req = self.json_body()
        if not isinstance(req, dict) or not isinstance(req.get("text"), str) or not req["text"]:
            return self.send(422, {"detail": [{"loc": ["body", "text"], "msg": "field required",
                                               "type": "value_error.missing"}]})
        if a.max_chars and len(req["text"]) > a.max_chars:
            return self.send(400, {"detail": {"status": "max_character_limit_exceeded", "message":
                                              "You can send at most %d characters in one request; this one has %d."
                                              % (a.max_chars, len(req["text"]))}})
        if m.group(1) not in [v["voice_id"] for v in VOICES]:
            return self.send(400, {"detail": {"status": "voice_not_found", "message": "A voice with the voice_id %s was not found." % m.group(1)}})
        with self.server.lock:
            active = self.server.state.get("active", 0)
            over = active >= a.concurrency
            if not over:
                self.server.state["active"] = active + 1
        if over:
            hdr = {"Retry-After": a.retry_after} if a.retry_after else None
            return self.send(429, err(429, "too_many_concurrent_requests",
                                      "Too many concurrent requests for your plan."), headers=hdr)
        try:
            if a.delay:
                time.sleep(a.delay)
            if common.should_fail(self.server):
                hdr = {"Retry-After": a.retry_after} if a.retry_after else None
                if a.fail == 429:
                    return self.send(429, err(429, "system_busy", "The system is busy, please retry."), headers=hdr)
                return self.send(a.fail, {"detail": {"status": "internal_error", "message": "Internal server error"}}, headers=hdr)
            if a.garbage:
                return self.send(200, "<html>gateway</html>", "text/html")
            text = req["text"]
            fmt = parse_qs(u.query).get("output_format", ["mp3_44100_128"])[0]
            per_char = 0.06
            duration = per_char * len(text) + 0.2
            if fmt.startswith("wav_"):
                audio = common.wav_bytes(duration, int(fmt.split("_")[1]))
            else:
                parts = fmt.split("_")
                rate = int(parts[1]) if len(parts) > 1 else 44100
                kbps = int(parts[2]) if len(parts) > 2 else 128
                audio = mp3_tone(duration, rate, kbps)

            def align(chars):
                starts = [round(0.1 + i * per_char, 3) for i in range(len(chars))]
                return {"characters": list(chars), "character_start_times_seconds": starts,
                        "character_end_times_seconds": [round(x + per_char, 3) for x in starts]}
            alignment = align(text)
            # The normalised text reads digits out, so its arrays differ from the text sent.
            normalized = align(spoken(text))
            if a.bad_alignment:
                alignment["character_end_times_seconds"] = alignment["character_end_times_seconds"][:-1]
            if a.alignment in ("null", "both-null"):
                alignment = None
            if a.alignment == "both-null":
                normalized = None
            if not m.group(3):
                return self.send(200, audio, "audio/mpeg" if fmt.startswith("mp3") else "audio/wav",
                                 headers={"request-id": "req_abc"})
            body = {"audio_base64": base64.b64encode(audio).decode(), "alignment": alignment,
                    "normalized_alignment": normalized}
            if m.group(2):
                self.start_chunked(200, "application/x-ndjson")
                self.chunk(json.dumps(body) + "\n")
                return self.end_chunks()
            self.send(200, body, headers={"request-id": "req_abc"})
        finally:
            with self.server.lock:
                self.server.state["active"] -= 1


if __name__ == "__main__":
    p = common.base_parser("ElevenLabs stand-in")
    p.add_argument("--key", default="sk_test_secret_key_123")
    p.add_argument("--quota", action="store_true", help="answer 401 quota_exceeded")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--bad-alignment", action="store_true")
    p.add_argument("--alignment", default="both", choices=["both", "null", "both-null"],
                   help="null: alignment is null (normalized_alignment only); both-null: neither")
    p.add_argument("--max-chars", type=int, default=0, help="400 max_character_limit_exceeded above this")
    p.add_argument("--characters-left", type=int, default=91000, help="for GET /v1/user/subscription")
    common.serve(H, {}, p)
