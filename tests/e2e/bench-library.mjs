#!/usr/bin/env node
// Library time-to-interactive with 500 items, measured in Debian's chromium.
// Serves the production build (web/dist) and an API fixture answering the contract's
// /api/v1/content shape with 500 items (this measures the UI, not the server), then loads
// /library RUNS times and reports, per run: time until the first page of tiles is rendered,
// and time-to-interactive = max(grid rendered, end of the last long task).
// Usage (from web/): npm run bench:library   [env RUNS=7 ITEMS=500 CHROMIUM_BIN=/usr/bin/chromium]
import http from "node:http";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const require = createRequire(path.join(root, "web/package.json"));
const { chromium } = require("playwright-core");
const dist = path.join(root, "web/dist");
if (!fs.existsSync(path.join(dist, "index.html"))) throw new Error("web/dist missing: run `npm run build` in web/ first");

const N = Number(process.env.ITEMS ?? 500);
const RUNS = Number(process.env.RUNS ?? 7);
const now = Date.now();
const thumb = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="320" height="180" fill="#145457"/><circle cx="160" cy="90" r="40" fill="#e8b64c"/></svg>`,
);
const items = Array.from({ length: N }, (_, i) => ({
  id: i + 1, owner_id: 1, job_id: i + 1, title: `Harbour story ${i + 1}`, description: "", prompt: "a storm",
  mp4_url: `/media/library/${i + 1}/video.mp4`, hls_url: `/media/library/${i + 1}/hls/master.m3u8`,
  thumbnail: `/media/library/${i + 1}/thumb.svg`, poster: "", preview_url: "", vtt_url: "", chapters_url: "",
  duration: 7 + (i % 50), languages: ["en"], published: i % 3 === 0, visibility: i % 2 ? "public" : "private",
  transcript: "", script: {}, entities: [], created_at: new Date(now - i * 60_000).toISOString(),
}));
const types = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff" };
const server = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x");
  const send = (code, body) => {
    res.writeHead(code, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (u.pathname === "/api/v1/auth/me") return send(200, { user: { id: 1, name: "admin" }, csrf_token: "t" });
  if (u.pathname === "/api/v1/content") {
    const limit = Math.min(500, Number(u.searchParams.get("limit") ?? 48));
    const offset = Number(u.searchParams.get("offset") ?? 0);
    return send(200, { items: items.slice(offset, offset + limit), total: items.length, limit, offset });
  }
  if (u.pathname.startsWith("/api/")) return send(404, { error: { code: "not_found", message: u.pathname } });
  if (u.pathname.startsWith("/media/")) {
    res.writeHead(200, { "Content-Type": "image/svg+xml", "Cache-Control": "max-age=3600" });
    return res.end(thumb);
  }
  let f = path.join(dist, path.normalize(u.pathname));
  if (!f.startsWith(dist) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) f = path.join(dist, "index.html");
  res.writeHead(200, { "Content-Type": types[path.extname(f)] ?? "application/octet-stream" });
  fs.createReadStream(f).pipe(res);
});
server.on("upgrade", (_req, socket) => socket.destroy());
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"], // Playwright gives each launch a fresh temp profile
});
const results = [];
for (let run = 0; run < RUNS; run++) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    window.__longTaskEnd = 0;
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__longTaskEnd = Math.max(window.__longTaskEnd, e.startTime + e.duration);
    }).observe({ type: "longtask", buffered: true });
  });
  await page.goto(`${base}/library`);
  await page.waitForFunction(() => document.querySelectorAll("[data-testid=library-item]").length >= 48);
  const rendered = await page.evaluate(() => performance.now());
  // Interactive: the search box answers input on the next frame.
  const inputLatency = await page.evaluate(async () => {
    const input = document.querySelector("input[type=search]");
    const t = performance.now();
    input.focus();
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    return performance.now() - t;
  });
  const longTaskEnd = await page.evaluate(() => window.__longTaskEnd);
  const total = await page.getByTestId("library-total").textContent();
  if (process.env.BENCH_DEBUG) console.log(await page.evaluate(() => performance.getEntriesByType("resource").map((e) => `${e.name.replace(location.origin, "")} ${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)}`).join("\n")));
  results.push({ rendered, tti: Math.max(rendered, longTaskEnd), inputLatency, total });
  await ctx.close();
}
await browser.close();
server.close();
const med = (k) => [...results].map((r) => r[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
console.log(`library with ${N} items (${results[0].total}), ${RUNS} cold loads in chromium; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} CPUs:`);
for (const r of results) console.log(`  grid rendered ${r.rendered.toFixed(0)} ms, TTI ${r.tti.toFixed(0)} ms, input ${r.inputLatency.toFixed(1)} ms`);
console.log(`median: grid ${med("rendered").toFixed(0)} ms, TTI ${med("tti").toFixed(0)} ms [goal < 1000 ms]`);
if (med("tti") > Number(process.env.TTI_BUDGET_MS ?? 1000)) process.exit(1);
