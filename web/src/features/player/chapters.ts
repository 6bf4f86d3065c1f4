export interface Chapter {
  start: number;
  end: number;
  title: string;
}

/** Parses a WebVTT timestamp: "hh:mm:ss.ttt" or "mm:ss.ttt". Returns NaN when malformed. */
export function parseVttTime(s: string): number {
  const m = /^(?:(\d+):)?([0-5]?\d):([0-5]\d)(?:[.,](\d{1,3}))?$/.exec(s.trim());
  if (!m) return NaN;
  const [, h, mm, ss, ms] = m;
  return (h ? Number(h) * 3600 : 0) + Number(mm) * 60 + Number(ss) + (ms ? Number(ms.padEnd(3, "0")) / 1000 : 0);
}

/**
 * Parses a WebVTT chapters file into chapters sorted by start. Cues with bad timing are
 * skipped; a cue's text (all its lines) becomes the chapter title.
 */
export function parseChapters(vtt: string): Chapter[] {
  const text = vtt.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!/^WEBVTT/.test(text)) return [];
  const out: Chapter[] = [];
  for (const block of text.split(/\n{2,}/)) {
    const lines = block.split("\n").filter((l) => l.length > 0);
    const ti = lines.findIndex((l) => l.includes("-->"));
    if (ti < 0) continue;
    const [a, b] = lines[ti].split("-->");
    const start = parseVttTime(a);
    const end = parseVttTime((b ?? "").trim().split(/\s+/)[0] ?? "");
    if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) continue;
    const title = lines.slice(ti + 1).join(" ").replace(/<[^>]*>/g, "").trim();
    out.push({ start, end, title: title || `Chapter ${out.length + 1}` });
  }
  return out.sort((x, y) => x.start - y.start);
}

/** The chapter playing at time t, or -1. */
export function chapterAt(chapters: Chapter[], t: number): number {
  for (let i = chapters.length - 1; i >= 0; i--) if (t >= chapters[i].start) return i;
  return -1;
}
