import type { paths } from "./schema";
import { fillPath } from "./client";

type GetParams<P extends keyof paths> = NonNullable<paths[P]["get"]> extends { parameters: infer Q } ? Q : never;
type PathOf<P extends keyof paths> = GetParams<P> extends { path: infer X } ? X : never;
type QueryOf<P extends keyof paths> = GetParams<P> extends { query?: infer X } ? NonNullable<X> : never;

/** The contract's WebSocket routes (a GET answered with 101 Switching Protocols). */
export type SocketPath = {
  [P in keyof paths]: [NonNullable<paths[P]["get"]>] extends [never]
    ? never
    : NonNullable<paths[P]["get"]> extends { responses: { 101: unknown } }
      ? P
      : never;
}[keyof paths];

/**
 * The ws:/wss: URL of one of the contract's socket routes on this page's server (or on `base`),
 * its path parameters filled in and its query parameters typed by the spec.
 */
export function socketUrl<P extends SocketPath>(path: P, params: PathOf<P>, query: QueryOf<P>, base?: string): string {
  const origin = base ?? `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}`;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query as Record<string, string | number | undefined>)) {
    if (v !== undefined && v !== "") q.set(k, String(v));
  }
  const s = q.toString();
  return `${origin}${fillPath(path, params as Record<string, string | number>)}${s ? `?${s}` : ""}`;
}

/** Opens a WebSocket (tests hand in a fake constructor). */
export function openSocket(url: string, impl: typeof WebSocket = WebSocket): WebSocket {
  return new impl(url);
}
