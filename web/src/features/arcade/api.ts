import { api } from "../../api/client";

/** One game of the Arcade (GET /api/v1/games/{id}). */
export type Game = {
  id: number;
  title: string;
  description: string;
  entry: string;
  threads: boolean;
  version: number;
  files: number;
  bytes: number;
  cover_url: string | null;
  /** The game's own origin (never the studio's). */
  origin: string;
  /** Absolute URL of the entry page on the game's origin. */
  play_url: string;
  created_at: number;
  updated_at: number;
};

export const arcadeKeys = {
  all: ["games"] as const,
  game: (id: number) => ["games", id] as const,
};

export const gamesApi = {
  list: () => api.request<{ items: Game[] }>("GET", "/games"),
  get: (id: number) => api.request<Game>("GET", `/games/${id}`),
  patch: (id: number, patch: { title?: string; description?: string; threads?: boolean }) =>
    api.request<Game>("PATCH", `/games/${id}`, patch),
  remove: (id: number) => api.request<unknown>("DELETE", `/games/${id}`),
  load: (id: number) => api.request<{ data: string | null }>("GET", `/games/${id}/save`),
  save: (id: number, data: string) => api.request<{ bytes: number }>("PUT", `/games/${id}/save`, { data }),
};

export type UploadFields = { title: string; description?: string; entry?: string; threads?: boolean; cover?: File | null };

/**
 * Uploads a game (or, with `gameId`, a new version of it) with progress (XHR: fetch has no
 * upload progress). Rejects with the server's message in words.
 */
export function uploadGame(
  file: File,
  fields: UploadFields,
  onProgress: (fraction: number) => void,
  gameId?: number,
): { promise: Promise<Game>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const form = new FormData();
  form.append("title", fields.title);
  if (fields.description) form.append("description", fields.description);
  if (fields.entry) form.append("entry", fields.entry);
  if (fields.threads) form.append("threads", "true");
  if (fields.cover) form.append("cover", fields.cover, fields.cover.name);
  form.append("file", file, file.name);
  const promise = new Promise<Game>((resolve, reject) => {
    xhr.open("POST", gameId ? `/api/v1/games/${gameId}/versions` : "/api/v1/games");
    xhr.withCredentials = true;
    if (api.csrfToken) xhr.setRequestHeader("X-CSRF-Token", api.csrfToken);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as Game);
      const msg = (body as { error?: { message?: string } } | null)?.error?.message;
      reject(new Error(msg ?? (xhr.status === 413 ? "The file is too large for this server." : `Upload failed (HTTP ${xhr.status}).`)));
    };
    xhr.onerror = () => reject(new Error("Cannot reach the Beacon server."));
    xhr.onabort = () => reject(new Error("Upload canceled."));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
