import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, byText, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { describeLanguage, LanguagesPanel, missingTargets, type ItemLanguages } from "./LanguagesPanel";

const english = { language: "en", name: "English", original: true, dub: true, captions: true, engines: {} };
const spanish = {
  language: "es", name: "Español", original: false, dub: true, captions: true, machine_translated: true,
  engines: { translation: "apertium", voice: "espeak-ng" }, job_id: 77,
};

describe("language helpers", () => {
  it("offers only targets the item does not have yet", () => {
    const data: ItemLanguages = { content_id: 4, original: "en", languages: [english, spanish], targets: [{ language: "es", name: "Español" }, { language: "ca", name: "Català" }] };
    expect(missingTargets(data).map((t) => t.language)).toEqual(["ca"]);
  });
  it("says what each language carries, machine translation included", () => {
    expect(describeLanguage(english)).toBe("Original · Captions");
    expect(describeLanguage(spanish)).toBe("Dub · Captions · machine translation");
    expect(describeLanguage({ language: "ca", original: false, dub: false, captions: true, machine_translated: true })).toBe("Captions · machine translation");
  });
});

describe("LanguagesPanel", () => {
  let fake: FakeApi;
  let r: Rendered;
  let langs: typeof english[];
  let jobPolls = 0;
  beforeEach(() => {
    langs = [english];
    jobPolls = 0;
    fake = new FakeApi().install();
    fake.on("GET", "/content/4/languages", () => ({ content_id: 4, original: "en", languages: langs, targets: [{ language: "es", name: "Español" }] }));
    fake.on("POST", "/content/4/languages", () => ({ status: 202, body: { job_id: 77, status: "queued" } }));
    fake.on("GET", "/jobs/77", () => {
      jobPolls += 1;
      if (jobPolls < 2) return { id: 77, status: "rendering_final", progress: 40 };
      langs = [english, spanish];
      return { id: 77, status: "completed", progress: 100 };
    });
    fake.on("DELETE", "/content/4/languages/es", () => {
      langs = [english];
      return { content_id: 4, original: "en", languages: langs, targets: [{ language: "es", name: "Español" }] };
    });
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("adds a language through a job, shows its progress, lists it with its engines, removes it", async () => {
    r = await renderRoute(<LanguagesPanel contentId={4} />, { path: "/library/:id", at: "/library/4" });
    await waitFor(() => $(r.container, "[data-testid=language-en]"), 10000);
    const select = byLabel<HTMLSelectElement>(r.container, "Add a language");
    expect([...select.options].map((o) => o.value)).toEqual(["es"]);
    await type(select, "es");
    await click(byText(r.container, "button", "Add language"));
    await waitFor(() => $(r.container, "[data-testid=language-job] progress"), 10000);
    expect(fake.writes()).toEqual([{ method: "POST", path: "/content/4/languages", body: { language: "es", captions_only: false } }]);
    const row = await waitFor(() => $(r.container, "[data-testid=language-es]"), 10000);
    expect(row.textContent).toContain("Dub · Captions · machine translation");
    expect(row.textContent).toContain("translated by apertium, voiced by espeak-ng");
    expect(byText(r.container, "[role=status]", "Language added.")).toBeTruthy();
    await click(byLabel(r.container, "Remove Español"));
    await waitFor(() => {
      if ($(r.container, "[data-testid=languages-panel]").querySelector("[data-testid=language-es]")) throw new Error("still listed");
      return true;
    }, 10000);
    expect(fake.writes().at(-1)).toEqual({ method: "DELETE", path: "/content/4/languages/es", body: undefined });
  }, 30_000);

  it("shows the server's refusal in words", async () => {
    fake.on("POST", "/content/4/languages", () => ({ status: 422, body: { error: { code: "unsupported_language", message: "cannot translate en → xh; supported targets from en: es" } } }));
    r = await renderRoute(<LanguagesPanel contentId={4} />, { path: "/library/:id", at: "/library/4" });
    await waitFor(() => $(r.container, "[data-testid=language-en]"), 10000);
    await click(byText(r.container, "button", "Add language"));
    await waitFor(() => byText(r.container, "*", /supported targets from en: es/), 10000);
  }, 30_000);
});
