/**
 * The party WebSocket protocol, version 1 (api/openapi.yaml describes it under
 * /api/v1/parties/{id}/ws; docs/party.md explains it). Every message is {"type": ..., "v": 1};
 * broadcast messages carry "seq" (resume with ?after=SEQ or {"type":"resume","after":SEQ}).
 */
export type PartyPhase = "idle" | "waiting" | "paused" | "playing";

/** The authoritative media state: at server time `at` (Unix ms) the position is `position`. */
export interface PartyState {
  type: "state";
  v: 1;
  seq: number;
  state: PartyPhase;
  playing: boolean;
  position: number;
  at: number;
  rate: number;
  audio: string;
  captions: string;
  live: boolean;
  by: string;
  reason: string;
  waiting_for: number[];
  wait_deadline?: number;
  resume_playing?: boolean;
}

export interface PartyMember {
  id: number;
  name: string;
  host: boolean;
  owner: boolean;
  connected: boolean;
  buffering: boolean;
  catching_up: boolean;
  latency_ms: number;
  joined_at: number;
}

export interface PartyDescription {
  id: string;
  kind: "item" | "channel";
  content_id: number;
  channel: string;
  title: string;
  duration: number;
  live: boolean;
  host: number;
  anyone_controls: boolean;
  member_count: number;
  max_members: number;
  created_at: number;
  state: PartyState;
  media?: PartyMedia;
  you_are?: "user" | "guest";
}

export interface PartyMedia {
  hls: string;
  mp4?: string;
  poster?: string;
  chapters?: string;
  captions: { lang: string; url: string }[];
  languages?: string[];
}

export interface ChatMessage {
  type: "chat";
  v: 1;
  seq: number;
  from: number;
  name: string;
  text: string;
  at: number;
}

export type ServerMessage =
  | { type: "hello"; v: 1; you: { id: number; name: string; rejoin: string }; party: PartyDescription; state: PartyState; chat: ChatMessage[]; seq: number; server_time: number }
  | { type: "time"; v: 1; id?: number; t0: number; t1: number; t2: number }
  | PartyState
  | { type: "members"; v: 1; seq: number; host: number; members: PartyMember[] }
  | ChatMessage
  | { type: "host"; v: 1; seq: number; host: number; name: string; reason: "handoff" | "host_disconnected" | "host_left"; by: string }
  | { type: "settings"; v: 1; seq: number; anyone_controls: boolean }
  | { type: "ended"; v: 1; seq: number; reason: string }
  | { type: "resync"; v: 1; seq: number }
  | { type: "error"; v: 1; code: string; message: string };

export type RequestAction = "play" | "pause" | "seek" | "rate" | "audio" | "captions";

export type ClientMessage =
  | { type: "time"; t0: number; id?: number; rtt?: number }
  | { type: "request"; action: RequestAction; position?: number; rate?: number; track?: string }
  | { type: "buffering" }
  | { type: "ready"; seq: number }
  | { type: "chat"; text: string }
  | { type: "handoff"; to: number }
  | { type: "settings"; anyone_controls: boolean }
  | { type: "resume"; after: number }
  | { type: "leave" };
