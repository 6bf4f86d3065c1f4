import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { upload } from "../../api/upload";

/** One game of the Arcade (GET /api/v1/games/{id}); play_url is on the game's own origin. */
export type Game = components["schemas"]["Game"];

export const arcadeKeys = {
  all: ["games"] as const,
  game: (id: number) => ["games", id] as const,
};

export const gamesApi = {
  list: () => api.ok(api.http.GET("/api/v1/games")),
  get: (id: number) => api.ok(api.http.GET("/api/v1/games/{id}", { params: { path: { id } } })),
  patch: (id: number, patch: { title?: string; description?: string; threads?: boolean }) =>
    api.ok(api.http.PATCH("/api/v1/games/{id}", { params: { path: { id } }, body: patch })),
  remove: (id: number) => api.ok(api.http.DELETE("/api/v1/games/{id}", { params: { path: { id } } })),
  load: (id: number) => api.ok(api.http.GET("/api/v1/games/{id}/save", { params: { path: { id } } })),
  save: (id: number, data: string) => api.ok(api.http.PUT("/api/v1/games/{id}/save", { params: { path: { id } }, body: { data } })),
};

export type UploadFields = { title: string; description?: string; entry?: string; threads?: boolean; cover?: File | null };

/**
 * Uploads a game (or, with `gameId`, a new version of it) with progress.
 * Rejects with the server's message in words.
 */
export function uploadGame(
  file: File,
  fields: UploadFields,
  onProgress: (fraction: number) => void,
  gameId?: number,
): { promise: Promise<Game>; abort: () => void } {
  const form = new FormData();
  form.append("title", fields.title);
  if (fields.description) form.append("description", fields.description);
  if (fields.entry) form.append("entry", fields.entry);
  if (fields.threads) form.append("threads", "true");
  if (fields.cover) form.append("cover", fields.cover, fields.cover.name);
  form.append("file", file, file.name);
  return gameId
    ? upload("/api/v1/games/{id}/versions", { id: gameId }, form, onProgress)
    : upload("/api/v1/games", undefined, form, onProgress);
}
