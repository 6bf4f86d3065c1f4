import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PartyClient } from "./client";

/** A WebSocket stand-in: records URLs and sent messages; the test plays the server. */
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  push(m: unknown) {
    this.onmessage?.({ data: JSON.stringify(m) });
  }
  drop() {
    this.readyState = 3;
    this.onclose?.();
  }
}

const state = (seq: number) => ({ type: "state", v: 1, seq, state: "paused", playing: false, position: 3, at: 1000, rate: 1, audio: "", captions: "", live: false, by: "", reason: "pause", waiting_for: [] });

describe("PartyClient", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    vi.useFakeTimers();
    sessionStorage.clear();
  });
  afterEach(() => vi.useRealTimers());

  it("joins with the invite, reconnects as the same member and resumes after the last seq", () => {
    let now = 5000;
    const c = new PartyClient({ partyId: "p1", invite: "pi1.x", name: "Ann B", WebSocketImpl: FakeSocket as unknown as typeof WebSocket, baseUrl: "ws://h", now: () => now });
    const states: number[] = [];
    c.onState = (s) => states.push(s.seq);
    c.start();
    const ws = FakeSocket.all[0];
    expect(ws.url).toBe("ws://h/api/v1/parties/p1/ws?invite=pi1.x&name=Ann+B");
    ws.open();
    ws.push({ type: "hello", v: 1, you: { id: 4, name: "Ann B", rejoin: "s3cret" }, party: { host: 1, anyone_controls: false, live: false }, state: state(2), chat: [], seq: 5, server_time: 0 });
    ws.push({ type: "chat", v: 1, seq: 6, from: 1, name: "Hana", text: "hi", at: 1 });
    ws.push(state(7));
    expect(states).toEqual([2, 7]);
    expect(c.getSnapshot().chat.map((m) => m.text)).toEqual(["hi"]);
    expect(c.canControl()).toBe(false);

    // The clock: the first ping goes out at once; the answer becomes a sample.
    vi.advanceTimersByTime(0);
    const ping = ws.sent.find((m) => (m as { type: string }).type === "time") as { id: number; t0: number };
    expect(ping.t0).toBe(5000);
    now = 5010;
    ws.push({ type: "time", v: 1, id: ping.id, t0: ping.t0, t1: 6005, t2: 6005 });
    expect(c.clock.offset).toBe(1000);
    expect(c.clock.rtt).toBe(10);

    ws.drop();
    expect(c.getSnapshot().status).toBe("reconnecting");
    vi.advanceTimersByTime(500);
    const again = FakeSocket.all[1];
    const q = new URL(again.url.replace("ws:", "http:")).searchParams;
    expect(q.get("member")).toBe("4");
    expect(q.get("rejoin")).toBe("s3cret");
    expect(q.get("after")).toBe("7");
    // A replayed chat message is not shown twice.
    again.open();
    again.push({ type: "chat", v: 1, seq: 6, from: 1, name: "Hana", text: "hi", at: 1 });
    expect(c.getSnapshot().chat).toHaveLength(1);
  });

  it("stops for good when the party ends", () => {
    const c = new PartyClient({ partyId: "p2", name: "Bo", WebSocketImpl: FakeSocket as unknown as typeof WebSocket, baseUrl: "ws://h" });
    c.start();
    FakeSocket.all[0].open();
    FakeSocket.all[0].push({ type: "ended", v: 1, seq: 9, reason: "ended by the owner" });
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(c.getSnapshot().status).toBe("ended");
  });
});
