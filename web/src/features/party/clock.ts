/**
 * NTP-style clock sync against the party server. Each exchange gives
 *   offset = ((t1 − t0) + (t2 − t3)) / 2,   delay = (t3 − t0) − (t2 − t1)
 * (t0/t3 local send/receive, t1/t2 server receive/send). The estimate is the sample with the
 * lowest delay among the last `keep` (8): a delayed or jittered reply never moves the clock,
 * and a path that got slower (an RTT spike) ages out after `keep` samples.
 */
export interface ClockSample {
  offset: number;
  delay: number;
  at: number;
}

export class ClockSync {
  private samples: ClockSample[] = [];
  constructor(private readonly keep = 8) {}

  /** Adds one exchange (all in milliseconds). */
  add(t0: number, t1: number, t2: number, t3: number): ClockSample {
    const s = { offset: (t1 - t0 + (t2 - t3)) / 2, delay: Math.max(0, t3 - t0 - (t2 - t1)), at: t3 };
    this.samples.push(s);
    if (this.samples.length > this.keep) this.samples.shift();
    return s;
  }

  get ready(): boolean {
    return this.samples.length > 0;
  }

  private best(): ClockSample | null {
    let best: ClockSample | null = null;
    for (const s of this.samples) if (!best || s.delay < best.delay) best = s;
    return best;
  }

  /** server time − local time, in ms (0 before the first sample). */
  get offset(): number {
    return this.best()?.offset ?? 0;
  }

  /** Round-trip time of the best sample, ms (what the server uses to schedule commands). */
  get rtt(): number {
    return this.best()?.delay ?? 0;
  }

  serverNow(localNow: number): number {
    return localNow + this.offset;
  }

  toLocal(serverTime: number): number {
    return serverTime - this.offset;
  }

  /** How many samples are held (ping quickly until `keep`, then slowly). */
  get count(): number {
    return this.samples.length;
  }
}
