import { QueryClient } from "@tanstack/react-query";
import { afterEach, describe, expect, it, vi } from "vitest";
import { appendLog, applyEvent, EventStream, MAX_LOG_LINES, mergeJob, parseEvent } from "./events";
import { qk } from "./keys";
import type { Content, Job, JobLogLine, Page } from "./types";

const job = (p: Partial<Job> = {}): Job => ({
  id: 1, job_id: 1, status: "queued", progress: 0, prompt: "p", title: "t", created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z", preview_url: null, final_url: null, thumbnail_url: null, vtt_url: null,
  error: null, content_id: null, ...p,
});
const line = (id: number, p: Partial<JobLogLine> = {}): JobLogLine & { job_id: number } => ({
  id, job_id: 1, at: "2026-01-01T00:00:00.000Z", stage: "script", level: "info", message: `line ${id}`, ...p,
});
const content = (id: number, p: Partial<Content> = {}) => ({ id, title: `c${id}`, ...p }) as Content;

describe("log lines", () => {
  it("appends, ignores duplicates and keeps id order", () => {
    let l = appendLog(undefined, line(2));
    l = appendLog(l, line(3));
    l = appendLog(l, line(2));
    l = appendLog(l, line(1));
    expect(l.map((x) => x.id)).toEqual([1, 2, 3]);
  });
  it("caps the cached log", () => {
    let l: JobLogLine[] = [];
    for (let i = 1; i <= MAX_LOG_LINES + 10; i++) l = appendLog(l, line(i));
    expect(l).toHaveLength(MAX_LOG_LINES);
    expect(l[0].id).toBe(11);
  });
});

describe("mergeJob", () => {
  it("keeps logs and stages an update does not carry", () => {
    const old = job({ logs: [line(1)], stages: { script: { title: "x" } } });
    const m = mergeJob(old, job({ status: "rendering_preview", progress: 40 }));
    expect(m.status).toBe("rendering_preview");
    expect(m.logs).toHaveLength(1);
    expect(m.stages).toEqual({ script: { title: "x" } });
  });
});

describe("applyEvent", () => {
  it("updates the job detail and the job lists; a job missing from a list refetches it", () => {
    const qc = new QueryClient();
    qc.setQueryData(qk.job(1), job({ logs: [line(1)] }));
    qc.setQueryData(qk.jobs({ state: "" }), { items: [job()], total: 1, limit: 50, offset: 0 });
    qc.setQueryData(qk.jobs({ state: "failed" }), { items: [], total: 0, limit: 50, offset: 0 });
    const inv = vi.spyOn(qc, "invalidateQueries");
    const seq = applyEvent(qc, { seq: 5, type: "job.updated", v: 1, data: job({ status: "rendering_preview", progress: 30, preview_url: "/media/jobs/1/preview.mp4" }) });
    expect(seq).toBe(5);
    const d = qc.getQueryData<Job>(qk.job(1))!;
    expect(d.preview_url).toBe("/media/jobs/1/preview.mp4");
    expect(d.logs).toHaveLength(1);
    expect(qc.getQueryData<Page<Job>>(qk.jobs({ state: "" }))!.items[0].progress).toBe(30);
    expect(inv).toHaveBeenCalledWith({ queryKey: qk.jobsAll });
  });

  it("refetches the job detail (stage outputs) when the job moves on, not on repeats", () => {
    const qc = new QueryClient();
    qc.setQueryData(qk.job(1), job({ status: "rendering_preview", progress: 30, stages: {} }));
    const inv = vi.spyOn(qc, "invalidateQueries");
    applyEvent(qc, { seq: 1, type: "job.updated", v: 1, data: job({ status: "rendering_preview", progress: 30 }) });
    expect(inv).not.toHaveBeenCalledWith({ queryKey: qk.job(1), exact: true });
    applyEvent(qc, { seq: 2, type: "job.updated", v: 1, data: job({ status: "rendering_final", progress: 60 }) });
    expect(inv).toHaveBeenCalledWith({ queryKey: qk.job(1), exact: true });
  });

  it("streams log lines into the job detail", () => {
    const qc = new QueryClient();
    qc.setQueryData(qk.job(1), job({ logs: [] }));
    applyEvent(qc, { seq: 1, type: "job.log", v: 1, data: line(10, { level: "cmd", message: "ffmpeg -y -i a.png out.mp4" }) });
    applyEvent(qc, { seq: 2, type: "job.log", v: 1, data: line(10) });
    const logs = qc.getQueryData<Job>(qk.job(1))!.logs!;
    expect(logs).toHaveLength(1);
    expect(logs[0].message).toContain("ffmpeg");
  });

  it("ignores log lines of jobs nobody is looking at", () => {
    const qc = new QueryClient();
    applyEvent(qc, { seq: 1, type: "job.log", v: 1, data: line(1, { job_id: 99 }) });
    expect(qc.getQueryData(qk.job(99))).toBeUndefined();
  });

  it("a completed job refreshes the library", () => {
    const qc = new QueryClient();
    const inv = vi.spyOn(qc, "invalidateQueries");
    applyEvent(qc, { seq: 1, type: "job.updated", v: 1, data: job({ status: "completed", content_id: 4 }) });
    expect(inv).toHaveBeenCalledWith({ queryKey: qk.contentAll });
  });

  it("removes deleted content from every cached page", () => {
    const qc = new QueryClient();
    qc.setQueryData(qk.content({ q: "" }), { items: [content(1), content(2)], total: 2, limit: 48, offset: 0 });
    qc.setQueryData(qk.contentItem(2), content(2));
    applyEvent(qc, { seq: 3, type: "content.deleted", v: 1, data: { id: 2 } });
    const page = qc.getQueryData<Page<Content>>(qk.content({ q: "" }))!;
    expect(page.items.map((c) => c.id)).toEqual([1]);
    expect(page.total).toBe(1);
    expect(qc.getQueryData(qk.contentItem(2))).toBeUndefined();
  });

  it("patches content in place", () => {
    const qc = new QueryClient();
    qc.setQueryData(qk.content({}), { items: [content(1)], total: 1, limit: 48, offset: 0 });
    applyEvent(qc, { seq: 4, type: "content.updated", v: 1, data: content(1, { published: true }) });
    expect(qc.getQueryData<Page<Content>>(qk.content({}))!.items[0].published).toBe(true);
  });

  it("drops a deleted channel and updates a changed one", () => {
    const qc = new QueryClient();
    const pl = (id: number, title: string) => ({ id, slug: `s${id}`, title, items: [], loop_mode: "in_order" as const, active: true, hls_endpoint: `/live/s${id}/index.m3u8`, scheduled_slots: [], inserts: [] });
    qc.setQueryData(qk.playlists, { items: [pl(1, "Main"), pl(2, "Late")] });
    applyEvent(qc, { seq: 5, type: "playlist.updated", v: 1, data: { ...pl(1, "Main channel") } });
    applyEvent(qc, { seq: 6, type: "playlist.updated", v: 1, data: { id: 2, deleted: true } });
    expect(qc.getQueryData<{ items: { id: number; title: string }[] }>(qk.playlists)!.items).toEqual([expect.objectContaining({ id: 1, title: "Main channel" })]);
  });

  it("resync refetches everything", () => {
    const qc = new QueryClient();
    const inv = vi.spyOn(qc, "invalidateQueries");
    applyEvent(qc, { seq: 0, type: "resync", v: 1 });
    expect(inv).toHaveBeenCalledWith();
  });
});

describe("parseEvent", () => {
  it("accepts known events and rejects junk", () => {
    expect(parseEvent('{"seq":3,"type":"job.log","v":1,"data":{}}')?.type).toBe("job.log");
    expect(parseEvent('{"type":"resync"}')?.type).toBe("resync");
    expect(parseEvent("not json")).toBeNull();
    expect(parseEvent("null")).toBeNull();
    expect(parseEvent('{"seq":"1","type":"job.log"}')).toBeNull();
    expect(parseEvent('{"seq":1,"type":"__proto__"}')).toBeNull();
  });
});

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.onclose?.();
  }
  emit(o: unknown) {
    this.onmessage?.({ data: JSON.stringify(o) });
  }
}

describe("EventStream", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    FakeSocket.all = [];
  });

  it("reconnects with ?after=<last seq>, drops replayed duplicates and refetches after a gap", () => {
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeSocket);
    const qc = new QueryClient();
    qc.setQueryData(qk.job(1), job({ logs: [] }));
    const s = new EventStream(qc, (after) => `ws://x/api/v1/events${after ? `?after=${after}` : ""}`);
    s.start();
    const first = FakeSocket.all[0];
    expect(first.url).toBe("ws://x/api/v1/events");
    first.onopen?.();
    expect(s.state).toBe("open");
    first.emit({ seq: 7, type: "job.log", v: 1, data: line(1) });
    first.emit({ seq: 8, type: "job.log", v: 1, data: line(2) });
    first.close();
    expect(s.state).toBe("closed");
    vi.advanceTimersByTime(600);
    const second = FakeSocket.all[1];
    expect(second.url).toBe("ws://x/api/v1/events?after=8");
    const inv = vi.spyOn(qc, "invalidateQueries");
    second.onopen?.();
    expect(inv).toHaveBeenCalled();
    second.emit({ seq: 8, type: "job.log", v: 1, data: line(99) }); // replay of an old seq: ignored
    second.emit({ seq: 9, type: "job.log", v: 1, data: line(3) });
    expect(qc.getQueryData<Job>(qk.job(1))!.logs!.map((l) => l.id)).toEqual([1, 2, 3]);
    s.stop();
    expect(FakeSocket.all).toHaveLength(2);
  });
});
