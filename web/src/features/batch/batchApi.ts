import { api } from "../../api/client";
import type { components } from "../../api/schema";
import type { GenerateRequest } from "../../api/types";
import type { BatchItem } from "./parse";

export type Batch = components["schemas"]["Batch"];

/** Generate fields every item of the batch starts from (no prompt). */
export type BatchDefaults = Pick<GenerateRequest, "style" | "duration_target" | "output_preset" | "language" | "produce_preview">;

export const batchKeys = {
  all: ["batches"] as const,
  one: (id: number) => ["batch", id] as const,
};

export const batchApi = {
  create: (items: BatchItem[], defaults: BatchDefaults, name: string, max_parallel: number) =>
    api.ok(api.http.POST("/api/v1/generate/batch", { body: { items, defaults, name, max_parallel } })),
  list: () => api.ok(api.http.GET("/api/v1/batches")),
  get: (id: number) => api.ok(api.http.GET("/api/v1/batches/{id}", { params: { path: { id } } })),
  cancel: (id: number) => api.ok(api.http.POST("/api/v1/batches/{id}/cancel", { params: { path: { id } } })),
  retry: (id: number) => api.ok(api.http.POST("/api/v1/batches/{id}/retry", { params: { path: { id } } })),
};

export const BATCH_DONE = ["completed", "failed", "canceled"];
