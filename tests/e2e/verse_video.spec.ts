import { expect, test, type Page } from "@playwright/test";
import { csrf, finished, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Verse worlds in videos (issue 17 item 5): a generation naming a world gets its scenes'
 * pictures rendered from the world on the server (headless Chromium, the editor's three.js
 * code), with provenance naming the world and its revision. The check is a pixel comparison on
 * a coarse 16x9 grid of colours against a reference: the editor's own "Render still" of the
 * same world from the same (document) camera, drawn by this test's browser.
 */
const srv = serverForThisFile();

type Grid = number[][];

/** Decodes a PNG (URL or data URL) in the page and averages it down to 16x9 RGB cells. */
async function grid(page: Page, src: string): Promise<Grid> {
  return page.evaluate(async (url) => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = 16;
    c.height = 9;
    const ctx = c.getContext("2d")!;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(img, 0, 0, 16, 9);
    const d = ctx.getImageData(0, 0, 16, 9).data;
    const out: number[][] = [];
    for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
    return out;
  }, src);
}

/** Mean per-cell colour distance (sum of |dR|+|dG|+|dB|, 0..765). */
const difference = (a: Grid, b: Grid) =>
  a.reduce((s, c, i) => s + Math.abs(c[0] - b[i][0]) + Math.abs(c[1] - b[i][1]) + Math.abs(c[2] - b[i][2]), 0) / a.length;

async function referenceStill(page: Page, worldId: number): Promise<string> {
  await page.goto(`/verse/${worldId}`);
  await expect.poll(() => page.evaluate(() => window.__verse?.frames ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
  await page.getByTestId("verse-panel-share").click();
  await page.getByTestId("verse-still").click();
  const href = await page.getByRole("link", { name: "Download PNG" }).getAttribute("href");
  expect(href).toMatch(/^data:image\/png;base64,/);
  return href!;
}

test("a generation with a world renders its scenes from the world, with provenance", async ({ browser }) => {
  test.setTimeout(420_000);
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const made = await req.post("/api/v1/worlds", { headers, data: { title: "Neon video", template: "neon-street" } });
  expect(made.status(), await made.text()).toBe(201);
  const world = await made.json();
  const other = await (await req.post("/api/v1/worlds", { headers, data: { title: "Coast", template: "lighthouse-coast" } })).json();

  // The request is checked before a job exists.
  const prompt = "A short walk down a neon street at night.";
  const bad = async (data: object, status: number, words: RegExp) => {
    const r = await req.post("/api/v1/generate", { headers, data: { prompt, ...data } });
    expect(r.status(), await r.text()).toBe(status);
    expect(await r.text()).toMatch(words);
  };
  await bad({ world_id: 999_999 }, 404, /world 999999 not found/);
  await bad({ world_id: "one" }, 400, /world_id/);
  await bad({ world_id: world.id, world_camera: "spin" }, 400, /world_camera/);
  await bad({ world_camera: "orbit" }, 400, /world_id/);

  const r = await req.post("/api/v1/generate", {
    headers,
    data: { prompt, duration_target: 5, output_preset: "480p", produce_preview: false, world_id: world.id, world_camera: "static" },
  });
  expect(r.status(), await r.text()).toBe(202);
  const jobId = (await r.json()).job_id as number;
  await finished(req, jobId);
  const detail = await (await req.get(`/api/v1/jobs/${jobId}`)).json();
  const pictures = (detail.assets as { kind: string; key: string; engine: string; model: string; parameters: Record<string, unknown> }[])
    .filter((a) => a.kind === "picture");
  expect(pictures.length).toBeGreaterThan(0);
  for (const p of pictures) {
    expect(p.engine).toBe("verse-world");
    expect(p.model).toMatch(/Chromium/);
    expect(p.parameters.world_id).toBe(world.id);
    expect(p.parameters.world_revision).toBe(world.revision);
    expect(p.parameters.world_title).toBe("Neon video");
    console.log(`verse video: scene picture ${p.key} rendered in ${p.parameters.render_ms} ms (480p job)`);
  }

  // Pixels: the server's frame against the editor's still of the same world and camera, and
  // against the other world's still (which it must not look like).
  const page = await ctx.newPage();
  const reference = await grid(page, await referenceStill(page, world.id));
  const otherRef = await grid(page, await referenceStill(page, other.id));
  for (const p of pictures) {
    const frame = await grid(page, `/media/${p.key}`);
    const same = difference(frame, reference);
    const differentWorld = difference(frame, otherRef);
    console.log(`verse video: ${p.key}: distance to its world's reference ${same.toFixed(1)}, to another world ${differentWorld.toFixed(1)}`);
    expect(same, "the frame shows the world as the editor draws it").toBeLessThan(30);
    expect(differentWorld, "and not another world").toBeGreaterThan(same + 40);
  }
  await ctx.close();
});
