import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { CreatePage } from "../create/CreatePage";

/** Create's World picker (issue 17): lists the caller's worlds and sends world_id / world_camera. */
describe("Create: a world as the backdrop", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
    fake.on("GET", "/engines", () => ({ items: [] }));
    fake.on("GET", "/voices", () => ({ items: [] }));
    fake.on("GET", "/worlds", () => ({ items: [{ id: 3, title: "Neon street", revision: 2 }, { id: 4, title: "Coast", revision: 1 }] }));
    fake.on("POST", "/generate", () => ({ status: 202, body: { job_id: 9, status: "queued" } }));
    fake.on("GET", "/jobs/9", () => ({ id: 9, job_id: 9, status: "queued", progress: 0, prompt: "p", logs: [], stages: {}, assets: [] }));
    fake.on("GET", "/jobs/9/logs", () => ({ items: [] }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  const submit = async () => {
    await type(byLabel<HTMLTextAreaElement>(r.container, "What should Beacon make?"), "A walk at night");
    await click($(r.container, "form button[type=submit]"));
    return waitFor(() => {
      const sent = fake.writes().find((s) => s.path === "/generate");
      expect(sent).toBeTruthy();
      return sent!.body as Record<string, unknown>;
    });
  };

  it("a world's page link preselects the world; the request names it and the camera", async () => {
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create?world=3" });
    const picker = await waitFor(() => {
      const s = $<HTMLSelectElement>(r.container, "[data-testid=create-world]");
      expect([...s.options].map((o) => o.textContent)).toContain("Neon street");
      return s;
    });
    expect(picker.value).toBe("3");
    await type($<HTMLSelectElement>(r.container, "[data-testid=create-world-camera]"), "dolly");
    const body = await submit();
    expect(body.world_id).toBe(3);
    expect(body.world_camera).toBe("dolly");
  });

  it("without a world nothing about worlds is sent", async () => {
    r = await renderRoute(<CreatePage />, { path: "/create", at: "/create" });
    await waitFor(() => expect($<HTMLSelectElement>(r.container, "[data-testid=create-world]").options.length).toBe(3));
    expect(r.container.querySelector("[data-testid=create-world-camera]")).toBeNull();
    const body = await submit();
    expect("world_id" in body).toBe(false);
    expect("world_camera" in body).toBe(false);
  });
});
