import { expect, test } from "@playwright/test";
import { csrf, finished, itemOnFirstUse, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Languages: an English item gains a Spanish dub with the built-in engines (Apertium, eSpeak NG)
 * from its page's Languages panel, the player's audio menu and captions menu then list Spanish,
 * and the language is removed again. A pair the translator does not have is refused at once.
 */
const srv = serverForThisFile();
const WORD = `Lumen${Date.now().toString(36)}`;
const item = itemOnFirstUse(srv, {
  prompt: `A keeper climbs the lighthouse ${WORD} as a storm rolls in over the harbour. 2 scenes.`,
  title: `The ${WORD} lighthouse`,
  duration_target: 8,
});
/** A second item that stays English only (the Library's language filter must leave it out). */
const englishOnly = itemOnFirstUse(srv, {
  prompt: `A fox crosses a snowy field ${WORD} at midnight. 1 scene.`,
  title: `The ${WORD} fox`,
  duration_target: 5,
});

test("an unsupported language is refused naming what is supported", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  try {
    const { contentId } = await item(ctx.request);
    const r = await ctx.request.post(`/api/v1/content/${contentId}/languages`, { headers: await csrf(ctx.request), data: { language: "xh" } });
    expect(r.status()).toBe(422);
    expect((await r.json()).error.message).toMatch(/supported targets from en: (\w+, )*es(, \w+)*$/);
    const bad = await ctx.request.post(`/api/v1/content/${contentId}/languages`, { headers: await csrf(ctx.request), data: { language: "es", speed: 2 } });
    expect(bad.status()).toBe(400);
    const langs = await (await ctx.request.get(`/api/v1/content/${contentId}/languages`)).json();
    expect(langs.languages.map((l: { language: string }) => l.language)).toEqual(["en"]);
  } finally {
    await ctx.close();
  }
});

test("add Spanish from the item page, watch it in the player's menus, remove it", async ({ browser }) => {
  test.setTimeout(300_000);
  const ctx = await loggedIn(browser, srv);
  try {
    const { contentId } = await item(ctx.request);
    const page = await ctx.newPage();
    await page.goto(`/library/${contentId}`);
    const panel = page.getByTestId("languages-panel");
    await expect(panel.getByTestId("language-en")).toContainText("Original");
    await panel.getByLabel("Add a language").selectOption("es");
    await panel.getByRole("button", { name: "Add language" }).click();
    await expect(panel.getByTestId("language-job")).toBeVisible();
    await expect(panel.getByRole("status")).toHaveText("Language added.", { timeout: 240_000 });
    await expect(panel.getByTestId("language-es")).toContainText("Dub · Captions · machine translation");
    await expect(panel.getByTestId("language-es")).toContainText("translated by apertium, voiced by espeak-ng");

    // The job is an ordinary job of kind localize; the item lists its languages.
    const c = await (await ctx.request.get(`/api/v1/content/${contentId}`)).json();
    expect(c.languages).toEqual(["en", "es"]);
    const es = c.language_tracks.find((l: { language: string }) => l.language === "es");
    expect(es).toMatchObject({ dub: true, captions: true, engines: { translation: "apertium", voice: "espeak-ng" } });
    const job = await finished(ctx.request, es.job_id);
    expect((job as unknown as { kind: string }).kind).toBe("localize");
    const master = await (await ctx.request.get(c.hls_url)).text();
    expect(master).toContain('TYPE=AUDIO,GROUP-ID="aud",NAME="Español",LANGUAGE="es",DEFAULT=NO');
    expect(master).toContain('TYPE=SUBTITLES,GROUP-ID="subs",NAME="Español",LANGUAGE="es"');

    // The player: both audio tracks in the audio menu (switching picks Spanish), Spanish captions.
    await page.goto(`/watch/${contentId}`);
    await page.getByTestId("audio-menu").click();
    await expect(page.getByTestId("audio-track")).toHaveCount(2);
    await expect(page.getByTestId("audio-menu-panel")).toContainText("Español");
    await page.getByTestId("audio-track").filter({ hasText: "Español" }).click();
    await page.getByTestId("audio-menu").click();
    await expect(page.getByTestId("audio-track").filter({ hasText: "Español" })).toHaveAttribute("aria-checked", "true", { timeout: 15_000 });
    await page.keyboard.press("Escape");
    await page.getByTestId("captions-menu").click();
    await expect(page.getByTestId("captions-menu-panel").locator("option[value=es]")).toHaveCount(1);
    await page.keyboard.press("Escape");
    const vtt = await (await ctx.request.get(es.captions_url)).text();
    expect(vtt).toMatch(/faro/i);

    // The Library filters by language: Spanish shows this item only, not the English-only one.
    const other = await englishOnly(ctx.request);
    await page.goto("/library");
    await expect(page.getByTestId("library-item")).toHaveCount(2);
    await page.getByRole("combobox", { name: "Language", exact: true }).selectOption("es");
    await expect(page).toHaveURL(/language=es/);
    await expect(page.getByTestId("library-item")).toHaveCount(1);
    const listed = await (await ctx.request.get("/api/v1/content?language=es")).json();
    expect(listed.items.map((x: { id: number }) => x.id)).toEqual([contentId]);
    expect(other.contentId).not.toBe(contentId);

    // Remove it again.
    await page.goto(`/library/${contentId}`);
    await page.getByTestId("languages-panel").getByRole("button", { name: "Remove Español" }).click();
    await expect(page.getByTestId("languages-panel").getByTestId("language-es")).toHaveCount(0);
    const after = await (await ctx.request.get(c.hls_url)).text();
    expect(after).not.toContain('LANGUAGE="es"');

    // With no Spanish track left, the player offers machine-translated subtitles, made on demand
    // (a captions-only job) and then listed like the item's other captions.
    await page.goto(`/watch/${contentId}`);
    await page.getByTestId("captions-menu").click();
    const auto = page.getByTestId("auto-translate").getByLabel("Auto-translated subtitles");
    await expect(auto.locator("option[value=es]")).toHaveText("Español (machine translation)");
    await auto.selectOption("es");
    await expect(page.getByTestId("captions-menu-panel").getByLabel("Language").locator("option[value=es]")).toHaveCount(1, { timeout: 120_000 });
    const langs = await (await ctx.request.get(`/api/v1/content/${contentId}/languages`)).json();
    expect(langs.languages.find((l: { language: string }) => l.language === "es")).toMatchObject({ dub: false, captions: true, machine_translated: true });
  } finally {
    await ctx.close();
  }
});

test("import your own video from the Library: media becomes an item, a text file is refused", async ({ browser }, info) => {
  test.setTimeout(240_000);
  const { execFileSync } = await import("node:child_process");
  const path = await import("node:path");
  const fs = await import("node:fs");
  const dir = info.outputDir;
  fs.mkdirSync(dir, { recursive: true });
  const clip = path.join(dir, `holiday-${WORD}.mp4`);
  execFileSync("ffmpeg", ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=3", "-f", "lavfi", "-i", "sine=d=3",
    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", clip]);
  const notes = path.join(dir, "notes.txt");
  fs.writeFileSync(notes, "not a video\n");
  const ctx = await loggedIn(browser, srv);
  try {
    const page = await ctx.newPage();
    await page.goto("/library");
    const imp = page.getByTestId("import");
    await imp.getByLabel("File to import").setInputFiles(notes);
    await expect(imp.getByRole("alert")).toContainText("not an audio or video file");
    await imp.getByLabel("File to import").setInputFiles(clip);
    await expect(imp.getByRole("status")).toContainText("Importing", { timeout: 60_000 });
    const job = (await imp.getByRole("status").textContent())!.match(/job #(\d+)/)![1];
    const done = await finished(ctx.request, Number(job));
    const item = await (await ctx.request.get(`/api/v1/content/${done.content_id}`)).json();
    expect(item.title).toBe(`holiday-${WORD}`);
    expect(item.hls_url).toMatch(/master\.m3u8$/);
    await page.goto(`/watch/${done.content_id}`);
    await expect(page.getByTestId("player")).toBeVisible();
  } finally {
    await ctx.close();
  }
});
