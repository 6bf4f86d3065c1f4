import type {
  ApiToken, AuthStatus, Content, ContentPatch, EngineStatus, SystemStatus, GenerateInput, Job, JobDetail, JobLogLine,
  NowNext, Page, Playlist, PlaylistPatch, Session, StreamKey, Voice, Asset,
} from "./types";

/** An HTTP error from the API with the server's code and message in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Typed client for /api/v1. Cookie auth (credentials same-origin); every non-GET request
 * carries X-CSRF-Token once a session has told us the token.
 */
export class ApiClient {
  private csrf: string | null = null;
  onUnauthorized: (() => void) | null = null;
  /**
   * Moderation: asked when the server wants an explicit confirmation (409
   * confirmation_required: putting an item never reviewed on LiveLoop or making it public).
   * Resolving true sends the same request again with `"confirm": true` in its body.
   */
  onConfirmationRequired: ((message: string) => Promise<boolean>) | null = null;

  constructor(
    private readonly fetchImpl: FetchLike = (i, init) => fetch(i, init),
    private readonly base = "/api/v1",
  ) {}

  setCsrfToken(token: string | null): void {
    this.csrf = token;
  }
  get csrfToken(): string | null {
    return this.csrf;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && method !== "HEAD" && this.csrf) headers["X-CSRF-Token"] = this.csrf;
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers,
        credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, "network", `Cannot reach the Beacon server (${(e as Error).message})`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (res.status === 401 && this.onUnauthorized && !path.startsWith("/auth/")) this.onUnauthorized();
      const confirmed = typeof body === "object" && body !== null && (body as { confirm?: unknown }).confirm === true;
      if (res.status === 409 && err?.code === "confirmation_required" && this.onConfirmationRequired && !confirmed &&
          (body === undefined || (typeof body === "object" && body !== null && !Array.isArray(body))) &&
          (await this.onConfirmationRequired(err.message ?? "This item was never reviewed."))) {
        return this.request<T>(method, path, { ...((body as object | undefined) ?? {}), confirm: true });
      }
      throw new ApiError(
        res.status,
        err?.code ?? `http_${res.status}`,
        err?.message ?? `${method} ${path} failed with HTTP ${res.status}`,
      );
    }
    return json as T;
  }

  // Auth
  authStatus = () => this.request<AuthStatus>("GET", "/auth/status");
  me = async () => this.remember(await this.request<Session>("GET", "/auth/me"));
  login = async (password: string, username?: string) =>
    this.remember(await this.request<Session>("POST", "/auth/login", username ? { password, username } : { password }));
  setup = async (password: string) => this.remember(await this.request<Session>("POST", "/auth/setup", { password }));
  logout = async () => {
    await this.request<unknown>("POST", "/auth/logout");
    this.csrf = null;
  };
  // The server ends every session with the old password and hands this one a new session and
  // CSRF token, so the caller stays signed in.
  changePassword = async (current_password: string, new_password: string, revoke_tokens = false) =>
    this.remember(
      await this.request<Session>("POST", "/auth/password", { current_password, new_password, revoke_tokens }),
    );
  private remember(s: Session): Session {
    if (s?.csrf_token) this.csrf = s.csrf_token;
    return s;
  }

  // Tokens and stream key
  tokens = () => this.request<{ items: ApiToken[] }>("GET", "/tokens");
  createToken = (name: string) => this.request<ApiToken>("POST", "/tokens", { name });
  revokeToken = (id: number) => this.request<unknown>("DELETE", `/tokens/${id}`);
  streamKey = () => this.request<StreamKey>("GET", "/stream-key");
  rotateStreamKey = () => this.request<StreamKey>("POST", "/stream-key/rotate");

  // Jobs
  generate = (req: GenerateInput) => this.request<{ job_id: number; status: string; job: JobDetail }>("POST", "/generate", req);
  jobs = (p: { state?: string; limit?: number; offset?: number } = {}) => this.request<Page<Job>>("GET", "/jobs" + qs(p));
  /** A job's detail with its whole log: the detail itself carries only the recent progress
   * lines (tool command lines are left out to keep it small), so the lines come from /logs,
   * page by page (1000 a page, at most 20 pages). */
  job = async (id: number): Promise<JobDetail> => {
    const [detail, first] = await Promise.all([this.request<JobDetail>("GET", `/jobs/${id}`), this.jobLogs(id)]);
    let logs = first.items;
    for (let page = 1, last = first.items; last.length >= 1000 && page < 20; page++) {
      last = (await this.jobLogs(id, last[last.length - 1].id)).items;
      logs = logs.concat(last);
    }
    return { ...detail, logs };
  };
  jobLogs = (id: number, after?: number) => this.request<{ items: JobLogLine[] }>("GET", `/jobs/${id}/logs` + qs({ after }));
  cancelJob = (id: number) => this.request<Job>("POST", `/jobs/${id}/cancel`);
  retryJob = (id: number) => this.request<Job>("POST", `/jobs/${id}/retry`);
  regenerateScene = (id: number, n: number, body: { description?: string; lines?: string[]; seed?: number }) =>
    this.request<Job>("POST", `/jobs/${id}/scenes/${n}/regenerate`, body);

  // Library
  content = (p: { q?: string; sort?: string; published?: string; visibility?: string; language?: string; limit?: number; offset?: number } = {}) =>
    this.request<Page<Content>>("GET", "/content" + qs(p));
  contentItem = (id: number) => this.request<Content>("GET", `/content/${id}`);
  patchContent = (id: number, patch: ContentPatch) => this.request<Content>("PATCH", `/content/${id}`, patch);
  deleteContent = (id: number) => this.request<unknown>("DELETE", `/content/${id}`);
  publish = (id: number) => this.request<unknown>("POST", `/content/${id}/publish`);
  unpublish = (id: number) => this.request<unknown>("DELETE", `/content/${id}/publish`);
  contentAssets = (id: number) => this.request<{ items: Asset[] }>("GET", `/content/${id}/assets`);

  // Engines
  engines = () => this.request<{ items: EngineStatus[] }>("GET", "/engines");
  system = () => this.request<SystemStatus>("GET", "/system");
  voices = () => this.request<{ items: Voice[] }>("GET", "/voices");

  // LiveLoop
  playlists = () => this.request<{ items: Playlist[] }>("GET", "/playlists");
  createPlaylist = (title: string, slug?: string) => this.request<Playlist>("POST", "/playlists", slug ? { title, slug } : { title });
  patchPlaylist = (id: number, patch: PlaylistPatch) => this.request<Playlist>("PATCH", `/playlists/${id}`, patch);
  deletePlaylist = (id: number) => this.request<unknown>("DELETE", `/playlists/${id}`);
  insert = (id: number, content_id: number, at?: string) =>
    this.request<Playlist>("POST", `/playlists/${id}/insert`, at ? { content_id, at } : { content_id });
  nowNext = (id: number) => this.request<NowNext>("GET", `/playlists/${id}/now`);
}

/** Builds a query string from defined, non-empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "") continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : "";
}

export const api = new ApiClient();
