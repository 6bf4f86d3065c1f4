import type { QueryClient } from "@tanstack/react-query";
import type { Content, Job, JobLogLine, Page, Playlist, ServerEvent } from "./types";
import { qk } from "./keys";

/** Most log lines kept per job in the cache (the server keeps the full log). */
export const MAX_LOG_LINES = 1000;

/** Appends a log line unless a line with the same id is already there; keeps order by id. */
export function appendLog(lines: JobLogLine[] | undefined, line: JobLogLine): JobLogLine[] {
  const list = lines ?? [];
  if (list.some((l) => l.id === line.id)) return list;
  const next = [...list, line];
  if (next.length > 1 && next[next.length - 2].id > line.id) next.sort((a, b) => a.id - b.id);
  return next.length > MAX_LOG_LINES ? next.slice(next.length - MAX_LOG_LINES) : next;
}

/** Merges an updated job into the cached one, keeping logs/stages/assets the update lacks. */
export function mergeJob(old: Job | undefined, incoming: Job): Job {
  if (!old) return incoming;
  const merged: Job = { ...old, ...incoming };
  if (!incoming.logs) merged.logs = old.logs;
  else if (old.logs) {
    let l = old.logs;
    for (const line of incoming.logs) l = appendLog(l, line);
    merged.logs = l;
  }
  if (!incoming.stages) merged.stages = old.stages;
  if (!incoming.assets) merged.assets = old.assets;
  return merged;
}

function replaceInPage<T extends { id: number }>(page: Page<T> | undefined, item: T): { page: Page<T> | undefined; found: boolean } {
  if (!page?.items) return { page, found: false };
  let found = false;
  const items = page.items.map((x) => {
    if (x.id !== item.id) return x;
    found = true;
    return { ...x, ...item };
  });
  return { page: found ? { ...page, items } : page, found };
}

/**
 * Applies one server event to the query cache: the single place where live updates
 * become cached server state. Returns the event's seq so the caller can resume after it.
 */
export function applyEvent(qc: QueryClient, ev: ServerEvent): number {
  switch (ev.type) {
    case "job.updated": {
      const job = ev.data;
      const before = qc.getQueryData<Job>(qk.job(job.id));
      qc.setQueryData<Job>(qk.job(job.id), (old) => (old ? mergeJob(old, job) : old));
      // Updates carry the job row, not its stage outputs: when it moves on, fetch the detail
      // (script, scenes, timings) again. In-flight fetches are shared, so bursts cost one request.
      if (before && !(job as Job).stages && (before.status !== job.status || before.progress !== job.progress || before.preview_url !== job.preview_url)) {
        void qc.invalidateQueries({ queryKey: qk.job(job.id), exact: true });
      }
      let missing = false;
      for (const [key, page] of qc.getQueriesData<Page<Job>>({ queryKey: qk.jobsAll })) {
        const r = replaceInPage(page, job);
        if (r.found) qc.setQueryData(key, r.page);
        else missing = true;
      }
      if (missing) void qc.invalidateQueries({ queryKey: qk.jobsAll });
      if (job.status === "completed") void qc.invalidateQueries({ queryKey: qk.contentAll });
      break;
    }
    case "job.log": {
      const line = ev.data;
      qc.setQueryData<Job>(qk.job(line.job_id), (old) => (old ? { ...old, logs: appendLog(old.logs, line) } : old));
      break;
    }
    case "content.updated": {
      const c = ev.data;
      qc.setQueryData<Content>(qk.contentItem(c.id), (old) => (old ? { ...old, ...c } : old));
      let missing = false;
      for (const [key, page] of qc.getQueriesData<Page<Content>>({ queryKey: qk.contentAll })) {
        const r = replaceInPage(page, c);
        if (r.found) qc.setQueryData(key, r.page);
        else missing = true;
      }
      if (missing) void qc.invalidateQueries({ queryKey: qk.contentAll });
      break;
    }
    case "content.deleted": {
      const id = ev.data.id;
      qc.removeQueries({ queryKey: qk.contentItem(id) });
      for (const [key, page] of qc.getQueriesData<Page<Content>>({ queryKey: qk.contentAll })) {
        if (!page?.items?.some((x) => x.id === id)) continue;
        qc.setQueryData<Page<Content>>(key, { ...page, items: page.items.filter((x) => x.id !== id), total: Math.max(0, page.total - 1) });
      }
      void qc.invalidateQueries({ queryKey: qk.playlists });
      break;
    }
    case "playlist.updated": {
      const p = ev.data;
      if ("deleted" in p) {
        qc.setQueryData<{ items: Playlist[] }>(qk.playlists, (old) => old && { items: old.items.filter((x) => x.id !== p.id) });
        qc.removeQueries({ queryKey: qk.nowNext(p.id) });
        break;
      }
      qc.setQueryData<{ items: Playlist[] }>(qk.playlists, (old) => {
        if (!old) return old;
        const found = old.items.some((x) => x.id === p.id);
        return { items: found ? old.items.map((x) => (x.id === p.id ? { ...x, ...p } : x)) : [...old.items, p] };
      });
      void qc.invalidateQueries({ queryKey: qk.nowNext(p.id) });
      break;
    }
    case "resync":
      void qc.invalidateQueries();
      break;
    default:
      break;
  }
  return ev.seq;
}

/** Parses one WebSocket message; returns null for anything that is not a known event. */
export function parseEvent(raw: string): ServerEvent | null {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!m || typeof m !== "object") return null;
  const e = m as { seq?: unknown; type?: unknown };
  if (typeof e.type !== "string") return null;
  if (e.type !== "resync" && typeof e.seq !== "number") return null;
  const known = ["job.updated", "job.log", "content.updated", "content.deleted", "playlist.updated", "resync"];
  if (!known.includes(e.type)) return null;
  return { ...(m as object), seq: typeof e.seq === "number" ? e.seq : 0 } as ServerEvent;
}

export type ConnState = "connecting" | "open" | "closed";

/**
 * The events WebSocket: connects, applies events to the cache, reconnects with backoff and
 * resumes after the last seq it saw. `resync` (or a gap the server cannot fill) refetches all.
 */
export class EventStream {
  private ws: WebSocket | null = null;
  private lastSeq = 0;
  private stopped = true;
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<() => void>();
  state: ConnState = "closed";

  constructor(
    private readonly qc: QueryClient,
    private readonly url: (after: number) => string = defaultEventsUrl,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.close();
    this.ws = null;
    this.setState("closed");
  }

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getState = () => this.state;
  get seq() {
    return this.lastSeq;
  }

  private setState(s: ConnState) {
    this.state = s;
    this.listeners.forEach((f) => f());
  }

  private connect() {
    this.setState("connecting");
    const ws = new WebSocket(this.url(this.lastSeq));
    this.ws = ws;
    const reconnecting = this.retry > 0;
    ws.onopen = () => {
      this.retry = 0;
      this.setState("open");
      // Anything that happened while we were away and could not be replayed is refetched.
      if (reconnecting) void this.qc.invalidateQueries();
    };
    ws.onmessage = (msg) => {
      const ev = parseEvent(typeof msg.data === "string" ? msg.data : "");
      if (!ev) return;
      if (ev.type !== "resync" && ev.seq <= this.lastSeq) return; // duplicate after resume
      const seq = applyEvent(this.qc, ev);
      if (seq > this.lastSeq) this.lastSeq = seq;
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.setState("closed");
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
    ws.onerror = () => ws.close();
  }
}

export function defaultEventsUrl(after: number): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  return `${proto}//${location.host}/api/v1/events${after > 0 ? `?after=${after}` : ""}`;
}
