import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { itemOnFirstUse, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Watch party journey: three Chromium pages (the signed-in host and two guests who arrive by the
 * invite link) in one party on a library item made with the built-in engines. Each page's real
 * <video>.currentTime is read at one moment of a shared reference clock (Date.now() of this
 * machine), and what the test checks is what a viewer perceives: everyone plays, pauses, seeks
 * and changes speed together; after a hand-off the new host controls; a guest on a throttled
 * network stays with the group.
 */
const srv = serverForThisFile();
const WORD = `Partyline${Date.now().toString(36)}`;
const item = itemOnFirstUse(srv, {
  prompt: `Friends watch the ${WORD} comet cross the night sky over a quiet harbour.`, title: `The ${WORD} comet`, duration_target: 14,
});

interface Reading { t: number; paused: boolean; rate: number; at: number }

/** Every page's video state at (nearly) one instant, each projected onto the same reference time. */
async function readAll(pages: Page[]): Promise<Reading[]> {
  const raw = await Promise.all(pages.map((p) => p.evaluate(() => {
    // The video may be in the page's Document Picture-in-Picture window.
    const pip = (window as unknown as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window;
    const sel = "[data-testid=party-video]";
    const v = (document.querySelector<HTMLVideoElement>(sel) ?? pip?.document.querySelector<HTMLVideoElement>(sel))!;
    return { t: v.currentTime, paused: v.paused, rate: v.playbackRate, at: Date.now() };
  })));
  const ref = Math.max(...raw.map((r) => r.at));
  return raw.map((r) => ({ ...r, t: r.paused ? r.t : r.t + ((ref - r.at) / 1000) * r.rate, at: ref }));
}

function spread(rs: Reading[]): number {
  const ts = rs.map((r) => r.t);
  return Math.max(...ts) - Math.min(...ts);
}

/** Waits until every page satisfies `ok`, then returns the readings (hang guard only). */
async function until(pages: Page[], ok: (rs: Reading[]) => boolean, what: string): Promise<Reading[]> {
  let last: Reading[] = [];
  await expect.poll(async () => {
    last = await readAll(pages);
    return ok(last);
  }, { timeout: 30_000, intervals: [200], message: what }).toBe(true);
  return last;
}

async function join(page: Page, url: string, name: string) {
  await page.goto(url);
  await page.getByTestId("party-name").fill(name);
  await page.getByTestId("party-join-button").click();
  await expect(page.getByTestId("party-room")).toBeVisible();
  await expect.poll(() => page.evaluate(() => (document.querySelector<HTMLVideoElement>("[data-testid=party-video]")?.readyState ?? 0)),
    { timeout: 30_000, message: `${name}'s video loads` }).toBeGreaterThanOrEqual(2);
}

test("three pages watch together: play, pause, seek, speed, hand-off, a throttled guest", async ({ browser }: { browser: Browser }) => {
  test.setTimeout(8 * 60_000);
  const contexts: BrowserContext[] = [];
  try {
    const hostCtx = await loggedIn(browser, srv);
    contexts.push(hostCtx);
    const { contentId } = await item(hostCtx.request);
    const host = await hostCtx.newPage();
    await host.goto(`/watch/${contentId}`);
    await host.getByTestId("watch-together").click();
    await expect(host).toHaveURL(/\/party\/[0-9a-f]+\?invite=pi1\./);
    await host.getByTestId("party-name").fill("Hana");
    await host.getByTestId("party-join-button").click();
    await expect(host.getByTestId("party-room")).toBeVisible();
    const link = await host.getByTestId("invite-link").inputValue();
    expect(link).toContain("/party/");

    const guests: Page[] = [];
    for (const name of ["Ann", "Bob"]) {
      const ctx = await browser.newContext({ baseURL: srv.url });
      contexts.push(ctx);
      const page = await ctx.newPage();
      await join(page, link, name);
      guests.push(page);
    }
    const [ann, bob] = guests;
    const pages = [host, ann, bob];
    await expect(host.getByTestId("party-member")).toHaveCount(3);
    await expect(host.getByTestId("host-badge")).toHaveCount(1);
    // Guests see the player and the chat, not the member list; they cannot control.
    await expect(ann.getByTestId("party-members")).toHaveCount(0);
    await expect(ann.getByTestId("party-toggle")).toBeDisabled();

    // The invite opens nothing else: the library API answers the guest's page with 401.
    const denied = await ann.evaluate(async () => (await fetch("/api/v1/content")).status);
    expect(denied).toBe(401);

    // Play: everyone starts together.
    await host.getByTestId("party-toggle").click();
    let rs = await until(pages, (r) => r.every((x) => !x.paused && x.t > 1.5), "everyone plays");
    rs = await until(pages, (r) => spread(r) < 0.25, "everyone within 250 ms while playing");
    expect(spread(rs)).toBeLessThan(0.25);

    // Pause: everyone stops at the same frame.
    await host.getByTestId("party-toggle").click();
    rs = await until(pages, (r) => r.every((x) => x.paused) && spread(r) < 0.15, "everyone paused at the same position");

    // Seek while paused, then play from there.
    await host.getByTestId("party-seek").fill("9");
    rs = await until(pages, (r) => r.every((x) => x.paused && Math.abs(x.t - 9) < 0.15), "everyone at 9 s");
    await host.getByTestId("party-toggle").click();
    rs = await until(pages, (r) => r.every((x) => !x.paused && x.t > 9.3) && spread(r) < 0.25, "everyone plays on from 9 s together");

    // Seek back while playing: everyone follows and plays on (one seek each, no loop).
    await host.getByTestId("party-seek").fill("2");
    rs = await until(pages, (r) => r.every((x) => !x.paused && x.t > 2.2 && x.t < 6) && spread(r) < 0.25, "everyone plays on from 2 s");

    // Speed for everyone.
    await host.getByTestId("party-rate").selectOption("1.5");
    rs = await until(pages, (r) => r.every((x) => x.rate > 1.4 && x.rate < 1.6), "everyone at 1.5×");
    await host.getByTestId("party-rate").selectOption("1");
    await until(pages, (r) => r.every((x) => x.rate > 0.94 && x.rate < 1.06), "everyone back at 1×");

    // Document Picture-in-Picture: the video (and the chat) move into the PiP window and keep
    // playing in sync, without reloading; back in the page afterwards.
    const before = (await readAll([host]))[0];
    await host.getByTestId("party-pip").click();
    await expect.poll(() => host.evaluate(() => {
      const pip = (window as unknown as { documentPictureInPicture?: { window: Window | null } }).documentPictureInPicture?.window;
      return !!pip?.document.querySelector("[data-testid=party-video]") && !!pip.document.querySelector("[data-testid=chat-input]")
        && !document.querySelector("[data-testid=party-video]");
    }), { timeout: 10_000, message: "video and chat in the PiP window" }).toBe(true);
    // It went on from where it was (no restart, no reload): its time moves on from `before`
    // (the move may cost a frame or two before the next timeupdate) ...
    await expect.poll(async () => (await readAll([host]))[0].t, { timeout: 5_000 }).toBeGreaterThan(before.t);
    rs = await readAll(pages);
    expect(rs[0].t).toBeGreaterThan(before.t);
    expect(rs[0].t - before.t).toBeLessThan((rs[0].at - before.at) / 1000 + 0.5);
    // ... and stays with the others.
    await until(pages, (r) => r.every((x) => !x.paused) && spread(r) < 0.25, "still together in PiP");
    await host.getByTestId("party-pip").click();
    await expect(host.getByTestId("party-video")).toBeVisible();
    await until(pages, (r) => r.every((x) => !x.paused) && spread(r) < 0.25, "together after PiP closed");

    // Hand-off: Ann becomes host; her controls work, Hana's are disabled.
    await host.getByTestId("party-member").filter({ hasText: "Ann" }).getByTestId("handoff").click();
    await expect(ann.getByTestId("party-toggle")).toBeEnabled();
    await expect(host.getByTestId("party-toggle")).toBeDisabled();
    await ann.getByTestId("party-seek").fill("1");
    await until(pages, (r) => r.every((x) => !x.paused && x.t > 1.2 && x.t < 5) && spread(r) < 0.25, "Ann's seek reaches everyone");

    // Bob's network gets slow (300 ms each way): he stays with the group.
    const cdp = await bob.context().newCDPSession(bob);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 300, downloadThroughput: 2_000_000, uploadThroughput: 500_000 });
    await ann.getByTestId("party-toggle").click();
    await until(pages, (r) => r.every((x) => x.paused) && spread(r) < 0.2, "a pause reaches the throttled guest");
    await ann.getByTestId("party-toggle").click();
    await until(pages, (r) => r.every((x) => !x.paused) && spread(r) < 0.3, "the throttled guest plays with the group");

    // Chat reaches everyone, with the sender's name.
    await bob.getByTestId("chat-input").fill("this comet!");
    await bob.getByTestId("chat-send").click();
    for (const p of pages) await expect(p.getByTestId("party-chat")).toContainText("this comet!");
    await expect(host.getByTestId("party-chat")).toContainText("Bob");

    // The owner ends the party: every guest is told.
    await host.getByTestId("end-party").click();
    for (const p of guests) await expect(p.getByTestId("party-ended")).toBeVisible();
  } finally {
    for (const c of contexts) await c.close();
  }
});

test("a LiveLoop channel party: two pages see the same moment, with no host", async ({ browser }: { browser: Browser }) => {
  test.setTimeout(6 * 60_000);
  const contexts: BrowserContext[] = [];
  try {
    const hostCtx = await loggedIn(browser, srv);
    contexts.push(hostCtx);
    const { contentId } = await item(hostCtx.request);
    const me = await (await hostCtx.request.get("/api/v1/auth/me")).json();
    const h = { "X-CSRF-Token": me.csrf_token };
    const ch = await (await hostCtx.request.post("/api/v1/playlists", { headers: h, data: { title: `${WORD} together` } })).json();
    expect((await hostCtx.request.patch(`/api/v1/playlists/${ch.id}`, { headers: h, data: { items: [contentId], active: true, confirm: true } })).ok()).toBe(true);
    const made = await hostCtx.request.post("/api/v1/parties", { headers: h, data: { channel: ch.slug } });
    expect(made.ok(), await made.text()).toBe(true);
    const party = await made.json();
    const link = `/party/${party.id}?invite=${party.invite_token}`;
    const pages: Page[] = [];
    for (const name of ["Ann", "Bob"]) {
      const ctx = await browser.newContext({ baseURL: srv.url });
      contexts.push(ctx);
      const page = await ctx.newPage();
      await page.goto(link);
      await page.getByTestId("party-name").fill(name);
      await page.getByTestId("party-join-button").click();
      await expect(page.getByTestId("party-room")).toBeVisible();
      await expect(page.getByTestId("party-toggle")).toHaveCount(0);  // nobody controls a channel
      pages.push(page);
    }
    // Both show the frame of the same wall-clock moment (EXT-X-PROGRAM-DATE-TIME), within 250 ms.
    const dates = async () => {
      const raw = await Promise.all(pages.map((p) => p.evaluate(() => {
        const v = document.querySelector<HTMLVideoElement>("[data-testid=party-video]")!;
        return { d: Number(v.dataset.playingDate || 0), paused: v.paused, at: Date.now(), rate: v.playbackRate };
      })));
      const ref = Math.max(...raw.map((r) => r.at));
      return raw.map((r) => (r.d && !r.paused ? r.d + (ref - r.at) * r.rate : 0));
    };
    await expect.poll(async () => {
      const ds = await dates();
      return ds.every((d) => d > 0) ? Math.max(...ds) - Math.min(...ds) : Infinity;
    }, { timeout: 90_000, intervals: [500], message: "both pages show the same live moment" }).toBeLessThan(250);
    // Bob's player falls 4 s behind (a stall, a background tab): the engine brings him back.
    await pages[1].evaluate(() => {
      const v = document.querySelector<HTMLVideoElement>("[data-testid=party-video]")!;
      v.currentTime -= 4;
    });
    await expect.poll(async () => {
      const ds = await dates();
      return ds.every((d) => d > 0) ? Math.max(...ds) - Math.min(...ds) : Infinity;
    }, { timeout: 15_000, intervals: [200], message: "the member who fell behind is aligned again" }).toBeGreaterThan(1000);
    await expect.poll(async () => {
      const ds = await dates();
      return ds.every((d) => d > 0) ? Math.max(...ds) - Math.min(...ds) : Infinity;
    }, { timeout: 60_000, intervals: [500], message: "the member who fell behind is aligned again" }).toBeLessThan(250);
    await pages[0].getByTestId("chat-input").fill("live together");
    await pages[0].getByTestId("chat-send").click();
    await expect(pages[1].getByTestId("party-chat")).toContainText("live together");
  } finally {
    for (const c of contexts) await c.close();
  }
});
