import { describe, expect, it } from "vitest";
import { duck } from "./pip";

/** A stand-in iframe: its src and what its window was sent, to whom. */
function frame(src: string) {
  const sent: { msg: unknown; origin: string }[] = [];
  const f = { src, contentWindow: { postMessage: (msg: unknown, origin: string) => sent.push({ msg, origin }) } };
  return { f: f as unknown as HTMLIFrameElement, sent };
}

describe("duck", () => {
  it("speaks the Arcade SDK's audio message, to the game's origin only", () => {
    const { f, sent } = frame("http://g7.localhost:8091/play/7/2/index.html");
    duck(f, 0.3);
    duck(f, 1);
    duck(f, 0);
    expect(sent).toEqual([
      { msg: { beacon: "host", type: "audio", enabled: true, level: 0.3 }, origin: "http://g7.localhost:8091" },
      { msg: { beacon: "host", type: "audio", enabled: true, level: 1 }, origin: "http://g7.localhost:8091" },
      { msg: { beacon: "host", type: "audio", enabled: false, level: 0 }, origin: "http://g7.localhost:8091" },
    ]);
  });

  it("clamps the level and does nothing without a frame", () => {
    const { f, sent } = frame("http://g1.localhost:8091/play/1/1/index.html");
    duck(f, 4);
    duck(null, 0.5);
    expect(sent).toEqual([{ msg: { beacon: "host", type: "audio", enabled: true, level: 1 }, origin: "http://g1.localhost:8091" }]);
  });

  it("posts from the PiP window's own code when the window has the relay (the SDK takes its parent's messages only)", () => {
    const { f, sent } = frame("http://g2.localhost:8091/play/2/1/index.html");
    const relayed: { frame: unknown; msg: unknown; origin: string }[] = [];
    const view = { beaconRelay: (fr: unknown, msg: unknown, origin: string) => relayed.push({ frame: fr, msg, origin }) };
    Object.defineProperty(f, "ownerDocument", { value: { defaultView: view } });
    duck(f, 0.5);
    expect(sent).toHaveLength(0);
    expect(relayed).toEqual([{ frame: f, msg: { beacon: "host", type: "audio", enabled: true, level: 0.5 }, origin: "http://g2.localhost:8091" }]);
  });
});
