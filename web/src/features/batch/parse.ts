import type { GenerateRequest } from "../../api/types";

/**
 * Turns what the user pasted or dropped into batch items: plain text (one prompt per line),
 * JSON Lines (one generate request per line), or CSV with a header naming a `prompt` column
 * (and optionally title, style, duration_target, output_preset, language, voice). Blank lines and
 * lines starting with '#' are skipped. Errors name the line, like the server's do.
 */
export interface BatchItem {
  prompt: string;
  title?: string;
  style?: string;
  duration_target?: number;
  output_preset?: OutputPreset;
  language?: string;
  voice?: string;
}

/** The output presets the contract (GenerateRequest.output_preset) accepts. */
export type OutputPreset = NonNullable<GenerateRequest["output_preset"]>;
export const OUTPUT_PRESETS: readonly OutputPreset[] = ["480p", "720p", "1080p"];

export interface ParsedBatch {
  items: BatchItem[];
  errors: string[];
  format: "text" | "jsonl" | "csv";
}

export const MAX_BATCH_ITEMS = 500;
const FIELDS = ["prompt", "title", "style", "duration_target", "output_preset", "language", "voice"] as const;

/** Splits one CSV record (RFC 4180 quoting: "a, b" and "" for a quote). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { out.push(cur); cur = ""; }
    else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function fromObject(o: Record<string, unknown>, where: string, errors: string[]): BatchItem | null {
  const prompt = typeof o.prompt === "string" ? o.prompt.trim() : "";
  if (!prompt) { errors.push(`${where}: no prompt`); return null; }
  const item: BatchItem = { prompt };
  for (const f of FIELDS) {
    if (f === "prompt" || o[f] === undefined || o[f] === "") continue;
    if (f === "duration_target") {
      const n = Number(o[f]);
      if (!Number.isFinite(n) || n <= 0) { errors.push(`${where}: duration_target must be a positive number`); return null; }
      item.duration_target = n;
    } else if (f === "output_preset") {
      const preset = OUTPUT_PRESETS.find((p) => p === o[f]);
      if (!preset) { errors.push(`${where}: output_preset must be ${OUTPUT_PRESETS.join(", ")}`); return null; }
      item.output_preset = preset;
    } else if (typeof o[f] === "string") {
      item[f] = o[f] as string;
    } else {
      errors.push(`${where}: ${f} must be text`);
      return null;
    }
  }
  return item;
}

export function parseBatchText(text: string, fileName = ""): ParsedBatch {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const meaningful = lines.map((l, i) => ({ l: l.trim(), n: i + 1 })).filter(({ l }) => l && !l.startsWith("#"));
  const errors: string[] = [];
  const items: BatchItem[] = [];
  const first = meaningful[0]?.l ?? "";
  const csvHeader = splitCsvLine(first).map((h) => h.toLowerCase());
  const isCsv = fileName.toLowerCase().endsWith(".csv") || (first.includes(",") && csvHeader.includes("prompt") && !first.startsWith("{"));
  if (isCsv) {
    const col = csvHeader.indexOf("prompt");
    if (col < 0) return { items, errors: ["the CSV header has no 'prompt' column"], format: "csv" };
    for (const { l, n } of meaningful.slice(1)) {
      const cells = splitCsvLine(l);
      const o: Record<string, unknown> = {};
      csvHeader.forEach((h, i) => { if (cells[i] !== undefined) o[h] = cells[i]; });
      const it = fromObject(o, `line ${n}`, errors);
      if (it) items.push(it);
    }
    return { items, errors, format: "csv" };
  }
  let jsonl = false;
  for (const { l, n } of meaningful) {
    if (l.startsWith("{")) {
      jsonl = true;
      let o: unknown;
      try { o = JSON.parse(l); } catch { errors.push(`line ${n}: malformed JSON`); continue; }
      if (!o || typeof o !== "object" || Array.isArray(o)) { errors.push(`line ${n}: must be an object`); continue; }
      const it = fromObject(o as Record<string, unknown>, `line ${n}`, errors);
      if (it) items.push(it);
    } else {
      items.push({ prompt: l });
    }
  }
  if (items.length > MAX_BATCH_ITEMS) errors.push(`a batch holds at most ${MAX_BATCH_ITEMS} prompts (this has ${items.length})`);
  return { items, errors, format: jsonl ? "jsonl" : "text" };
}
