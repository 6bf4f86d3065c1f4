import { api, type ApiClient } from "../../api/client";
import type { Answer } from "../../api/types";

/** A signed-token sign-in (refresh family) as GET /api/v1/auth/families lists it. */
export type SignInSession = Answer<"/api/v1/auth/families", "get">["items"][number];

export const sessionsKey = ["auth-families"] as const;

export const sessionsApi = (client: ApiClient = api) => ({
  list: () => client.ok(client.http.GET("/api/v1/auth/families")),
  /** Signs one session out: its refresh token and access tokens stop working. */
  revoke: (family: string) => client.ok(client.http.POST("/api/v1/auth/revoke", { body: { family } })),
  /** Signs out every session but the ones made from this browser's sign-in. */
  revokeOthers: () => client.ok(client.http.POST("/api/v1/auth/revoke", { body: { others: true } })),
});

/** A short device label from a User-Agent: "Firefox on Linux", "curl", or the raw text. */
export function deviceLabel(userAgent: string | undefined): string {
  const ua = (userAgent ?? "").trim();
  if (!ua) return "unknown device";
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome"
    : /Safari\//.test(ua) ? "Safari" : null;
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Windows/.test(ua) ? "Windows"
    : /Mac OS X|Macintosh/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : null;
  if (browser) return os ? `${browser} on ${os}` : browser;
  const tool = /^([A-Za-z][\w.-]*)\//.exec(ua);
  return tool ? tool[1] : ua.slice(0, 60);
}
