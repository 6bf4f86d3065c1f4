/**
 * Domain types of the Beacon HTTP API (/api/v1), matching the shared contract.
 * When api/openapi.yaml exists, `npm run gen:api` writes schema.d.ts from it and
 * `typecheck:contract` (in the build) checks these types against the generated ones.
 */

export type JobState =
  | "queued"
  | "generating_script"
  | "rendering_preview"
  | "rendering_final"
  | "composing"
  | "completed"
  | "failed"
  | "canceled";

export const TERMINAL_STATES: readonly JobState[] = ["completed", "failed", "canceled"];

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export interface User {
  id: number;
  name: string;
}

export interface Session {
  user: User;
  csrf_token: string;
}

export interface AuthStatus {
  password_set: boolean;
}

export interface GenerateRequest {
  prompt: string;
  title?: string;
  style?: string;
  voice?: string;
  language?: string;
  duration_target?: number;
  output_preset?: "480p" | "720p" | "1080p";
  produce_preview?: boolean;
}

export interface JobLogLine {
  id: number;
  job_id?: number;
  at: string;
  stage: string;
  level: "info" | "warn" | "error" | "cmd" | string;
  message: string;
}

export interface Asset {
  id: number;
  job_id?: number | null;
  content_id?: number | null;
  kind: string;
  hash?: string;
  key: string;
  url?: string;
  mime?: string;
  size?: number;
  engine: string;
  model?: string;
  parameters?: Record<string, unknown>;
  created_at?: string;
}

export interface Job {
  id: number;
  job_id?: number;
  status: JobState;
  progress: number; // 0..100
  prompt: string;
  title: string;
  style?: string;
  voice?: string;
  language?: string;
  duration_target?: number;
  output_preset?: string;
  produce_preview?: boolean;
  created_at: string;
  updated_at: string;
  preview_url: string | null;
  final_url: string | null;
  thumbnail_url: string | null;
  vtt_url: string | null;
  error: { code: string; message: string } | null;
  attempts?: number;
  cancel_requested?: boolean;
  content_id: number | null;
  logs?: JobLogLine[];
  stages?: Record<string, unknown>;
  assets?: Asset[];
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Content {
  id: number;
  job_id?: number | null;
  title: string;
  description: string;
  prompt: string;
  mp4_url: string;
  hls_url: string;
  thumbnail: string;
  poster: string;
  preview_url: string;
  vtt_url: string;
  chapters_url: string;
  duration: number;
  languages: string[];
  published: boolean;
  visibility: "private" | "public" | string;
  transcript: string;
  script: unknown;
  entities: unknown;
  created_at: string;
  updated_at?: string;
}

export interface ContentPatch {
  title?: string;
  description?: string;
  visibility?: "private" | "public";
  published?: boolean;
}

export interface EngineStatus {
  capability: string;
  engine: string;
  builtin: boolean;
  ok: boolean;
  detail: string;
}

export interface Voice {
  id: string;
  name: string;
  language: string;
}

export interface ScheduledSlot {
  time: string;
  days: "daily" | number[];
  content_id?: number;
  playlist_id?: number;
}

export interface Playlist {
  id: number;
  slug: string;
  title: string;
  items: number[];
  loop_mode: "in_order" | "shuffle" | string;
  active: boolean;
  hls_endpoint: string;
  scheduled_slots: ScheduledSlot[];
  inserts: unknown[];
}

export interface PlaylistPatch {
  title?: string;
  items?: number[];
  loop_mode?: "in_order" | "shuffle";
  active?: boolean;
  scheduled_slots?: ScheduledSlot[];
}

export interface NowEntry {
  content_id: number;
  title: string;
  start: string;
  end: string;
}

export interface NowNext {
  now: NowEntry | null;
  next: NowEntry[];
}

export interface ApiToken {
  id: number;
  name: string;
  token?: string;
  created_at?: string;
  last_used_at?: string | null;
}

export interface StreamKey {
  key: string;
  m3u_url: string;
  guide_url: string;
}

/** Server → client events on /api/v1/events: a typed, versioned union. */
export type ServerEvent =
  | { seq: number; type: "job.updated"; v: 1; data: Job }
  | { seq: number; type: "job.log"; v: 1; data: JobLogLine & { job_id: number } }
  | { seq: number; type: "content.updated"; v: 1; data: Content }
  | { seq: number; type: "content.deleted"; v: 1; data: { id: number } }
  | { seq: number; type: "playlist.updated"; v: 1; data: Playlist }
  | { seq: number; type: "resync"; v: 1; data?: unknown };
