#!/usr/bin/env python3
"""Runs one of the protocol-faithful stand-ins in tests/doubles/ for the parallelism bench, with
two bench-only adjustments that change no protocol shape:

* `--as ollama --scenes N`: the Ollama stand-in answers a script with N scenes (distinct
  descriptions and one narration line each, durations summing to --duration) instead of the
  schema's minimum of one scene. The answer is still the schema-shaped JSON string in
  message.content, streamed as NDJSON like the stand-in does.
* `--as comfyui`: the stand-in's PNG maker is replaced by one producing byte-identical PNGs
  without a per-pixel Python loop (about 1.5 s of CPU per 1280x720 frame on this machine), so a
  picture costs the --delay chosen and not the stand-in's own Python time.

Every other switch (--delay, --step-delay, --concurrency, ...) goes to the stand-in unchanged.
Prints `PORT <n>` like the stand-ins do.
"""
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "doubles"))

import common  # noqa: E402


def fast_png_bytes(width, height, seed=0):
    """Byte-identical to common.png_bytes, built row by row with slice assignment."""
    reds = bytes((x * 255 // max(1, width - 1) + seed) % 256 for x in range(width))
    blue = (seed * 7) % 256
    rows = []
    for y in range(height):
        row = bytearray(1 + 3 * width)
        row[1::3] = reds
        row[2::3] = bytes([(y * 255 // max(1, height - 1)) % 256]) * width
        row[3::3] = bytes([blue]) * width
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 6)) +
            chunk(b"IEND", b""))


SUBJECTS = ["a lighthouse on a black cliff", "storm clouds gathering over the sea",
            "the keeper climbing the spiral stairs", "the lamp turning the storm away",
            "a fishing boat in the lee of the rocks", "dawn over a calm emerald sea",
            "gulls over the harbour wall", "the keeper's log book by lamplight"]


def main():
    who = None
    scenes = 4
    duration = 20.0
    rest = []
    args = sys.argv[1:]
    i = 0
    while i < len(args):
        if args[i] == "--as":
            who = args[i + 1]
            i += 2
        elif args[i] == "--scenes":
            scenes = int(args[i + 1])
            i += 2
        elif args[i] == "--duration":
            duration = float(args[i + 1])
            i += 2
        else:
            rest.append(args[i])
            i += 1
    sys.argv = [sys.argv[0]] + rest
    assert fast_png_bytes(37, 11, 5) == common.png_bytes(37, 11, 5)
    if who == "ollama":
        import ollama_double as d
        original = d.shaped

        def shaped(schema, name="value"):
            value = original(schema, name)
            if isinstance(value, dict) and isinstance(value.get("scenes"), list) and value["scenes"]:
                template = value["scenes"][0]
                out = []
                for n in range(scenes):
                    s = dict(template)
                    subject = SUBJECTS[n % len(SUBJECTS)]
                    s["id"] = n + 1
                    s["description"] = "Wide shot of %s, emerald light" % subject
                    s["duration"] = round(duration / scenes, 3)
                    s["actions"] = ["the camera drifts towards %s" % subject]
                    s["lines"] = ["Scene %d: here is %s, told in one calm line." % (n + 1, subject)]
                    out.append(s)
                value["scenes"] = out
                if "title" in value:
                    value["title"] = "The Storm Keeper"
            return value

        d.shaped = shaped
        p = common.base_parser("Ollama stand-in (bench: %d scenes)" % scenes)
        p.add_argument("--models", default="llama3.2:latest")
        p.add_argument("--answer", default="schema")
        p.add_argument("--busy", action="store_true")
        p.add_argument("--midstream-error", action="store_true")
        p.add_argument("--token-delay", type=float, default=0.0)
        p.add_argument("--garbage-tags", action="store_true")
        common.serve(d.H, {}, p)
    elif who == "comfyui":
        import comfyui_double as d
        common.png_bytes = fast_png_bytes
        p = common.base_parser("ComfyUI stand-in (bench)")
        p.add_argument("--checkpoints",
                       default="v1-5-pruned-emaonly.safetensors,sdxl_base_1.0.safetensors")
        p.add_argument("--step-delay", type=float, default=0.005)
        p.add_argument("--exec-error", action="store_true")
        p.add_argument("--no-ws", action="store_true")
        p.add_argument("--view-garbage", action="store_true")
        common.serve(d.H, d.State(), p)
    elif who == "elevenlabs":
        import elevenlabs_double as d
        p = common.base_parser("ElevenLabs stand-in (bench)")
        p.add_argument("--key", default="sk_test_secret_key_123")
        p.add_argument("--quota", action="store_true")
        p.add_argument("--concurrency", type=int, default=2)
        p.add_argument("--bad-alignment", action="store_true")
        common.serve(d.H, {}, p)
    else:
        sys.exit("usage: bench_doubles.py --as ollama|comfyui|elevenlabs [switches]")


if __name__ == "__main__":
    main()
