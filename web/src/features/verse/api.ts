import { api } from "../../api/client";
import type { Budget, WorldDoc } from "./doc";

export interface WorldSummary { id: number; title: string; revision: number; created_at: number; updated_at: number }
export interface World extends WorldSummary { document: WorldDoc; budget: Budget }
export interface TemplateInfo { id: string; title: string; description: string }
export interface Revision { revision: number; created_at: number; size: number; nodes: number; note: string; current: boolean }
export interface AssetInfo { hash: string; kind: string; mime: string; size: number; name: string; triangles?: number; materials?: number; texture_bytes?: number; stored?: string }
export interface Share { id: number; token: string; path: string; url: string; budget: Budget }

/** Through the studio's client (CSRF, 401 and errors handled there); the body is JSON unless raw. */
function call<T>(method: string, path: string, opts: { body?: Blob; json?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  if (opts.json !== undefined) {
    const body = typeof opts.json === "string" ? opts.json : JSON.stringify(opts.json);
    return api.requestRaw<T>(method, path, { body, headers: opts.headers });
  }
  const { "Content-Type": contentType, ...headers } = opts.headers ?? {};
  return api.requestRaw<T>(method, path, { body: opts.body, contentType, headers });
}

/** The session's CSRF token is learned once (the studio's client may not have asked yet). */
export async function ensureCsrf(): Promise<void> {
  if (api.csrfToken) return;
  await api.me(); // remembers the session's CSRF token
}

export const verseApi = {
  templates: () => call<{ items: TemplateInfo[] }>("GET", "/worlds/templates"),
  list: () => call<{ items: WorldSummary[] }>("GET", "/worlds"),
  create: (title: string, template: string) => call<World>("POST", "/worlds", { json: { title, template } }),
  get: (id: number) => call<World>("GET", `/worlds/${id}`),
  /** `body` is the serialised document (already a string: see serialize.ts). */
  save: (id: number, revision: number, body: string) =>
    call<WorldSummary & { budget: Budget }>("PUT", `/worlds/${id}`, { json: body, headers: { "If-Match": `"${revision}"` } }),
  remove: (id: number) => call<void>("DELETE", `/worlds/${id}`),
  revisions: (id: number) => call<{ items: Revision[]; revision: number }>("GET", `/worlds/${id}/revisions`),
  restore: (id: number, revision: number) => call<World>("POST", `/worlds/${id}/revisions/${revision}/restore`),
  assets: (id: number) => call<{ items: AssetInfo[] }>("GET", `/worlds/${id}/assets`),
  upload: (id: number, file: File) =>
    call<AssetInfo>("POST", `/worlds/${id}/assets?name=${encodeURIComponent(file.name)}`, {
      body: file, headers: { "Content-Type": file.type || "application/octet-stream" },
    }),
  share: (id: number) => call<Share>("POST", `/worlds/${id}/share`),
  shared: (token: string) => call<World & { read_only: boolean }>("GET", `/shared/${encodeURIComponent(token)}`),
};
