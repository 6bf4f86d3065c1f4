#!/usr/bin/env python3
"""GStreamer playbin reading one URL for a while, with every rendered buffer counted exactly.

usage: gst_playbin.py URL SECONDS

playbin (the same element gst-launch, Totem and other GStreamer players use) plays URL with
clock-synced fake sinks for audio and video. Each buffer a sink renders is counted by its
`handoff` signal in the streaming thread and printed as one line:

    video <CLOCK_MONOTONIC seconds> <pts seconds> <duration seconds>

Bus warnings and errors are printed as `WARNING <element>: <text>` / `ERROR ...` lines, so
the caller can match them like any other client's log. The process exits 0 after SECONDS,
1 on a pipeline error.

Why not `gst-launch-1.0 -v playbin ... fakesink silent=false`: that prints the sinks'
`last-message` property from its main loop, which reads the property after the fact; when two
buffers are rendered before it gets there, one is never printed (about one video frame in
forty went missing that way while every frame was rendered).
"""
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


def main():
    url, seconds = sys.argv[1], float(sys.argv[2])
    Gst.init(None)
    pipe = Gst.ElementFactory.make("playbin")
    if pipe is None:
        print("ERROR playbin: the playbin element is not installed", flush=True)
        return 1
    pipe.set_property("uri", url)
    lines = []   # written from the streaming threads; list.append is atomic

    def sink(kind):
        s = Gst.ElementFactory.make("fakesink", f"{kind}sink")
        s.set_property("sync", True)
        s.set_property("signal-handoffs", True)

        def handoff(_el, buf, _pad):
            pts = buf.pts / 1e9 if buf.pts != Gst.CLOCK_TIME_NONE else -1.0
            dur = buf.duration / 1e9 if buf.duration != Gst.CLOCK_TIME_NONE else 0.0
            lines.append(f"{kind} {time.monotonic():.6f} {pts:.6f} {dur:.6f}")

        s.connect("handoff", handoff)
        return s

    pipe.set_property("video-sink", sink("video"))
    pipe.set_property("audio-sink", sink("audio"))
    bus = pipe.get_bus()
    pipe.set_state(Gst.State.PLAYING)
    end = time.monotonic() + seconds
    rc = 0
    out = sys.stdout
    while time.monotonic() < end:
        msg = bus.timed_pop(50 * Gst.MSECOND)
        while lines:
            out.write(lines.pop(0) + "\n")
        out.flush()
        if msg is None:
            continue
        if msg.type == Gst.MessageType.WARNING:
            err, dbg = msg.parse_warning()
            print(f"WARNING {msg.src.get_name()}: {err.message} ({dbg})", flush=True)
        elif msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            print(f"ERROR {msg.src.get_name()}: {err.message} ({dbg})", flush=True)
            rc = 1
            break
        elif msg.type == Gst.MessageType.EOS:
            print("EOS", flush=True)
            break
    pipe.set_state(Gst.State.NULL)
    while lines:
        out.write(lines.pop(0) + "\n")
    out.flush()
    return rc


if __name__ == "__main__":
    sys.exit(main())
