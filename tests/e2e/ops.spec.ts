import { expect, test } from "@playwright/test";
import { csrf, finished, loggedIn, PASSWORD, serverForThisFile } from "./fixtures";
import { BeaconServer } from "./server";

/**
 * Ops dashboard (issue 19): after a real job ran on the file's own server, the Dashboard page
 * shows its numbers and draws its plots (queue, job round trip, data folder, disk free) from
 * /api/v1/ops/summary, and keeps polling (a second job appears without a reload). Without
 * nvidia-smi it says so instead of drawing a GPU plot.
 */
const srv = serverForThisFile(() => '[metrics]\nnvidia_smi = ""\n');

test("dashboard plots queue, job round trip and disk from real jobs", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const make = async (prompt: string) => {
    const r = await req.post("/api/v1/generate", {
      headers,
      data: { prompt, duration_target: 3, produce_preview: false, output_preset: "480p" },
    });
    expect(r.status(), await r.text()).toBe(202);
    return (await r.json()).job_id as number;
  };
  await finished(req, await make("A paper boat drifts on a pond. 1 scene."));

  const page = await ctx.newPage();
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
  // The summary is sampled at most every 15 s (OpsOptions::sample_interval), so the first page
  // may show the sample from before the job ended; polling brings the job within 20 s.
  await expect(page.getByTestId("stat-completed")).toHaveText("1", { timeout: 25_000 });
  // The round-trip plot has the one finished job; the others have at least one sample.
  const rtt = page.getByTestId("plot-rtt").locator("polyline");
  await expect(rtt).toHaveAttribute("data-points", "1", { timeout: 25_000 });
  for (const id of ["queue", "disk", "disk-free"]) {
    await expect(page.getByTestId(`plot-${id}`).locator("svg")).toBeVisible();
    // (a flat line has no height, so Playwright never calls the polyline itself visible)
    const line = page.getByTestId(`plot-${id}`).locator("polyline").first();
    await expect(line).toBeAttached();
    expect(Number(await line.getAttribute("data-points"))).toBeGreaterThanOrEqual(1);
    expect((await line.getAttribute("points")) ?? "").toMatch(/^\d+(\.\d+)?,\d+(\.\d+)?( |$)/);
  }
  // The data-folder plot's label carries a real size (the item's media), not zero.
  await expect(page.getByTestId("plot-disk").locator("svg")).toHaveAttribute("aria-label", /used by Beacon [1-9][\d.]* (KB|MB|GB|KiB|MiB|GiB)/);
  await expect(page.getByTestId("no-gpu")).toBeVisible();
  await expect(page.getByTestId("plot-gpu")).toHaveCount(0);
  // No remote engine is configured: nothing is asked and the GPU hosts part says so.
  await expect(page.getByTestId("no-gpu-hosts")).toHaveText("No GPU host reports figures.");

  // Polling: a second job shows up without a reload.
  await finished(req, await make("A kite over a hill. 1 scene."));
  await expect(page.getByTestId("stat-completed")).toHaveText("2", { timeout: 20_000 });
  await expect(rtt).toHaveAttribute("data-points", "2", { timeout: 20_000 });
  await ctx.close();
});

test("after a restart the dashboard still plots the history kept in the database", async ({ browser }) => {
  const own = await BeaconServer.start(PASSWORD(), '[metrics]\nnvidia_smi = ""\n');
  try {
    let ctx = await loggedIn(browser, own);
    const r = await ctx.request.post("/api/v1/generate", {
      headers: await csrf(ctx.request),
      data: { prompt: "A heron by the river. 1 scene.", duration_target: 3, produce_preview: false, output_preset: "480p" },
    });
    expect(r.status(), await r.text()).toBe(202);
    await finished(ctx.request, (await r.json()).job_id);
    const completed = async () => {
      const h = await (await ctx.request.get("/api/v1/ops/history?series=jobs_completed,queue_depth&range=24h")).json();
      return (h.series.jobs_completed as [number, number][]).reduce((n, [, v]) => n + v, 0);
    };
    // The next sample (every 15 s) stores the completion.
    await expect.poll(completed, { timeout: 40_000 }).toBe(1);
    await ctx.close();

    await own.down();
    await own.up();
    ctx = await loggedIn(browser, own);
    // The new process counts no completions of its own: the 1 is the stored history.
    expect(await completed()).toBe(1);
    const page = await ctx.newPage();
    await page.goto("/dashboard");
    await expect(page.getByTestId("history-source")).toContainText("from the database");
    const done = page.getByTestId("plot-throughput").locator("polyline");
    await expect(done).toBeAttached();
    expect(Number(await done.getAttribute("data-points"))).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId("plot-throughput").locator("svg")).toHaveAttribute("aria-label", /completed/);
    await ctx.close();
  } finally {
    await own.dispose();
  }
});
