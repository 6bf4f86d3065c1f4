import { api } from "../../api/client";
import type { components } from "../../api/schema";
import type { BatchItem } from "./parse";

export type Batch = components["schemas"]["Batch"];

export interface BatchDefaults {
  style?: string;
  duration_target?: number;
  output_preset?: string;
  language?: string;
  produce_preview?: boolean;
}

export const batchKeys = {
  all: ["batches"] as const,
  one: (id: number) => ["batch", id] as const,
};

export const batchApi = {
  create: (items: BatchItem[], defaults: BatchDefaults, name: string, max_parallel: number) =>
    api.request<Batch>("POST", "/generate/batch", { items, defaults, name, max_parallel }),
  list: () => api.request<{ items: Batch[] }>("GET", "/batches"),
  get: (id: number) => api.request<Batch>("GET", `/batches/${id}`),
  cancel: (id: number) => api.request<Batch>("POST", `/batches/${id}/cancel`),
  retry: (id: number) => api.request<Batch>("POST", `/batches/${id}/retry`),
};

export const BATCH_DONE = ["completed", "failed", "canceled"];
