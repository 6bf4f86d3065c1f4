import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Prepares the journeys: checks the beacon binary (BEACON_BIN, default build/src/app/beacon),
 * finds the built web UI (BEACON_E2E_WEB_ROOT, else web/dist) or, when it is not built, builds it into a temporary folder without
 * regenerating tracked sources, and makes the screenshot folder under the output folder
 * (BEACON_E2E_OUT, see playwright.config.ts). Starts no server: every spec file starts its own
 * (fixtures.ts, server.ts) with a fresh data folder, the test admin password (BEACON_E2E_PASSWORD
 * overrides it) and a clean environment, so each spec file and each journey stands alone.
 * Exposes BEACON_E2E_WEB_ROOT / BEACON_E2E_PASSWORD / BEACON_E2E_SHOTS to the tests.
 */
const root = path.resolve(__dirname, "../..");

export default async function globalSetup() {
  const bin = path.resolve(root, process.env.BEACON_BIN ?? "build/src/app/beacon");
  if (!existsSync(bin)) throw new Error(`beacon binary not found at ${bin}: build it first (scripts/setup.sh) or set BEACON_BIN`);
  const out = process.env.BEACON_E2E_OUT ?? mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-out-"));
  const shots = path.join(out, "screenshots");
  mkdirSync(shots, { recursive: true });
  console.log(`e2e: screenshots, traces and the servers' logs go to ${out}`);

  // BEACON_E2E_WEB_ROOT: a UI built elsewhere (say, fresher than web/dist).
  let webRoot = process.env.BEACON_E2E_WEB_ROOT ?? path.join(root, "web/dist");
  let tmpWeb: string | null = null;
  if (!existsSync(path.join(webRoot, "index.html"))) {
    // Only the bundle, into a temp folder: `npm run build` would regenerate the tracked
    // src/api/schema.d.ts.
    tmpWeb = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-web-"));
    webRoot = path.join(tmpWeb, "web-dist");
    const vite = path.join(root, "web/node_modules/vite/bin/vite.js");
    execFileSync(process.execPath, [vite, "build", "--outDir", webRoot, "--emptyOutDir"], { cwd: path.join(root, "web"), stdio: "inherit" });
  }
  // Verse's server-side render page (worlds in videos), a bundle of its own beside the UI.
  if (!existsSync(path.join(webRoot, "verse-render/render.js"))) {
    const vite = path.join(root, "web/node_modules/vite/bin/vite.js");
    execFileSync(process.execPath, [vite, "build", "-c", "vite.render.config.ts", "--outDir", path.join(webRoot, "verse-render")], { cwd: path.join(root, "web"), stdio: "inherit" });
  }

  process.env.BEACON_BIN = bin;
  process.env.BEACON_E2E_WEB_ROOT = webRoot;
  process.env.BEACON_E2E_PASSWORD ??= "e2e-password-123";
  process.env.BEACON_E2E_SHOTS = shots;

  return async () => {
    if (tmpWeb) rmSync(tmpWeb, { recursive: true, force: true });
  };
}
