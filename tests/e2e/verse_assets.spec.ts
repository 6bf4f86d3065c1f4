import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { createRequire } from "node:module";
import { crc32, deflateSync } from "node:zlib";
import { csrf, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Verse assets (issue 17): imported glTF/GLB models merged into the world's GLB export (checked
 * by the Khronos validator), a hostile model refused by the export with a message, and a KTX2
 * texture drawn on a mesh in the editor and in the share viewer (pixels read back).
 */
const srv = serverForThisFile();
const requireHere = createRequire(__filename);

type Validator = {
  validateBytes: (data: Uint8Array) => Promise<{ issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number; pointer?: string }[] } }>;
};

/** A real PNG (zlib-compressed RGBA rows) of one colour. */
function png(w: number, h: number, rgba: [number, number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(h * (1 + 4 * w));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows.set(rgba, y * (1 + 4 * w) + 1 + 4 * x);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(rows)), chunk("IEND", Buffer.alloc(0))]);
}

function pad4(b: Buffer, fill = 0): Buffer {
  return b.length % 4 ? Buffer.concat([b, Buffer.alloc(4 - (b.length % 4), fill)]) : b;
}

function glb(json: object, bin: Buffer): Buffer {
  const j = pad4(Buffer.from(JSON.stringify(json)), 0x20);
  const b = pad4(bin);
  const head = Buffer.alloc(12);
  head.write("glTF", 0, "ascii");
  head.writeUInt32LE(2, 4);
  head.writeUInt32LE(12 + 8 + j.length + 8 + b.length, 8);
  const ch = (len: number, type: number) => { const c = Buffer.alloc(8); c.writeUInt32LE(len, 0); c.writeUInt32LE(type, 4); return c; };
  return Buffer.concat([head, ch(j.length, 0x4e4f534a), j, ch(b.length, 0x004e4942), b]);
}

/**
 * A model: a root node moved up holding a child with one mesh of two primitives (a textured
 * quad with normals and UVs, an untextured triangle). POSITION bounds are left out on purpose:
 * the export computes them. `embedded`: a .gltf with data: URIs instead of a GLB.
 */
function model(texture: Buffer, embedded: boolean): Buffer {
  const f32 = (xs: number[]) => Buffer.from(new Float32Array(xs).buffer);
  const u16 = (xs: number[]) => pad4(Buffer.from(new Uint16Array(xs).buffer));
  const parts = [
    f32([-0.5, 0, -0.5, 0.5, 0, -0.5, 0.5, 0, 0.5, -0.5, 0, 0.5]), // quad positions
    f32([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0]), // normals
    f32([0, 0, 1, 0, 1, 1, 0, 1]), // uvs
    u16([0, 2, 1, 0, 3, 2]), // indices
    f32([0, 1, 0, 1, 1, 0, 0, 2, 0]), // triangle
  ];
  const views: object[] = [];
  let offset = 0;
  parts.forEach((p, i) => {
    views.push({ buffer: 0, byteOffset: offset, byteLength: i === 3 ? 12 : p.length, target: i === 3 ? 34963 : 34962 });
    offset += p.length;
  });
  let bin = Buffer.concat(parts);
  const image: Record<string, unknown> = {};
  if (embedded) {
    image.uri = `data:image/png;base64,${texture.toString("base64")}`;
  } else {
    views.push({ buffer: 0, byteOffset: offset, byteLength: texture.length });
    image.bufferView = views.length - 1;
    image.mimeType = "image/png";
    bin = Buffer.concat([bin, texture]);
  }
  const gltf: Record<string, unknown> = {
    asset: { version: "2.0", generator: "verse e2e" },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ name: "lift", translation: [0, 1, 0], children: [1] }, { name: "thing", mesh: 0, rotation: [0, 0.7071068, 0, 0.7071068] }],
    meshes: [{ primitives: [
      { attributes: { POSITION: 0, NORMAL: 1, TEXCOORD_0: 2 }, indices: 3, material: 0 },
      { attributes: { POSITION: 4 }, material: 1 },
    ] }],
    materials: [{ name: "painted", pbrMetallicRoughness: { baseColorTexture: { index: 0 }, metallicFactor: 0 } }, { name: "plain" }],
    textures: [{ source: 0, sampler: 0 }],
    samplers: [{ magFilter: 9729, minFilter: 9987 }],
    images: [image],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 4, type: "VEC3" },
      { bufferView: 1, componentType: 5126, count: 4, type: "VEC3" },
      { bufferView: 2, componentType: 5126, count: 4, type: "VEC2" },
      { bufferView: 3, componentType: 5123, count: 6, type: "SCALAR" },
      { bufferView: 4, componentType: 5126, count: 3, type: "VEC3" },
    ],
    bufferViews: views,
    buffers: [embedded ? { byteLength: bin.length, uri: `data:application/octet-stream;base64,${bin.toString("base64")}` } : { byteLength: bin.length }],
  };
  return embedded ? Buffer.from(JSON.stringify(gltf)) : glb(gltf, bin);
}

async function upload(req: APIRequestContext, headers: Record<string, string>, world: number, name: string, mime: string, body: Buffer) {
  return req.post(`/api/v1/worlds/${world}/assets?name=${encodeURIComponent(name)}`, { headers: { ...headers, "Content-Type": mime }, data: body });
}

const node = (id: string, parent: string | null, extra: Record<string, unknown>) => ({
  id, name: id, parent, position: [0, 0, 0], rotation: [0, 0, 0], scale: [1, 1, 1], visible: true, ...extra,
});

function glbJson(bytes: Buffer): { [k: string]: unknown[] } & { buffers: { uri?: string }[] } {
  const len = bytes.readUInt32LE(12);
  return JSON.parse(bytes.subarray(20, 20 + len).toString("utf8"));
}

test("imported models are merged into one GLB the Khronos validator passes; a hostile model is refused", async ({ browser }) => {
  const validator = requireHere("gltf-validator") as Validator;
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const made = await (await req.post("/api/v1/worlds", { headers, data: { title: "Models", template: "empty-stage" } })).json();
  const red = png(4, 4, [220, 30, 30, 255]);
  const a = await upload(req, headers, made.id, "crate.glb", "model/gltf-binary", model(red, false));
  expect(a.ok(), await a.text()).toBe(true);
  const b = await upload(req, headers, made.id, "crate.gltf", "model/gltf+json", model(red, true));
  expect(b.ok(), await b.text()).toBe(true);
  const t = await upload(req, headers, made.id, "red.png", "image/png", red);
  expect(t.ok(), await t.text()).toBe(true);
  const [ha, hb] = [(await a.json()).hash as string, (await b.json()).hash as string];
  const doc = made.document;
  // A world material painted with the same PNG the models embed.
  doc.materials["red-paint"] = { name: "red paint", color: "#ffffff", map: (await t.json()).hash };
  doc.nodes.push(node("painted-box", null, { type: "box", material: "red-paint", position: [0, 0.5, 3] }));
  doc.nodes.push(node("crate-a", null, { type: "model", asset: ha, position: [-2, 0, 0] }));
  doc.nodes.push(node("shelf", null, { type: "group", position: [2, 0, 0], scale: [2, 2, 2] }));
  doc.nodes.push(node("crate-a2", "shelf", { type: "model", asset: ha, position: [0, 0, 1] }));
  doc.nodes.push(node("crate-b", "shelf", { type: "model", asset: hb, position: [0, 0, -1] }));
  const put = await req.put(`/api/v1/worlds/${made.id}`, { headers: { ...headers, "If-Match": `"${made.revision}"` }, data: doc });
  expect(put.status(), await put.text()).toBe(200);

  const r = await req.get(`/api/v1/worlds/${made.id}/export.glb`);
  expect(r.status(), await r.text()).toBe(200);
  const bytes = await r.body();
  const report = await validator.validateBytes(new Uint8Array(bytes));
  const errors = report.issues.messages.filter((m) => m.severity === 0);
  const warnings = report.issues.messages.filter((m) => m.severity === 1);
  console.log(`verse e2e: world with 3 model placements (2 models): ${bytes.length} bytes, ${report.issues.numErrors} errors, ${report.issues.numWarnings} warnings ${JSON.stringify(warnings.map((w) => w.code))}, X-Export-Warnings ${r.headers()["x-export-warnings"]}`);
  expect(errors, JSON.stringify(errors)).toEqual([]);
  const j = glbJson(bytes);
  expect(j.buffers.length, "one buffer").toBe(1);
  expect(j.buffers[0].uri, "embedded, not referenced").toBeUndefined();
  expect((j.images as { uri?: string }[]).length, "the same PNG in two models and a world material is stored once").toBe(1);
  const paint = (j.materials as { name: string; pbrMetallicRoughness?: { baseColorTexture?: { index: number } } }[]).find((m) => m.name === "red paint");
  expect(paint?.pbrMetallicRoughness?.baseColorTexture, "the world material keeps its texture").toBeDefined();
  expect((j.images as { uri?: string }[])[0].uri).toBeUndefined();
  // Each model's mesh once; its two nodes copied per placement under the placing node.
  const nodes = j.nodes as { name: string; children?: number[]; mesh?: number; translation?: number[] }[];
  expect(nodes.length).toBe(doc.nodes.length + 3 * 2);
  expect(nodes.filter((n) => n.name === "thing").length).toBe(3);
  const meshes = new Set(nodes.filter((n) => n.name === "thing").map((n) => n.mesh));
  expect(meshes.size, "one mesh per model, shared by its placements").toBe(2);
  const holder = nodes.find((n) => n.name === "crate-a2")!;
  const lift = nodes[holder.children![0]];
  expect(lift.name).toBe("lift");
  expect(lift.translation).toEqual([0, 1, 0]);
  expect(r.headers()["x-export-warnings"]).toBe("0");

  // The export is editable back: uploaded into another world as a model, placed, exported again.
  const other = await (await req.post("/api/v1/worlds", { headers, data: { title: "Reimport", template: "empty-stage" } })).json();
  const re = await upload(req, headers, other.id, "models.glb", "model/gltf-binary", bytes);
  expect(re.ok(), await re.text()).toBe(true);
  other.document.nodes.push(node("whole", null, { type: "model", asset: (await re.json()).hash, rotation: [0, 1, 0] }));
  const put3 = await req.put(`/api/v1/worlds/${other.id}`, { headers: { ...headers, "If-Match": `"${other.revision}"` }, data: other.document });
  expect(put3.status(), await put3.text()).toBe(200);
  const again = await req.get(`/api/v1/worlds/${other.id}/export.glb`);
  expect(again.status()).toBe(200);
  const report2 = await validator.validateBytes(new Uint8Array(await again.body()));
  console.log(`verse e2e: the export re-imported and exported again: ${report2.issues.numErrors} errors, ${report2.issues.numWarnings} warnings`);
  expect(report2.issues.messages.filter((m) => m.severity === 0)).toEqual([]);
  const j2 = glbJson(await again.body());
  expect((j2.nodes as { name: string }[]).filter((n) => n.name === "thing").length, "every placement of the first world is inside").toBe(3);

  // A model whose node graph loops passes the upload's header checks but not the export's:
  // the export answers with the reason, and the server carries on.
  const loop = JSON.parse(model(red, true).toString("utf8"));
  loop.nodes[1].children = [0];
  const c = await upload(req, headers, made.id, "loop.gltf", "model/gltf+json", Buffer.from(JSON.stringify(loop)));
  expect(c.ok(), await c.text()).toBe(true);
  const latest = await (await req.get(`/api/v1/worlds/${made.id}`)).json();
  latest.document.nodes.push(node("loop", null, { type: "model", asset: (await c.json()).hash }));
  const put2 = await req.put(`/api/v1/worlds/${made.id}`, { headers: { ...headers, "If-Match": `"${latest.revision}"` }, data: latest.document });
  expect(put2.status(), await put2.text()).toBe(200);
  const refused = await req.get(`/api/v1/worlds/${made.id}/export.glb`);
  const body = await refused.text();
  expect(refused.status(), body).toBe(400);
  expect(body).toContain("model \\\"loop\\\"");
  expect(body).toContain("is also a child");
  expect((await req.get("/healthz")).status()).toBe(200);
  await ctx.close();
});

/** A KTX 2.0 texture written by ktx-parse (the library three's KTX2Loader reads with):
 * R8G8B8A8_SRGB, no supercompression, one level of one colour. */
function ktx2(w: number, h: number, rgba: [number, number, number, number], levelCount = 1): Buffer {
  const k = requireHere("three/examples/jsm/libs/ktx-parse.module.js") as {
    createDefaultContainer: () => Record<string, unknown> & { dataFormatDescriptor: Record<string, unknown>[] };
    write: (c: unknown) => Uint8Array;
  };
  const c = k.createDefaultContainer();
  Object.assign(c, { vkFormat: 43, typeSize: 1, pixelWidth: w, pixelHeight: h, pixelDepth: 0, layerCount: 0, faceCount: 1, levelCount });
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set(rgba, i * 4);
  c.levels = [{ levelData: data, uncompressedByteLength: data.length }];
  Object.assign(c.dataFormatDescriptor[0], {
    colorModel: 1, colorPrimaries: 1, transferFunction: 2, texelBlockDimension: [0, 0, 0, 0], bytesPlane: [4, 0, 0, 0, 0, 0, 0, 0],
    samples: [0, 1, 2, 15 | 0x10].map((ch, i) => ({ bitOffset: i * 8, bitLength: 7, channelType: ch, samplePosition: [0, 0, 0, 0], sampleLower: 0, sampleUpper: 255 })),
  });
  return Buffer.from(k.write(c));
}

/** Magenta pixels on the world canvas (counted on a small copy). */
async function magenta(page: Page): Promise<number> {
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
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 110 && d[i + 2] > 110 && d[i + 1] < 0.45 * Math.min(d[i], d[i + 2])) n++;
    return n;
  });
}

test("a KTX2 texture is checked on import and drawn on a mesh in the editor and the share viewer", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const made = await (await req.post("/api/v1/worlds", { headers, data: { title: "KTX2", template: "empty-stage" } })).json();
  // Refused on import: more mip levels than a 16x16 texture has, and a cut file.
  const tooMany = await upload(req, headers, made.id, "bad.ktx2", "image/ktx2", ktx2(16, 16, [255, 0, 255, 255], 9));
  expect(tooMany.status()).toBe(400);
  expect(await tooMany.text()).toContain("at most 5");
  const cut = await upload(req, headers, made.id, "cut.ktx2", "image/ktx2", ktx2(16, 16, [255, 0, 255, 255]).subarray(0, 200));
  expect(cut.status()).toBe(400);

  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const origins = new Set<string>();
  const transcoder: { url: string; status: number }[] = [];
  page.on("requestfinished", async (rq) => {
    origins.add(new URL(rq.url()).origin);
    if (/basis_transcoder/.test(rq.url())) transcoder.push({ url: rq.url(), status: (await rq.response())?.status() ?? 0 });
  });
  await page.goto(`/verse/${made.id}`);
  await expect.poll(() => page.evaluate(() => window.__verse?.frames ?? 0), { timeout: 60_000 }).toBeGreaterThan(0);
  expect(await magenta(page), "nothing magenta before the texture").toBe(0);
  await page.getByTestId("verse-add-box").click();
  await expect.poll(() => page.evaluate(() => window.__verse!.selected())).toBe("box-1");
  await page.getByLabel("Position y").fill("1");
  await page.getByLabel("Position y").press("Enter");
  await page.getByTestId("verse-color").fill("#ffffff");
  // Import through the editor's file picker, then put the texture on the box's material.
  await page.locator("input[type=file]").setInputFiles({ name: "magenta.ktx2", mimeType: "image/ktx2", buffer: ktx2(16, 16, [255, 0, 255, 255]) });
  await expect(page.getByTestId("verse-texture").locator("option", { hasText: "magenta.ktx2" })).toHaveCount(1);
  await page.getByTestId("verse-texture").selectOption({ label: "magenta.ktx2" });
  await expect.poll(() => page.evaluate(() => window.__verse!.ktx2Textures()), { message: "the KTX2 texture is decoded" }).toBe(1);
  await expect.poll(() => magenta(page), { message: "the KTX2 texture is drawn on the box" }).toBeGreaterThan(20);
  console.log(`verse e2e: KTX2 box in the editor: ${await magenta(page)} magenta pixels of 160 wide`);
  await expect.poll(() => page.evaluate(() => window.__verse!.saveState()), { timeout: 30_000 }).toBe("saved");

  // The Basis Universal transcoder (for supercompressed KTX2) comes from this server, not a CDN.
  await page.evaluate(() => window.__verse!.loadTranscoder());
  expect(transcoder.map((t) => t.url.replace(/.*\//, "").replace(/-[\w-]+\./, ".")).sort()).toEqual(["basis_transcoder.js", "basis_transcoder.wasm"]);
  for (const t of transcoder) {
    expect(new URL(t.url).origin).toBe(new URL(srv.url).origin);
    expect(t.status).toBe(200);
  }
  expect([...origins].filter((o) => o !== new URL(srv.url).origin && !o.startsWith("data:") && o !== "null"), "no request leaves the server").toEqual([]);

  const share = await (await req.post(`/api/v1/worlds/${made.id}/share`, { headers })).json();
  const fresh = await browser.newContext();
  const viewer = await fresh.newPage();
  await viewer.goto(share.url);
  await expect.poll(() => viewer.evaluate(() => window.__verseViewer?.ktx2Textures ?? 0), { timeout: 60_000 }).toBe(1);
  await expect.poll(() => magenta(viewer), { message: "the shared world shows the KTX2 texture" }).toBeGreaterThan(20);
  await fresh.close();
  expect(errors).toEqual([]);
  await ctx.close();
});
