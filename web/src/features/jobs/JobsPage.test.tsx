import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byText, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { JobsPage } from "./JobsPage";

const job = (id: number, status: string) => ({ id, job_id: id, status, progress: status === "completed" ? 100 : 40, prompt: `prompt ${id}`, title: `Job title ${id}`, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" });

describe("JobsPage", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
    const all = [job(1, "completed"), job(2, "rendering_final")];
    fake.on("GET", "/jobs", ({ query }) => {
      const items = all.filter((j) => !query.get("state") || j.status === query.get("state"));
      return { items, total: items.length, limit: 50, offset: 0 };
    });
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("a state filter with no jobs says which, not 'no jobs yet', and can show all again", async () => {
    r = await renderRoute(<JobsPage />, { path: "/jobs", at: "/jobs" });
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=jobs-table] tbody tr")).toHaveLength(2));
    await type(r.container.querySelector<HTMLSelectElement>("[data-testid=jobs-state-filter]")!, "failed");
    await waitFor(() => expect(r.container.querySelector("[data-testid=jobs-empty]")!.textContent).toBe("No failed jobs."));
    expect(fake.sent.some((s) => s.path === "/jobs" && s.method === "GET")).toBe(true);
    await click(byText(r.container, "button", "Show all jobs"));
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=jobs-table] tbody tr")).toHaveLength(2));
  });

  it("rows carry labels for the phone layout", async () => {
    r = await renderRoute(<JobsPage />, { path: "/jobs", at: "/jobs" });
    const row = await waitFor(() => $(r.container, "[data-testid=jobs-table] tbody tr"));
    expect([...row.querySelectorAll("td[data-label]")].map((td) => td.getAttribute("data-label"))).toEqual(["State", "Progress", "Age"]);
  });
});
