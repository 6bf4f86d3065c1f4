import { useEffect, useRef, useState } from "react";

/**
 * The player's quality-of-experience beacon (issue 19): time to first frame, stalls and playback
 * errors, sent in small batches to POST /api/v1/qoe every 30 s while there is something to say
 * and when the page goes away (navigator.sendBeacon). The server turns them into
 * beacon_player_* series in /metrics; nothing names the item or the viewer.
 */

export type QoeErrorClass = "network" | "decode" | "unsupported" | "aborted" | "other";

export interface QoeBatch {
  v: 1;
  startup_seconds?: number[];
  stalls?: number;
  stall_seconds?: number;
  errors?: Partial<Record<QoeErrorClass, number>>;
}

export const QOE_URL = "/api/v1/qoe";
export const QOE_FLUSH_MS = 30_000;
const MAX_STARTUPS = 20; // the server takes at most 20 per batch

/** Counts what one player goes through; `take()` hands over what was counted since last time. */
export class QoeTracker {
  private askedAt: number | null = null; // a play was asked for and no frame shown yet
  private started = false; // a frame was shown since the source loaded
  private stallAt: number | null = null;
  private startups: number[] = [];
  private stalls = 0;
  private stallMs = 0;
  private errors: Partial<Record<QoeErrorClass, number>> = {};

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A new source: the next play starts the clock again. */
  newSource(): void {
    this.endStall();
    this.askedAt = null;
    this.started = false;
  }

  /** The viewer (or autoplay) asked to play. */
  play(): void {
    if (!this.started && this.askedAt === null) this.askedAt = this.now();
  }

  /** Frames are moving (the media element's `playing`). */
  playing(): void {
    if (this.askedAt !== null) {
      if (this.startups.length < MAX_STARTUPS) {
        this.startups.push(Math.min(600, Math.max(0, (this.now() - this.askedAt) / 1000)));
      }
      this.askedAt = null;
    }
    this.started = true;
    this.endStall();
  }

  /** The element waits for data (`waiting`). A wait caused by a seek is not a stall. */
  waiting(seeking: boolean): void {
    if (!this.started || seeking || this.stallAt !== null) return;
    this.stallAt = this.now();
    this.stalls += 1;
  }

  /** Paused or ended: a stall in progress ends here. */
  stopped(): void {
    this.endStall();
  }

  error(cls: QoeErrorClass): void {
    this.errors[cls] = (this.errors[cls] ?? 0) + 1;
    this.askedAt = null;
    this.endStall();
  }

  /** What was counted since the last call (a stall in progress reports its time so far), or null. */
  take(): QoeBatch | null {
    if (this.stallAt !== null) {
      const t = this.now();
      this.stallMs += t - this.stallAt;
      this.stallAt = t;
    }
    const errors = Object.keys(this.errors).length > 0 ? this.errors : undefined;
    if (this.startups.length === 0 && this.stalls === 0 && this.stallMs <= 0 && !errors) return null;
    const batch: QoeBatch = { v: 1 };
    if (this.startups.length > 0) batch.startup_seconds = this.startups.map((s) => Math.round(s * 1000) / 1000);
    if (this.stalls > 0) batch.stalls = this.stalls;
    if (this.stallMs > 0) batch.stall_seconds = Math.round(this.stallMs) / 1000;
    if (errors) batch.errors = errors;
    this.startups = [];
    this.stalls = 0;
    this.stallMs = 0;
    this.errors = {};
    return batch;
  }

  private endStall(): void {
    if (this.stallAt === null) return;
    this.stallMs += this.now() - this.stallAt;
    this.stallAt = null;
  }
}

/** The class of a media element error (MediaError.code) or of the player's failure message. */
export function errorClass(code?: number, message = ""): QoeErrorClass {
  switch (code) {
    case 1: return "aborted";
    case 2: return "network";
    case 3: return "decode";
    case 4: return "unsupported";
  }
  if (/cannot play|not supported|unsupported/i.test(message)) return "unsupported";
  if (/LoadError|LoadTimeOut|network|manifest|levelEmpty/i.test(message)) return "network";
  if (/Parsing|bufferAppend|decode|media/i.test(message)) return "decode";
  return "other";
}

/** Sends a batch: sendBeacon (survives the page going away; text/plain holding JSON), else fetch. */
export function sendQoe(batch: QoeBatch, url = QOE_URL): void {
  const body = JSON.stringify(batch);
  try {
    if (typeof navigator !== "undefined" && typeof navigator.sendBeacon === "function" && navigator.sendBeacon(url, body)) {
      return;
    }
  } catch {
    // fall through to fetch
  }
  void fetch(url, { method: "POST", body, keepalive: true, credentials: "same-origin", headers: { "Content-Type": "text/plain" } })
    .catch(() => undefined);
}

/**
 * Wires a tracker to the player's video element for the life of the component: media events,
 * a 30 s flush and a last flush on pagehide and unmount. Returns the tracker (for errors the
 * player learns of other ways, e.g. hls.js).
 */
export function useQoe(video: () => HTMLVideoElement | null, src: string, send: (b: QoeBatch) => void = sendQoe): QoeTracker {
  const [tracker] = useState(() => new QoeTracker());
  const sendRef = useRef(send);
  sendRef.current = send;

  useEffect(() => {
    const t = tracker;
    const flush = () => {
      const b = t.take();
      if (b) sendRef.current(b);
    };
    const timer = setInterval(flush, QOE_FLUSH_MS);
    const onHide = () => flush();
    const onVisibility = () => document.visibilityState === "hidden" && flush();
    window.addEventListener("pagehide", onHide);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      clearInterval(timer);
      window.removeEventListener("pagehide", onHide);
      document.removeEventListener("visibilitychange", onVisibility);
      flush();
    };
  }, [tracker]);

  useEffect(() => {
    const v = video();
    const t = tracker;
    t.newSource();
    if (!v) return;
    const onPlay = () => t.play();
    const onPlaying = () => t.playing();
    const onWaiting = () => t.waiting(v.seeking);
    const onStopped = () => t.stopped();
    // With hls.js (a blob: source) the player reports failures itself, once, after its retries.
    const onError = () => !v.currentSrc.startsWith("blob:") && t.error(errorClass(v.error?.code, v.error?.message));
    v.addEventListener("play", onPlay);
    v.addEventListener("playing", onPlaying);
    v.addEventListener("waiting", onWaiting);
    v.addEventListener("pause", onStopped);
    v.addEventListener("ended", onStopped);
    v.addEventListener("error", onError);
    // Autoplay may have begun before this effect ran.
    if (!v.paused) t.play();
    return () => {
      v.removeEventListener("play", onPlay);
      v.removeEventListener("playing", onPlaying);
      v.removeEventListener("waiting", onWaiting);
      v.removeEventListener("pause", onStopped);
      v.removeEventListener("ended", onStopped);
      v.removeEventListener("error", onError);
    };
    // `video` reads a ref: the element is the same for the component's life; the source changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [src, tracker]);

  return tracker;
}
