/**
 * The studio's half of the host-game SDK (the game's half is /beacon-game.js on the game's
 * origin). Messages are accepted only from the game's iframe window AND the game's origin;
 * messages to the game name that origin as their target, so nothing reaches another page.
 *
 * game → host: {beacon:"game", type:"hello"|"ready"|"save"|"load", id?, data?}
 * host → game: {beacon:"host", type:"pause"|"resume"|"audio"|"reply", id?, data?, error?, enabled?, level?}
 */
export type SaveStore = {
  load: () => Promise<string | null>;
  save: (data: string) => Promise<void>;
};

export type BridgeEvents = {
  onReady?: () => void;
  onConnected?: () => void;
};

export const MAX_SAVE_CHARS = 1 << 20;

export class GameBridge {
  private connected = false;
  private paused = false;
  private audio = { enabled: true, level: 1 };

  constructor(
    private readonly frame: () => Window | null,
    private readonly origin: string,
    private readonly store: SaveStore,
    private readonly events: BridgeEvents = {},
  ) {}

  /** Whether the game has spoken the SDK (a game without it still plays). */
  get sdk(): boolean {
    return this.connected;
  }

  /**
   * A new copy of the game is starting (moved into or out of the Picture-in-Picture window):
   * it greets again and is brought up to the host's pause and audio state then.
   */
  restart(): void {
    this.connected = false;
  }

  /** Handles one window "message" event; true when it was the game's and was acted on. */
  handle = (e: Pick<MessageEvent, "data" | "origin" | "source">): boolean => {
    const win = this.frame();
    if (!win || e.source !== win || e.origin !== this.origin) return false;
    const m = e.data as { beacon?: string; type?: string; id?: number; data?: unknown } | null;
    if (!m || typeof m !== "object" || m.beacon !== "game" || typeof m.type !== "string") return false;
    if (!this.connected) {
      this.connected = true;
      this.events.onConnected?.();
      // Bring the game up to date with the host's state.
      if (this.paused) this.post({ type: "pause" });
      if (!this.audio.enabled || this.audio.level !== 1) this.post({ type: "audio", ...this.audio });
    }
    switch (m.type) {
      case "hello":
        // The SDK greets every allowed studio origin; answering proves which one we are.
        this.post({ type: "audio", ...this.audio });
        return true;
      case "ready":
        this.events.onReady?.();
        return true;
      case "save": {
        const id = m.id;
        if (typeof m.data !== "string") {
          this.post({ type: "reply", id, error: "save(data) takes a string" });
        } else if (m.data.length > MAX_SAVE_CHARS) {
          this.post({ type: "reply", id, error: "the save is too large" });
        } else {
          this.store.save(m.data).then(
            () => this.post({ type: "reply", id, data: true }),
            (err: Error) => this.post({ type: "reply", id, error: err.message || "save failed" }),
          );
        }
        return true;
      }
      case "load": {
        const id = m.id;
        this.store.load().then(
          (data) => this.post({ type: "reply", id, data }),
          (err: Error) => this.post({ type: "reply", id, error: err.message || "load failed" }),
        );
        return true;
      }
      default:
        return false;
    }
  };

  pause(): void {
    this.paused = true;
    this.post({ type: "pause" });
  }
  resume(): void {
    this.paused = false;
    this.post({ type: "resume" });
  }
  /** Mute (enabled=false), unmute, or duck to `level` (0..1) for the player's audio ducking. */
  setAudio(enabled: boolean, level = enabled ? 1 : 0): void {
    this.audio = { enabled, level: Math.max(0, Math.min(1, level)) };
    this.post({ type: "audio", ...this.audio });
  }

  /**
   * When set, messages to the game are posted through this function instead of from the page:
   * a game in a Picture-in-Picture window accepts host messages only from that window (its
   * parent), and a message's source is the window whose code calls postMessage.
   */
  relay: ((msg: Record<string, unknown>, origin: string) => void) | null = null;

  private post(msg: Record<string, unknown>): void {
    const m = { beacon: "host", ...msg };
    if (this.relay) this.relay(m, this.origin);
    else this.frame()?.postMessage(m, this.origin);
  }
}
