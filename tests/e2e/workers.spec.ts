import { expect, test } from "@playwright/test";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { csrf, finished, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Remote workers (issue 18) in Settings > Workers: the admin makes a registration token in the
 * page, a real `beacon worker --server URL --token T` (its own folder, no database) registers
 * with it and appears in the list with its host; a job runs on it and the list counts it; the
 * admin revokes the token in the page and the worker, refused with 401, stops and shows as
 * revoked. The studio runs no jobs itself ([jobs] workers = 0).
 */
const srv = serverForThisFile(() => "[jobs]\nworkers = 0\nlease_seconds = 5\n");
const root = path.resolve(__dirname, "../..");

test("a remote worker registers with a token made in Settings, runs a job, and is refused once revoked", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const page = await ctx.newPage();
  await page.goto("/settings");
  const card = page.getByTestId("workers-card");
  await expect(card.getByRole("heading", { name: "Workers" })).toBeVisible();
  await expect(card.getByTestId("workers-empty")).toBeVisible();
  await card.getByLabel("Registration token name").fill("e2e box");
  await card.getByRole("button", { name: "Create token" }).click();
  const command = (await card.getByTestId("new-worker-command").textContent()) ?? "";
  const m = command.match(/^beacon worker --server (\S+) --token (bwr_\S+)$/);
  expect(m, command).not.toBeNull();
  expect(m![1]).toBe(srv.url);

  const dir = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-worker-"));
  let log = "";
  let exit: number | null = null;
  const worker: ChildProcess = spawn(path.resolve(root, process.env.BEACON_BIN ?? "build/src/app/beacon"),
    ["worker", "--data", path.join(dir, "data"), "--server", m![1], "--token", m![2], "--name", "e2e-worker"],
    { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" }, stdio: ["ignore", "pipe", "pipe"] });
  worker.stdout?.on("data", (b) => (log += b));
  worker.stderr?.on("data", (b) => (log += b));
  worker.once("exit", (c) => (exit = c ?? -1));
  try {
    const row = card.locator("tr", { hasText: "e2e-worker" });
    await expect(row).toBeVisible({ timeout: 20_000 });
    await expect(row).toContainText(os.hostname());
    await expect(row).toContainText(/idle|working/);
    await expect(row).toContainText(/\d+ s ago/);
    await expect(card.getByTestId("worker-tokens")).toContainText("e2e box · 1 worker");

    const req = ctx.request;
    const r = await req.post("/api/v1/generate", {
      headers: await csrf(req),
      data: { prompt: "A lantern on a jetty. 1 scene.", duration_target: 3, produce_preview: false, output_preset: "480p" },
    });
    expect(r.status(), await r.text()).toBe(202);
    const job = await finished(req, (await r.json()).job_id);
    expect(job.status, log).toBe("completed");
    await expect(row.locator("td").nth(5)).toHaveText("1", { timeout: 15_000 });

    await card.getByRole("button", { name: "Revoke e2e box" }).click();
    await page.locator("dialog[open]").getByRole("button", { name: "Revoke" }).click();
    await expect(row).toContainText("revoked", { timeout: 15_000 });
    await expect.poll(() => exit, { timeout: 20_000 }).toBe(3);
    expect(log).toContain("HTTP 401");
    expect(log).toContain("revoked");
  } finally {
    if (exit === null) worker.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    await ctx.close();
  }
});
