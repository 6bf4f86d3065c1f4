import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, byText, click, currentPath, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { ItemPage } from "./ItemPage";
import { groupProvenance, revisionOf } from "./provenance";

const content = {
  id: 4, job_id: 9, title: "Harbour light", description: "A keeper.", prompt: "a harbour", mp4_url: "/media/library/4/final.mp4", hls_url: "",
  thumbnail: "", duration: 6, languages: ["en"], published: false, visibility: "private", created_at: "2026-01-01T00:00:00Z",
};
const asset = (id: number, kind: string, key: string, parameters: Record<string, unknown> = {}) =>
  ({ id, kind, key, hash: `h${id}`, mime: "x", size: 1000 * id, engine: "builtin", model: "m", parameters, created_at: "2026-01-01T00:00:00Z" });
// A regeneration of scene 2: its picture and the packaging were made again.
const assets = [
  asset(1, "script", "jobs/9/script.json"), asset(2, "voice", "jobs/9/voice1.wav", { scene: 1 }), asset(3, "picture", "jobs/9/scene1.png", { scene: 1 }),
  asset(4, "picture", "jobs/9/scene2.png", { scene: 2 }), asset(5, "encode", "library/4/final.mp4"), asset(6, "hls", "library/4/hls/index.m3u8"),
  asset(7, "picture", "jobs/9/scene2.png", { scene: 2 }), asset(8, "encode", "library/4/final.mp4"), asset(9, "hls", "library/4/hls/index.m3u8"),
];

describe("provenance grouping", () => {
  it("groups by stage in pipeline order, newest revision current, older ones apart", () => {
    const g = groupProvenance(assets);
    expect(g.map((x) => x.label)).toEqual(["Script", "Voices", "Pictures", "Final render", "Packaging (HLS, captions, thumbnails)"]);
    const pics = g.find((x) => x.id === "pictures")!;
    expect(pics.current.map((a) => a.id)).toEqual([3, 7]);
    expect(pics.earlier.map((a) => a.id)).toEqual([4]);
    expect(g.find((x) => x.id === "final")!.earlier.map((a) => a.id)).toEqual([5]);
    expect(revisionOf(assets)).toBe(2);
    expect(revisionOf(assets.slice(0, 6))).toBe(1);
  });
  it("treats revisioned keys (library/4/r3/...) as the same file", () => {
    const g = groupProvenance([asset(1, "hls", "library/4/r1/index.m3u8"), asset(2, "hls", "library/4/r2/index.m3u8")]);
    expect(g[0].current.map((a) => a.id)).toEqual([2]);
    expect(g[0].earlier.map((a) => a.id)).toEqual([1]);
  });
});

describe("ItemPage", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
    let current = { ...content };
    fake.on("GET", "/content/4", () => current);
    fake.on("GET", "/content/4/assets", () => ({ items: assets }));
    fake.on("PATCH", "/content/4", ({ body }) => (current = { ...current, ...(body as object) }));
    fake.on("POST", "/content/4/publish", () => ((current = { ...current, published: true }), {}));
    fake.on("DELETE", "/content/4", () => ({ status: 204 }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("an unknown id gets a heading and a way back, not a raw error", async () => {
    r = await renderRoute(<ItemPage />, { path: "/library/:id", at: "/library/9999" });
    const nf = await waitFor(() => $(r.container, "[data-testid=not-found]"));
    expect(nf.querySelector("h1")!.textContent).toBe("Library item not found");
    expect(byText(nf, "a", "Back to the library").getAttribute("href")).toBe("/library");
  });

  it("shows provenance by stage with the current revision, each stage once", async () => {
    r = await renderRoute(<ItemPage />, { path: "/library/:id", at: "/library/4" });
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=provenance-group]")).toHaveLength(5));
    expect($(r.container, "[data-testid=revision]").textContent).toBe("Revision 2");
    const pictures = byText(r.container, "[data-testid=provenance-group]", /^Pictures/);
    expect(pictures.querySelector("summary")!.textContent).toBe("Pictures2 files · 1 earlier");
  });

  it("edits title, description and visibility with one PATCH of what changed", async () => {
    r = await renderRoute(<ItemPage />, { path: "/library/:id", at: "/library/4" });
    await waitFor(() => $(r.container, "[data-testid=item-edit]"));
    const save = byText<HTMLButtonElement>(r.container, "button", "Save changes");
    expect(save.disabled).toBe(true);
    await type(byLabel(r.container, "Title"), "Harbour at dusk");
    await type(byLabel<HTMLSelectElement>(r.container, "Visibility"), "public");
    await click(save);
    await waitFor(() => expect($(r.container, "[data-testid=item-title]").textContent).toBe("Harbour at dusk"));
    expect(fake.writes()).toEqual([{ method: "PATCH", path: "/content/4", body: { title: "Harbour at dusk", visibility: "public" } }]);
    await waitFor(() => byText(r.container, "[role=status]", "Saved."));
  });

  it("publishes to LiveLoop and deletes after confirmation, then leaves for the library", async () => {
    r = await renderRoute(<ItemPage />, { path: "/library/:id", at: "/library/4" });
    await click(await waitFor(() => byText(r.container, "button", "Publish to LiveLoop")));
    await waitFor(() => byText(r.container, "button", "Remove from LiveLoop"));
    await click(byText(r.container, "button", "Delete item"));
    expect(fake.writes().map((w) => w.method)).toEqual(["POST"]);
    const dialog = $(r.container, "dialog");
    await click(byText(dialog, "button", "Delete"));
    await waitFor(() => expect(currentPath()).toBe("/library"));
    expect(fake.writes().map((w) => `${w.method} ${w.path}`)).toEqual(["POST /content/4/publish", "DELETE /content/4"]);
  });
});
