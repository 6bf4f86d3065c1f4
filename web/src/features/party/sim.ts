/**
 * A simulated world for the sync engine: one reference clock (the server's), members with their
 * own skewed local clocks, network latency with jitter, and a media element whose seeks, play
 * starts and stalls take time and whose events arrive asynchronously, like a browser's.
 * Used by the unit tests and by bench/party (which measures the engine the same way).
 */
import { ClockSync } from "./clock";
import { SyncEngine, type EngineOptions, type MediaEventName, type MediaLike } from "./engine";
import type { ClientMessage, PartyState } from "./protocol";

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimMedia implements MediaLike {
  playbackRate = 1;
  paused = true;
  seeking = false;
  readyState = 4;
  private time = 0;
  private seekDoneAt = 0;
  private playFrom = 0;
  private stallUntil = 0;
  private queue: MediaEventName[] = [];
  /** Every event, for assertions. */
  readonly log: { at: number; name: MediaEventName }[] = [];

  constructor(
    private readonly simNow: () => number,
    public seekLatencyMs = 200,
    public playLatencyMs = 30,
  ) {}

  get currentTime(): number {
    return this.time;
  }
  set currentTime(v: number) {
    this.time = v;
    this.seeking = true;
    this.readyState = 1;
    this.seekDoneAt = this.simNow() + this.seekLatencyMs;
    this.emit("seeking");
  }
  play(): Promise<void> {
    if (this.paused) {
      this.paused = false;
      this.playFrom = this.simNow() + this.playLatencyMs;
      this.emit("play");
    }
    return Promise.resolve();
  }
  pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.emit("pause");
    }
  }
  /** The network starves the player for `ms` (HLS buffer underrun). */
  stall(ms: number): void {
    this.stallUntil = this.simNow() + ms;
    this.readyState = 2;
    this.emit("waiting");
    // HLS players often raise a spurious pause while buffering.
    this.emit("pause");
  }
  /** A user action on the element itself (native controls, PiP window buttons). */
  userPause(): void {
    this.pause();
  }
  userSeek(to: number): void {
    this.currentTime = to;
  }
  private emit(name: MediaEventName) {
    this.queue.push(name);
  }
  /** Advances by `dt` ms (sim time is advanced by the caller); returns queued events. */
  step(dt: number): MediaEventName[] {
    const now = this.simNow();
    if (this.seeking && now >= this.seekDoneAt && now >= this.stallUntil) {
      this.seeking = false;
      this.readyState = 4;
      this.emit("seeked");
      if (!this.paused) this.emit("playing");
    } else if (!this.seeking && this.readyState < 3 && now >= this.stallUntil) {
      this.readyState = 4;
      this.emit("canplay");
      if (!this.paused) this.emit("playing");
    }
    if (!this.paused && !this.seeking && this.readyState >= 3 && now >= this.playFrom) {
      this.time += (dt / 1000) * this.playbackRate;
    }
    const out = this.queue;
    this.queue = [];
    for (const name of out) this.log.push({ at: now, name });
    return out;
  }
}

export interface SimMemberSpec {
  /** local clock − server clock, ms */
  skewMs: number;
  /** one-way network latency, ms, and extra random jitter (0..jitterMs) */
  latencyMs: number;
  jitterMs: number;
  seekLatencyMs: number;
  playLatencyMs: number;
}

export class SimMember {
  readonly media: SimMedia;
  readonly clock = new ClockSync();
  readonly engine: SyncEngine;
  readonly sent: { at: number; msg: ClientMessage }[] = [];
  private inbox: { due: number; state: PartyState }[] = [];
  private nextTick = 0;

  constructor(
    private readonly world: SimWorld,
    readonly spec: SimMemberSpec,
    options: Partial<EngineOptions> = {},
    canControl = false,
  ) {
    this.media = new SimMedia(() => world.now, spec.seekLatencyMs, spec.playLatencyMs);
    this.engine = new SyncEngine(this.media, () => this.localNow(), this.clock,
      (msg) => this.sent.push({ at: world.now, msg }), options, () => canControl);
  }
  localNow(): number {
    return this.world.now + this.spec.skewMs;
  }
  private oneWay(): number {
    return this.spec.latencyMs + this.world.random() * this.spec.jitterMs;
  }
  /** One NTP-style exchange over the simulated network. */
  ping(): void {
    const t0 = this.localNow();
    const up = this.oneWay();
    const serverAt = this.world.now + up;
    const back = this.oneWay();
    const t3 = t0 + up + back;
    this.clock.add(t0, serverAt, serverAt, t3);
  }
  /** The server sends a state now; it arrives after the network latency. */
  deliver(state: PartyState): void {
    this.inbox.push({ due: this.world.now + this.oneWay(), state });
  }
  step(dt: number): void {
    for (const m of this.inbox.filter((m) => m.due <= this.world.now)) this.engine.apply(m.state);
    this.inbox = this.inbox.filter((m) => m.due > this.world.now);
    for (const e of this.media.step(dt)) this.engine.onMediaEvent(e);
    const wake = this.engine.nextWakeLocal();
    if (this.world.now >= this.nextTick || (wake !== null && this.localNow() >= wake)) {
      this.engine.tick();
      this.nextTick = this.world.now + 100;
    }
  }
  /** Position error against the reference (server) timeline, seconds. */
  error(state: PartyState): number {
    const moving = state.playing && this.world.now >= state.at;
    const ref = moving ? state.position + ((this.world.now - state.at) / 1000) * state.rate : state.position;
    return this.media.currentTime - ref;
  }
}

export class SimWorld {
  now = 1_700_000_000_000;
  readonly random: () => number;
  readonly members: SimMember[] = [];
  private seq = 0;
  constructor(seed = 1) {
    this.random = rng(seed);
  }
  add(spec: Partial<SimMemberSpec>, options: Partial<EngineOptions> = {}, canControl = false): SimMember {
    const m = new SimMember(this, {
      skewMs: 0, latencyMs: 5, jitterMs: 5, seekLatencyMs: 200, playLatencyMs: 30, ...spec,
    }, options, canControl);
    this.members.push(m);
    return m;
  }
  run(ms: number, each?: () => void, dt = 10): void {
    for (let t = 0; t < ms; t += dt) {
      this.now += dt;
      for (const m of this.members) m.step(dt);
      each?.();
    }
  }
  /** A state as the server makes it (the scheduling rule: now + max(2 × highest RTT, 500 ms)). */
  state(p: Partial<PartyState>): PartyState {
    const rtt = Math.max(0, ...this.members.map((m) => m.clock.rtt));
    return {
      type: "state", v: 1, seq: ++this.seq, state: "playing", playing: true, position: 0,
      at: this.now + Math.max(2 * rtt, 500), rate: 1, audio: "", captions: "", live: false,
      by: "1", reason: "play", waiting_for: [], ...p,
    };
  }
  broadcast(state: PartyState): void {
    for (const m of this.members) m.deliver(state);
  }
}
