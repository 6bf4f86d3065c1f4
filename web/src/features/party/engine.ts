/**
 * The party sync engine: pure logic between the server's scheduled state and one media element.
 *
 * - Applies "play from P at server time T" at the right local time (via ClockSync).
 * - Small drift: a bounded playbackRate nudge (±5 % by default) with hysteresis (starts past
 *   `nudgeStartS`, stops inside `deadbandS`), so it converges without oscillating.
 * - Large drift: one corrective seek per command that aims ahead by the measured cost of a
 *   seek; drift is measured again only after the seek settled (seeked + playing + settle time),
 *   so a seek's own latency is never read as new drift (the Moonfin/Jellyfin re-seek loop).
 * - Media events the engine caused (its play/pause/seek) or that HLS raises by itself (a
 *   `pause`/`waiting` while buffering) are never reported as user actions; a stall is reported
 *   as {type:"buffering"} and recovery as {type:"ready"}.
 * - Live parties (no host): the target is a wall-clock moment, serverNow − liveDelayMs, compared
 *   with the stream's EXT-X-PROGRAM-DATE-TIME at the playhead (hls.js `playingDate`).
 *
 * No DOM, no timers: the caller calls tick() (every ~100 ms, and at nextWakeLocal()) and
 * onMediaEvent() for the element's events. Times: local ms from `now()`, media in seconds.
 */
import type { ClockSync } from "./clock";
import type { ClientMessage, PartyState } from "./protocol";

export interface MediaLike {
  currentTime: number;
  playbackRate: number;
  readonly paused: boolean;
  readonly seeking: boolean;
  /** HTMLMediaElement.readyState: ≥ 3 (HAVE_FUTURE_DATA) means it can play on. */
  readonly readyState: number;
  play(): unknown;
  pause(): void;
}

export type MediaEventName = "play" | "pause" | "seeking" | "seeked" | "waiting" | "playing" | "canplay";

export interface EngineOptions {
  deadbandS: number;
  nudgeStartS: number;
  maxNudge: number;
  /** rate change per second of drift (0.5: 100 ms ahead → 5 % slower) */
  gain: number;
  seekThresholdS: number;
  /** after a start-late seek whose cost was just measured: re-aim once if it landed this far off */
  refineThresholdS: number;
  /** paused/waiting: re-position when further than this from the group position */
  pausedToleranceS: number;
  settleMs: number;
  stallReportMs: number;
  /** first guess of what one seek costs while playing (then measured) */
  seekCostS: number;
  /** live parties: how far behind the wall clock everyone plays */
  liveDelayMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  deadbandS: 0.02,
  nudgeStartS: 0.05,
  maxNudge: 0.05,
  gain: 0.5,
  seekThresholdS: 1.0,
  refineThresholdS: 0.15,
  pausedToleranceS: 0.1,
  settleMs: 250,
  stallReportMs: 300,
  seekCostS: 0.25,
  liveDelayMs: 20000,
};

export interface EngineStats {
  /** corrective seeks (not counting the seek that applies a new position) */
  correctiveSeeks: number;
  /** seeks made to apply a state (seek command, snapping a pause) */
  applySeeks: number;
  lastDriftS: number;
  nudging: boolean;
  catchingUp: boolean;
  /** measured cost of a seek while playing, s */
  seekCostS: number;
}

type Expect = Partial<Record<MediaEventName, number>>;

export class SyncEngine {
  private target: PartyState | null = null;
  private opts: EngineOptions;
  private expect: Expect = {};
  private expectUntil = 0;
  private correctiveThisCommand = 0;
  private readySentFor = -1;
  private bufferingSent = false;
  private stalledSince: number | null = null;
  private settling: { since: number | null; measure: boolean; corrective?: boolean } | null = null;
  /** Right after a start-late seek landed (its cost now measured): a finer seek threshold. */
  private refine = false;
  private nudging = false;
  private applySeekDoneFor = -1;
  private lastCorrectiveAt = -Infinity;
  private liveDate: (() => number | null) | null = null;
  readonly stats: EngineStats;

  constructor(
    private readonly media: MediaLike,
    private readonly now: () => number,
    private readonly clock: ClockSync,
    private readonly send: (m: ClientMessage) => void,
    options: Partial<EngineOptions> = {},
    /** May this member send requests (host, or anyone when allowed)? */
    public canControl: () => boolean = () => false,
  ) {
    this.opts = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    this.stats = { correctiveSeeks: 0, applySeeks: 0, lastDriftS: 0, nudging: false, catchingUp: false, seekCostS: this.opts.seekCostS };
  }

  /** Live parties: the wall-clock time (Unix ms) of the frame at the playhead, from the stream. */
  setLiveDate(fn: (() => number | null) | null): void {
    this.liveDate = fn;
  }

  get state(): PartyState | null {
    return this.target;
  }

  /** A new authoritative state from the server. */
  apply(state: PartyState): void {
    if (this.target && state.seq < this.target.seq) return;
    const fresh = !this.target || state.seq !== this.target.seq;
    this.target = state;
    if (fresh) {
      this.correctiveThisCommand = 0;
      this.settling = null;
    }
    this.tick();
  }

  /** Local time (ms) at which the next scheduled change is due, or null. */
  nextWakeLocal(): number | null {
    const t = this.target;
    if (!t || t.live) return null;
    const local = this.clock.toLocal(t.at);
    return local > this.now() ? local : null;
  }

  /** Where the group is now, in media seconds (live: null). */
  expectedPosition(serverNow = this.clock.serverNow(this.now())): number | null {
    const t = this.target;
    if (!t || t.live) return null;
    const moving = t.playing ? serverNow >= t.at : serverNow < t.at;
    if (!moving) return t.position;
    return Math.max(0, t.position + ((serverNow - t.at) / 1000) * t.rate);
  }

  private shouldPlay(serverNow: number): boolean {
    const t = this.target!;
    if (t.live) return true;
    if (t.playing) return serverNow >= t.at;
    // A pause scheduled for later: keep playing until then (if we are playing).
    return serverNow < t.at && !this.media.paused;
  }

  private own(name: MediaEventName) {
    this.expect[name] = (this.expect[name] ?? 0) + 1;
    this.expectUntil = this.now() + 3000;
  }

  private doPlay() {
    if (!this.media.paused) return;
    this.own("play");
    const p = this.media.play();
    if (p && typeof (p as Promise<void>).catch === "function") (p as Promise<void>).catch(() => undefined);
  }

  private doPause() {
    if (this.media.paused) return;
    this.own("pause");
    this.media.pause();
  }

  private doSeek(to: number, corrective: boolean) {
    this.own("seeking");
    this.own("seeked");
    this.media.currentTime = Math.max(0, to);
    if (corrective) this.stats.correctiveSeeks++;
    else this.stats.applySeeks++;
  }

  private setRate(rate: number) {
    if (Math.abs(this.media.playbackRate - rate) > 1e-6) this.media.playbackRate = rate;
  }

  private markReady() {
    const t = this.target!;
    if (this.readySentFor === t.seq && !this.bufferingSent) return;
    this.readySentFor = t.seq;
    this.bufferingSent = false;
    this.send({ type: "ready", seq: t.seq });
  }

  /** Runs the control loop once. */
  tick(): void {
    const t = this.target;
    if (!t) return;
    const now = this.now();
    if (now > this.expectUntil) this.expect = {};
    const serverNow = this.clock.serverNow(now);
    const rateBase = t.live ? 1 : t.rate;

    // Stall tracking (a stall is never a user action: it is reported as buffering).
    const canPlayOn = this.media.readyState >= 3 && !this.media.seeking;
    if (!canPlayOn) {
      this.stalledSince ??= now;
    } else {
      this.stalledSince = null;
    }

    // A seek of ours in flight: measure nothing until it settled.
    if (this.settling) {
      if (this.media.seeking || this.media.readyState < 3) {
        this.settling.since = null;
        this.maybeReportStall(now);
        return;
      }
      if (this.shouldPlay(serverNow) && this.media.paused) this.doPlay();
      this.settling.since ??= now;
      // Only a seek whose landing is measured waits to settle (playing, a few hundred ms).
      if (this.settling.measure && now - this.settling.since < this.opts.settleMs) return;
      const s = this.settling;
      this.settling = null;
      if (s.measure) {
        // How far from the aim the seek landed is its cost: aim that much further next time.
        const landed = this.drift(serverNow);
        if (landed !== null && Math.abs(landed) < 5) {
          this.stats.seekCostS = Math.min(3, Math.max(0, this.stats.seekCostS - landed));
        }
        this.refine = !s.corrective;
      }
    }

    const play = this.shouldPlay(serverNow);
    if (!play) {
      this.setRate(rateBase);
      this.nudging = false;
      this.doPause();
      const pos = this.expectedPosition(serverNow)!;
      if (Math.abs(this.media.currentTime - pos) > this.opts.pausedToleranceS && this.applySeekDoneFor !== t.seq) {
        this.applySeekDoneFor = t.seq;
        this.doSeek(pos, false);
        this.settling = { since: null, measure: false };
        return;
      }
      if (canPlayOn) this.markReady();
      else this.maybeReportStall(now);
      return;
    }

    if (!canPlayOn) {
      this.maybeReportStall(now);
      if (this.media.paused) this.doPlay();
      return;
    }
    if (this.media.paused) {
      // Starting (late by more than a little): land on the group's position first.
      const d = this.drift(serverNow);
      if (d !== null && Math.abs(d) > this.opts.pausedToleranceS && this.applySeekDoneFor !== t.seq) {
        this.applySeekDoneFor = t.seq;
        this.doSeek(this.aim(serverNow), false);
        // Start at once: playback begins as the seek lands, so only the seek's cost is paid.
        this.doPlay();
        this.settling = { since: null, measure: true };
        return;
      }
      this.doPlay();
    }
    this.markReady();

    const drift = this.drift(serverNow);
    if (drift === null) return;
    this.stats.lastDriftS = drift;
    const abs = Math.abs(drift);
    // One corrective seek per command; a live party has one long "command", so there the budget
    // comes back after 10 s (still no loop: the seek's landing is measured before anything else).
    const budget = this.correctiveThisCommand < 1 || (t.live && now - this.lastCorrectiveAt > 10_000);
    const threshold = this.refine ? this.opts.refineThresholdS : this.opts.seekThresholdS;
    this.refine = false;
    if (abs >= threshold && budget) {
      this.correctiveThisCommand++;
      this.lastCorrectiveAt = now;
      this.setRate(rateBase);
      this.nudging = false;
      this.doSeek(this.aim(serverNow), true);
      this.settling = { since: null, measure: true, corrective: true };
      return;
    }
    if (this.nudging ? abs <= this.opts.deadbandS : abs < this.opts.nudgeStartS) {
      this.nudging = false;
      this.setRate(rateBase);
    } else {
      this.nudging = true;
      const k = Math.max(-this.opts.maxNudge, Math.min(this.opts.maxNudge, -drift * this.opts.gain));
      this.setRate(rateBase * (1 + k));
    }
    this.stats.nudging = this.nudging;
    this.stats.catchingUp = abs >= this.opts.seekThresholdS;
  }

  /** Where a corrective seek should aim: the group position plus what the seek will cost. */
  private aim(serverNow: number): number {
    const t = this.target!;
    if (t.live) {
      const d = this.drift(serverNow) ?? 0;
      return this.media.currentTime - d + this.stats.seekCostS;
    }
    return this.expectedPosition(serverNow)! + this.stats.seekCostS * t.rate;
  }

  /** Our position minus the group's, seconds (positive: ahead). */
  private drift(serverNow: number): number | null {
    const t = this.target!;
    if (t.live) {
      const date = this.liveDate?.();
      if (date == null) return null;
      return (date - (serverNow - this.opts.liveDelayMs)) / 1000;
    }
    return this.media.currentTime - this.expectedPosition(serverNow)!;
  }

  private maybeReportStall(now: number) {
    if (this.stalledSince === null || this.bufferingSent) return;
    if (now - this.stalledSince < this.opts.stallReportMs) return;
    // Only a stall while we should be moving holds the group.
    const serverNow = this.clock.serverNow(now);
    if (!this.target || !this.shouldPlay(serverNow)) return;
    this.bufferingSent = true;
    this.send({ type: "buffering" });
  }

  /**
   * One media element event. Events the engine caused, and those HLS raises while buffering,
   * are swallowed; a real user action (native controls, the PiP window's buttons, media keys)
   * becomes a request when this member may control playback.
   */
  onMediaEvent(name: MediaEventName): void {
    const n = this.expect[name] ?? 0;
    if (n > 0) {
      this.expect[name] = n - 1;
      return;
    }
    const t = this.target;
    if (!t || t.live) return;
    const serverNow = this.clock.serverNow(this.now());
    const stalled = this.media.readyState < 3 || this.media.seeking || this.stalledSince !== null;
    switch (name) {
      case "pause":
        if (stalled) return;  // HLS false pause
        if (this.shouldPlay(serverNow) && this.canControl()) this.send({ type: "request", action: "pause" });
        return;
      case "play":
        if (!t.playing && this.canControl()) this.send({ type: "request", action: "play" });
        return;
      case "seeking": {
        if (!this.canControl()) return;
        const expected = this.expectedPosition(serverNow) ?? 0;
        if (Math.abs(this.media.currentTime - expected) < 0.5) return;
        this.send({ type: "request", action: "seek", position: this.media.currentTime });
        return;
      }
      default:
        return;
    }
  }
}
