import { expect, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loggedIn, serverForThisFile } from "./fixtures";
import { freePort } from "./server";

/**
 * Arcade (issue 16): a small game (written here) is uploaded through the upload dialog, plays in
 * the sandboxed iframe on its own origin and draws into its canvas and DOM; its SDK save survives
 * a reload of the page; pause and sound reach it; from inside the frame it can read none of the
 * studio's cookies or storage, cannot call the studio's API or another game's origin, navigate
 * the top window or open popups; a hostile zip is refused in words. The three sample games shipped with Beacon are
 * installed on first start and each reaches its first frame (it tells the host it is ready).
 */
const srv = serverForThisFile(async () => `[arcade]\nlisten = "127.0.0.1:${await freePort()}"`);

const GAME_HTML = `<!doctype html><meta charset=utf-8><title>Counter</title>
<script src="/beacon-game.js"></script>
<canvas id=c width=160 height=90></canvas>
<div id=status>starting</div><div id=count>0</div><div id=sound>on</div><pre id=probe></pre>
<script>
  const c = document.getElementById('c').getContext('2d');
  c.fillStyle = '#12c48b'; c.fillRect(0, 0, 160, 90);
  document.getElementById('status').textContent = 'frame drawn';
  let n = 0;
  BeaconGame.load().then((d) => { n = Number(d || 0); document.getElementById('count').textContent = String(n); BeaconGame.ready(); });
  document.addEventListener('click', () => { n++; document.getElementById('count').textContent = String(n); BeaconGame.save(String(n)); });
  BeaconGame.onPause(() => document.getElementById('status').textContent = 'paused');
  BeaconGame.onResume(() => document.getElementById('status').textContent = 'running');
  BeaconGame.onAudioChange((on) => document.getElementById('sound').textContent = on ? 'on' : 'off');
  // What a hostile game would try.
  (async () => {
    const p = {};
    const show = () => document.getElementById('probe').textContent = JSON.stringify(p);
    p.cookie = document.cookie;
    // Third-party storage may be denied altogether (then the SDK's save is the way to keep state).
    try { p.storage = Object.keys(localStorage).join(','); } catch (e) { p.storage = 'denied'; }
    p.studio = STUDIO;
    for (const [name, creds] of [['api', 'include'], ['apiNoCreds', 'omit']]) {
      try { const r = await fetch(STUDIO + '/api/v1/content', { credentials: creds }); p[name] = 'read ' + r.status; }
      catch (e) { p[name] = 'blocked'; }
      show();
    }
    try {
      const other = location.protocol + '//g' + (Number(location.hostname.slice(1).split('.')[0]) + 1000) + '.localhost:' + location.port + '/beacon-game.js';
      const r = await fetch(other); p.otherGame = 'read ' + r.status;
    } catch (e) { p.otherGame = 'blocked'; }
    try { p.popup = window.open('https://example.com/') === null ? 'blocked' : 'opened'; } catch (e) { p.popup = 'blocked'; }
    try { window.top.location.href = STUDIO + '/jobs'; p.top = 'navigated?'; } catch (e) { p.top = 'blocked'; }
    try { p.parentDoc = String(window.parent.document.title); } catch (e) { p.parentDoc = 'blocked'; }
    p.done = true;
    show();
  })().catch((e) => { document.getElementById('probe').textContent = 'probe failed: ' + e; });
</script>`;

function zip(dir: string, name: string, files: Record<string, string>): string {
  const out = path.join(dir, name);
  execFileSync("python3", ["-c", `
import json, sys, zipfile
files = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for n, d in files.items():
        z.writestr(n, d)
`, out, JSON.stringify(files)]);
  return out;
}

test("Arcade: upload a game, play it sandboxed on its own origin, saves survive a reload, hostile zips are refused", async ({ browser }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-arcade-"));
  const ctx = await loggedIn(browser, srv, { theme: "dark" });
  try {
    const game = zip(tmp, "counter.zip", { "index.html": GAME_HTML.replaceAll("STUDIO", JSON.stringify(srv.url)) });
    const hostile = zip(tmp, "evil.zip", { "index.html": "x", "../../escape.html": "evil" });
    const page = await ctx.newPage();
    await page.goto("/arcade");
    await expect(page.getByRole("heading", { name: "Arcade" })).toBeVisible();

    // A hostile bundle: refused in words, nothing listed.
    await page.getByTestId("arcade-upload-open").click();
    await page.getByTestId("arcade-file").setInputFiles(hostile);
    await page.getByTestId("arcade-upload-submit").click();
    await expect(page.getByTestId("arcade-upload-error")).toContainText("climbs out of the game folder");
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect(page.getByTestId("arcade-game")).toHaveCount(3);  // the samples only

    // The good one.
    await page.getByTestId("arcade-upload-open").click();
    await page.getByTestId("arcade-file").setInputFiles(game);
    await page.getByTestId("arcade-title").fill("Counter");
    await page.getByTestId("arcade-upload-submit").click();
    await expect(page).toHaveURL(/\/arcade\/\d+$/);
    const frameEl = page.getByTestId("arcade-frame");
    await expect(frameEl).toHaveAttribute("sandbox", "allow-scripts allow-same-origin allow-pointer-lock");
    const src = (await frameEl.getAttribute("src")) ?? "";
    expect(new URL(src).hostname).toMatch(/^g\d+\.localhost$/);
    expect(new URL(src).origin).not.toBe(new URL(srv.url).origin);

    const frame = page.frameLocator("[data-testid=arcade-frame]");
    await expect(frame.locator("#status")).toHaveText("frame drawn");
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready");
    // The canvas really holds the game's picture.
    const green = await frame.locator("#c").evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext("2d")!.getImageData(80, 45, 1, 1).data;
      return [d[0], d[1], d[2]];
    });
    expect(green).toEqual([0x12, 0xc4, 0x8b]);

    // What the game could reach from inside the frame.
    await expect(frame.locator("#probe")).toContainText('"done":true');
    const probe = JSON.parse((await frame.locator("#probe").textContent()) ?? "{}");
    expect(probe.cookie).toBe("");
    expect(probe.storage).not.toContain("beacon.theme");
    expect(probe.api).toBe("blocked");
    expect(probe.apiNoCreds).toBe("blocked");
    expect(probe.popup).toBe("blocked");
    expect(probe.otherGame).toBe("blocked");  // another game's origin
    expect(probe.top).toBe("blocked");
    expect(probe.parentDoc).toBe("blocked");
    await expect(page).toHaveURL(/\/arcade\/\d+$/);  // the studio was not navigated away

    // Save through the SDK, then reload: the count comes back from the server.
    await frame.locator("body").click({ position: { x: 300, y: 10 } });
    await frame.locator("body").click({ position: { x: 300, y: 10 } });
    await frame.locator("body").click({ position: { x: 300, y: 10 } });
    await expect(frame.locator("#count")).toHaveText("3");
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    await expect.poll(async () => (await (await ctx.request.get(`/api/v1/games/${id}/save`)).json()).data).toBe("3");
    await page.reload();
    await expect(frame.locator("#count")).toHaveText("3");

    // Host controls reach the game.
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready");
    await page.getByTestId("arcade-pause").click();
    await expect(frame.locator("#status")).toHaveText("paused");
    await page.getByTestId("arcade-pause").click();
    await expect(frame.locator("#status")).toHaveText("running");
    await page.getByTestId("arcade-mute").click();
    await expect(frame.locator("#sound")).toHaveText("off");

    // The studio still works, and the grid shows the game.
    await page.goto("/arcade");
    await expect(page.getByTestId("arcade-game")).toHaveCount(4);
    await expect(page.getByTestId("arcade-game").first()).toContainText("Counter");
  } finally {
    await ctx.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("Arcade: the sample games are installed on first start and each reaches its first frame", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  try {
    const page = await ctx.newPage();
    for (const title of ["Comet Dodge", "Cube Spin", "Slide Puzzle"]) {
      await page.goto("/arcade");
      await page.getByTestId("arcade-game").filter({ hasText: title }).getByRole("link", { name: title }).click();
      await expect(page.getByRole("heading", { name: title })).toBeVisible();
      // ready() is sent after the first frame is drawn (the puzzle: once its board is built).
      await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready", { timeout: 30_000 });
      await expect(page.frameLocator("[data-testid=arcade-frame]").locator("canvas, #board").first()).toBeVisible();
    }
  } finally {
    await ctx.close();
  }
});

test("Arcade: Play in Picture-in-Picture moves the game into its own window, the SDK still talks, and back", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  try {
    // Headless Chromium has no Document PiP window; this stand-in gives the page a real window
    // of its own (a popup on the studio's origin, as a Document PiP window is), so the game
    // really loads there from its own origin and its SDK messages really go to that window.
    await ctx.addInitScript(() => {
      (window as unknown as Record<string, unknown>).documentPictureInPicture = {
        requestWindow: async (o: { width: number; height: number }) => {
          const w = window.open("", "", `popup,width=${o.width},height=${o.height}`);
          if (!w) throw new Error("popup blocked");
          return w;
        },
      };
    });
    const page = await ctx.newPage();
    await page.goto("/arcade");
    // Slide Puzzle says ready once its board is built (no animation frame needed: a headless
    // popup window may not be given any).
    await page.getByTestId("arcade-game").filter({ hasText: "Slide Puzzle" }).getByRole("link", { name: "Slide Puzzle" }).click();
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready", { timeout: 30_000 });

    const popup = page.waitForEvent("popup");
    await page.getByTestId("arcade-pip").click();
    const pip = await popup;
    // One copy of the game runs: in the window, not in the page.
    await expect(page.getByTestId("arcade-in-pip")).toBeVisible();
    await expect(page.getByTestId("arcade-frame")).toHaveCount(0);
    await expect(pip.locator("iframe")).toHaveAttribute("sandbox", "allow-scripts allow-same-origin allow-pointer-lock");
    await expect(pip.frameLocator("iframe").locator("#board")).toBeVisible({ timeout: 30_000 });
    // The game in the window reached the studio's bridge (hello, load, ready went to its parent,
    // the PiP window) and the page's controls drive it there.
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready", { timeout: 30_000 });
    await expect(page.getByTestId("arcade-pause")).toBeEnabled();

    // Back to the page: the window closes and the game plays in the page again.
    await page.getByTestId("arcade-pip").click();
    await expect.poll(() => pip.isClosed()).toBe(true);
    await expect(page.getByTestId("arcade-frame")).toHaveCount(1);
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready", { timeout: 30_000 });
    await expect(page.getByTestId("arcade-pip")).toHaveText("Play in Picture-in-Picture");
  } finally {
    await ctx.close();
  }
});
