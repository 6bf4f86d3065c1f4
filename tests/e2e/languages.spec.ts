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
/** An item whose Spanish dub has a line too long for its slot at 1.1x (the built-ins are deterministic). */
const longLines = itemOnFirstUse(srv, {
  prompt: "A short sci-fi animation about a lighthouse that controls storms. Emerald palette, 3 scenes.",
  title: `Held ${WORD}`,
  duration_target: 14,
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
    await expect(page.getByTestId("captions-language").locator("option[value=es]")).toHaveCount(1);
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
    // By its test id: a label match on "Language" also finds the auto-translate select (its label
    // reads "Auto-translated subtitles Choose a language"), which offers es until the job starts.
    const captionLanguage = page.getByTestId("captions-language");
    await expect(captionLanguage.locator("option[value=es]")).toHaveCount(1, { timeout: 120_000 });
    await expect(captionLanguage).toHaveValue("es", { timeout: 30_000 });
    const langs = await (await ctx.request.get(`/api/v1/content/${contentId}/languages`)).json();
    expect(langs.languages.find((l: { language: string }) => l.language === "es")).toMatchObject({ dub: false, captions: true, machine_translated: true });
  } finally {
    await ctx.close();
  }
});

test("a dub with lines too long for 1.1x plays on its own timeline where the picture holds", async ({ browser }) => {
  test.setTimeout(300_000);
  const ctx = await loggedIn(browser, srv);
  try {
    const { contentId } = await longLines(ctx.request);
    const r = await ctx.request.post(`/api/v1/content/${contentId}/languages`, { headers: await csrf(ctx.request), data: { language: "es" } });
    expect(r.status()).toBe(202);
    await finished(ctx.request, (await r.json()).job_id);
    const c = await (await ctx.request.get(`/api/v1/content/${contentId}`)).json();
    const es = c.language_tracks.find((l: { language: string }) => l.language === "es");
    expect(es.held, JSON.stringify(es)).toBeTruthy();
    expect(es.held.hls_url).toMatch(/\/hls\/held_es\/master\.m3u8$/);
    const holds: { at: number; seconds: number }[] = es.held.holds;
    expect(holds.length).toBeGreaterThan(0);
    expect(es.held.duration).toBeCloseTo(c.duration + holds.reduce((a, h) => a + h.seconds, 0), 2);
    const mp4 = await ctx.request.get(es.held.mp4_url);
    expect(mp4.ok()).toBe(true);

    // The player: the held cut is offered beside the in-place tracks; picking it plays its own
    // master from the same moment of the story (later by the holds before it).
    const page = await ctx.newPage();
    await page.goto(`/watch/${contentId}`);
    const v = page.getByTestId("watch-video");
    await expect.poll(() => v.evaluate((e: HTMLVideoElement) => e.readyState), { timeout: 30_000 }).toBeGreaterThan(0);
    const at = holds[holds.length - 1].at + 0.5 < c.duration ? holds[holds.length - 1].at + 0.5 : c.duration - 1;
    await v.evaluate((e: HTMLVideoElement, t: number) => { e.currentTime = t; }, at);
    await expect.poll(() => v.evaluate((e: HTMLVideoElement) => e.currentTime)).toBeCloseTo(at, 1);
    const heldMaster = page.waitForRequest((q) => q.url().endsWith("/hls/held_es/master.m3u8"));
    await page.getByTestId("audio-menu").click();
    await expect(page.getByTestId("audio-track")).toHaveCount(2);
    await page.getByTestId("audio-held").filter({ hasText: "Español" }).click();
    await heldMaster;
    const shift = holds.filter((h) => h.at <= at).reduce((a, h) => a + h.seconds, 0);
    await expect.poll(() => v.evaluate((e: HTMLVideoElement) => e.currentTime), { timeout: 30_000 }).toBeCloseTo(at + shift, 1);
    await expect.poll(() => v.evaluate((e: HTMLVideoElement) => e.duration)).toBeCloseTo(es.held.duration, 0);
    await page.getByTestId("audio-menu").click();
    await expect(page.getByTestId("audio-held")).toHaveAttribute("aria-checked", "true");
    // Back to the item's own master with its original track, at the same moment again.
    const ownMaster = page.waitForRequest((q) => q.url().endsWith(c.hls_url));
    await page.getByTestId("audio-track").first().click();
    await ownMaster;
    await expect.poll(() => v.evaluate((e: HTMLVideoElement) => e.currentTime), { timeout: 30_000 }).toBeCloseTo(at, 1);
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
