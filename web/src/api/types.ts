/**
 * Domain types of the Beacon HTTP API (/api/v1), taken from the types `npm run gen:api`
 * generates from api/openapi.yaml (schema.d.ts), so server and UI cannot drift.
 */
import type { components, paths } from "./schema";

type S = components["schemas"];

/**
 * The JSON answer of one route of the contract, e.g. `Answer<"/api/v1/content/{id}/facts", "get">`
 * (status 200 unless named), for features that name an inline response schema.
 */
export type Answer<
  P extends keyof paths,
  M extends "get" | "post" | "put" | "patch" | "delete",
  Status extends number = 200,
> = NonNullable<paths[P][M]> extends { responses: infer R }
  ? Status extends keyof R
    ? R[Status] extends { content: { "application/json": infer J } }
      ? J
      : never
    : never
  : never;

export type JobState = S["JobState"];
export const TERMINAL_STATES: readonly JobState[] = ["completed", "failed", "canceled"];
export type ApiErrorBody = S["Error"];
export type User = S["User"];
export type Session = S["LoginResponse"];
export interface AuthStatus {
  password_set: boolean;
}
/** GET /system: free space where jobs write, and the reserve below which new jobs are refused. */
export interface SystemStatus {
  disk: null | {
    min_free_mb: number;
    accepting_jobs: boolean;
    folders: { path: string; free_mb: number; total_mb: number }[];
  };
}
export type GenerateRequest = S["GenerateRequest"];
/** What the create form sends: the server fills defaults for anything left out. */
export type GenerateInput = Partial<GenerateRequest> & { prompt: string };
export type JobLogLine = S["LogLine"];
export type Asset = S["Asset"];
/** A job as the cache holds it: list rows lack logs/stages/assets, the detail has them. */
export type Job = S["Job"] & Partial<Pick<S["JobDetail"], "logs" | "stages" | "assets">>;
export type JobDetail = S["JobDetail"];
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
export type Content = S["Content"];
export interface ContentPatch {
  title?: string;
  description?: string;
  visibility?: S["Visibility"];
  published?: boolean;
}
/** One language of an item (original, dub or captions-only) and the item's languages. */
export type ItemLanguage = S["ItemLanguage"];
export type ItemLanguages = S["ItemLanguages"];
export type EngineStatus = S["EngineStatus"];
export type Voice = S["Voice"];
export type ScheduledSlot = S["ScheduledSlot"];
export type Playlist = S["Playlist"];
export interface PlaylistPatch {
  title?: string;
  items?: number[];
  loop_mode?: S["LoopMode"];
  active?: boolean;
  scheduled_slots?: ScheduledSlot[];
}
export type NowEntry = S["NowEntry"];
export type NowNext = S["NowPlaying"];
export type ApiToken = S["ApiToken"] & { token?: string };
export type StreamKey = S["StreamKey"];

/** Server → client events on /api/v1/events: the contract's typed, versioned union. */
export type ServerEvent = S["JobUpdatedEvent"] | S["JobLogEvent"] | S["ContentUpdatedEvent"] | S["ContentDeletedEvent"] | S["PlaylistUpdatedEvent"] | (S["ResyncMessage"] & { seq: number; data?: unknown });
