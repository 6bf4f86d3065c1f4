import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./schema";
import type {
  ApiToken, Content, ContentPatch, EngineStatus, SystemStatus, GenerateInput, ItemLanguages, Job, JobDetail, JobLogLine, JobState,
  NowNext, Page, Playlist, PlaylistPatch, Session, StreamKey, Voice, Asset,
} from "./types";

/** Requests are built on this origin and sent to the same path on the page's own server. */
const ORIGIN = "http://beacon.invalid";

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

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
  ) {
    this.http = createClient<paths>({
      // The contract's paths carry /api/v1 themselves; the origin only makes the Request valid.
      baseUrl: ORIGIN,
      querySerializer: (q) => qs(q as Record<string, string | number | boolean | undefined>).slice(1),
      fetch: async (req: Request) => {
        const url = req.url.startsWith(ORIGIN) ? req.url.slice(ORIGIN.length) : req.url;
        const text = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
        const res = await this.send(req.method, url, text === "" ? undefined : text);
        if (!res.ok) await this.read(res, req.method, url.replace(/^\/api\/v1/, ""));
        return res;
      },
    });
  }

  setCsrfToken(token: string | null): void {
    this.csrf = token;
  }
  get csrfToken(): string | null {
    return this.csrf;
  }

  /**
   * The typed client over the contract: paths, parameters, bodies and answers come from
   * schema.d.ts (generated from api/openapi.yaml by `npm run gen:api`), so a call that the spec
   * no longer allows fails `npm run typecheck`. Its requests go through `send` below.
   */
  readonly http: Client<paths>;

  /** Untyped call for a path relative to /api/v1 (only for routes not yet moved to `http`). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, this.base + path, body === undefined ? undefined : JSON.stringify(body));
    return (await this.read(res, method, path)) as T;
  }

  /**
   * A call the typed client cannot make: a body sent as it is (a document already serialised, a
   * file's bytes) or a request header the contract names (If-Match). The path must be one of the
   * contract's (parameters filled in here); the answer's type is the caller's (name it with
   * `Answer<path, method>`). The same CSRF, 401 and error handling as every other call.
   */
  async requestRaw<T>(
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    path: keyof paths,
    params: { path?: Record<string, string | number>; query?: Record<string, string | number | boolean | undefined> },
    raw: RawOptions = {},
  ): Promise<T> {
    const url = fillPath(path, params.path) + qs(params.query ?? {});
    const res = await this.send(method, url, undefined, raw);
    return (await this.read(res, method, url.replace(/^\/api\/v1/, ""))) as T;
  }

  /**
   * Every request: cookie auth (credentials same-origin), X-CSRF-Token on anything but GET/HEAD
   * once a session has told us the token, 401 reported to onUnauthorized (not for /auth/*), and
   * a 409 confirmation_required asked through onConfirmationRequired and sent again with
   * `"confirm": true` in its body.
   */
  private async send(method: string, url: string, body: string | undefined, raw?: RawOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", ...raw?.headers };
    if (body !== undefined || raw?.body !== undefined) headers["Content-Type"] = raw?.contentType ?? "application/json";
    if (method !== "GET" && method !== "HEAD" && this.csrf) headers["X-CSRF-Token"] = this.csrf;
    let res: Response;
    try {
      res = await this.fetchImpl(url, { method, headers, credentials: "same-origin", body: raw?.body ?? body });
    } catch (e) {
      throw new ApiError(0, "network", `Cannot reach the Beacon server (${(e as Error).message})`);
    }
    if (res.status === 401 && this.onUnauthorized && !url.startsWith(this.base + "/auth/")) this.onUnauthorized();
    if (res.status === 409 && this.onConfirmationRequired && !raw) {
      const sent = parseJson(body ?? "{}");
      const err = (parseJson(await res.clone().text()) as { error?: { code?: string; message?: string } } | undefined)?.error;
      const isObject = typeof sent === "object" && sent !== null && !Array.isArray(sent);
      if (err?.code === "confirmation_required" && isObject && (sent as { confirm?: unknown }).confirm !== true &&
          (await this.onConfirmationRequired(err.message ?? "This item was never reviewed."))) {
        return this.send(method, url, JSON.stringify({ ...(sent as object), confirm: true }));
      }
    }
    return res;
  }

  /** The answer's JSON, or an ApiError with the server's code and message in words. */
  private async read(res: Response, method: string, path: string): Promise<unknown> {
    const text = await res.text();
    const json = text ? parseJson(text) : undefined;
    if (!res.ok) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message ?? `${method} ${path} failed with HTTP ${res.status}`);
    }
    return json;
  }

  /** The data of a typed call (errors were thrown by the transport): `api.ok(api.http.GET(...))`. */
  async ok<D>(call: Promise<{ data?: D; response: Response }>): Promise<D> {
    return (await call).data as D;
  }

  /** GET /healthz (the liveness probe, outside /api/v1, never cached): whether the server answers. */
  healthy = async (): Promise<boolean> => {
    try {
      return (await this.fetchImpl("/healthz", { cache: "no-store" })).ok;
    } catch {
      return false;
    }
  };

  // Auth
  authStatus = () => this.ok(this.http.GET("/api/v1/auth/status"));
  me = async () => this.remember(await this.ok(this.http.GET("/api/v1/auth/me")));
  login = async (password: string, username?: string) =>
    this.remember(await this.ok(this.http.POST("/api/v1/auth/login", { body: username ? { password, username } : { password } })));
  setup = async (password: string) => this.remember(await this.ok(this.http.POST("/api/v1/auth/setup", { body: { password } })));
  logout = async () => {
    await this.ok(this.http.POST("/api/v1/auth/logout"));
    this.csrf = null;
  };
  // The server ends every session with the old password and hands this one a new session and
  // CSRF token, so the caller stays signed in.
  changePassword = async (current_password: string, new_password: string, revoke_tokens = false) =>
    this.remember(
      await this.ok(this.http.POST("/api/v1/auth/password", { body: { current_password, new_password, revoke_tokens } })),
    );
  private remember(s: Session): Session {
    if (s?.csrf_token) this.csrf = s.csrf_token;
    return s;
  }

  // Tokens and stream key
  tokens = (): Promise<{ items: ApiToken[] }> => this.ok(this.http.GET("/api/v1/tokens"));
  createToken = (name: string) => this.ok(this.http.POST("/api/v1/tokens", { body: { name } }));
  revokeToken = (id: number) => this.ok(this.http.DELETE("/api/v1/tokens/{id}", { params: { path: { id } } }));
  streamKey = (): Promise<StreamKey> => this.ok(this.http.GET("/api/v1/stream-key"));
  rotateStreamKey = (): Promise<StreamKey> => this.ok(this.http.POST("/api/v1/stream-key/rotate"));

  // Jobs
  generate = (req: GenerateInput) => this.ok(this.http.POST("/api/v1/generate", { body: req }));
  jobs = (p: { state?: JobState; limit?: number; offset?: number } = {}): Promise<Page<Job>> =>
    this.ok(this.http.GET("/api/v1/jobs", { params: { query: p } }));
  /** A job's detail with its whole log: the detail itself carries only the recent progress
   * lines (tool command lines are left out to keep it small), so the lines come from /logs,
   * page by page (1000 a page, at most 20 pages). */
  job = async (id: number): Promise<JobDetail> => {
    const [detail, first] = await Promise.all([
      this.ok(this.http.GET("/api/v1/jobs/{id}", { params: { path: { id } } })),
      this.jobLogs(id),
    ]);
    let logs = first.items;
    for (let page = 1, last = first.items; last.length >= 1000 && page < 20; page++) {
      last = (await this.jobLogs(id, last[last.length - 1].id)).items;
      logs = logs.concat(last);
    }
    return { ...detail, logs };
  };
  jobLogs = (id: number, after?: number): Promise<{ items: JobLogLine[] }> =>
    this.ok(this.http.GET("/api/v1/jobs/{id}/logs", { params: { path: { id }, query: { after } } }));
  cancelJob = (id: number): Promise<Job> => this.ok(this.http.POST("/api/v1/jobs/{id}/cancel", { params: { path: { id } } }));
  retryJob = (id: number): Promise<Job> => this.ok(this.http.POST("/api/v1/jobs/{id}/retry", { params: { path: { id } } }));
  regenerateScene = (id: number, n: number, body: { description?: string; lines?: string[]; seed?: number }): Promise<Job> =>
    this.ok(this.http.POST("/api/v1/jobs/{id}/scenes/{n}/regenerate", { params: { path: { id, n } }, body }));

  // Library
  content = (p: ContentQuery = {}): Promise<Page<Content>> => this.ok(this.http.GET("/api/v1/content", { params: { query: p } }));
  contentItem = (id: number): Promise<Content> => this.ok(this.http.GET("/api/v1/content/{id}", { params: { path: { id } } }));
  patchContent = (id: number, patch: ContentPatch): Promise<Content> =>
    this.ok(this.http.PATCH("/api/v1/content/{id}", { params: { path: { id } }, body: patch }));
  deleteContent = (id: number) => this.ok(this.http.DELETE("/api/v1/content/{id}", { params: { path: { id } } }));
  publish = (id: number) => this.ok(this.http.POST("/api/v1/content/{id}/publish", { params: { path: { id } } }));
  unpublish = (id: number) => this.ok(this.http.DELETE("/api/v1/content/{id}/publish", { params: { path: { id } } }));
  contentAssets = (id: number): Promise<{ items: Asset[] }> =>
    this.ok(this.http.GET("/api/v1/content/{id}/assets", { params: { path: { id } } }));

  // Languages (dubs and captions of an item)
  itemLanguages = (id: number): Promise<ItemLanguages> =>
    this.ok(this.http.GET("/api/v1/content/{id}/languages", { params: { path: { id } } }));
  addLanguage = (id: number, body: { language: string; voice?: string; captions_only?: boolean }) =>
    this.ok(this.http.POST("/api/v1/content/{id}/languages", { params: { path: { id } }, body }));
  removeLanguage = (id: number, lang: string): Promise<ItemLanguages> =>
    this.ok(this.http.DELETE("/api/v1/content/{id}/languages/{lang}", { params: { path: { id, lang } } }));
  /** A job's detail alone (no log pages): status, progress and error, for a panel that follows one job. */
  jobRow = (id: number): Promise<Job> => this.ok(this.http.GET("/api/v1/jobs/{id}", { params: { path: { id } } }));

  // Engines
  engines = (): Promise<{ items: EngineStatus[] }> => this.ok(this.http.GET("/api/v1/engines"));
  system = (): Promise<SystemStatus> => this.ok(this.http.GET("/api/v1/system"));
  voices = (): Promise<{ items: Voice[] }> => this.ok(this.http.GET("/api/v1/voices"));

  // LiveLoop
  playlists = (): Promise<{ items: Playlist[] }> => this.ok(this.http.GET("/api/v1/playlists"));
  createPlaylist = (title: string, slug?: string): Promise<Playlist> =>
    this.ok(this.http.POST("/api/v1/playlists", { body: slug ? { title, slug } : { title } }));
  patchPlaylist = (id: number, patch: PlaylistPatch): Promise<Playlist> =>
    this.ok(this.http.PATCH("/api/v1/playlists/{id}", { params: { path: { id } }, body: patch }));
  deletePlaylist = (id: number) => this.ok(this.http.DELETE("/api/v1/playlists/{id}", { params: { path: { id } } }));
  insert = (id: number, content_id: number, at?: string): Promise<Playlist> =>
    this.ok(this.http.POST("/api/v1/playlists/{id}/insert", { params: { path: { id } }, body: at ? { content_id, at } : { content_id } }));
  nowNext = (id: number): Promise<NowNext> => this.ok(this.http.GET("/api/v1/playlists/{id}/now", { params: { path: { id } } }));
}

/** A raw request's body (sent as it is, `contentType` defaulting to JSON) and extra headers. */
export interface RawOptions {
  body?: string | Blob;
  contentType?: string;
  headers?: Record<string, string>;
}

/** GET /content's filters (the contract's query parameters). */
export type ContentQuery = NonNullable<paths["/api/v1/content"]["get"]["parameters"]["query"]>;

/** A path of the contract with its `{name}` parameters filled in (each encoded). */
export function fillPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(String(v));
  });
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
