import { expect, test, type APIRequestContext, type Browser, type BrowserContext } from "@playwright/test";
import { BeaconServer } from "./server";

/**
 * What every spec file shares: one private `beacon serve` per spec file (its own data, started in
 * the file's beforeAll, stopped in afterAll), a fresh browser context with its own login for
 * every journey, and library items made through the API on first use. So any journey runs, or
 * fails, on its own: `npm run e2e -- -g "<name>"`.
 */
export const PASSWORD = () => process.env.BEACON_E2E_PASSWORD ?? "e2e-password-123";

export interface FileServer {
  readonly url: string;
  readonly password: string;
}

/** Starts one server for the calling spec file; call it at the top level of the file. */
export function serverForThisFile(extraToml: () => Promise<string> | string = () => ""): FileServer {
  let server: BeaconServer | null = null;
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    server = await BeaconServer.start(PASSWORD(), await extraToml());
  });
  test.afterAll(async () => {
    await server?.dispose();
    server = null;
  });
  return {
    get url() {
      if (!server) throw new Error("the spec file's server is not running");
      return server.url;
    },
    get password() {
      return PASSWORD();
    },
  };
}

/** A browser context with a session of its own (logged in through the API), theme optional. */
export async function loggedIn(
  browser: Browser,
  srv: FileServer,
  opts: { viewport?: { width: number; height: number }; theme?: "dark" | "light"; hasTouch?: boolean } = {},
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ baseURL: srv.url, viewport: opts.viewport, hasTouch: opts.hasTouch });
  const r = await ctx.request.post("/api/v1/auth/login", { data: { password: srv.password } });
  expect(r.ok(), await r.text()).toBe(true);
  if (opts.theme) await ctx.addInitScript((t) => localStorage.setItem("beacon.theme", t), opts.theme);
  return ctx;
}

export async function csrf(req: APIRequestContext): Promise<Record<string, string>> {
  const me = await (await req.get("/api/v1/auth/me")).json();
  return { "X-CSRF-Token": me.csrf_token };
}

export interface Job {
  id: number;
  status: string;
  content_id?: number;
  error?: unknown;
}

/** Waits for a job to finish (generous hang guard), expects it completed and returns it. */
export async function finished(req: APIRequestContext, id: number): Promise<Job> {
  let job: Job = { id, status: "" };
  await expect
    .poll(async () => {
      job = await (await req.get(`/api/v1/jobs/${id}`)).json();
      return job.status;
    }, { timeout: 300_000, intervals: [1000], message: `job ${id} finishes` })
    .toMatch(/completed|failed|canceled/);
  expect(job.status, JSON.stringify(job.error)).toBe("completed");
  return job;
}

export interface Item {
  contentId: number;
  jobId: number;
}

/**
 * A library item made through the API the first time a journey asks for it, then reused by the
 * file's later journeys while it still exists (a journey that deletes it makes the next one
 * generate a new one).
 */
export function itemOnFirstUse(srv: FileServer, request: { prompt: string; title: string; duration_target?: number; output_preset?: string }) {
  let made: Item | null = null;
  return async (req: APIRequestContext): Promise<Item> => {
    if (made && (await req.get(`/api/v1/content/${made.contentId}`)).ok()) return made;
    const r = await req.post(`${srv.url}/api/v1/generate`, {
      headers: await csrf(req),
      data: { duration_target: 8, output_preset: "480p", produce_preview: false, ...request },
    });
    expect(r.ok(), await r.text()).toBe(true);
    const jobId = (await r.json()).job_id as number;
    const job = await finished(req, jobId);
    expect(job.content_id).toBeGreaterThan(0);
    made = { contentId: job.content_id!, jobId };
    return made;
  };
}
