import { expect, test, type Browser, type Page } from "@playwright/test";
import path from "node:path";
import { csrf, itemOnFirstUse, loggedIn, serverForThisFile } from "./fixtures";

/**
 * The studio's user journeys against a real `beacon serve` (built-in engines, one server for this
 * file): log in → create a job, watch its log stream and its preview play → the jobs list → the
 * library and search → the item page → the player's caption settings survive a reload, its audio
 * menu lists what the HLS master declares, chapters seek → theme switch → log out → LiveLoop.
 * Each journey stands alone: its own browser context and login, and the item it needs made
 * through the API on first use. Every screen is photographed in both themes into the output
 * folder's screenshots/.
 */
const srv = serverForThisFile();
const SHOTS = () => process.env.BEACON_E2E_SHOTS!;
const WORD = `Zephyrine${Date.now().toString(36)}`;
const TITLE = `The ${WORD} lighthouse`;
/** The job the create journey makes through the form (its own words, so searches stay exact). */
const MADE_WORD = `Halcyon${Date.now().toString(36)}`;
const MADE_TITLE = `The ${MADE_WORD} harbour`;

const item = itemOnFirstUse(srv, { prompt: `A keeper climbs the ${WORD} lighthouse as a storm rolls in over the harbour.`, title: TITLE, duration_target: 7 });

/** Runs a journey in a fresh, logged-in browser context with the item made (on first use). */
async function withPage(browser: Browser, fn: (p: Page, contentId: number) => Promise<void>, needsItem = true) {
  const ctx = await loggedIn(browser, srv);
  try {
    const contentId = needsItem ? (await item(ctx.request)).contentId : 0;
    await fn(await ctx.newPage(), contentId);
  } finally {
    await ctx.close();
  }
}

/** Follows a link in the main navigation. */
async function nav(p: Page, name: string) {
  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
}

/** Screenshot of the current screen in the dark and the cream theme. */
async function shootBoth(p: Page, name: string) {
  await p.evaluate(() => window.scrollTo(0, 0));
  for (const theme of ["dark", "light"] as const) {
    await p.evaluate((t) => {
      localStorage.setItem("beacon.theme", t);
      document.documentElement.dataset.theme = t;
    }, theme);
    await p.screenshot({ path: path.join(SHOTS(), `${name}-${theme}.png`), fullPage: true });
  }
  await p.evaluate(() => {
    localStorage.setItem("beacon.theme", "dark");
    document.documentElement.dataset.theme = "dark";
  });
}

test("log in", async ({ browser }) => {
  const ctx = await browser.newContext({ baseURL: srv.url });
  const page = await ctx.newPage();
  try {
    await page.goto("/");
    const pw = page.getByLabel("Password", { exact: true });
    await expect(pw).toBeVisible();
    await shootBoth(page, "login");
    await pw.fill("not-the-password");
    await page.getByRole("button", { name: /log in/i }).click();
    await expect(page.getByRole("alert")).toBeVisible();
    await pw.fill(srv.password);
    await page.getByRole("button", { name: /log in/i }).click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(page).toHaveURL(/\/create$/);
    await expect(page.getByTestId("events-state")).toHaveAttribute("data-state", "open");
  } finally {
    await ctx.close();
  }
});

test("create a job: the log streams and the preview starts playing", async ({ browser }) => {
  await withPage(browser, async (page) => {
    await page.goto("/create");
    await expect(page.getByTestId("engines")).toContainText("built-in");
    await page.getByLabel("What should Beacon make?").fill(`A boat comes home to the ${MADE_WORD} harbour as a storm rolls in over the lighthouse.`);
    await page.getByLabel("Title (optional)").fill(MADE_TITLE);
    await page.getByLabel("Duration (s)").fill("7");
    await shootBoth(page, "create-form");
    await page.getByRole("button", { name: "Generate" }).click();
    await expect(page).toHaveURL(/\/create\?job=\d+/);

    const lines = page.getByTestId("job-log").locator(".log__line");
    await expect(lines.first()).toBeVisible({ timeout: 60_000 });
    const firstCount = await lines.count();
    // Lines keep arriving over the events socket without a reload (unless the job already ended).
    await expect
      .poll(async () => (await lines.count()) > firstCount || /completed|failed|canceled/.test((await page.getByTestId("job-state").textContent()) ?? ""), {
        timeout: 120_000,
        message: "more log lines stream in",
      })
      .toBe(true);

    const preview = page.getByTestId("preview-video");
    await expect(preview).toBeVisible({ timeout: 240_000 });
    await page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>("[data-testid=preview-video]");
      return !!v && v.currentTime > 0.5;
    }, null, { timeout: 60_000 });
    await shootBoth(page, "create-running");

    const state = page.getByTestId("job-state");
    await expect(state).toHaveText(/completed|failed|canceled/, { timeout: 300_000 });
    const finalState = await state.textContent();
    const err = (await page.getByTestId("job-error").count()) ? await page.getByTestId("job-error").textContent() : "";
    expect(finalState, `job ended ${finalState}: ${err}`).toBe("completed");
    await expect(page.getByTestId("stage-timings")).toBeVisible();
    await expect(page.getByTestId("scenes").locator("img").first()).toBeVisible();
    await expect(page.getByTestId("job-log")).toContainText("ffmpeg");
    await expect(page.getByTestId("content-deleted"), "a new final is not shown as deleted").toHaveCount(0);
    await expect(page.getByRole("link", { name: "Watch final" })).toBeVisible();
    const href = await page.getByRole("link", { name: "Watch final" }).getAttribute("href");
    const madeId = Number(/\/watch\/(\d+)/.exec(href ?? "")?.[1]);
    expect(madeId).toBeGreaterThan(0);
    expect((await page.request.get(`/api/v1/content/${madeId}`)).ok()).toBe(true);
    await shootBoth(page, "create-done");
  }, false);
});

test("jobs list shows the finished job", async ({ browser }) => {
  await withPage(browser, async (page) => {
    await page.goto("/create");
    await nav(page, "Jobs");
    const table = page.getByTestId("jobs-table");
    await expect(table).toContainText(TITLE);
    await expect(table.getByRole("row", { name: new RegExp(TITLE) }).getByTestId("job-state")).toHaveText("completed");
    await shootBoth(page, "jobs");
  });
});

test("the final appears in the library and search finds it", async ({ browser }) => {
  await withPage(browser, async (page, contentId) => {
    // Start from not on LiveLoop, whatever an earlier journey did.
    await page.request.delete(`/api/v1/content/${contentId}/publish`, { headers: await csrf(page.request) });
    await page.goto("/create");
    await nav(page, "Library");
    const grid = page.getByTestId("library-grid");
    await expect(grid.getByRole("link", { name: TITLE, exact: true })).toBeVisible();
    await expect(grid.locator("img[loading=lazy]").first()).toBeAttached();
    await shootBoth(page, "library");

    const search = page.getByRole("searchbox");
    await search.fill(WORD);
    await expect(page).toHaveURL(new RegExp(`q=${WORD}`));
    await expect(page.getByTestId("library-item")).toHaveCount(1);
    await expect(grid).toContainText(TITLE);
    await search.fill(`${WORD}qqq`);
    await expect(page.getByText(/Nothing matches/)).toBeVisible();
    await search.fill("");

    const tile = page.getByTestId("library-item").filter({ hasText: TITLE });
    await tile.getByRole("button", { name: /Add to LiveLoop/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();  // never reviewed
    await expect(tile.getByRole("button", { name: /On LiveLoop/ })).toHaveAttribute("aria-pressed", "true");
    expect((await (await page.request.get(`/api/v1/content/${contentId}`)).json()).published).toBe(true);
  });
});

test("item page: provenance by stage, editing, downloads", async ({ browser }) => {
  await withPage(browser, async (page, contentId) => {
    await page.goto(`/library/${contentId}`);
    await expect(page.getByTestId("item-title")).toHaveText(TITLE);
    await expect(page).toHaveTitle(`${TITLE} · Beacon`);
    // Provenance: one group per pipeline stage, in pipeline order; every asset listed once.
    const groups = page.getByTestId("provenance-group");
    await expect(groups.first()).toContainText("Script");
    const labels = await groups.locator("summary > span:first-child").allTextContents();
    expect(labels.slice(0, 3)).toEqual(["Script", "Voices", "Pictures"]);
    expect(new Set(labels).size).toBe(labels.length);
    await expect(groups.first().getByTestId("provenance-asset").first()).toBeVisible();
    const assets = (await (await page.request.get(`/api/v1/content/${contentId}/assets`)).json()).items as unknown[];
    await expect(page.getByTestId("provenance-asset")).toHaveCount(assets.length);
    await expect(page.getByTestId("revision")).toHaveText("Revision 1");
    // Edit the description and visibility; they are saved and survive a reload.
    const edit = page.getByTestId("item-edit");
    await edit.getByRole("textbox", { name: "Description" }).fill(`Edited on the item page ${WORD}.`, { timeout: 15_000 });
    await edit.getByRole("combobox", { name: "Visibility" }).selectOption("public", { timeout: 15_000 });
    await edit.getByRole("button", { name: "Save changes" }).click({ timeout: 15_000 });
    await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();  // going public
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    await page.reload();
    await expect(page.getByTestId("item-description")).toHaveText(`Edited on the item page ${WORD}.`);
    await expect(page.getByTestId("item-edit").getByRole("combobox", { name: "Visibility" })).toHaveValue("public");
    await expect(page.getByRole("link", { name: "MP4" })).toHaveAttribute("href", /\.mp4$/);
    await shootBoth(page, "item");
  });
});

test("player: audio tracks, captions that persist, chapters", async ({ browser }) => {
  await withPage(browser, async (page, contentId) => {
    const item = await (await page.request.get(`/api/v1/content/${contentId}`)).json();
    await page.goto(`/watch/${contentId}`);
    await page.waitForFunction(() => {
      const v = document.querySelector<HTMLVideoElement>("[data-testid=watch-video]");
      return !!v && v.readyState >= 1 && v.duration > 0;
  });
  await page.getByTestId("play").click();
  await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>("[data-testid=watch-video]")?.currentTime ?? 0) > 0.3);
  await page.getByTestId("play").click();

  // The audio menu lists exactly the audio renditions the HLS master declares.
  const master = await (await page.request.get(item.hls_url)).text();
  const declared = [...master.matchAll(/#EXT-X-MEDIA:[^\n]*TYPE=AUDIO[^\n]*NAME="([^"]*)"/g)].map((m) => m[1]);
  expect(declared.length).toBeGreaterThan(0);
  await page.getByTestId("audio-menu").click();
  const tracks = page.getByTestId("audio-track");
  await expect(tracks).toHaveCount(declared.length);
  for (const name of declared) await expect(page.getByTestId("audio-menu-panel")).toContainText(name);
  await page.keyboard.press("Escape");

  // Caption size and contrast persist across a reload.
  await page.getByTestId("captions-menu").click();
  await page.getByTestId("captions-size").selectOption("xlarge");
  await page.getByTestId("captions-style").selectOption("high-contrast");
  await expect(page.getByTestId("player")).toHaveAttribute("data-cap-size", "xlarge");
  await shootBoth(page, "watch-captions-menu");
  await page.reload();
  await expect(page.getByTestId("player")).toHaveAttribute("data-cap-size", "xlarge");
  await expect(page.getByTestId("player")).toHaveAttribute("data-cap-style", "high-contrast");
  await page.getByTestId("captions-menu").click();
  await expect(page.getByTestId("captions-size")).toHaveValue("xlarge");
  await expect(page.getByTestId("captions-style")).toHaveValue("high-contrast");
  await page.keyboard.press("Escape");

  // Chapters: the menu lists the chapters file's cues, and choosing one seeks there.
  expect(item.chapters_url, "the item has chapters").toBeTruthy();
  const vtt = await (await page.request.get(item.chapters_url)).text();
  const starts = [...vtt.matchAll(/(\d\d:)?(\d\d):(\d\d\.\d{3}) -->/g)].map((m) => (m[1] ? Number(m[1].slice(0, -1)) * 3600 : 0) + Number(m[2]) * 60 + Number(m[3]));
  expect(starts.length).toBeGreaterThan(0);
  await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>("[data-testid=watch-video]")?.duration ?? 0) > 0);
  await page.getByTestId("chapters-menu").click();
  await expect(page.getByTestId("chapter-item")).toHaveCount(starts.length);
  const target = starts[starts.length - 1];
  await page.getByTestId("chapter-item").nth(starts.length - 1).click();
  await page.waitForFunction((t) => Math.abs((document.querySelector<HTMLVideoElement>("[data-testid=watch-video]")?.currentTime ?? -9) - t) < 0.6, target);
  await expect(page.getByTestId("chapter-mark")).toHaveCount(starts.filter((s) => s > 0).length);

  // Keyboard: m mutes.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("m");
  await page.waitForFunction(() => document.querySelector<HTMLVideoElement>("[data-testid=watch-video]")?.muted === true);
  await shootBoth(page, "watch");
  });
});

test("theme switch persists", async ({ browser }) => {
  await withPage(browser, async (page) => {
    await page.goto("/create");
    await nav(page, "Settings");
    await expect(page.getByTestId("engines-table")).toContainText("built-in");
    await shootBoth(page, "settings");
    await page.getByTestId("theme-light").check();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
    await page.getByTestId("theme-toggle").click();
    await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  }, false);
});

test("log out", async ({ browser }) => {
  await withPage(browser, async (page) => {
    await page.goto("/create");
    await page.getByRole("button", { name: "Log out" }).click();
    await expect(page.getByLabel("Password", { exact: true })).toBeVisible();
    await page.goto("/library");
    await expect(page.getByLabel("Password", { exact: true })).toBeVisible();
    expect((await page.request.get("/api/v1/auth/me")).ok()).toBe(false);
  }, false);
});

test("liveloop plays the channel on air", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  try {
    const { contentId } = await item(ctx.request);
    // On LiveLoop (the library's "Add to LiveLoop"), unless an earlier journey put it there.
    if (!(await (await ctx.request.get(`/api/v1/content/${contentId}`)).json()).published) {
      const r = await ctx.request.post(`/api/v1/content/${contentId}/publish?confirm=true`, { headers: await csrf(ctx.request) });
      expect(r.ok(), await r.text()).toBe(true);
    }
    const live = await ctx.newPage();
    await live.goto("/live");
    await expect(live.getByRole("status", { name: "On air" })).toBeVisible();
    await expect(live.getByTestId("playlist-items")).toContainText(TITLE);
    await live.waitForFunction(() => (document.querySelector<HTMLVideoElement>("[data-testid=live-video]")?.currentTime ?? 0) > 1, null, { timeout: 60_000 });
    await shootBoth(live, "liveloop");
    // Keep watching across at least one item boundary (the channel loops the item): playback
    // runs on past the item's length and never steps back.
    const seconds = Number((await (await ctx.request.get(`/api/v1/content/${contentId}`)).json()).duration ?? 0);
    expect(seconds).toBeGreaterThan(0);
    const start = await live.evaluate(() => document.querySelector<HTMLVideoElement>("[data-testid=live-video]")!.currentTime);
    let last = start;
    let backwards = 0;
    await expect
      .poll(async () => {
        const t = await live.evaluate(() => document.querySelector<HTMLVideoElement>("[data-testid=live-video]")!.currentTime);
        if (t < last) backwards++;
        last = t;
        return t - start;
      }, { timeout: 90_000, intervals: [500], message: "playback crosses an item boundary" })
      .toBeGreaterThan(seconds + 1);
    expect(backwards, "currentTime stepped back").toBe(0);
  } finally {
    await ctx.close();
  }
});
