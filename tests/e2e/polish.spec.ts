import { expect, test, type Browser, type Page } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { csrf, finished, itemOnFirstUse, loggedIn as login, serverForThisFile } from "./fixtures";
import { BeaconServer } from "./server";

/**
 * Studio polish journeys (issue 12): fullscreen controls, keyboard-only seek and menus, phone
 * layouts, honest empty states, LiveLoop's live player, axe on every page in both themes, the
 * contrast of the design tokens as rendered, and an app shell that survives a stopped server.
 * One server for this file; every journey logs in on its own, and one short video, made through
 * the API on first use, serves the player journeys.
 */
const srv = serverForThisFile();
const WORD = `Quillon${Date.now().toString(36)}`;
const AXE = readFileSync(createRequire(path.join(__dirname, "../../web/package.json")).resolve("axe-core/axe.min.js"), "utf8");

/** The short video the player journeys use: made through the API on first use. */
const item = itemOnFirstUse(srv, { prompt: `The ${WORD} harbour at night: a keeper lights the lamp, a storm rolls in, a boat comes home.`, title: `${WORD} harbour`, duration_target: 8, output_preset: "480p" });

/** A logged-in context (see fixtures.ts) on this file's server. */
const loggedIn = (browser: Browser, opts: Parameters<typeof login>[2] = {}) => login(browser, srv, opts);

const video = (p: Page, id = "watch-video") => p.locator(`[data-testid=${id}]`);
const vprop = <T,>(p: Page, expr: (v: HTMLVideoElement) => T, id = "watch-video") =>
  p.locator(`[data-testid=${id}]`).evaluate(expr as (v: Element) => T);

async function openWatch(p: Page) {
  const { contentId } = await item(p.context().request);
  await p.goto(`/watch/${contentId}`);
  await p.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>("[data-testid=watch-video]");
    return !!v && v.readyState >= 1 && v.duration > 0;
  });
}

test("fullscreen: the player's controls are on screen, hide when idle, and Esc or the button exits", async ({ browser }) => {
  const ctx = await loggedIn(browser, { viewport: { width: 1280, height: 800 } });
  const p = await ctx.newPage();
  try {
    await openWatch(p);
    // The bar names the chapter briefly; the full title is in the chapters menu.
    const chapter = p.getByTestId("current-chapter");
    await expect(chapter).toBeVisible();
    expect(((await chapter.textContent()) ?? "").length).toBeLessThanOrEqual(2 + 29);
    await p.getByTestId("fullscreen").click();
    await p.waitForFunction(() => document.fullscreenElement?.getAttribute("data-testid") === "player");
    await expect(p.getByRole("button", { name: "Exit fullscreen" })).toBeVisible();
    // The control bar lies inside the screen, over the picture.
    const box = await p.getByTestId("player-controls").boundingBox();
    const vh = await p.evaluate(() => window.innerHeight);
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(vh + 1);
    expect(box!.y).toBeGreaterThan(vh / 2);
    for (const name of ["Play", "Captions", "Exit fullscreen"]) await expect(p.getByRole("button", { name, exact: true })).toBeInViewport();
    await expect(p.getByTestId("seek")).toBeInViewport();

    // Playing and left alone, the controls hide; a pointer move brings them back.
    await p.getByRole("button", { name: "Play", exact: true }).click();
    await expect(p.getByTestId("player")).toHaveAttribute("data-idle", "true", { timeout: 10_000 });
    await expect(p.getByTestId("player-controls")).toHaveCSS("opacity", "0");
    await p.mouse.move(200, 200);
    await p.mouse.move(240, 260);
    await expect(p.getByTestId("player")).toHaveAttribute("data-idle", "false");
    await expect(p.getByRole("button", { name: "Exit fullscreen" })).toBeVisible();

    await p.getByRole("button", { name: "Exit fullscreen" }).click();
    await p.waitForFunction(() => document.fullscreenElement === null);
    await expect(p.getByRole("button", { name: "Fullscreen", exact: true })).toBeVisible();

    // Again, and out with Esc.
    await p.getByRole("button", { name: "Fullscreen", exact: true }).click();
    await p.waitForFunction(() => document.fullscreenElement !== null);
    await p.keyboard.press("Escape");
    await p.waitForFunction(() => document.fullscreenElement === null);
  } finally {
    await ctx.close();
  }
});

test("keyboard only: the seek slider steps 5 s and 10 %, menus take focus and move with arrows", async ({ browser }) => {
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    await openWatch(p);
    const duration = await vprop(p, (v) => v.duration);
    // Reach the slider with Tab alone.
    for (let i = 0; i < 40 && !(await p.evaluate(() => document.activeElement?.getAttribute("data-testid") === "seek")); i++) await p.keyboard.press("Tab");
    await expect(p.getByTestId("seek")).toBeFocused();
    const t0 = await vprop(p, (v) => v.currentTime);
    await p.keyboard.press("ArrowRight");
    await expect.poll(() => vprop(p, (v) => v.currentTime)).toBeCloseTo(Math.min(duration, t0 + 5), 0);
    const t1 = await vprop(p, (v) => v.currentTime);
    await p.keyboard.press("ArrowLeft");
    await expect.poll(() => vprop(p, (v) => v.currentTime)).toBeCloseTo(Math.max(0, t1 - 5), 0);
    await p.keyboard.press("Home");
    await expect.poll(() => vprop(p, (v) => v.currentTime)).toBeCloseTo(0, 1);
    await p.keyboard.press("PageUp");
    await expect.poll(() => vprop(p, (v) => v.currentTime)).toBeCloseTo(duration * 0.1, 0);

    // The speed menu: Enter opens it with focus on the current speed; arrows move; the page's
    // volume shortcut (↑/↓) does not fire meanwhile.
    const volume = await vprop(p, (v) => v.volume);
    for (let i = 0; i < 20 && !(await p.evaluate(() => document.activeElement?.getAttribute("data-testid") === "speed-menu")); i++) await p.keyboard.press("Tab");
    await expect(p.getByTestId("speed-menu")).toBeFocused();
    await expect(p.getByTestId("speed-menu")).toHaveAccessibleName("Playback speed 1×");
    await p.keyboard.press("Enter");
    await expect(p.getByRole("menuitemradio", { name: "1×", exact: true })).toBeFocused();
    await p.keyboard.press("ArrowDown");
    await expect(p.getByRole("menuitemradio", { name: "1.25×" })).toBeFocused();
    await p.keyboard.press("ArrowUp");
    await p.keyboard.press("ArrowUp");
    await expect(p.getByRole("menuitemradio", { name: "0.75×" })).toBeFocused();
    expect(await vprop(p, (v) => v.volume)).toBe(volume);
    await p.keyboard.press("End");
    await expect(p.getByRole("menuitemradio", { name: "2×" })).toBeFocused();
    await p.keyboard.press("Enter");
    await expect.poll(() => vprop(p, (v) => v.playbackRate)).toBe(2);
    await expect(p.getByTestId("speed-menu")).toBeFocused();
    await expect(p.getByTestId("speed-menu")).toHaveAccessibleName("Playback speed 2×");
    // Esc closes a menu and gives focus back to its button.
    await p.keyboard.press("Enter");
    await expect(p.getByTestId("speed-menu-panel")).toBeVisible();
    await p.keyboard.press("Escape");
    await expect(p.getByTestId("speed-menu-panel")).toHaveCount(0);
    await expect(p.getByTestId("speed-menu")).toBeFocused();
  } finally {
    await ctx.close();
  }
});

test("phone (390 px): jobs fit, every destination is in the bottom bar, the watch bar stays short", async ({ browser }) => {
  const ctx = await loggedIn(browser, { viewport: { width: 390, height: 844 }, hasTouch: true });
  const p = await ctx.newPage();
  try {
    await item(ctx.request); // a job to list
    await p.goto("/jobs");
    const cells = p.getByTestId("jobs-table").locator("tbody tr").first().locator("td");
    await expect(cells.first()).toBeVisible();
    for (let i = 0; i < (await cells.count()); i++) {
      const b = (await cells.nth(i).boundingBox())!;
      expect(b.x, `cell ${i} starts on screen`).toBeGreaterThanOrEqual(0);
      expect(b.x + b.width, `cell ${i} ends on screen`).toBeLessThanOrEqual(391);
    }
    expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const navBar = p.getByRole("navigation", { name: "Main" });
    for (const name of ["Create", "Jobs", "Library", "LiveLoop", "Settings"]) await expect(navBar.getByRole("link", { name, exact: true })).toBeInViewport({ ratio: 1 });
    await navBar.getByRole("link", { name: "Settings", exact: true }).tap();
    await expect(p.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await expect(p.getByRole("heading", { level: 1, name: "Settings" })).toBeFocused();
    await expect(p).toHaveTitle("Settings · Beacon");

    await openWatch(p);
    const bar = (await p.getByTestId("player-controls").boundingBox())!;
    const button = (await p.getByTestId("play").boundingBox())!;
    // Timeline row + one row of buttons at most.
    expect(bar.height).toBeLessThanOrEqual(button.height * 2 + 24 + 24);
    expect(bar.x + bar.width).toBeLessThanOrEqual(391);
    // Every button of the bar sits in one row.
    const tops = await p.getByTestId("player-controls").locator(":scope > button, :scope > .menu > button").evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).filter((b) => b.height > 0).map((b) => Math.round(b.top)));
    expect(new Set(tops).size, `button rows at ${tops.join(",")}`).toBe(1);
    // With the captions menu open over the bottom of the picture, the captions move to the top.
    const cueLines = () => vprop(p, (v) => {
      const out: string[] = [];
      for (let i = 0; i < v.textTracks.length; i++) for (const c of Array.from(v.textTracks[i].cues ?? [])) out.push(String((c as VTTCue).line));
      return out;
    });
    await expect.poll(async () => (await cueLines()).length, { message: "captions loaded" }).toBeGreaterThan(0);
    await p.getByTestId("captions-menu").tap();
    await expect(p.getByTestId("captions-menu-panel")).toBeVisible();
    await expect.poll(async () => [...new Set(await cueLines())]).toEqual(["0"]);
    await p.getByTestId("captions-menu").tap();
    await expect.poll(async () => [...new Set(await cueLines())]).toEqual(["auto"]);
  } finally {
    await ctx.close();
  }
});

test("empty and error states tell the truth and offer a way on", async ({ browser }) => {
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    await item(ctx.request); // the library is not empty
    await p.goto(`/library?q=${WORD}zzz`);
    await expect(p.getByTestId("library-empty")).toHaveText(`Nothing matches “${WORD}zzz”.`);
    await p.goto("/library?published=true&visibility=private&q=" + WORD);
    await expect(p.getByTestId("library-empty")).toHaveText(`Nothing matches “${WORD}”.`);
    await p.getByRole("button", { name: "Clear search and filters" }).click();
    await expect(p.getByTestId("library-item").first()).toBeVisible();
    expect(await p.getByText("The library is empty").count()).toBe(0);

    await p.goto("/jobs");
    await p.getByTestId("jobs-state-filter").selectOption("failed");
    await expect(p.getByTestId("jobs-empty")).toHaveText("No failed jobs.");
    await p.getByRole("button", { name: "Show all jobs" }).click();
    await expect(p.getByTestId("jobs-table")).toBeVisible();

    for (const [url, heading] of [["/library/999999", "Library item not found"], ["/watch/999999", "Video not found"]] as const) {
      await p.goto(url);
      await expect(p.getByRole("heading", { level: 1, name: heading })).toBeVisible();
      await p.getByRole("link", { name: "Back to the library" }).click();
      await expect(p).toHaveURL(/\/library$/);
    }
    await p.goto("/create?job=999999");
    await expect(p.getByRole("heading", { name: "Job #999999 not found" })).toBeVisible();
    await expect(p.getByRole("link", { name: "Back to Jobs" })).toBeVisible();
    await p.goto("/no/such/page");
    await expect(p.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  } finally {
    await ctx.close();
  }
});

test("LiveLoop: ON AIR only when airing, LIVE instead of a clock, unmute prompt, and when an insert airs", async ({ browser }) => {
  test.setTimeout(180_000);
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    const { contentId } = await item(ctx.request);
    const h = await csrf(ctx.request);
    const empty = await (await ctx.request.post("/api/v1/playlists", { headers: h, data: { title: `${WORD} quiet` } })).json();
    const ch = await (await ctx.request.post("/api/v1/playlists", { headers: h, data: { title: `${WORD} air` } })).json();
    const patched = await ctx.request.patch(`/api/v1/playlists/${ch.id}`, { headers: h, data: { items: [contentId], active: true, confirm: true } });
    expect(patched.ok(), await patched.text()).toBe(true);
    await p.goto("/live");
    const tabs = p.getByRole("tablist", { name: "Channels" });
    await tabs.getByRole("tab", { name: `${WORD} quiet` }).click();
    await expect(p.getByRole("tab", { name: `${WORD} quiet` })).toHaveAttribute("aria-selected", "true");
    await expect(p.getByTestId("on-air")).toHaveCount(0);
    // The tab pattern: arrows move between channels.
    await p.keyboard.press("ArrowRight");
    await expect(p.getByRole("tab", { name: `${WORD} air` })).toBeFocused();
    await expect(p.getByRole("tab", { name: `${WORD} air` })).toHaveAttribute("aria-selected", "true");
    await expect(p.getByRole("tabpanel")).toBeVisible();

    await expect(p.getByTestId("on-air")).toBeVisible({ timeout: 30_000 });
    await p.waitForFunction(() => (document.querySelector<HTMLVideoElement>("[data-testid=live-video]")?.currentTime ?? 0) > 0.5, null, { timeout: 60_000 });
    // The badge sits beside the title, not over the picture.
    const badge = (await p.getByTestId("on-air").boundingBox())!;
    const pic = (await p.getByTestId("live-video").boundingBox())!;
    expect(badge.y + badge.height).toBeLessThanOrEqual(pic.y + 1);
    await expect(p.getByTestId("live-indicator")).toHaveText("LIVE");
    expect(await p.getByTestId("live-video").getAttribute("controls")).toBeNull();
    await expect(p.getByTestId("live-player")).not.toContainText(/\d:\d\d \/ \d:\d\d/);
    await expect(p.getByTestId("unmute")).toBeVisible();
    await p.getByTestId("unmute").click();
    await expect.poll(() => vprop(p, (v) => v.muted, "live-video")).toBe(false);
    await expect(p.getByTestId("unmute")).toHaveCount(0);

    // Play next: the studio says when the clip will air.
    await p.getByLabel("Clip to insert").selectOption(String(contentId));
    await p.getByRole("button", { name: "Play next" }).click();
    await p.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();  // never reviewed
    await expect(p.getByTestId("insert-status")).toHaveText(/airs at .+\((now|in \d+ (s|min))/);
    // Copy buttons beside the tune-in links.
    await expect(p.getByRole("button", { name: "Copy channel URL" })).toBeVisible();
    // Leave no channels behind for other journeys.
    expect((await ctx.request.delete(`/api/v1/playlists/${ch.id}`, { headers: h })).ok()).toBe(true);
    expect((await ctx.request.delete(`/api/v1/playlists/${empty.id}`, { headers: h })).ok()).toBe(true);
  } finally {
    await ctx.close();
  }
});

const PAGES = ["/create", "/jobs", "/library", "/library/{id}", "/watch/{id}", "/live", "/settings"];

test("axe: no serious or critical violations on any page, in both themes", async ({ browser }) => {
  test.setTimeout(240_000);
  const found: string[] = [];
  const maker = await loggedIn(browser);
  const { contentId } = await item(maker.request);
  await maker.close();
  for (const theme of ["dark", "light"] as const) {
    const anon = await browser.newContext({ baseURL: srv.url });
    await anon.addInitScript((t) => localStorage.setItem("beacon.theme", t), theme);
    const lp = await anon.newPage();
    await lp.goto("/");
    await expect(lp.getByLabel("Password", { exact: true })).toBeVisible();
    found.push(...(await axe(lp, `login (${theme})`)));
    await anon.close();

    const ctx = await loggedIn(browser, { theme });
    const p = await ctx.newPage();
    for (const route of PAGES) {
      await p.goto(route.replace("{id}", String(contentId)));
      await expect(p.locator("main h1").first()).toBeVisible();
      await p.waitForLoadState("networkidle").catch(() => undefined);
      found.push(...(await axe(p, `${route} (${theme})`)));
    }
    await ctx.close();
  }
  expect(found, found.join("\n")).toEqual([]);
});

async function axe(p: Page, where: string): Promise<string[]> {
  await p.addScriptTag({ content: AXE });
  const v = await p.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[] }> } })
      .axe.run(document, { resultTypes: ["violations"] });
    return r.violations.filter((x) => x.impact === "serious" || x.impact === "critical")
      .map((x) => `${x.id} (${x.impact}): ${x.nodes.slice(0, 3).map((n) => `${n.target.join(" ")} — ${n.failureSummary.split("\n").slice(1, 2).join("")}`).join(" | ")}`);
  });
  return v.map((s) => `${where}: ${s}`);
}

test("design tokens as rendered: field borders ≥ 3:1, placeholders and text ≥ 4.5:1, both themes", async ({ browser }) => {
  for (const theme of ["dark", "light"] as const) {
    const ctx = await loggedIn(browser, { theme });
    const p = await ctx.newPage();
    await p.goto("/create");
    await expect(p.locator("textarea[name=prompt]")).toBeVisible();
    const r = await p.evaluate(() => {
      const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      const lum = (c: string) => {
        const [r, g, b] = rgb(c).map((x) => x / 255).map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const ratio = (a: string, b: string) => {
        const [x, y] = [lum(a), lum(b)].sort((m, n) => n - m);
        return (x + 0.05) / (y + 0.05);
      };
      const field = document.querySelector<HTMLTextAreaElement>("textarea[name=prompt]")!;
      const card = field.closest(".card")!;
      const fs = getComputedStyle(field);
      const page = getComputedStyle(document.body).backgroundColor;
      return {
        borderVsCard: ratio(fs.borderTopColor, getComputedStyle(card).backgroundColor),
        borderVsPage: ratio(fs.borderTopColor, page),
        borderVsField: ratio(fs.borderTopColor, fs.backgroundColor),
        placeholder: ratio(getComputedStyle(field, "::placeholder").color, fs.backgroundColor),
        text: ratio(fs.color, fs.backgroundColor),
        theme: document.documentElement.dataset.theme,
      };
    });
    expect(r.theme).toBe(theme);
    expect(r.borderVsCard, `${theme} border vs card`).toBeGreaterThanOrEqual(3);
    expect(r.borderVsPage, `${theme} border vs page`).toBeGreaterThanOrEqual(3);
    expect(r.borderVsField, `${theme} border vs field`).toBeGreaterThanOrEqual(3);
    expect(r.placeholder, `${theme} placeholder`).toBeGreaterThanOrEqual(4.5);
    expect(r.text, `${theme} text`).toBeGreaterThanOrEqual(4.5);
    await ctx.close();
  }
});

test("theme follows the system until the user picks one", async ({ browser }) => {
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    await p.emulateMedia({ colorScheme: "light" });
    await p.goto("/settings");
    await expect(p.locator("html")).toHaveAttribute("data-theme", "light");
    await p.emulateMedia({ colorScheme: "dark" });
    await expect(p.locator("html")).toHaveAttribute("data-theme", "dark");
    await p.getByTestId("theme-light").check();
    await p.emulateMedia({ colorScheme: "dark" });
    await p.reload();
    await expect(p.locator("html")).toHaveAttribute("data-theme", "light");
    await p.getByTestId("theme-system").check();
    await expect(p.locator("html")).toHaveAttribute("data-theme", "dark");
  } finally {
    await ctx.close();
  }
});

test("Create after Regenerate: the scene shows its new lines and picture, focus stays on the scene", async ({ browser }) => {
  test.setTimeout(240_000);
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    const { jobId } = await item(ctx.request);
    await p.goto(`/create?job=${jobId}`);
    const scene = p.getByTestId("scene").first();
    await expect(scene.locator("img")).toBeVisible();
    const before = await scene.locator("img").getAttribute("src");
    await scene.getByRole("button", { name: /Regenerate scene \d+…/ }).click();
    const line = `The ${WORD} lamp turns once more for the late boat.`;
    await scene.getByLabel("Lines (one per line)").fill(line);
    await scene.getByRole("button", { name: "Regenerate scene" }).click();
    await expect(scene.getByRole("button", { name: /Regenerate scene \d+…/ })).toBeFocused();
    await expect(scene.getByTestId("scene-line").first()).toHaveText(`“${line}”`, { timeout: 180_000 });
    await expect(p.getByTestId("job-state")).toHaveText("completed", { timeout: 180_000 });
    await expect.poll(async () => scene.locator("img").getAttribute("src"), { timeout: 30_000 }).not.toBe(before);
    // The new picture is served under its new address.
    const src = (await scene.locator("img").getAttribute("src"))!;
    expect((await ctx.request.get(src)).ok()).toBe(true);
    await expect(p.getByTestId("preview-video")).toHaveAttribute("data-kind", "final");
  } finally {
    await ctx.close();
  }
});

test("regenerate → reload: the new captions, thumbnail and segments are served, not the cached ones", async ({ browser }) => {
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    const { contentId, jobId } = await item(ctx.request);
    // Every body the browser receives, by path (the same file may come back under a new query).
    // (A body still unread when the page reloads is gone: kept as null.)
    const bodies = new Map<string, Promise<Buffer | null>[]>();
    p.on("response", (r) => {
      if (r.request().method() !== "GET" || r.status() >= 300) return;
      const key = new URL(r.url()).pathname;
      bodies.set(key, [...(bodies.get(key) ?? []), r.body().catch(() => null)]);
    });
    const received = async (key: string, n: number) => {
      await expect.poll(() => bodies.get(key)?.length ?? 0, { message: `${key} received ${n}×` }).toBeGreaterThanOrEqual(n);
      const body = await bodies.get(key)![n - 1];
      expect(body, `${key}'s body was read`).not.toBeNull();
      return body!.toString("latin1");
    };
    /** Opens the Watch page and names what it loaded: captions, poster and the first segment. */
    const watched = async () => {
      await p.waitForFunction(() => {
        const v = document.querySelector<HTMLVideoElement>("[data-testid=watch-video]");
        return !!v && v.readyState >= 2 && v.duration > 0 && !!v.querySelector("track");
      });
      const urls = await p.locator("[data-testid=watch-video]").evaluate((v: HTMLVideoElement) => ({
        captions: v.querySelector("track")!.src,
        poster: v.poster,
      }));
      await expect.poll(() => [...bodies.keys()].some((k) => /\.(ts|m4s)$/.test(k)), { message: "a media segment arrives" }).toBe(true);
      const segment = [...bodies.keys()].find((k) => /\.(ts|m4s)$/.test(k))!;
      expect(urls.poster, "the player shows a poster").toBeTruthy();
      return { captions: new URL(urls.captions).pathname, poster: new URL(urls.poster).pathname, segment };
    };

    await p.goto(`/watch/${contentId}`);
    const before = await watched();
    const old = { captions: await received(before.captions, 1), poster: await received(before.poster, 1), segment: await received(before.segment, 1) };
    expect(old.captions).toContain("WEBVTT");
    const line = `${WORD} the lamp keeper sings to the gulls at dawn`;
    expect(old.captions.replace(/\s+/g, " ")).not.toContain(line);

    // Scene 1 (the first seconds, the poster's frame) gets new lines and a new picture.
    const r = await ctx.request.post(`/api/v1/jobs/${jobId}/scenes/1/regenerate`, {
      headers: await csrf(ctx.request),
      data: { lines: [line], description: `A ${WORD} gull circles a red lamp at dawn`, seed: 4242 },
    });
    expect(r.status(), await r.text()).toBe(202);
    await finished(ctx.request, jobId);

    // The same tab, the same HTTP cache: a reload must bring the new bytes.
    const seen = new Map([...bodies].map(([k, v]) => [k, v.length]));
    await p.reload();
    const after = await watched();
    expect(after).toEqual(before);
    const fresh = {
      captions: await received(after.captions, (seen.get(after.captions) ?? 0) + 1),
      poster: await received(after.poster, (seen.get(after.poster) ?? 0) + 1),
      segment: await received(after.segment, (seen.get(after.segment) ?? 0) + 1),
    };
    // Cues wrap long lines: compare the words.
    const words = (vtt: string) => vtt.replace(/\s+/g, " ");
    expect(words(fresh.captions)).toContain(line);
    expect(fresh.poster.length).toBeGreaterThan(0);
    expect(fresh.poster === old.poster, "the poster's bytes changed").toBe(false);
    expect(fresh.segment.length).toBeGreaterThan(0);
    expect(fresh.segment === old.segment, "the first segment's bytes changed").toBe(false);
  } finally {
    await ctx.close();
  }
});

test("after deleting an item on its page, its job no longer offers to watch it", async ({ browser }) => {
  const ctx = await loggedIn(browser);
  const p = await ctx.newPage();
  try {
    const { contentId, jobId } = await item(ctx.request);
    await p.goto(`/library/${contentId}`);
    await p.getByRole("button", { name: "Delete item" }).click();
    const dialog = p.getByTestId("dialog");
    await expect(dialog).toBeVisible();
    // A click on the backdrop cancels.
    await p.mouse.click(5, 5);
    await expect(dialog).toBeHidden();
    await p.getByRole("button", { name: "Delete item" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(p).toHaveURL(/\/library$/);
    await expect((await ctx.request.get(`/api/v1/content/${contentId}`)).status()).toBe(404);
    await p.goto(`/create?job=${jobId}`);
    await expect(p.getByTestId("content-deleted")).toBeVisible();
    await expect(p.getByRole("link", { name: "Watch final" })).toHaveCount(0);
    await expect(p.getByRole("link", { name: "Open in library" })).toHaveCount(0);
    // Opening the job shows the prompt it ran with.
    await expect(p.getByLabel("What should Beacon make?")).toHaveValue(new RegExp(`The ${WORD} harbour`));
    await expect(p.getByLabel("Output")).toHaveValue("480p");
  } finally {
    await ctx.close();
  }
});

test("the app shell survives a stopped server and recovers when it is back", async ({ browser }) => {
  test.setTimeout(180_000);
  const server = await BeaconServer.start();
  const ctx = await browser.newContext({ baseURL: server.url });
  try {
    const p = await ctx.newPage();
    await p.goto("/");
    await p.getByLabel("Password", { exact: true }).fill(server.password);
    await p.getByRole("button", { name: /log in/i }).click();
    await expect(p.getByRole("heading", { level: 1, name: "Create" })).toBeVisible();
    await expect(p.getByTestId("events-state")).toHaveAttribute("data-state", "open");

    await server.down();
    await expect(p.getByTestId("offline-banner")).toBeVisible({ timeout: 30_000 });
    // Settings' code was never loaded: the page cannot load, but the shell stays.
    await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
    await expect(p.getByTestId("page-error")).toBeVisible();
    await expect(p.getByTestId("page-error")).toContainText("Can’t reach Beacon");
    await expect(p.getByRole("navigation", { name: "Main" })).toBeVisible();
    expect(await p.evaluate(() => document.getElementById("root")!.children.length)).toBeGreaterThan(0);

    await server.up();
    await expect(p.getByTestId("offline-banner")).toHaveCount(0, { timeout: 30_000 });
    await p.getByRole("button", { name: "Try again" }).click();
    await expect(p.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await expect(p.getByTestId("events-state")).toHaveAttribute("data-state", "open", { timeout: 30_000 });
  } finally {
    await ctx.close();
    await server.dispose();
  }
});
