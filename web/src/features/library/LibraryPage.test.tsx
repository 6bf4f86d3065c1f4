import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, byText, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { languageLabel, LibraryPage } from "./LibraryPage";

const item = (id: number, title: string) => ({
  id, title, mp4_url: `/media/library/${id}/final.mp4`, hls_url: "", thumbnail: "", duration: 5, languages: ["en"],
  published: false, visibility: "private", created_at: "2026-01-01T00:00:00Z",
});

describe("LibraryPage empty states", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("with filters and no match: says so and offers to clear, never 'the library is empty'", async () => {
    const items = [item(1, "Harbour"), item(2, "Storm"), item(3, "Keeper"), item(4, "Beam")];
    fake.on("GET", "/content", ({ query }) => {
      const hits = query.get("visibility") === "public" ? [] : items;
      return { items: hits, total: hits.length, limit: 48, offset: 0 };
    });
    r = await renderRoute(<LibraryPage />, { path: "/library", at: "/library?visibility=public" });
    const empty = await waitFor(() => r.container.querySelector("[data-testid=library-empty]")!.textContent);
    expect(empty).toBe("No items match these filters.");
    expect(r.container.textContent).not.toMatch(/library is empty/i);
    await click(byText(r.container, "button", "Clear search and filters"));
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=library-item]")).toHaveLength(4));
    expect(byLabel<HTMLSelectElement>(r.container, "Visibility").value).toBe("");
  });

  it("a search with no match names the search", async () => {
    fake.on("GET", "/content", ({ query }) => (query.get("q") ? { items: [], total: 0, limit: 48, offset: 0 } : { items: [item(1, "Harbour")], total: 1, limit: 48, offset: 0 }));
    r = await renderRoute(<LibraryPage />, { path: "/library", at: "/library" });
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=library-item]")).toHaveLength(1));
    await type(r.container.querySelector<HTMLInputElement>("input[type=search]")!, "zebra");
    await waitFor(() => expect(r.container.querySelector("[data-testid=library-empty]")!.textContent).toBe("Nothing matches “zebra”."));
  });

  it("truly empty: invites to create the first video", async () => {
    fake.on("GET", "/content", () => ({ items: [], total: 0, limit: 48, offset: 0 }));
    r = await renderRoute(<LibraryPage />, { path: "/library", at: "/library" });
    await waitFor(() => expect(r.container.querySelector("[data-testid=library-empty]")!.textContent).toBe("The library is empty."));
    expect(byText(r.container, "a", "Create your first video").getAttribute("href")).toBe("/create");
  });

  it("thumbnail links are named by their visible text plus what they do", async () => {
    fake.on("GET", "/content", () => ({ items: [item(7, "Harbour")], total: 1, limit: 48, offset: 0 }));
    r = await renderRoute(<LibraryPage />, { path: "/library", at: "/library" });
    const thumb = await waitFor(() => $<HTMLAnchorElement>(r.container, ".tile__thumb"));
    expect(thumb.getAttribute("aria-label")).toBeNull();
    expect(thumb.textContent).toBe("Play Harbour, 0:05");
  });
});

describe("LibraryPage language filter", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("offers the languages items have and asks the server for the chosen one", async () => {
    const all = [{ ...item(1, "Harbour"), languages: ["en", "es"] }, { ...item(2, "Storm"), languages: ["fr"] }];
    const asked: string[] = [];
    fake.on("GET", "/content", ({ query }) => {
      const lang = query.get("language") ?? "";
      asked.push(lang);
      const hits = lang ? all.filter((c) => c.languages.includes(lang)) : all;
      return { items: hits, total: hits.length, limit: 48, offset: 0 };
    });
    r = await renderRoute(<LibraryPage />, { path: "/library", at: "/library" });
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=library-item]")).toHaveLength(2));
    const select = byLabel<HTMLSelectElement>(r.container, "Language");
    expect([...select.options].map((o) => o.value).sort()).toEqual(["", "en", "es", "fr"]);
    expect([...select.options].find((o) => o.value === "es")!.textContent).toBe(languageLabel("es"));
    await type(select, "es");
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=library-item]")).toHaveLength(1));
    expect(asked).toContain("es");
    expect(r.container.querySelector("[data-testid=library-item]")!.textContent).toContain("Harbour");
    // The other languages stay on offer while one is chosen.
    expect([...byLabel<HTMLSelectElement>(r.container, "Language").options].map((o) => o.value)).toContain("fr");
  });

  it("names a language in its own words with its code", () => {
    expect(languageLabel("es")).toBe("Español (es)");
    expect(languageLabel("zz-not-a-language-")).toBe("zz-not-a-language-");
  });
});
