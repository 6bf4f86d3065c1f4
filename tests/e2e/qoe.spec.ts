import { expect, test, type APIRequestContext, type Page, type Request } from "@playwright/test";
import { itemOnFirstUse, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Player QoE beacon (issue 19): a real Chromium plays an item in the studio's player; when the
 * page goes away the player's batch (navigator.sendBeacon) reaches POST /api/v1/qoe and /metrics
 * shows the startup observation. A forced error (every media segment answers 404, as when a
 * segment is missing) shows up as beacon_player_errors_total{class="network"}.
 */
const srv = serverForThisFile(() => '[metrics]\nnvidia_smi = ""\n');
const item = itemOnFirstUse(srv, { prompt: "A lighthouse keeper climbs the stairs at dusk. 1 scene.", title: "QoE journey", duration_target: 4 });

async function sample(req: APIRequestContext, series: string): Promise<number> {
  const r = await req.get("/metrics");
  expect(r.status()).toBe(200);
  const text = await r.text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : Number.NaN;
}

/** Goes to the Library inside the studio: the player unmounts and sends its batch. */
async function leave(page: Page): Promise<Request> {
  const sent = page.waitForRequest((r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/v1/qoe", { timeout: 20_000 });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Library" }).click();
  return sent;
}

test("the player's startup time and a missing segment's error reach /metrics", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const { contentId } = await item(req);
  // Nothing reported yet: the families are there at zero, no startup observation.
  expect(await sample(req, "beacon_player_startup_seconds_count")).toBeNaN();
  expect(await sample(req, 'beacon_player_errors_total{class="network"}')).toBe(0);

  const page = await ctx.newPage();
  await page.goto(`/watch/${contentId}`);
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>("[data-testid=watch-video]");
    return !!v && v.readyState >= 1 && v.duration > 0;
  });
  await page.getByTestId("play").click();
  await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>("[data-testid=watch-video]")?.currentTime ?? 0) > 0.5);
  const beacon = await leave(page);
  const body = JSON.parse(beacon.postData() ?? "{}");
  expect(Object.keys(body).every((k) => ["v", "startup_seconds", "stalls", "stall_seconds", "errors"].includes(k))).toBe(true);
  expect(body.startup_seconds).toHaveLength(1);

  await expect.poll(() => sample(req, "beacon_player_startup_seconds_count"), { timeout: 15_000 }).toBe(1);
  const startup = await sample(req, "beacon_player_startup_seconds_sum");
  // The sum is the browser's own figure. It may round to 0.000 s: when the item is already
  // buffered, `playing` follows the play request within the same millisecond.
  expect(startup).toBeGreaterThanOrEqual(0);
  expect(startup).toBeCloseTo(body.startup_seconds[0], 3);
  expect(await sample(req, "beacon_player_stalls_total")).toBeGreaterThanOrEqual(0);
  expect(await sample(req, 'beacon_player_errors_total{class="network"}')).toBe(0);

  // A missing segment: every media segment of the item answers 404. hls.js retries each load
  // with back-off and the player restarts it six times before it gives up and says so (minutes
  // of timers), so this page runs on Playwright's clock, advanced until the player gives up.
  const broken = await ctx.newPage();
  await broken.clock.install();
  let refused = 0;
  await broken.route(/\/media\/library\/.*\.(ts|m4s|aac)(\?.*)?$/, (r) => {
    refused++;
    return r.fulfill({ status: 404, contentType: "application/json", body: '{"error":{"code":"not_found"}}' });
  });
  await broken.goto(`/watch/${contentId}`);
  await expect.poll(() => refused, { timeout: 30_000 }).toBeGreaterThan(0);
  const alert = broken.getByRole("alert");
  for (let i = 0; i < 200 && (await alert.count()) === 0; i++) {
    await broken.clock.runFor(5_000);
    await broken.waitForTimeout(50); // real time for the refused requests to come back
  }
  await expect(alert).toContainText("Playback failed");
  // This time the page goes away altogether (pagehide): navigator.sendBeacon still delivers.
  await broken.goto("about:blank");
  await expect.poll(() => sample(req, 'beacon_player_errors_total{class="network"}'), { timeout: 15_000 }).toBe(1);
  expect(await sample(req, "beacon_player_startup_seconds_count")).toBe(1); // no frame: no startup
  await ctx.close();
});
