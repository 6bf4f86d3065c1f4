import { api, fillPath, type ApiClient } from "./client";

export { fillPath };
import type { paths } from "./schema";
import type { Answer } from "./types";

/** The contract's routes that take a multipart/form-data POST (uploads). */
export type UploadPath = {
  [P in keyof paths]: [NonNullable<paths[P]["post"]>] extends [never]
    ? never
    : NonNullable<paths[P]["post"]> extends { requestBody: { content: { "multipart/form-data": unknown } } }
      ? P
      : never;
}[keyof paths];

type PathParams<P extends UploadPath> = NonNullable<paths[P]["post"]> extends { parameters: { path: infer Q } } ? Q : never;

/** The JSON answer of a successful upload (200, 201 or 202, whichever the route declares). */
export type Uploaded<P extends UploadPath> = Answer<P, "post", 200 | 201 | 202>;

/**
 * Sends a multipart form to one of the contract's upload routes with progress (XHR: fetch has no
 * upload progress), with the client's CSRF token and cookies. Resolves with the route's typed
 * answer; rejects with the server's message in words.
 */
export function upload<P extends UploadPath>(
  path: P,
  pathParams: PathParams<P> extends never ? undefined : PathParams<P>,
  form: FormData,
  onProgress: (fraction: number) => void,
  client: ApiClient = api,
): { promise: Promise<Uploaded<P>>; abort: () => void } {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<Uploaded<P>>((resolve, reject) => {
    xhr.open("POST", fillPath(path, (pathParams ?? {}) as Record<string, string | number>));
    xhr.withCredentials = true;
    if (client.csrfToken) xhr.setRequestHeader("X-CSRF-Token", client.csrfToken);
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
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as Uploaded<P>);
      if (xhr.status === 401) client.onUnauthorized?.();
      const msg = (body as { error?: { message?: string } } | null)?.error?.message;
      reject(new Error(msg ?? (xhr.status === 413 ? "The file is too large for this server." : `Upload failed (HTTP ${xhr.status}).`)));
    };
    xhr.onerror = () => reject(new Error("Cannot reach the Beacon server."));
    xhr.onabort = () => reject(new Error("Upload canceled."));
    xhr.send(form);
  });
  return { promise, abort: () => xhr.abort() };
}
