/**
 * The party WebSocket protocol, version 1 (api/openapi.yaml describes it under
 * /api/v1/parties/{id}/ws; docs/party.md explains it). Every message is {"type": ..., "v": 1};
 * broadcast messages carry "seq" (resume with ?after=SEQ or {"type":"resume","after":SEQ}).
 */
import type { components } from "../../api/schema";

export type PartyPhase = PartyState["state"];

/** The authoritative media state: at server time `at` (Unix ms) the position is `position`. */
export type PartyState = components["schemas"]["PartyState"];

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

/** The party as GET /api/v1/parties/{id} and the socket's hello describe it (the contract's Party). */
export type PartyDescription = components["schemas"]["Party"];

/** The media URLs the caller can open (the party's own routes; guests' carry the invite). */
export type PartyMedia = NonNullable<PartyDescription["media"]>;

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
