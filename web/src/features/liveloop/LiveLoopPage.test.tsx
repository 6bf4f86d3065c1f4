import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, byText, click, FakeApi, key, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import LiveLoopPage, { airsIn, insertedAirTime } from "./LiveLoopPage";

const c = (id: number, title: string) => ({ id, title, mp4_url: "", hls_url: "", thumbnail: "", duration: 30, languages: ["en"], published: true, visibility: "private", created_at: "2026-01-01T00:00:00Z" });
const channel = (id: number, title: string, items: number[], active = true) => ({
  id, slug: `ch-${id}`, title, items, loop_mode: "in_order", active, hls_endpoint: `/live/ch-${id}/index.m3u8`, scheduled_slots: [], inserts: [],
});

describe("LiveLoop editor", () => {
  let fake: FakeApi;
  let r: Rendered;
  let lists: ReturnType<typeof channel>[];
  let airing: boolean;
  beforeEach(() => {
    fake = new FakeApi().install();
    airing = true;
    lists = [channel(1, "Harbour TV", [10, 11, 12]), channel(2, "Quiet", [], true)];
    fake.on("GET", "/playlists", () => ({ items: lists }));
    fake.on("GET", "/content", () => ({ items: [c(10, "Dawn"), c(11, "Storm"), c(12, "Dusk")], total: 3, limit: 200, offset: 0 }));
    fake.on("GET", "/stream-key", () => ({ key: "k", m3u_url: "http://x/m3u?key=k", guide_url: "http://x/guide?key=k" }));
    fake.on("GET", /^\/playlists\/\d+\/now$/, ({ path }) => {
      const id = Number(path.split("/")[2]);
      if (id !== 1 || !airing) return { now: null, next: [] };
      const t = Date.now();
      return {
        now: { content_id: 10, title: "Dawn", start: new Date(t - 5000).toISOString(), end: new Date(t + 25_000).toISOString() },
        next: [
          { content_id: 11, title: "Storm", start: new Date(t + 25_000).toISOString(), end: new Date(t + 55_000).toISOString() },
          { content_id: 12, title: "Dusk", start: new Date(t + 55_000).toISOString(), end: new Date(t + 85_000).toISOString() },
        ],
      };
    });
    fake.on("PATCH", /^\/playlists\/\d+$/, ({ path, body }) => {
      const id = Number(path.split("/")[2]);
      const b = body as { scheduled_slots?: { time: string }[] };
      if (b.scheduled_slots?.some((s) => s.time === "03:00")) return { status: 400, body: { error: { code: "invalid", message: "field 'at' is in the past" } } };
      lists = lists.map((p) => (p.id === id ? { ...p, ...(body as object) } : p));
      return lists.find((p) => p.id === id);
    });
    fake.on("POST", "/playlists/1/insert", () => lists[0]);
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  const rows = () => [...r.container.querySelectorAll("[data-testid=playlist-items] li .plist__title")].map((x) => x.textContent?.split(" · ")[0]);

  it("reorders with the buttons, saves the order, and focus follows the moved item", async () => {
    r = await renderRoute(<LiveLoopPage />, { path: "/live", at: "/live" });
    await waitFor(() => expect(rows()).toEqual(["Dawn", "Storm", "Dusk"]));
    await click(byLabel<HTMLButtonElement>(r.container, "Move Dawn down"));
    await waitFor(() => expect(rows()).toEqual(["Storm", "Dawn", "Dusk"]));
    expect(fake.writes()).toEqual([{ method: "PATCH", path: "/playlists/1", body: { items: [11, 10, 12] } }]);
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Move Dawn down"));
    await click(byLabel<HTMLButtonElement>(r.container, "Move Dawn down"));
    await waitFor(() => expect(rows()).toEqual(["Storm", "Dusk", "Dawn"]));
    // At the bottom its "down" button is disabled: focus lands on its other button, not on <body>.
    await waitFor(() => expect(document.activeElement?.getAttribute("aria-label")).toBe("Move Dawn up"));
    await click(byLabel<HTMLButtonElement>(r.container, "Remove Dawn"));
    await waitFor(() => expect(rows()).toEqual(["Storm", "Dusk"]));
    expect(document.activeElement).not.toBe(document.body);
  });

  it("ON AIR shows only while something airs; channel tabs follow the tab pattern", async () => {
    r = await renderRoute(<LiveLoopPage />, { path: "/live", at: "/live" });
    await waitFor(() => $(r.container, "[data-testid=on-air]"));
    const tabs = [...r.container.querySelectorAll<HTMLButtonElement>("[role=tab]")];
    expect(tabs.map((t) => [t.textContent, t.getAttribute("aria-selected"), t.tabIndex])).toEqual([["Harbour TV", "true", 0], ["Quiet", "false", -1]]);
    expect($(r.container, "[role=tabpanel]").getAttribute("aria-labelledby")).toBe(tabs[0].id);
    await key(tabs[0], "ArrowRight");
    await waitFor(() => expect(byText(r.container, "[role=tab]", "Quiet").getAttribute("aria-selected")).toBe("true"));
    expect(document.activeElement?.textContent).toBe("Quiet");
    // "Quiet" has no items: no badge, and it says why.
    await waitFor(() => expect(r.container.querySelector("[data-testid=on-air]")).toBeNull());
    expect($(r.container, "[data-testid=off-air]").textContent).toBe("Nothing on air");
  });

  it("an active channel whose schedule is empty shows no ON AIR badge", async () => {
    airing = false;
    r = await renderRoute(<LiveLoopPage />, { path: "/live", at: "/live" });
    await waitFor(() => $(r.container, "[data-testid=off-air]"));
    expect(r.container.querySelector("[data-testid=on-air]")).toBeNull();
  });

  it("Play next says when the clip will air, from the channel's schedule", async () => {
    r = await renderRoute(<LiveLoopPage />, { path: "/live", at: "/live" });
    await waitFor(() => expect(rows()).toHaveLength(3));
    await type(byLabel<HTMLSelectElement>(r.container, "Clip to insert"), "12");
    await click(byText(r.container, "button", "Play next"));
    const status = await waitFor(() => $(r.container, "[data-testid=insert-status]").textContent!);
    expect(status).toMatch(/^“Dusk” airs at .+ \(in (54|55) s\)\.$/);
    expect(fake.writes()).toEqual([{ method: "POST", path: "/playlists/1/insert", body: { content_id: 12, at: "next" } }]);
  });

  it("the slot editor words API errors for people and clears them on the next save", async () => {
    r = await renderRoute(<LiveLoopPage />, { path: "/live", at: "/live" });
    await click(await waitFor(() => byText(r.container, "button", "Add slot")));
    const time = r.container.querySelector<HTMLInputElement>("section[aria-label='Scheduled slots'] input[type=time]")!;
    await type(time, "03:00");
    await type(byLabel<HTMLSelectElement>($(r.container, "section[aria-label='Scheduled slots']"), "Item"), "11");
    await click(byText(r.container, "button", "Save slots"));
    const alert = await waitFor(() => $(r.container, "section[aria-label='Scheduled slots'] [role=alert]"));
    expect(alert.textContent).toBe("The time is in the past");
    await type(time, "20:30");
    await click(byText(r.container, "button", "Save slots"));
    await waitFor(() => byText(r.container, "[role=status]", "Slots saved."));
    expect(r.container.querySelector("section[aria-label='Scheduled slots'] [role=alert]")).toBeNull();
  });
});

describe("insert air time", () => {
  const nn = { now: null, next: [{ content_id: 5, title: "A", start: "2026-01-01T10:01:43Z", end: "2026-01-01T10:02:00Z" }] };
  it("prefers the server's own airs_at, else finds the clip in the schedule", () => {
    expect(insertedAirTime({ airs_at: "2026-01-01T10:00:30Z" }, nn, 5, 0)).toBe("2026-01-01T10:00:30Z");
    expect(insertedAirTime({}, nn, 5, 0)).toBe("2026-01-01T10:01:43Z");
    expect(insertedAirTime({}, nn, 6, 0)).toBeNull();
  });
  it("words the wait", () => {
    const at = Date.parse("2026-01-01T10:01:43Z");
    expect(airsIn("2026-01-01T10:01:43Z", at - 103_000)).toMatch(/\(in 1 min 43 s\)$/);
    expect(airsIn("2026-01-01T10:01:43Z", at - 20_000)).toMatch(/\(in 20 s\)$/);
    expect(airsIn("2026-01-01T10:01:43Z", at)).toMatch(/\(now\)$/);
  });
});
