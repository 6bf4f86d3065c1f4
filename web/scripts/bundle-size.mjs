// Reports gzip sizes of the production build: first-load JS (the entry chunk and everything it
// imports statically) versus lazy chunks (hls.js, Watch, LiveLoop, Settings).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const dist = resolve(dirname(fileURLToPath(import.meta.url)), "../dist");
const manifest = JSON.parse(readFileSync(resolve(dist, ".vite/manifest.json"), "utf8"));
const gz = (f) => gzipSync(readFileSync(resolve(dist, f)), { level: 9 }).length;
const entry = Object.entries(manifest).find(([, v]) => v.isEntry);
const first = new Set();
const walk = (key) => {
  const c = manifest[key];
  if (!c || first.has(c.file)) return;
  first.add(c.file);
  (c.imports ?? []).forEach(walk);
};
walk(entry[0]);
const css = new Set((manifest[entry[0]].css ?? []));
let firstJs = 0;
for (const f of first) firstJs += gz(f);
let firstCss = 0;
for (const f of css) firstCss += gz(f);
const lazy = Object.values(manifest).filter((c) => c.file.endsWith(".js") && !first.has(c.file));
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`first-load JS (gzip): ${kb(firstJs)} in ${first.size} file(s) [goal < 300 kB]`);
console.log(`first-load CSS (gzip): ${kb(firstCss)}`);
for (const c of lazy) console.log(`  lazy ${c.name ?? c.file}: ${kb(gz(c.file))}`);
const budget = Number(process.env.BUNDLE_BUDGET_KB ?? 300) * 1024;
if (firstJs > budget) {
  console.error(`first-load JS ${kb(firstJs)} exceeds the budget ${kb(budget)}`);
  process.exit(1);
}
