import { describe, expect, it } from "vitest";
import { errorClass, QoeTracker } from "./qoe";

function clock() {
  let t = 1000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("QoE tracker", () => {
  it("measures startup from the play request to the first frame, once per source", () => {
    const c = clock();
    const q = new QoeTracker(c.now);
    expect(q.take()).toBeNull(); // nothing to say: nothing is sent
    q.play();
    c.advance(850);
    q.playing();
    q.stopped(); // pause
    q.play(); // resuming is not a startup
    c.advance(100);
    q.playing();
    expect(q.take()).toEqual({ v: 1, startup_seconds: [0.85] });
    expect(q.take()).toBeNull();
    q.newSource(); // e.g. the held cut: a new start
    q.play();
    c.advance(1200);
    q.playing();
    expect(q.take()?.startup_seconds).toEqual([1.2]);
  });

  it("counts stalls after the first frame, not waits for a seek or before starting", () => {
    const c = clock();
    const q = new QoeTracker(c.now);
    q.play();
    q.waiting(false); // initial buffering belongs to startup
    c.advance(500);
    q.playing();
    q.take();
    q.waiting(true); // seeking
    c.advance(300);
    q.playing();
    expect(q.take()).toBeNull();
    q.waiting(false);
    q.waiting(false); // the same stall
    c.advance(2000);
    q.playing();
    q.waiting(false);
    c.advance(500);
    q.stopped();
    expect(q.take()).toEqual({ v: 1, stalls: 2, stall_seconds: 2.5 });
  });

  it("reports a stall in progress in the batch it falls in, and the rest later", () => {
    const c = clock();
    const q = new QoeTracker(c.now);
    q.play();
    q.playing();
    q.take();
    q.waiting(false);
    c.advance(1500);
    expect(q.take()).toEqual({ v: 1, stalls: 1, stall_seconds: 1.5 });
    c.advance(700);
    q.playing();
    expect(q.take()).toEqual({ v: 1, stall_seconds: 0.7 });
  });

  it("counts errors by class and stops the startup clock", () => {
    const c = clock();
    const q = new QoeTracker(c.now);
    q.play();
    q.error(errorClass(undefined, "Playback failed: fragLoadError"));
    q.error("network");
    q.error(errorClass(3));
    c.advance(5000);
    q.playing();
    expect(q.take()).toEqual({ v: 1, errors: { network: 2, decode: 1 } });
  });

  it("keeps a batch within the server's limit of 20 startups", () => {
    const q = new QoeTracker(clock().now);
    for (let i = 0; i < 25; i++) {
      q.newSource();
      q.play();
      q.playing();
    }
    expect(q.take()?.startup_seconds).toHaveLength(20);
  });
});

describe("error classes", () => {
  it("maps media error codes and the player's messages to the server's classes", () => {
    expect(errorClass(1)).toBe("aborted");
    expect(errorClass(2)).toBe("network");
    expect(errorClass(3)).toBe("decode");
    expect(errorClass(4)).toBe("unsupported");
    expect(errorClass(undefined, "Playback failed: manifestLoadError")).toBe("network");
    expect(errorClass(undefined, "Playback failed: bufferAppendError")).toBe("decode");
    expect(errorClass(undefined, "This browser cannot play HLS streams.")).toBe("unsupported");
    expect(errorClass(undefined, "Playback failed: something new")).toBe("other");
  });
});
