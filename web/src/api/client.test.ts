import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, qs } from "./client";

function fakeFetch(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fn = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init: init ?? {} });
    return new Response(body === undefined ? "" : JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
  });
  return { fn, calls };
}

describe("ApiClient", () => {
  it("remembers the CSRF token from login and sends it on non-GET requests only", async () => {
    const f = fakeFetch(200, { user: { id: 1, name: "admin" }, csrf_token: "tok-123" });
    const c = new ApiClient(f.fn);
    await c.login("secret-pw");
    expect(c.csrfToken).toBe("tok-123");
    await c.jobs();
    await c.cancelJob(5);
    await c.deleteContent(9);
    const headers = (i: number) => f.calls[i].init.headers as Record<string, string>;
    expect(f.calls[0].url).toBe("/api/v1/auth/login");
    expect(headers(1)["X-CSRF-Token"]).toBeUndefined();
    expect(f.calls[1].init.method).toBe("GET");
    expect(headers(2)["X-CSRF-Token"]).toBe("tok-123");
    expect(f.calls[2].url).toBe("/api/v1/jobs/5/cancel");
    expect(headers(3)["X-CSRF-Token"]).toBe("tok-123");
    expect(f.calls[3].init.method).toBe("DELETE");
    for (const call of f.calls) expect(call.init.credentials).toBe("same-origin");
  });

  it("sends a raw body as it is, with its content type, If-Match and the CSRF token, to a filled contract path", async () => {
    const f = fakeFetch(200, { id: 4, title: "W", revision: 3 });
    const c = new ApiClient(f.fn);
    c.setCsrfToken("tok-9");
    const doc = '{"format":"beacon-world"}';
    await c.requestRaw("PUT", "/api/v1/worlds/{id}", { path: { id: 4 } }, { body: doc, headers: { "If-Match": '"2"' } });
    const bytes = new Blob([new Uint8Array([1, 2, 3])]);
    await c.requestRaw("POST", "/api/v1/worlds/{id}/assets", { path: { id: 4 }, query: { name: "a b.glb" } }, { body: bytes, contentType: "model/gltf-binary" });
    const headers = (i: number) => f.calls[i].init.headers as Record<string, string>;
    expect(f.calls[0].url).toBe("/api/v1/worlds/4");
    expect(f.calls[0].init.body).toBe(doc);
    expect(headers(0)["If-Match"]).toBe('"2"');
    expect(headers(0)["Content-Type"]).toBe("application/json");
    expect(headers(0)["X-CSRF-Token"]).toBe("tok-9");
    expect(f.calls[1].url).toBe("/api/v1/worlds/4/assets?name=a+b.glb");
    expect(f.calls[1].init.body).toBe(bytes);
    expect(headers(1)["Content-Type"]).toBe("model/gltf-binary");
  });

  it("reads a job's whole log from /logs, page by page, beside its small detail", async () => {
    const line = (id: number) => ({ id, job_id: 3, at: "2026-01-01T00:00:00Z", stage: "final", level: "cmd", message: `ffmpeg ${id}` });
    const urls: string[] = [];
    const fn = vi.fn(async (url: string) => {
      urls.push(url);
      let body: unknown = { id: 3, status: "completed", logs: [], stages: {}, assets: [] };
      if (url === "/api/v1/jobs/3/logs") body = { items: Array.from({ length: 1000 }, (_, i) => line(i + 1)) };
      if (url === "/api/v1/jobs/3/logs?after=1000") body = { items: [line(1001), line(1002)] };
      return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
    });
    const job = await new ApiClient(fn).job(3);
    expect(job.status).toBe("completed");
    expect(job.logs.map((l) => l.id)).toEqual(Array.from({ length: 1002 }, (_, i) => i + 1));
    expect(job.logs[1001].message).toBe("ffmpeg 1002");
    expect(urls).toEqual(["/api/v1/jobs/3", "/api/v1/jobs/3/logs", "/api/v1/jobs/3/logs?after=1000"]);
  });

  it("sends JSON bodies with a content type", async () => {
    const f = fakeFetch(202, { job_id: 7, status: "queued" });
    const c = new ApiClient(f.fn);
    c.setCsrfToken("x");
    const r = await c.generate({ prompt: "a storm", duration_target: 7 });
    expect(r.job_id).toBe(7);
    expect(JSON.parse(f.calls[0].init.body as string)).toEqual({ prompt: "a storm", duration_target: 7 });
    expect((f.calls[0].init.headers as Record<string, string>)["Content-Type"]).toBe("application/json");
  });

  it("turns the server's error body into an ApiError with code and message", async () => {
    const f = fakeFetch(400, { error: { code: "invalid", message: "field 'prompt' must not be empty" } });
    const c = new ApiClient(f.fn);
    const e = await c.generate({ prompt: "" }).catch((x) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.code).toBe("invalid");
    expect(e.message).toBe("field 'prompt' must not be empty");
  });

  it("survives a non-JSON error body and names the request", async () => {
    const fn = vi.fn(async () => new Response("<html>Bad gateway</html>", { status: 502 }));
    const e = await new ApiClient(fn).jobs().catch((x) => x);
    expect(e.status).toBe(502);
    expect(e.message).toContain("GET /jobs");
  });

  it("reports 401 on data requests (session expired) but not on auth calls", async () => {
    const f = fakeFetch(401, { error: { code: "unauthorized", message: "log in" } });
    const c = new ApiClient(f.fn);
    const seen = vi.fn();
    c.onUnauthorized = seen;
    await expect(c.login("wrong-password")).rejects.toMatchObject({ name: "ApiError", status: 401, code: "unauthorized", message: "log in" });
    expect(seen).not.toHaveBeenCalled();
    expect(c.csrfToken).toBeNull();
    await expect(c.content()).rejects.toMatchObject({ name: "ApiError", status: 401, code: "unauthorized" });
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("maps a network failure to a clear error", async () => {
    const fn = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    const e = await new ApiClient(fn).engines().catch((x) => x);
    expect(e.code).toBe("network");
    expect(e.message).toContain("Cannot reach");
  });

  it("sends the typed client's calls to the contract's paths with their query and body", async () => {
    const f = fakeFetch(200, { items: [], total: 0, limit: 48, offset: 0 });
    const c = new ApiClient(f.fn);
    c.setCsrfToken("t");
    await c.content({ q: "", published: false, sort: "newest", limit: 48 });
    expect(f.calls[0].url).toBe("/api/v1/content?published=false&sort=newest&limit=48");
    await c.regenerateScene(4, 2, { lines: ["New line."] });
    expect(f.calls[1].url).toBe("/api/v1/jobs/4/scenes/2/regenerate");
    expect(f.calls[1].init.method).toBe("POST");
    expect(JSON.parse(f.calls[1].init.body as string)).toEqual({ lines: ["New line."] });
    expect((f.calls[1].init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("t");
    await c.cancelJob(4);
    expect(f.calls[2].init.body).toBeUndefined();
  });

  it("asks before an item never reviewed goes on air and sends it again with confirm", async () => {
    const bodies: unknown[] = [];
    const fn = vi.fn(async (_url: string, init?: RequestInit) => {
      bodies.push(init?.body === undefined ? undefined : JSON.parse(init.body as string));
      if (bodies.length === 1) {
        return new Response(JSON.stringify({ error: { code: "confirmation_required", message: "Never reviewed." } }), { status: 409 });
      }
      return new Response(JSON.stringify({ id: 3, items: [9] }), { status: 200 });
    });
    const c = new ApiClient(fn);
    const asked = vi.fn(async () => true);
    c.onConfirmationRequired = asked;
    await c.patchPlaylist(3, { items: [9] });
    expect(asked).toHaveBeenCalledWith("Never reviewed.");
    expect(bodies).toEqual([{ items: [9] }, { items: [9], confirm: true }]);
  });

  it("builds query strings without empty values and escapes the rest", () => {
    expect(qs({ q: "storm & sea", sort: "newest", published: "", limit: 48, x: undefined })).toBe("?q=storm+%26+sea&sort=newest&limit=48");
    expect(qs({})).toBe("");
  });
});
