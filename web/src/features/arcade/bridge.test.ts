import { describe, expect, it, vi } from "vitest";
import { GameBridge } from "./bridge";

const ORIGIN = "http://g7.localhost:8091";

function setup() {
  const posted: { msg: Record<string, unknown>; target: string }[] = [];
  const frame = { postMessage: (msg: Record<string, unknown>, target: string) => posted.push({ msg, target }) } as unknown as Window;
  const saves: string[] = [];
  const store = { load: vi.fn(async () => saves.at(-1) ?? null), save: vi.fn(async (d: string) => void saves.push(d)) };
  const onReady = vi.fn();
  const bridge = new GameBridge(() => frame, ORIGIN, store, { onReady });
  return { bridge, frame, posted, store, onReady };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("GameBridge", () => {
  it("saves and loads for the game's own frame and origin, replying to that origin only", async () => {
    const { bridge, frame, posted, store } = setup();
    expect(bridge.handle({ source: frame, origin: ORIGIN, data: { beacon: "game", type: "save", id: 1, data: "lvl=3" } })).toBe(true);
    await flush();
    expect(store.save).toHaveBeenCalledWith("lvl=3");
    bridge.handle({ source: frame, origin: ORIGIN, data: { beacon: "game", type: "load", id: 2 } });
    await flush();
    const replies = posted.filter((p) => p.msg.type === "reply");
    expect(replies.map((r) => [r.msg.id, r.msg.data])).toEqual([[1, true], [2, "lvl=3"]]);
    expect(posted.every((p) => p.target === ORIGIN && p.msg.beacon === "host")).toBe(true);
    expect(bridge.sdk).toBe(true);
  });

  it("ignores forged messages: another origin, another window, or not an SDK message", async () => {
    const { bridge, frame, store, onReady } = setup();
    const other = {} as Window;
    expect(bridge.handle({ source: frame, origin: "http://g8.localhost:8091", data: { beacon: "game", type: "save", id: 1, data: "x" } })).toBe(false);
    expect(bridge.handle({ source: other, origin: ORIGIN, data: { beacon: "game", type: "save", id: 1, data: "x" } })).toBe(false);
    expect(bridge.handle({ source: null, origin: ORIGIN, data: { beacon: "game", type: "ready" } })).toBe(false);
    expect(bridge.handle({ source: frame, origin: ORIGIN, data: "save" })).toBe(false);
    expect(bridge.handle({ source: frame, origin: ORIGIN, data: { beacon: "host", type: "ready" } })).toBe(false);
    await flush();
    expect(store.save).not.toHaveBeenCalled();
    expect(onReady).not.toHaveBeenCalled();
    expect(bridge.sdk).toBe(false);
  });

  it("refuses a save that is not a string or too large, without storing it", async () => {
    const { bridge, frame, posted, store } = setup();
    bridge.handle({ source: frame, origin: ORIGIN, data: { beacon: "game", type: "save", id: 5, data: { a: 1 } } });
    bridge.handle({ source: frame, origin: ORIGIN, data: { beacon: "game", type: "save", id: 6, data: "x".repeat((1 << 20) + 1) } });
    await flush();
    expect(store.save).not.toHaveBeenCalled();
    expect(posted.filter((p) => p.msg.type === "reply").map((p) => [p.msg.id, typeof p.msg.error])).toEqual([[5, "string"], [6, "string"]]);
  });

  it("sends pause, resume and ducked audio to the game", () => {
    const { bridge, posted } = setup();
    bridge.pause();
    bridge.resume();
    bridge.setAudio(true, 0.2);
    bridge.setAudio(false);
    expect(posted.map((p) => p.msg)).toEqual([
      { beacon: "host", type: "pause" },
      { beacon: "host", type: "resume" },
      { beacon: "host", type: "audio", enabled: true, level: 0.2 },
      { beacon: "host", type: "audio", enabled: false, level: 0 },
    ]);
  });

  it("a restarted game (moved into or out of Picture-in-Picture) is greeted again with the host's state", () => {
    const posted: Record<string, unknown>[] = [];
    const frame = { postMessage: (msg: Record<string, unknown>) => posted.push(msg) } as unknown as Window;
    const onConnected = vi.fn();
    const bridge = new GameBridge(() => frame, ORIGIN, { load: async () => null, save: async () => undefined }, { onConnected });
    const hello = { data: { beacon: "game", type: "hello" }, origin: ORIGIN, source: frame };
    expect(bridge.handle(hello)).toBe(true);
    expect(onConnected).toHaveBeenCalledOnce();
    bridge.pause();
    posted.length = 0;
    // Without a restart a second greeting is just a greeting.
    bridge.handle(hello);
    expect(onConnected).toHaveBeenCalledOnce();
    expect(posted.some((m) => m.type === "pause")).toBe(false);
    // The new copy is connected anew and told it is paused.
    bridge.restart();
    posted.length = 0;
    bridge.handle(hello);
    expect(onConnected).toHaveBeenCalledTimes(2);
    expect(posted).toContainEqual({ beacon: "host", type: "pause" });
  });

  it("answers through the relay when one is set (a game in the Picture-in-Picture window)", () => {
    const { bridge, posted } = setup();
    const relayed: { msg: Record<string, unknown>; origin: string }[] = [];
    bridge.relay = (msg, origin) => relayed.push({ msg, origin });
    bridge.pause();
    expect(relayed).toEqual([{ msg: { beacon: "host", type: "pause" }, origin: ORIGIN }]);
    expect(posted).toHaveLength(0);
    bridge.relay = null;
    bridge.resume();
    expect(posted.map((p) => p.msg)).toEqual([{ beacon: "host", type: "resume" }]);
  });
});
