/**
 * The party socket: connects (invite + name, or the session cookie), keeps the clock in sync
 * (a ping every second until 8 samples, then every 10 s), reconnects with back-off and resumes
 * from the last sequence number it saw, and keeps a snapshot (party, state, members, chat) that
 * the UI subscribes to. The sync engine is fed through onState.
 */
import { ClockSync } from "./clock";
import { openSocket, socketUrl } from "../../api/socket";
import type { ChatMessage, ClientMessage, PartyDescription, PartyMember, PartyState, ServerMessage } from "./protocol";

export interface PartySnapshot {
  status: "connecting" | "open" | "reconnecting" | "ended" | "refused";
  party: PartyDescription | null;
  me: { id: number; name: string } | null;
  state: PartyState | null;
  members: PartyMember[];
  host: number;
  anyoneControls: boolean;
  chat: ChatMessage[];
  error: string | null;
  rtt: number;
}

export interface PartyClientOptions {
  partyId: string;
  invite?: string;
  name: string;
  /** Tests and other origins: a WebSocket constructor and a base ws URL. */
  WebSocketImpl?: typeof WebSocket;
  baseUrl?: string;
  now?: () => number;
}

const STORAGE = (id: string) => `beacon.party.${id}`;

export class PartyClient {
  readonly clock = new ClockSync();
  private ws: WebSocket | null = null;
  private snap: PartySnapshot = {
    status: "connecting", party: null, me: null, state: null, members: [], host: 0, anyoneControls: false, chat: [], error: null, rtt: 0,
  };
  private listeners = new Set<() => void>();
  private lastSeq = 0;
  private rejoin: { member: number; secret: string } | null = null;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private retries = 0;
  private stopped = false;
  private pingId = 0;
  private pending = new Map<number, number>();
  onState: (s: PartyState) => void = () => undefined;
  onChat: (m: ChatMessage) => void = () => undefined;
  private readonly now: () => number;

  constructor(private readonly opts: PartyClientOptions) {
    this.now = opts.now ?? (() => performance.timeOrigin + performance.now());
    try {
      const saved = sessionStorage.getItem(STORAGE(opts.partyId));
      if (saved) this.rejoin = JSON.parse(saved);
    } catch {
      /* no storage: a reconnect after reload joins as a new member */
    }
  }

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };
  getSnapshot = () => this.snap;

  private update(p: Partial<PartySnapshot>) {
    this.snap = { ...this.snap, ...p };
    for (const l of this.listeners) l();
  }

  private url(): string {
    return socketUrl("/api/v1/parties/{id}/ws", { id: this.opts.partyId }, {
      invite: this.opts.invite,
      name: this.opts.name,
      member: this.rejoin?.member,
      rejoin: this.rejoin?.secret,
      after: this.lastSeq > 0 ? this.lastSeq : undefined,
    }, this.opts.baseUrl);
  }

  start(): void {
    this.stopped = false;
    const ws = openSocket(this.url(), this.opts.WebSocketImpl);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.retries = 0;
      this.update({ status: "open", error: null });
      this.schedulePing(0);
    };
    ws.onmessage = (e) => this.receive(JSON.parse(String(e.data)) as ServerMessage);
    ws.onclose = () => {
      clearTimeout(this.pingTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped || this.snap.status === "ended") return;
      if (!opened && this.retries >= 3) {
        this.update({ status: "refused", error: this.snap.error ?? "The party could not be joined (ended, full, or the link expired)." });
        return;
      }
      this.update({ status: "reconnecting" });
      const delay = Math.min(8000, 500 * 2 ** this.retries++);
      this.retryTimer = setTimeout(() => this.start(), delay);
    };
  }

  stop(leave = false): void {
    this.stopped = true;
    clearTimeout(this.pingTimer);
    clearTimeout(this.retryTimer);
    if (leave) this.send({ type: "leave" });
    this.ws?.close();
    this.ws = null;
  }

  send(m: ClientMessage): void {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(m));
  }

  private schedulePing(delay: number) {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      const id = ++this.pingId;
      const t0 = this.now();
      this.pending.set(id, t0);
      this.send({ type: "time", id, t0, rtt: this.clock.ready ? this.clock.rtt : undefined });
      this.schedulePing(this.clock.count < 8 ? 1000 : 10_000);
    }, delay);
  }

  private receive(m: ServerMessage) {
    if ("seq" in m && typeof m.seq === "number" && m.type !== "hello" && m.type !== "resync") this.lastSeq = Math.max(this.lastSeq, m.seq);
    switch (m.type) {
      case "hello":
        this.lastSeq = Math.max(this.lastSeq, m.seq);
        this.rejoin = { member: m.you.id, secret: m.you.rejoin };
        try {
          sessionStorage.setItem(STORAGE(this.opts.partyId), JSON.stringify(this.rejoin));
        } catch {
          /* ignore */
        }
        this.update({ me: { id: m.you.id, name: m.you.name }, party: m.party, host: m.party.host, anyoneControls: m.party.anyone_controls, chat: m.chat, state: m.state });
        this.onState(m.state);
        return;
      case "time": {
        const t0 = m.id !== undefined ? this.pending.get(m.id) : m.t0;
        if (m.id !== undefined) this.pending.delete(m.id);
        if (t0 === undefined) return;
        this.clock.add(t0, m.t1, m.t2, this.now());
        this.update({ rtt: this.clock.rtt });
        return;
      }
      case "state":
        this.update({ state: m });
        this.onState(m);
        return;
      case "members":
        this.update({ members: m.members, host: m.host });
        return;
      case "host":
        this.update({ host: m.host });
        return;
      case "settings":
        this.update({ anyoneControls: m.anyone_controls });
        return;
      case "chat":
        if (this.snap.chat.some((c) => c.seq === m.seq)) return;
        this.update({ chat: [...this.snap.chat, m].slice(-200) });
        this.onChat(m);
        return;
      case "ended":
        this.update({ status: "ended" });
        this.stop();
        return;
      case "error":
        this.update({ error: m.message });
        return;
      default:
        return;
    }
  }

  /** May this member control playback now? */
  canControl(): boolean {
    const s = this.snap;
    if (!s.me || s.party?.live) return false;
    return s.host === s.me.id || s.anyoneControls;
  }
}
