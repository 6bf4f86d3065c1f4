// Runs the Playwright journeys in tests/e2e/ with this package's node_modules on NODE_PATH,
// so the specs (which live outside web/) resolve @playwright/test from here.
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cli = resolve(web, "node_modules/@playwright/test/cli.js");
const config = resolve(web, "../tests/e2e/playwright.config.ts");
const env = { ...process.env, NODE_PATH: [resolve(web, "node_modules"), process.env.NODE_PATH].filter(Boolean).join(":"), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
const child = spawn(process.execPath, [cli, "test", "-c", config, ...process.argv.slice(2)], { stdio: "inherit", env });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
