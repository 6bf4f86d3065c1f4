import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Browser journeys: Debian's chromium (no browser download) driven by Playwright against a real
 * `beacon serve` that global-setup.ts starts on a free port with a fresh data directory.
 * Run from web/: `npm run e2e` (BEACON_BIN overrides the binary, default build/src/app/beacon).
 * Everything the run writes (traces, screenshots, the server's log) goes to a temporary folder,
 * BEACON_E2E_OUT (made here when unset, printed by global-setup.ts), never into the repository.
 */
export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
// Set once in the runner; the worker processes inherit it and load this file again.
process.env.BEACON_E2E_OUT ??= mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-out-"));
const out = process.env.BEACON_E2E_OUT;

export default defineConfig({
  testDir: __dirname,
  testMatch: /.*\.spec\.ts$/,
  outputDir: path.join(out, "playwright"),
  globalSetup: path.join(__dirname, "global-setup.ts"),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 6 * 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    browserName: "chromium",
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required",
      ],
    },
  },
});
