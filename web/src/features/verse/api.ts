import { api } from "../../api/client";
import type { components, paths } from "../../api/schema";
import type { Answer } from "../../api/types";
import type { WorldDoc } from "./doc";

type S = components["schemas"];

export type WorldSummary = S["WorldSummary"];
/** A world: the contract's World with its document typed by doc.ts (the spec points to api/verse-world.schema.json). */
export type World = Omit<S["World"], "document"> & { document: WorldDoc };
/** A world opened through a share link (read-only; no created_at). */
export type SharedWorld = Awaited<ReturnType<typeof verseApi.shared>>;
export type TemplateInfo = Answer<"/api/v1/worlds/templates", "get">["items"][number];
export type Revision = Answer<"/api/v1/worlds/{id}/revisions", "get">["items"][number];
export type AssetInfo = S["WorldAsset"] & { stored?: "new" | "existing" };
export type Share = Answer<"/api/v1/worlds/{id}/share", "post", 201>;

/**
 * The one place the document's shape is taken on trust: the server checks and migrates every
 * document against api/verse-world.schema.json before it answers, and the contract names it an
 * open object.
 */
async function withDocument<T extends { document: S["WorldDocument"] }>(answer: Promise<T>): Promise<Omit<T, "document"> & { document: WorldDoc }> {
  return (await answer) as unknown as Omit<T, "document"> & { document: WorldDoc };
}

/** The session's CSRF token is learned once (the studio's client may not have asked yet). */
export async function ensureCsrf(): Promise<void> {
  if (api.csrfToken) return;
  await api.me(); // remembers the session's CSRF token
}

export const verseApi = {
  templates: () => api.ok(api.http.GET("/api/v1/worlds/templates")),
  list: () => api.ok(api.http.GET("/api/v1/worlds")),
  create: (title: string, template: string) =>
    // The ids come from GET /worlds/templates; the contract lists the same ones.
    withDocument(api.ok(api.http.POST("/api/v1/worlds", { body: { title, template: template as NewWorld["template"] } }))),
  get: (id: number) => withDocument(api.ok(api.http.GET("/api/v1/worlds/{id}", { params: { path: { id } } }))),
  /** `body` is the serialised document (already a string: see serialize.ts), sent as it is with If-Match. */
  save: (id: number, revision: number, body: string) =>
    api.requestRaw<Answer<"/api/v1/worlds/{id}", "put">>("PUT", "/api/v1/worlds/{id}", { path: { id } }, { body, headers: { "If-Match": `"${revision}"` } }),
  remove: (id: number) => api.ok(api.http.DELETE("/api/v1/worlds/{id}", { params: { path: { id } } })),
  revisions: (id: number) => api.ok(api.http.GET("/api/v1/worlds/{id}/revisions", { params: { path: { id } } })),
  restore: (id: number, revision: number) =>
    withDocument(api.ok(api.http.POST("/api/v1/worlds/{id}/revisions/{revision}/restore", { params: { path: { id, revision } } }))),
  assets: (id: number) => api.ok(api.http.GET("/api/v1/worlds/{id}/assets", { params: { path: { id } } })),
  /** The file's bytes as the body (not JSON), its name in the query. */
  upload: (id: number, file: File) =>
    api.requestRaw<Answer<"/api/v1/worlds/{id}/assets", "post", 200 | 201>>("POST", "/api/v1/worlds/{id}/assets", { path: { id }, query: { name: file.name } }, {
      body: file, contentType: file.type || "application/octet-stream",
    }),
  share: (id: number) => api.ok(api.http.POST("/api/v1/worlds/{id}/share", { params: { path: { id } } })),
  shared: (token: string) => withDocument(api.ok(api.http.GET("/api/v1/shared/{token}", { params: { path: { token } } }))),
};

type NewWorld = NonNullable<paths["/api/v1/worlds"]["post"]>["requestBody"] extends { content: { "application/json": infer B } } ? B : never;
