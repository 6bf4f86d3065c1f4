import { expect, test, type APIRequestContext } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { csrf, loggedIn, serverForThisFile } from "./fixtures";
import { freePort } from "./server";

/**
 * Arcade SDK and isolation in the browser (issue 16): a game posting forged SDK messages (from a
 * child window of its own origin, from an opaque-origin child, to itself, malformed payloads, a
 * save naming another game) changes nothing the player sees or the server stores; a game marked
 * `threads` runs cross-origin isolated (SharedArrayBuffer shared with a Worker) while a game
 * without it is not isolated; the WebGL sample draws a frame (pixels read back) and its
 * first-frame time is printed for docs/BENCHMARKS.md.
 */
const srv = serverForThisFile(async () => `[arcade]\nlisten = "127.0.0.1:${await freePort()}"`);

function zip(dir: string, name: string, files: Record<string, string>): Buffer {
  const out = path.join(dir, name);
  execFileSync("python3", ["-c", `
import json, sys, zipfile
files = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for n, d in files.items():
        z.writestr(n, d)
`, out, JSON.stringify(files)]);
  return readFileSync(out);
}

type GameJson = { id: number; play_url: string; origin: string };

async function upload(req: APIRequestContext, zipBytes: Buffer, title: string, threads = false): Promise<GameJson> {
  const r = await req.post("/api/v1/games", {
    headers: await csrf(req),
    multipart: {
      file: { name: "game.zip", mimeType: "application/zip", buffer: zipBytes },
      title,
      threads: threads ? "true" : "false",
    },
  });
  expect(r.status(), await r.text()).toBe(201);
  return (await r.json()) as GameJson;
}

async function savedData(req: APIRequestContext, id: number): Promise<string | null> {
  return (await (await req.get(`/api/v1/games/${id}/save`)).json()).data;
}

/** A game that forges SDK messages when its buttons are pressed, and shows what it perceives. */
const FORGER_HTML = `<!doctype html><meta charset=utf-8><title>Forger</title>
<script src="/beacon-game.js"></script>
<div id=status>starting</div><div id=sound>on</div><pre id=probe>{}</pre>
<button id=attack>attack</button><button id=legit>legit</button>
<script>
  const probe = {};
  const show = () => document.getElementById('probe').textContent = JSON.stringify(probe);
  BeaconGame.onPause(() => document.getElementById('status').textContent = 'paused');
  BeaconGame.onResume(() => document.getElementById('status').textContent = 'running');
  BeaconGame.onAudioChange((on) => document.getElementById('sound').textContent = on ? 'on' : 'off');
  BeaconGame.load().then(() => { document.getElementById('status').textContent = 'frame drawn'; BeaconGame.ready(); });
  // Replies the host sends to raw (non-SDK) requests, by id.
  addEventListener('message', (e) => {
    if (e.source === parent && e.data && e.data.beacon === 'host' && e.data.type === 'reply' && e.data.id >= 900) {
      probe['reply' + e.data.id] = e.data.error ? 'error: ' + e.data.error : 'ok';
      show();
    }
  });
  function child(sandbox, script) {
    return new Promise((resolve) => {
      const f = document.createElement('iframe');
      if (sandbox !== null) f.setAttribute('sandbox', sandbox);
      f.srcdoc = '<script>' + script + '<' + '/script>';
      f.onload = () => setTimeout(resolve, 200);
      document.body.appendChild(f);
    });
  }
  document.getElementById('attack').onclick = async () => {
    // 1. A child window of the game's own origin: right origin, wrong source window.
    await child('allow-scripts allow-same-origin', [
      "top.postMessage({beacon:'game', type:'save', id:801, data:'forged-by-child'}, '*');",
      "top.postMessage({beacon:'game', type:'ready'}, '*');",
      // ...and pretends to be the host towards the game.
      "parent.postMessage({beacon:'host', type:'pause'}, '*');",
      "parent.postMessage({beacon:'host', type:'audio', enabled:false, level:0}, '*');",
    ].join(''));
    probe.sameOriginChild = 'sent';
    // 2. An opaque-origin child: wrong origin and wrong window.
    await child('allow-scripts', [
      "top.postMessage({beacon:'game', type:'save', id:802, data:'forged-by-opaque'}, '*');",
      "parent.postMessage({beacon:'host', type:'pause'}, '*');",
    ].join(''));
    probe.opaqueChild = 'sent';
    // 3. The game posts host messages to itself.
    window.postMessage({beacon:'host', type:'pause'}, '*');
    window.postMessage({beacon:'host', type:'audio', enabled:false, level:0}, '*');
    // 4. Malformed payloads straight to the host.
    for (const m of [null, 'save', 42, [1, 2], {}, {beacon:'game'}, {beacon:'game', type:7},
                     {beacon:'host', type:'pause'}, {beacon:'game', type:'evil', data:'x'}]) {
      parent.postMessage(m, '*');
    }
    parent.postMessage({beacon:'game', type:'save', id:901, data:{level: 9}}, '*');
    parent.postMessage({beacon:'game', type:'save', id:902, data:'x'.repeat((1 << 20) + 1)}, '*');
    probe.done = true;
    show();
  };
  // A save that names another game: it is stored for this game only.
  document.getElementById('legit').onclick = () => {
    parent.postMessage({beacon:'game', type:'save', id:903, data:'mine', game: Number(location.hash.slice(1)),
                        gameId: Number(location.hash.slice(1)), game_id: Number(location.hash.slice(1))}, '*');
  };
</script>`;

test("Arcade SDK: forged messages from a game or its child windows are ignored", async ({ browser }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-arcade-sdk-"));
  const ctx = await loggedIn(browser, srv);
  try {
    const victim = await upload(ctx.request, zip(tmp, "victim.zip", { "index.html": "<p>victim</p>" }), "Victim");
    const put = await ctx.request.put(`/api/v1/games/${victim.id}/save`, {
      headers: await csrf(ctx.request), data: { data: "victim-save" },
    });
    expect(put.status()).toBe(200);
    const forger = await upload(ctx.request, zip(tmp, "forger.zip", { "index.html": FORGER_HTML }), "Forger");

    const page = await ctx.newPage();
    await page.goto(`/arcade/${forger.id}`);
    const frame = page.frameLocator("[data-testid=arcade-frame]");
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready");
    await expect(frame.locator("#status")).toHaveText("frame drawn");

    await frame.locator("#attack").click();
    await expect(frame.locator("#probe")).toContainText('"done":true');
    // The malformed saves from the game's own frame are answered with errors, not stored.
    await expect(frame.locator("#probe")).toContainText('"reply901":"error: save(data) takes a string"');
    await expect(frame.locator("#probe")).toContainText('"reply902":"error: the save is too large"');
    const probe = JSON.parse((await frame.locator("#probe").textContent()) ?? "{}");
    expect(probe.sameOriginChild).toBe("sent");
    expect(probe.opaqueChild).toBe("sent");
    expect(probe.reply801).toBeUndefined();
    expect(probe.reply802).toBeUndefined();
    // Let anything that was (wrongly) accepted reach the server before looking.
    await page.waitForTimeout(1000);
    // What the player perceives: the game was neither paused nor muted by the forgeries...
    await expect(frame.locator("#status")).toHaveText("frame drawn");
    await expect(frame.locator("#sound")).toHaveText("on");
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready");
    await expect(page).toHaveURL(new RegExp(`/arcade/${forger.id}$`));
    // ...and what the server stored: nothing for the forger, the victim's save untouched.
    expect(await savedData(ctx.request, forger.id)).toBeNull();
    expect(await savedData(ctx.request, victim.id)).toBe("victim-save");

    // A real save from the game's frame that names the victim's id lands on the forger only.
    await frame.locator("#legit").evaluate((b, id) => {
      location.hash = String(id);
      (b as HTMLButtonElement).click();
    }, victim.id);
    await expect.poll(() => savedData(ctx.request, forger.id)).toBe("mine");
    expect(await savedData(ctx.request, victim.id)).toBe("victim-save");

    // The host's own controls still reach the game (the checks above were not vacuous).
    await page.getByTestId("arcade-pause").click();
    await expect(frame.locator("#status")).toHaveText("paused");
  } finally {
    await ctx.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

const THREADED_HTML = `<!doctype html><meta charset=utf-8><title>Threads</title>
<div id=isolated></div><div id=result>waiting</div>
<script>
  document.getElementById('isolated').textContent = String(self.crossOriginIsolated);
  if (typeof SharedArrayBuffer === 'undefined' || !self.crossOriginIsolated) {
    document.getElementById('result').textContent = 'no SharedArrayBuffer';
  } else {
    const shared = new Int32Array(new SharedArrayBuffer(8));
    const w = new Worker('worker.js');
    w.postMessage(shared);
    (async () => {
      // The worker writes into the shared memory and wakes us; nothing is posted back.
      while (Atomics.load(shared, 1) === 0) await new Promise((r) => setTimeout(r, 10));
      document.getElementById('result').textContent = 'sum ' + Atomics.load(shared, 0);
    })();
  }
</script>`;
const THREADED_WORKER = `onmessage = (e) => {
  const shared = e.data;
  let s = 0;
  for (let i = 1; i <= 1000; i++) s += i;
  Atomics.store(shared, 0, s);
  Atomics.store(shared, 1, 1);
  Atomics.notify(shared, 1);
};`;

test("Arcade: a threaded game runs cross-origin isolated with a worker; a plain one is not isolated", async ({ browser }) => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-arcade-threads-"));
  const ctx = await loggedIn(browser, srv);
  try {
    const bundle = zip(tmp, "threads.zip", { "index.html": THREADED_HTML, "worker.js": THREADED_WORKER });
    const threaded = await upload(ctx.request, bundle, "Threads", true);
    const plain = await upload(ctx.request, bundle, "No threads", false);

    // A threaded game opens in a tab of its own (isolation cannot work inside the studio page).
    const page = await ctx.newPage();
    await page.goto(threaded.play_url);
    await expect(page.locator("#isolated")).toHaveText("true");
    await expect(page.locator("#result")).toHaveText("sum 500500");

    await page.goto(plain.play_url);
    await expect(page.locator("#isolated")).toHaveText("false");
    await expect(page.locator("#result")).toHaveText("no SharedArrayBuffer");
  } finally {
    await ctx.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("Arcade: the WebGL sample draws its first frame (pixels read back; time printed)", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  try {
    const page = await ctx.newPage();
    await page.goto("/arcade");
    const link = page.getByTestId("arcade-game").filter({ hasText: "Cube Spin" }).getByRole("link", { name: "Cube Spin" });
    await expect(link).toBeVisible();
    // Time from the click to the game's ready() (sent after its first frame), in the studio page.
    await page.evaluate(() => {
      const w = window as unknown as { __ready?: number; __clicked?: number };
      addEventListener("message", (e) => {
        const m = e.data as { beacon?: string; type?: string } | null;
        if (m && m.beacon === "game" && m.type === "ready" && w.__ready === undefined) w.__ready = performance.now();
      });
      document.addEventListener("click", () => { w.__clicked ??= performance.now(); }, { capture: true });
    });
    await link.click();
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready", { timeout: 30_000 });
    const ms = await page.evaluate(() => {
      const w = window as unknown as { __ready?: number; __clicked?: number };
      return (w.__ready ?? NaN) - (w.__clicked ?? NaN);
    });
    // Read the cube's pixels right after the game draws a frame (the next animation frame
    // callback runs after the game's own for that frame, before the buffer is presented).
    const frame = page.frameLocator("[data-testid=arcade-frame]");
    const pixels = await frame.locator("#c").evaluate((c: HTMLCanvasElement) => new Promise<number[][]>((resolve) => {
      requestAnimationFrame(() => {
        const gl = c.getContext("webgl")!;
        const at = (x: number, y: number) => {
          const d = new Uint8Array(4);
          gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, d);
          return Array.from(d);
        };
        resolve([at(Math.floor(c.width / 2), Math.floor(c.height / 2)), at(1, 1)]);
      });
    }));
    const [center, corner] = pixels;
    // The corner is the clear colour (0.04, 0.06, 0.12); the centre is the lit cube.
    expect(corner.slice(0, 3)).toEqual([10, 15, 31]);
    expect(center[3]).toBe(255);
    expect(center.slice(0, 3)).not.toEqual(corner.slice(0, 3));
    expect(Math.max(...center.slice(0, 3))).toBeGreaterThan(60);
    console.log(`arcade-bench: Cube Spin first frame ${ms.toFixed(0)} ms after the click (ready() received)`);
    test.info().annotations.push({ type: "first-frame-ms", description: ms.toFixed(0) });
  } finally {
    await ctx.close();
  }
});

test("Arcade: the WebGL sample in a 15 MB bundle (its assets fetched before the first frame) draws; time printed", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "arcade-15mb-"));
  try {
    // Cube Spin as shipped, but it starts drawing only once a 15 MB asset (random, so the zip
    // cannot shrink it) has been fetched from the game's origin: the bundle the issue measures.
    const sample = readFileSync(path.join(__dirname, "..", "..", "games", "samples", "cube-spin", "index.html"), "utf8");
    const lines = sample.split("\n");
    const last = lines.lastIndexOf("requestAnimationFrame(loop);");
    expect(last).toBeGreaterThan(0);
    lines[last] = "fetch('assets.bin').then((r) => r.arrayBuffer()).then((b) => { window.assetBytes = b.byteLength; requestAnimationFrame(loop); });";
    const out = path.join(tmp, "cube15.zip");
    execFileSync("python3", ["-c", `
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("index.html", sys.argv[2])
    z.writestr("assets.bin", os.urandom(15 * 1024 * 1024))
`, out, lines.join("\n")]);
    const game = await upload(ctx.request, readFileSync(out), "Cube Spin 15 MB");
    const page = await ctx.newPage();
    await page.goto("/arcade");
    const link = page.getByTestId("arcade-game").filter({ hasText: "Cube Spin 15 MB" }).getByRole("link", { name: "Cube Spin 15 MB" });
    await expect(link).toBeVisible();
    await page.evaluate(() => {
      const w = window as unknown as { __ready?: number; __clicked?: number };
      addEventListener("message", (e) => {
        const m = e.data as { beacon?: string; type?: string } | null;
        if (m && m.beacon === "game" && m.type === "ready" && w.__ready === undefined) w.__ready = performance.now();
      });
      document.addEventListener("click", () => { w.__clicked ??= performance.now(); }, { capture: true });
    });
    await link.click();
    await expect(page).toHaveURL(new RegExp(`/arcade/${game.id}$`));
    await expect(page.getByTestId("arcade-sdk-state")).toContainText("Game ready", { timeout: 60_000 });
    const frame = page.frameLocator("[data-testid=arcade-frame]");
    expect(await frame.locator("#c").evaluate(() => (window as unknown as { assetBytes?: number }).assetBytes)).toBe(15 * 1024 * 1024);
    const ms = await page.evaluate(() => {
      const w = window as unknown as { __ready?: number; __clicked?: number };
      return (w.__ready ?? NaN) - (w.__clicked ?? NaN);
    });
    expect(Number.isFinite(ms)).toBe(true);
    console.log(`arcade-bench: Cube Spin in a 15 MB bundle, first frame ${ms.toFixed(0)} ms after the click`);
    test.info().annotations.push({ type: "first-frame-ms-15mb", description: ms.toFixed(0) });
  } finally {
    await ctx.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
