import { api } from "../../api/client";
import type { paths } from "../../api/schema";
import type { OpsHistory } from "./history";

/** One dashboard history sample (GET /api/v1/ops/summary → history). */
export type OpsPoint = {
  t: number;
  queued: number;
  running: number;
  data_bytes: number;
  disk_free_bytes: number;
  viewers: number;
  gpu_utilization?: number;
  gpu_memory_used_bytes?: number;
  gpu_memory_size_bytes?: number;
  /** Remote GPU hosts' series of this sample (labelled names, see history.ts), when any answered. */
  gpu_hosts?: Record<string, number>;
};

/** GET /api/v1/ops/summary: the dashboard's numbers, from the database, the disk and nvidia-smi. */
export type OpsSummary = {
  now: number;
  jobs: Record<string, number>;
  queue: { queued: number; oldest_age_seconds: number };
  disk: { free_bytes: number; size_bytes: number; database_bytes: number; media_bytes: number; tmp_bytes: number };
  quota: { jobs_today: number; jobs_per_day: number | null };
  gpus: { index: string; name: string; utilization: number; memory_used_bytes: number; memory_size_bytes: number }[];
  job_rtts: { job_id: number; finished_at: number; seconds: number }[];
  history: OpsPoint[];
  /** Hosts of the ComfyUI/Ollama pools (absent when the server has no engines wired). */
  pools?: OpsPoolHost[];
  /** Remote GPU hosts asked for figures (absent when no remote engine is in use). */
  gpu_hosts?: OpsGpuHost[];
};

/**
 * A ComfyUI host (its torch devices from /system_stats) or an Ollama host (its loaded models from
 * /api/ps), as last asked. Neither service reports a utilisation percentage: memory only.
 */
export type OpsGpuHost = {
  service: "comfyui" | "ollama" | string;
  host: string;
  state: "up" | "down" | "unknown";
  error: string;
  at: number;
  devices: { device: string; name: string; total_bytes: number; free_bytes: number; used_bytes: number }[];
  models: { model: string; bytes: number; vram_bytes: number; expires_at: string }[];
};

/** One host of a ComfyUI or Ollama pool, as the scheduler sees it. */
export type OpsPoolHost = {
  service: string;
  host: string;
  up: boolean;
  done: number;
  per_minute: number;
  queue_depth: number;
  slots: number;
  checkpoint_switches: number;
  checkpoint: string;
  waiting: number;
};

/** The history windows the contract offers (GET /api/v1/ops/history?range=). */
type HistoryRange = NonNullable<NonNullable<paths["/api/v1/ops/history"]["get"]["parameters"]["query"]>["range"]>;

export const opsKeys = { summary: ["ops", "summary"] as const, history: (range: string) => ["ops", "history", range] as const };

export const opsApi = {
  summary: (): Promise<OpsSummary> => api.ok(api.http.GET("/api/v1/ops/summary")),
  /** The history kept in the database (survives restarts); 503 when the server keeps none. */
  history: (range: HistoryRange = "24h", series?: string[]): Promise<OpsHistory> =>
    // (the contract types each series as number[][]; every entry is a [t, value] pair)
    api.ok(api.http.GET("/api/v1/ops/history", { params: { query: { range, series: series?.join(",") } } })) as Promise<OpsHistory>,
};
