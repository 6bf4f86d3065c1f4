import type { OpsPoint } from "./api";
import type { Series } from "./plot";

/** GET /api/v1/ops/history: series kept in the database, [unix ms, value] pairs, oldest first. */
export type OpsHistory = {
  range: string;
  from: number;
  to: number;
  resolution_seconds: number;
  /** The fixed series by name, and labelled ones ("<base>|<label>|...", see LABELLED_SERIES). */
  series: Partial<Record<HistoryName, [number, number][]>> & Record<string, [number, number][]>;
};

/**
 * Series kept once per remote GPU device or host: gpu_device_memory_used_bytes|service|host|device
 * and gpu_device_memory_size_bytes|... (ComfyUI /system_stats), ollama_vram_bytes|host and
 * ollama_loaded_bytes|host (Ollama /api/ps).
 */
export const LABELLED_SERIES = ["gpu_device_memory_used_bytes", "gpu_device_memory_size_bytes", "ollama_vram_bytes", "ollama_loaded_bytes"] as const;
export type LabelledName = (typeof LABELLED_SERIES)[number];

export const HISTORY_SERIES = [
  "queue_depth", "jobs_running", "jobs_completed", "data_bytes", "disk_free_bytes", "viewers",
  "gpu_utilization", "gpu_memory_used_bytes", "gpu_memory_size_bytes",
] as const;
export type HistoryName = (typeof HISTORY_SERIES)[number];

/** What the plots draw, whichever source it came from. */
export type DashboardHistory = Record<HistoryName, Series["values"]> & {
  source: "database" | "memory";
  resolutionSeconds: number;
  /** Labelled series by their full name ("ollama_vram_bytes|gpu2:11434"). */
  labelled: Record<string, Series["values"]>;
};

const isLabelled = (name: string) => LABELLED_SERIES.some((base) => name.startsWith(`${base}|`));

/**
 * The labelled series of one base as plot series, named by their labels ("comfyui gpu1:8188
 * cuda:0"), sorted by name.
 */
export function labelledSeries(h: DashboardHistory, base: LabelledName): Series[] {
  return Object.entries(h.labelled)
    .filter(([name]) => name.startsWith(`${base}|`))
    .map(([name, values]) => ({ name: name.slice(base.length + 1).split("|").join(" "), values }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const empty = () => Object.fromEntries(HISTORY_SERIES.map((n) => [n, []])) as unknown as Record<HistoryName, Series["values"]>;

/** The database's history as plot values. */
export function fromDatabase(h: OpsHistory): DashboardHistory {
  const out = empty();
  for (const name of HISTORY_SERIES) out[name] = (h.series[name] ?? []).map(([x, y]) => ({ x, y }));
  const labelled: Record<string, Series["values"]> = {};
  for (const [name, pairs] of Object.entries(h.series)) {
    if (isLabelled(name) && pairs) labelled[name] = pairs.map(([x, y]) => ({ x, y }));
  }
  return { ...out, source: "database", resolutionSeconds: h.resolution_seconds, labelled };
}

/**
 * The summary's in-memory samples (a server that keeps no history in the database): the same
 * series; jobs completed is not sampled there, so that plot stays empty.
 */
export function fromSummary(points: OpsPoint[], sampleSeconds = 15): DashboardHistory {
  const out = empty();
  const labelled: Record<string, Series["values"]> = {};
  for (const p of points) {
    for (const [name, y] of Object.entries(p.gpu_hosts ?? {})) {
      if (isLabelled(name)) (labelled[name] ??= []).push({ x: p.t, y });
    }
    out.queue_depth.push({ x: p.t, y: p.queued });
    out.jobs_running.push({ x: p.t, y: p.running });
    out.data_bytes.push({ x: p.t, y: p.data_bytes });
    out.disk_free_bytes.push({ x: p.t, y: p.disk_free_bytes });
    out.viewers.push({ x: p.t, y: p.viewers });
    if (p.gpu_utilization !== undefined) {
      out.gpu_utilization.push({ x: p.t, y: p.gpu_utilization });
      out.gpu_memory_used_bytes.push({ x: p.t, y: p.gpu_memory_used_bytes ?? 0 });
      out.gpu_memory_size_bytes.push({ x: p.t, y: p.gpu_memory_size_bytes ?? 0 });
    }
  }
  return { ...out, source: "memory", resolutionSeconds: sampleSeconds, labelled };
}

/** GPU memory in use as a share of its size, matched by time. */
export function gpuMemoryShare(h: DashboardHistory): Series["values"] {
  const size = new Map(h.gpu_memory_size_bytes.map((p) => [p.x, p.y]));
  return h.gpu_memory_used_bytes.map((p) => ({ x: p.x, y: p.y / Math.max(1, size.get(p.x) ?? 1) }));
}
