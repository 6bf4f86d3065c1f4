import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, createWriteStream, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Starts a real `beacon serve` for the journeys: free port, fresh temp data dir, a test admin
 * password (BEACON_E2E_PASSWORD overrides it), built-in engines, and a clean, explicit
 * environment: the caller's OLLAMA_HOST, COMFYUI_HOST, ELEVEN_API_KEY, WHISPER_URL or
 * BEACON_* never reach it. Writes only to temporary folders: the output folder
 * (BEACON_E2E_OUT, see playwright.config.ts) and the data folder; when the web UI is not built
 * it builds it into the data folder without regenerating tracked sources. Exposes
 * BEACON_E2E_URL / BEACON_E2E_PASSWORD to the tests and stops the server afterwards.
 */
const root = path.resolve(__dirname, "../..");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, logFile: string, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  let exited: number | null = null;
  child.once("exit", (code) => (exited = code ?? -1));
  while (Date.now() < until) {
    if (exited !== null) throw new Error(`beacon serve exited with ${exited} before becoming healthy; see ${logFile}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    // Poll: the server gives no other signal that it is ready.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`beacon serve did not answer ${url}/healthz within ${deadlineMs} ms; see ${logFile}`);
}

export default async function globalSetup() {
  const bin = path.resolve(root, process.env.BEACON_BIN ?? "build/src/app/beacon");
  if (!existsSync(bin)) throw new Error(`beacon binary not found at ${bin}: build it first (scripts/setup.sh) or set BEACON_BIN`);
  const out = process.env.BEACON_E2E_OUT ?? mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-out-"));
  const shots = path.join(out, "screenshots");
  mkdirSync(shots, { recursive: true });
  console.log(`e2e: screenshots, traces and the server log go to ${out}`);

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-"));
  let webRoot = path.join(root, "web/dist");
  if (!existsSync(path.join(webRoot, "index.html"))) {
    // Only the bundle, into the temp folder: `npm run build` would regenerate the tracked
    // src/api/schema.d.ts.
    webRoot = path.join(dataDir, "web-dist");
    const vite = path.join(root, "web/node_modules/vite/bin/vite.js");
    execFileSync(process.execPath, [vite, "build", "--outDir", webRoot, "--emptyOutDir"], { cwd: path.join(root, "web"), stdio: "inherit" });
  }
  const config = path.join(dataDir, "beacon.toml");
  writeFileSync(config, `[server]\nweb_root = ${JSON.stringify(webRoot)}\n`);
  const home = path.join(dataDir, "home");
  mkdirSync(home);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const password = process.env.BEACON_E2E_PASSWORD ?? "e2e-password-123";
  const logFile = path.join(out, "beacon-serve.log");
  const log = createWriteStream(logFile);
  const args = ["serve", "--listen", `127.0.0.1:${port}`, "--data", path.join(dataDir, "data"), "--config", config];
  const child = spawn(bin, args, {
    cwd: dataDir, // no stray beacon.toml from the caller's directory
    // A clean, explicit environment: nothing of the caller's engine configuration.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, TMPDIR: dataDir, LANG: "C.UTF-8", BEACON_ADMIN_PASSWORD: password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitHealthy(url, child, logFile, 60_000);

  process.env.BEACON_E2E_URL = url;
  process.env.BEACON_E2E_PASSWORD = password;
  process.env.BEACON_E2E_SHOTS = shots;

  return async () => {
    child.kill("SIGTERM");
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        child.kill("SIGKILL");
        resolve();
      }, 10_000);
      child.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
    });
    if (!process.env.BEACON_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true });
  };
}
