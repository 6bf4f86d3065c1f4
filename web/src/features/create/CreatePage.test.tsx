import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, byText, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { CreatePage } from "./CreatePage";

const job = (over: object = {}) => ({
  id: 5, job_id: 5, status: "completed", progress: 100, prompt: "A lighthouse in fog", title: "Fog light", style: "noir", voice: "", language: "en",
  duration_target: 12, output_preset: "480p", produce_preview: false, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:01:00Z",
  preview_url: "/media/jobs/5/preview.mp4", final_url: "/media/library/8/final.mp4", thumbnail_url: null, content_id: 8, attempts: 1,
  logs: [], stages: {}, assets: [], ...over,
});

describe("CreatePage", () => {
  let fake: FakeApi;
  let r: Rendered;
  /** The job's detail and its log page (the client reads the lines from /jobs/{id}/logs). */
  const onJob = (h: () => ReturnType<typeof job>) => {
    fake.on("GET", "/jobs/5", h);
    fake.on("GET", "/jobs/5/logs", () => ({ items: h().logs ?? [] }));
  };
  beforeEach(() => {
    fake = new FakeApi().install();
    fake.on("GET", "/engines", () => ({ items: [{ capability: "script", engine: "builtin", builtin: true, ok: true, detail: "" }] }));
    fake.on("GET", "/voices", () => ({ items: [] }));
    onJob(() => job());
    fake.on("GET", "/content/8", () => ({ id: 8, title: "Fog light" }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("opening a job shows its prompt and settings, and its final rather than the preview", async () => {
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    await waitFor(() => expect(byLabel<HTMLTextAreaElement>(r.container, "What should Beacon make?").value).toBe("A lighthouse in fog"));
    expect(byLabel(r.container, "Title (optional)").value).toBe("Fog light");
    expect(byLabel<HTMLSelectElement>(r.container, "Style").value).toBe("noir");
    expect(byLabel(r.container, "Duration (s)").value).toBe("12");
    expect(byLabel<HTMLSelectElement>(r.container, "Output").value).toBe("480p");
    expect(byLabel(r.container, "Produce a quick preview first").checked).toBe(false);
    const v = await waitFor(() => $<HTMLVideoElement>(r.container, "[data-testid=preview-video]"));
    expect(v.getAttribute("src")).toMatch(/^\/media\/library\/8\/final\.mp4\?v=/);
    expect(v.dataset.kind).toBe("final");
    await waitFor(() => byText(r.container, "a", "Watch final"));
  });

  it("a deleted item's job offers no links to it", async () => {
    fake.on("GET", "/content/8", () => ({ status: 404, body: { error: { code: "not_found", message: "no content 8" } } }));
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    await waitFor(() => $(r.container, "[data-testid=content-deleted]"));
    expect([...r.container.querySelectorAll("a")].map((a) => a.textContent)).not.toContain("Watch final");
    expect(r.container.textContent).not.toContain("no content 8");
  });

  it("a composing job's unpublished item is not taken for a deleted one", async () => {
    // While compose runs the job already names its item, which answers 404 until published.
    onJob(() => job({ status: "composing", progress: 95 }));
    fake.on("GET", "/content/8", () => ({ status: 404, body: { error: { code: "not_found", message: "no content 8" } } }));
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    await waitFor(() => expect(byLabel<HTMLTextAreaElement>(r.container, "What should Beacon make?").value).toBe("A lighthouse in fog"));
    await waitFor(() => $(r.container, "[data-testid=preview-video]"));
    expect(r.container.querySelector("[data-testid=content-deleted]")).toBeNull();
    expect(fake.sent.some((x) => x.path === "/content/8")).toBe(false);
  });

  it("a completed job whose item was unlinked by the delete says so", async () => {
    onJob(() => job({ content_id: null }));
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    await waitFor(() => $(r.container, "[data-testid=content-deleted]"));
    expect(r.container.querySelector("[data-testid=preview-video]")).toBeNull();
  });

  it("a canceled job does not wait for a first log line", async () => {
    onJob(() => job({ status: "canceled", content_id: null, final_url: null, preview_url: null }));
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    await waitFor(() => expect($(r.container, "[data-testid=job-log]").textContent).toBe("No log: the job was canceled before it started."));
  });

  it("log commands sit behind a toggle, with paths relative to the data folder", async () => {
    onJob(() => job({ logs: [{ id: 1, at: "2026-01-01T00:00:00Z", stage: "final", level: "cmd", message: "/usr/bin/ffmpeg -i /x/data/tmp/j5/a.png /x/data/media/library/8/final.mp4" }] }));
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    const d = await waitFor(() => $<HTMLDetailsElement>(r.container, "[data-testid=job-log] details"));
    expect(d.open).toBe(false);
    expect(d.querySelector("summary")!.textContent).toBe("ffmpeg command");
    expect(d.querySelector("code")!.textContent).toBe("ffmpeg -i tmp/j5/a.png media/library/8/final.mp4");
  });

  it("a failing engine is named and Generate is held back", async () => {
    fake.on("GET", "/engines", () => ({ items: [
      { capability: "script", engine: "builtin", builtin: true, ok: true, detail: "" },
      { capability: "voice", engine: "elevenlabs", builtin: false, ok: false, detail: "401 invalid api key" },
    ] }));
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create" });
    const warn = await waitFor(() => $(r.container, "[data-testid=engine-failing]"));
    expect(warn.textContent).toContain("voice (elevenlabs): 401 invalid api key");
    expect(warn.textContent).toContain("would fail");
    expect(byText<HTMLButtonElement>(r.container, "button", "Generate").disabled).toBe(true);
  });

  it("Regenerate: the scene shows its new lines once the job has them, and focus stays on the scene", async () => {
    let current = job({ stages: { script: { scenes: [{ n: 1, description: "Old harbour", lines: ["Old line."], picture_url: "/media/jobs/5/scene1.png" }] } } });
    onJob(() => current);
    fake.on("POST", "/jobs/5/scenes/1/regenerate", ({ body }) => {
      const b = body as { description: string; lines: string[] };
      current = job({ status: "rendering_final", progress: 50, attempts: 1, stages: { script: { scenes: [{ n: 1, description: b.description, lines: b.lines, picture_url: "/media/jobs/5/scene1.png" }] } } });
      // The answer is the job row (no stages), like the API's Job.
      const { stages: _s, logs: _l, assets: _a, ...row } = current;
      return row;
    });
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?job=5" });
    const scene = await waitFor(() => $(r.container, "[data-testid=scene]"));
    const before = $<HTMLImageElement>(scene, "img").getAttribute("src");
    await click(byText(scene, "button", "Regenerate…"));
    await type(byLabel<HTMLTextAreaElement>(scene, "Lines (one per line)"), "A brand new line.");
    await click(byText(scene, "button", "Regenerate scene"));
    await waitFor(() => expect($(scene, "[data-testid=scene-line]").textContent).toBe("“A brand new line.”"));
    const again = byText<HTMLButtonElement>(scene, "button", "Regenerate…");
    expect(document.activeElement).toBe(again);
    expect(again.getAttribute("aria-disabled")).toBe("true");
    expect($<HTMLImageElement>(scene, "img").getAttribute("src")).not.toBe(before);
    expect(fake.writes()).toEqual([{ method: "POST", path: "/jobs/5/scenes/1/regenerate", body: { description: "Old harbour", lines: ["A brand new line."] } }]);
  });
});
