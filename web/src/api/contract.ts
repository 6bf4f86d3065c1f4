import type { paths } from "./schema";

/**
 * Compile-time check that every endpoint the client calls exists in api/openapi.yaml with that
 * method: if the contract drops or renames one, `npm run typecheck` (part of the build) fails.
 */
type Has<P extends keyof paths, M extends "get" | "post" | "patch" | "delete"> = [NonNullable<paths[P][M]>] extends [never] ? false : true;
type Assert<T extends true> = T;

export type ContractCheck = [
  Assert<Has<"/api/v1/auth/status", "get">>,
  Assert<Has<"/api/v1/auth/setup", "post">>,
  Assert<Has<"/api/v1/auth/login", "post">>,
  Assert<Has<"/api/v1/auth/logout", "post">>,
  Assert<Has<"/api/v1/auth/me", "get">>,
  Assert<Has<"/api/v1/auth/password", "post">>,
  Assert<Has<"/api/v1/tokens", "get">>,
  Assert<Has<"/api/v1/tokens", "post">>,
  Assert<Has<"/api/v1/tokens/{id}", "delete">>,
  Assert<Has<"/api/v1/stream-key", "get">>,
  Assert<Has<"/api/v1/stream-key/rotate", "post">>,
  Assert<Has<"/api/v1/generate", "post">>,
  Assert<Has<"/api/v1/jobs", "get">>,
  Assert<Has<"/api/v1/jobs/{id}", "get">>,
  Assert<Has<"/api/v1/jobs/{id}/logs", "get">>,
  Assert<Has<"/api/v1/jobs/{id}/cancel", "post">>,
  Assert<Has<"/api/v1/jobs/{id}/retry", "post">>,
  Assert<Has<"/api/v1/jobs/{id}/scenes/{n}/regenerate", "post">>,
  Assert<Has<"/api/v1/content", "get">>,
  Assert<Has<"/api/v1/content/{id}", "get">>,
  Assert<Has<"/api/v1/content/{id}", "patch">>,
  Assert<Has<"/api/v1/content/{id}", "delete">>,
  Assert<Has<"/api/v1/content/{id}/publish", "post">>,
  Assert<Has<"/api/v1/content/{id}/publish", "delete">>,
  Assert<Has<"/api/v1/content/{id}/assets", "get">>,
  Assert<Has<"/api/v1/engines", "get">>,
  Assert<Has<"/api/v1/voices", "get">>,
  Assert<Has<"/api/v1/playlists", "get">>,
  Assert<Has<"/api/v1/playlists", "post">>,
  Assert<Has<"/api/v1/playlists/{id}", "patch">>,
  Assert<Has<"/api/v1/playlists/{id}", "delete">>,
  Assert<Has<"/api/v1/playlists/{id}/insert", "post">>,
  Assert<Has<"/api/v1/playlists/{id}/now", "get">>,
  Assert<Has<"/api/v1/events", "get">>,
];
