import { api, type ApiClient } from "../../api/client";

/** A remote worker as GET /api/v1/workers lists it. */
export interface RemoteWorker {
  id: number;
  name: string;
  host: string;
  state: "idle" | "busy" | "silent" | "stopped" | "revoked" | string;
  last_heartbeat: string;
  last_heartbeat_ms: number;
  current_job: number | null;
  jobs_done: number;
  registration_token_id: number;
  registered_at: string;
}

export interface RegistrationToken {
  id: number;
  name: string;
  created_at: string;
  revoked: boolean;
  workers: number;
}

export interface WorkersView {
  workers: RemoteWorker[];
  tokens: RegistrationToken[];
  silent_after_seconds: number;
}

export const workersKey = ["remote-workers"] as const;

export const workersApi = (client: ApiClient = api) => ({
  list: () => client.request<WorkersView>("GET", "/workers"),
  createToken: (name: string) =>
    client.request<{ id: number; name: string; token: string }>("POST", "/workers/tokens", { name }),
  revokeToken: (id: number) => client.request<unknown>("DELETE", `/workers/tokens/${id}`),
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
