import { api, type ApiClient } from "../../api/client";
import type { Answer } from "../../api/types";

/** GET /api/v1/workers: the workers, the registration tokens and when a worker counts as silent. */
export type WorkersView = Answer<"/api/v1/workers", "get">;

/** A remote worker as GET /api/v1/workers lists it. */
export type RemoteWorker = WorkersView["workers"][number];

export type RegistrationToken = WorkersView["tokens"][number];

export const workersKey = ["remote-workers"] as const;

export const workersApi = (client: ApiClient = api) => ({
  list: () => client.ok(client.http.GET("/api/v1/workers")),
  createToken: (name: string) => client.ok(client.http.POST("/api/v1/workers/tokens", { body: { name } })),
  revokeToken: (id: number) => client.ok(client.http.DELETE("/api/v1/workers/tokens/{id}", { params: { path: { id } } })),
});

/** "12 s ago", "3 min ago", "2 h ago", or the date for older heartbeats. */
export function heartbeatAge(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ms).toLocaleDateString();
}

/** The command a worker machine runs with a fresh registration token. */
export function workerCommand(origin: string, token: string): string {
  return `beacon worker --server ${origin} --token ${token}`;
}

const STATE_LABELS: Record<string, string> = {
  idle: "idle",
  busy: "working",
  silent: "silent",
  stopped: "stopped",
  revoked: "revoked",
};
export const stateLabel = (s: string) => STATE_LABELS[s] ?? s;
export const stateBadge = (s: string) =>
  s === "idle" || s === "busy" ? "badge--ok" : s === "silent" || s === "revoked" ? "badge--bad" : "";
