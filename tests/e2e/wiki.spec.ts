import { expect, test, type Browser, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { itemOnFirstUse, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Wiki facts (issue 15) against a real `beacon serve` with a small ZIM made by zimwriterfs
 * (tests/wiki/make_zim.py): while the item plays, a "Facts" chip shows during the span where an
 * entity is spoken; pressing it opens a card with the summary and the source link; Escape closes
 * it; the "Show facts" setting hides the chips. The item page lists the entities, removes and
 * adds one. An article with script in it, opened from /wiki/, runs none.
 */
const ZIM_DIR = mkdtempSync(path.join(os.tmpdir(), "beacon-e2e-wiki-"));
const srv = serverForThisFile(() => {
  const zim = path.join(ZIM_DIR, "testwiki.zim");
  execFileSync("python3", [path.resolve(__dirname, "../wiki/make_zim.py"), zim], { stdio: "inherit" });
  return `[wiki]\nzim = ${JSON.stringify(zim)}\n[arcade]\nenabled = false\n`;
});
const item = itemOnFirstUse(srv, {
  prompt: "The Eddystone Lighthouse stands on the rocks near Cornwall. Storms break on the Eddystone Lighthouse at night. 2 scenes.",
  title: "The Eddystone watch",
  duration_target: 8,
});

async function withPage(browser: Browser, fn: (p: Page, contentId: number) => Promise<void>) {
  const ctx = await loggedIn(browser, srv);
  try {
    const { contentId } = await item(ctx.request);
    await fn(await ctx.newPage(), contentId);
  } finally {
    await ctx.close();
  }
}

test("a fact chip shows while the entity is spoken; its card opens and closes with Escape", async ({ browser }) => {
  test.setTimeout(240_000);
  await withPage(browser, async (page, id) => {
    await page.goto(`/watch/${id}`);
    const chip = page.getByTestId("fact-chip").filter({ hasText: "Eddystone Lighthouse" });
    await expect(page.getByTestId("player")).toBeVisible();
    // Before the first mention (the span starts about half a second in) there is no chip.
    await page.evaluate(() => { const v = document.querySelector("video")!; v.muted = true; v.currentTime = 0; });
    await expect(chip).toHaveCount(0);
    await page.evaluate(() => document.querySelector("video")!.play());
    await expect(chip).toBeVisible({ timeout: 20_000 });
    await page.evaluate(() => document.querySelector("video")!.pause());
    const t = await page.evaluate(() => document.querySelector("video")!.currentTime);
    const spans = (await (await page.request.get(`/api/v1/content/${id}/facts`)).json()).items
      .filter((m: { entity: string }) => m.entity === "Eddystone Lighthouse");
    expect(spans.some((s: { start: number; end: number }) => t >= s.start && t <= s.end + 1.5)).toBe(true);

    // Keyboard: focus the chip and press Enter.
    await chip.focus();
    await page.keyboard.press("Enter");
    const card = page.getByTestId("fact-card");
    await expect(card).toBeVisible();
    await expect(card.getByRole("heading", { name: "Eddystone Lighthouse" })).toBeVisible();
    await expect(card.getByTestId("fact-summary")).toContainText("Rame Head in Cornwall");
    await expect(card.getByTestId("fact-source")).toHaveAttribute("href", "/wiki/Eddystone_Lighthouse.html");
    await expect(card).toContainText("from Kiwix (offline)");
    await page.keyboard.press("Escape");
    await expect(card).toBeHidden();
    await expect(chip).toBeFocused();

    // Tap/click opens it too; the source link serves the article from the ZIM.
    await chip.click();
    await expect(card).toBeVisible();
    const [article] = await Promise.all([page.context().waitForEvent("page"), card.getByTestId("fact-source").click()]);
    await expect(article.getByRole("heading", { name: "Eddystone Lighthouse" })).toBeVisible();
    await article.close();
    await page.getByRole("button", { name: "Close facts" }).click();
    await expect(card).toBeHidden();

    // The setting turns the chips off.
    await page.getByTestId("facts-enabled").uncheck();
    await expect(chip).toHaveCount(0);
    await page.getByTestId("facts-enabled").check();
    await expect(chip).toBeVisible();
  });
});

test("the item page lists the entities; one is removed and one added", async ({ browser }) => {
  test.setTimeout(240_000);
  await withPage(browser, async (page, id) => {
    await page.goto(`/library/${id}`);
    const panel = page.getByTestId("entities");
    const row = (name: string) => panel.getByTestId("entity").filter({ has: page.getByText(name, { exact: true }) });
    await expect(row("Eddystone Lighthouse")).toBeVisible();
    await expect(row("Eddystone Lighthouse")).toContainText("Eddystone Lighthouse (from Kiwix (offline))");
    await expect(row("Cornwall")).toBeVisible();
    await panel.getByRole("button", { name: "Remove Cornwall" }).click();
    await expect(row("Cornwall")).toHaveCount(0);
    await panel.getByLabel("Add an entity").fill("Pharos");
    await panel.getByLabel("Add an entity").press("Enter");
    await expect(row("Pharos")).toContainText("Lighthouse (from Kiwix (offline))");
    await expect(row("Pharos")).toContainText("added by you");
    // The edit is the server's, not the page's.
    await page.reload();
    await expect(row("Pharos")).toBeVisible();
    await expect(row("Cornwall")).toHaveCount(0);
  });
});

test("an article with script in it, opened from /wiki/, runs none", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  try {
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const resp = await page.goto("/wiki/Scripted_article.html");
    expect(resp?.status()).toBe(200);
    await expect(page.getByText("a test page", { exact: false })).toBeVisible();
    // The article's own <script> would retitle the page; its handlers would raise dialogs.
    await expect(page).toHaveTitle("Scripted article");
    await page.getByText("a test page").click();
    // Its javascript: link lost its href: it is plain text now, not a link.
    await expect(page.getByRole("link", { name: "with a link" })).toHaveCount(0);
    await page.getByText("with a link").click();
    expect(dialogs).toEqual([]);
    expect(await page.locator("script, iframe, form, svg").count()).toBe(0);
    // Escaped markup in the article is shown as text.
    await expect(page.getByText("<script>alert(1)</script>", { exact: false })).toBeVisible();
  } finally {
    await ctx.close();
  }
});
