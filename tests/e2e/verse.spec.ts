import { expect, test, type Page } from "@playwright/test";
import { createRequire } from "node:module";
import { csrf, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Verse (issue 17): a world from a template, an added cube moved and painted, saved by
 * autosave, there after a reload (read from the page's scene state and seen on the canvas),
 * and its share link opened read-only in a fresh context without login.
 */
const srv = serverForThisFile();

/** Pixels of the world canvas, counted on a small copy: distinct colours and bright-green ones. */
async function canvasPixels(page: Page) {
  return page.evaluate(async () => {
    const c = document.querySelector<HTMLCanvasElement>("[data-testid=verse-canvas]")!;
    const img = new Image();
    img.src = c.toDataURL("image/png");
    await img.decode();
    const w = 160;
    const h = Math.max(1, Math.round((c.height / c.width) * w));
    const small = document.createElement("canvas");
    small.width = w;
    small.height = h;
    const ctx = small.getContext("2d")!;
    ctx.drawImage(img, 0, 0, w, h);
    const d = ctx.getImageData(0, 0, w, h).data;
    const colours = new Set<number>();
    let green = 0;
    for (let i = 0; i < d.length; i += 4) {
      colours.add((d[i] >> 3) * 1024 + (d[i + 1] >> 3) * 32 + (d[i + 2] >> 3));
      if (d[i + 1] > 120 && d[i] < 90 && d[i + 2] < 90) green++;
    }
    return { colours: colours.size, green };
  });
}

async function waitForFrames(page: Page, key: "__verse" | "__verseViewer") {
  await expect.poll(() => page.evaluate((k) => (window as unknown as Record<string, { frames: number } | undefined>)[k]?.frames ?? 0, key),
    { message: "the world is drawn", timeout: 60_000 }).toBeGreaterThan(0);
}

test("a world from a template: add a cube, move and paint it, reload, share read-only", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto("/verse");
  await page.getByTestId("verse-title").fill("E2E coast");
  await page.getByTestId("verse-template").selectOption("lighthouse-coast");
  await page.getByTestId("verse-create").click();
  await expect(page).toHaveURL(/\/verse\/\d+$/);
  await expect(page.getByTestId("verse-world-title")).toHaveText("E2E coast");
  await waitForFrames(page, "__verse");
  const before = await canvasPixels(page);
  expect(before.colours, "the template is drawn (not a blank canvas)").toBeGreaterThan(30);
  expect(before.green, "no bright green in the lighthouse template").toBe(0);

  await page.getByTestId("verse-add-box").click();
  await expect.poll(() => page.evaluate(() => window.__verse!.selected())).toBe("box-1");
  // Each step is autosaved before the next (so a later save must carry the later change).
  const saved_ = () => expect.poll(() => page.evaluate(() => window.__verse!.saveState()), { timeout: 30_000 }).toBe("saved");
  await saved_();
  await page.getByLabel("Position y").fill("3");
  await page.getByLabel("Position y").press("Enter");
  await saved_();
  await page.getByTestId("verse-color").fill("#00ff00");
  await expect.poll(() => page.evaluate(() => window.__verse!.saveState()), { timeout: 30_000 }).toBe("saved");
  const saved = await page.evaluate(() => {
    const d = window.__verse!.doc();
    const n = d.nodes.find((x) => x.id === "box-1")!;
    return { position: n.position, color: d.materials[n.material!].color, revision: window.__verse!.revision(), saves: window.__verse!.saves };
  });
  expect(saved.position).toEqual([0, 3, 0]);
  expect(saved.color).toBe("#00ff00");
  expect(saved.revision).toBeGreaterThan(1);
  console.log(`verse e2e: autosave main-thread serialise times (ms): ${saved.saves.map((s) => s.toFixed(2)).join(", ")}`);
  await expect.poll(async () => (await canvasPixels(page)).green, { message: "the green cube is on the canvas" }).toBeGreaterThan(5);

  // Undo takes the colour back; redo restores it (operations, not snapshots).
  await page.getByTestId("verse-undo").click();
  await expect.poll(() => page.evaluate(() => window.__verse!.doc().materials[window.__verse!.doc().nodes.find((x) => x.id === "box-1")!.material!].color)).not.toBe("#00ff00");
  await page.getByTestId("verse-redo").click();
  await expect.poll(() => page.evaluate(() => window.__verse!.saveState()), { timeout: 30_000 }).toBe("saved");

  await page.reload();
  await waitForFrames(page, "__verse");
  const reloaded = await page.evaluate(() => {
    const d = window.__verse!.doc();
    const n = d.nodes.find((x) => x.id === "box-1");
    return n ? { position: n.position, color: d.materials[n.material!].color, selected: window.__verse!.selected() } : null;
  });
  expect(reloaded, "the cube is in the saved world").not.toBeNull();
  console.log(`verse e2e: editor reload to first frame of the world: ${(await page.evaluate(() => window.__verse!.firstFrameMs))?.toFixed(0)} ms`);
  expect(reloaded!.position).toEqual([0, 3, 0]);
  expect(reloaded!.color).toBe("#00ff00");
  expect(reloaded!.selected, "the editor restores its selection").toBe("box-1");
  await expect.poll(async () => (await canvasPixels(page)).green, { message: "the cube is drawn after reload" }).toBeGreaterThan(5);

  // Share: budgets first, then the link.
  await page.getByTestId("verse-panel-share").click();
  await expect(page.getByTestId("verse-share-panel")).toContainText("Triangles");
  await page.getByTestId("verse-share").click();
  const url = await page.getByTestId("verse-share-url").inputValue();
  expect(url).toContain("/verse/view/");

  const fresh = await browser.newContext();
  const viewer = await fresh.newPage();
  await viewer.goto(url);
  await expect(viewer.getByTestId("verse-viewer-title")).toHaveText("E2E coast");
  await waitForFrames(viewer, "__verseViewer");
  await expect.poll(async () => (await canvasPixels(viewer)).green, { message: "the shared world shows the cube" }).toBeGreaterThan(5);
  await expect(viewer.getByTestId("verse-add-box")).toHaveCount(0);
  expect((await fresh.request.get(new URL("/api/v1/worlds", url).toString())).status(), "the link grants no API access").toBe(401);
  await fresh.close();
  expect(errors).toEqual([]);
  await ctx.close();
});

// VERSE_E2E_OBJECTS sizes the world (500 by default; the issue also asks for 5,000 measured).
const OBJECTS = Number(process.env.VERSE_E2E_OBJECTS ?? 500);

test("names are shown as text and a 500-object world autosaves (time reported)", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const made = await (await req.post("/api/v1/worlds", { headers, data: { title: "<img src=x onerror=window.__pwned=1>", template: "empty-stage" } })).json();
  const doc = made.document;
  for (let i = 0; i < OBJECTS; i++) {
    doc.nodes.push({ id: `b${i}`, name: i === 0 ? "<script>window.__pwned=1</script>" : `Box ${i}`, parent: null, type: "box",
      material: "floor", position: [(i % 25) - 12, 0.5, Math.floor(i / 25) - 10], rotation: [0, 0, 0], scale: [0.5, 0.5, 0.5], visible: true });
  }
  const put = await req.put(`/api/v1/worlds/${made.id}`, { headers: { ...headers, "If-Match": `"${made.revision}"` }, data: doc });
  expect(put.status(), await put.text()).toBe(200);
  const page = await ctx.newPage();
  await page.goto(`/verse/${made.id}`);
  await waitForFrames(page, "__verse");
  await expect(page.getByTestId("verse-world-title")).toHaveText("<img src=x onerror=window.__pwned=1>");
  await expect(page.getByTestId("verse-tree")).toContainText("<script>window.__pwned=1</script>");
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  // One change in a 502-node world, then the autosave.
  await page.getByTestId("verse-add-sphere").click();
  await expect.poll(() => page.evaluate(() => window.__verse!.saveState()), { timeout: 30_000 }).toBe("saved");
  await page.getByLabel("Position x").fill("4");
  await page.getByLabel("Position x").press("Enter");
  await expect.poll(() => page.evaluate(() => window.__verse!.saveState()), { timeout: 30_000 }).toBe("saved");
  const saves = await page.evaluate(() => window.__verse!.saves);
  expect(saves.length).toBeGreaterThanOrEqual(2);
  const nodes = await page.evaluate(() => window.__verse!.doc().nodes.length);
  console.log(`verse e2e: ${nodes}-node world, autosave main-thread serialise (ms): first ${saves[0].toFixed(2)}, then ${saves.slice(1).map((s) => s.toFixed(2)).join(", ")}`);
  test.info().annotations.push({ type: "autosave-ms", description: `${nodes} nodes: ${saves.map((s) => s.toFixed(2)).join(", ")}` });
  await ctx.close();
});

test("every template exports a GLB the Khronos glTF validator passes with 0 errors", async ({ browser }) => {
  // gltf-validator comes from web/node_modules (the e2e runner puts it on NODE_PATH).
  const validator = createRequire(__filename)("gltf-validator") as {
    validateBytes: (data: Uint8Array) => Promise<{ issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number }[] } }>;
  };
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const templates = (await (await req.get("/api/v1/worlds/templates")).json()).items as { id: string }[];
  expect(templates.length).toBeGreaterThanOrEqual(5);
  for (const t of templates) {
    const w = await (await req.post("/api/v1/worlds", { headers, data: { title: t.id, template: t.id } })).json();
    const r = await req.get(`/api/v1/worlds/${w.id}/export.glb`);
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toBe("model/gltf-binary");
    const report = await validator.validateBytes(new Uint8Array(await r.body()));
    const errors = report.issues.messages.filter((m) => m.severity === 0);
    console.log(`verse e2e: ${t.id}.glb: ${report.issues.numErrors} errors, ${report.issues.numWarnings} warnings`);
    expect(errors, `${t.id}: ${JSON.stringify(errors)}`).toEqual([]);
  }
  await ctx.close();
});

test("the editor restores camera, selection and panel; the viewer offers picture-in-picture", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const headers = await csrf(ctx.request);
  const made = await (await ctx.request.post("/api/v1/worlds", { headers, data: { title: "Restore me", template: "forest-clearing" } })).json();
  const page = await ctx.newPage();
  await page.goto(`/verse/${made.id}`);
  await waitForFrames(page, "__verse");
  const start = await page.evaluate(() => window.__verse!.camera());
  // Orbit with the mouse (OrbitControls saves the camera when the drag ends), select, open a panel.
  const box = (await page.getByTestId("verse-canvas").boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 180, box.y + box.height / 2 + 40, { steps: 8 });
  await page.mouse.up();
  const moved = await page.evaluate(() => window.__verse!.camera());
  expect(moved.position, "the drag orbited the camera").not.toEqual(start.position);
  const first = made.document.nodes[0];
  await page.getByTestId("verse-tree").locator(`button[title="${first.name} (${first.type})"]`).first().click();
  await expect.poll(() => page.evaluate(() => window.__verse!.selected())).toBe(first.id);
  await page.getByTestId("verse-panel-history").click();

  await page.reload();
  await waitForFrames(page, "__verse");
  const restored = await page.evaluate(() => ({ camera: window.__verse!.camera(), selected: window.__verse!.selected(), panel: window.__verse!.panel() }));
  expect(restored.selected).toBe(first.id);
  expect(restored.panel).toBe("history");
  restored.camera.position.forEach((v, i) => expect(v).toBeCloseTo(moved.position[i], 2));
  restored.camera.target.forEach((v, i) => expect(v).toBeCloseTo(moved.target[i], 2));

  // The share viewer without Document PiP (absent here, as in Firefox and Safari): the fallback
  // is the canvas in video PiP where the browser has it, else a plain note; the world stays drawn.
  const share = await (await ctx.request.post(`/api/v1/worlds/${made.id}/share`, { headers })).json();
  const fresh = await browser.newContext();
  await fresh.addInitScript(() => { delete (window as unknown as Record<string, unknown>).documentPictureInPicture; });
  const viewer = await fresh.newPage();
  await viewer.goto(share.url);
  await waitForFrames(viewer, "__verseViewer");
  const videoPip = await viewer.evaluate(() => document.pictureInPictureEnabled && "captureStream" in HTMLCanvasElement.prototype);
  if (videoPip) {
    await viewer.getByTestId("verse-pip").click();
    await expect(viewer.getByTestId("verse-pip-status")).toBeVisible();
    const state = await viewer.evaluate(() => window.__verseViewer!.pip);
    console.log(`verse e2e: viewer PiP fallback in this browser: ${state}`);
    expect(["video", "failed"]).toContain(state);
    if (state === "video") {
      await expect.poll(() => viewer.evaluate(() => document.pictureInPictureElement?.tagName ?? "")).toBe("VIDEO");
      await viewer.getByTestId("verse-pip").click();
      await expect.poll(() => viewer.evaluate(() => window.__verseViewer!.pip)).toBe("off");
    }
  } else {
    await expect(viewer.getByTestId("verse-pip-none")).toBeVisible();
  }
  await expect(viewer.getByTestId("verse-canvas")).toBeVisible();

  // Walk mode: on foot at eye height, W walks the way the camera faces, back to orbiting.
  await viewer.getByTestId("verse-walk").click();
  await expect(viewer.getByTestId("verse-viewer-help")).toContainText("W A S D");
  await expect.poll(() => viewer.evaluate(() => window.__verseViewer!.camera[1])).toBeCloseTo(1.6, 2);
  const before = await viewer.evaluate(() => window.__verseViewer!.camera);
  await viewer.keyboard.down("w");
  await viewer.waitForTimeout(600);
  await viewer.keyboard.up("w");
  await expect.poll(async () => {
    const now = await viewer.evaluate(() => window.__verseViewer!.camera);
    return Math.hypot(now[0] - before[0], now[2] - before[2]);
  }, { message: "the camera walked on the ground" }).toBeGreaterThan(0.5);
  expect((await viewer.evaluate(() => window.__verseViewer!.camera))[1]).toBeCloseTo(1.6, 2);
  await viewer.getByTestId("verse-walk").click();
  await expect.poll(() => viewer.evaluate(() => window.__verseViewer!.mode)).toBe("orbit");
  await fresh.close();
  await ctx.close();
});
