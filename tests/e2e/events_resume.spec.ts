import { expect, test, type WebSocketRoute } from "@playwright/test";
import { csrf, loggedIn, serverForThisFile } from "./fixtures";

/**
 * The events WebSocket in a real browser when the connection drops and more happened meanwhile
 * than the server replays (issue 21): the page reconnects asking for what it missed, the server
 * answers `resync` (the gap is beyond `server.ws_max_replay`, 3 here), and the page refetches, so
 * a job queued while it was cut off appears without a reload. The socket runs through
 * Playwright's WebSocket routing, which lets the test cut it and watch what the server sends.
 */
const srv = serverForThisFile(() => "[server]\nws_max_replay = 3\n");

test("a page cut off for longer than the replay window resyncs and shows what it missed", async ({ browser }) => {
  test.setTimeout(120_000);
  const ctx = await loggedIn(browser, srv);
  let blocked = false;
  let live: WebSocketRoute | null = null;
  const urls: string[] = [];
  const fromServer: string[] = [];
  await ctx.routeWebSocket(/\/api\/v1\/events/, (ws) => {
    urls.push(ws.url());
    if (blocked) {
      void ws.close({ code: 1011, reason: "cut off by the test" });
      return;
    }
    const server = ws.connectToServer();
    server.onMessage((m) => {
      fromServer.push(typeof m === "string" ? m : m.toString());
      ws.send(m);
    });
    live = ws;
  });
  const p = await ctx.newPage();
  try {
    const headers = await csrf(ctx.request);
    const first = await ctx.request.post("/api/v1/generate", {
      headers, data: { prompt: "Before the cut. 1 scene.", duration_target: 3, produce_preview: false, output_preset: "480p" },
    });
    expect(first.status()).toBe(202);
    await p.goto("/jobs");
    const rows = p.getByTestId("jobs-table").locator("tbody tr");
    await expect(rows).toHaveCount(1);
    await expect.poll(() => fromServer.some((m) => m.includes('"job.updated"'))).toBe(true);
    const lastSeq = Math.max(...fromServer.map((m) => JSON.parse(m).seq ?? 0));

    // Cut the socket and keep new ones out while a job is queued and runs (dozens of events).
    blocked = true;
    await live!.close({ code: 1011, reason: "cut off by the test" });
    const second = await ctx.request.post("/api/v1/generate", {
      headers, data: { prompt: "During the cut. 1 scene.", duration_target: 3, produce_preview: false, output_preset: "480p" },
    });
    expect(second.status()).toBe(202);
    const id = (await second.json()).job_id as number;
    await expect.poll(async () => (await (await ctx.request.get(`/api/v1/jobs/${id}`)).json()).status, { timeout: 90_000 }).toBe("completed");
    await expect(rows).toHaveCount(1); // nothing reached the page while cut off

    // Let it back in: it resumes after the last seq it saw, the server says resync, the page refetches.
    const before = fromServer.length;
    blocked = false;
    await expect.poll(() => fromServer.slice(before).some((m) => JSON.parse(m).type === "resync"), { timeout: 30_000 }).toBe(true);
    const resumeUrl = urls[urls.length - 1];
    expect(new URL(resumeUrl).searchParams.get("after")).toBe(String(lastSeq));
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText("During the cut");
    await expect(rows.first().getByTestId("job-state")).toHaveText(/completed/i);
  } finally {
    await ctx.close();
  }
});
