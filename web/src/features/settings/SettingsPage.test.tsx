import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byText, click, FakeApi, renderRoute, waitFor, type Rendered } from "../../test/harness";
import SettingsPage from "./SettingsPage";

describe("SettingsPage tokens", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
    let tokens = [{ id: 3, name: "laptop script", created_at: "2026-01-01T00:00:00Z" }];
    fake.on("GET", "/engines", () => ({ items: [] }));
    fake.on("GET", "/stream-key", () => ({ key: "sk", m3u_url: "http://b/m3u?key=sk", guide_url: "http://b/guide?key=sk" }));
    fake.on("GET", "/tokens", () => ({ items: tokens }));
    fake.on("DELETE", "/tokens/3", () => ((tokens = []), { status: 204 }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("asks before revoking a token; cancel keeps it, confirm revokes it", async () => {
    r = await renderRoute(<SettingsPage />, { path: "/settings", at: "/settings" });
    const revoke = await waitFor(() => $(r.container, "[aria-label='Revoke laptop script']"));
    await click(revoke);
    const dialog = $<HTMLDialogElement>(r.container, "dialog");
    expect(dialog.open).toBe(true);
    expect(dialog.textContent).toContain("Revoke “laptop script”?");
    await click(byText(dialog, "button", "Cancel"));
    expect(dialog.open).toBe(false);
    expect(fake.writes()).toEqual([]);
    await click(revoke);
    await click(byText(dialog, "button", "Revoke"));
    await waitFor(() => expect(fake.writes()).toEqual([{ method: "DELETE", path: "/tokens/3", body: undefined }]));
    await waitFor(() => byText(r.container, "p", "No tokens."));
  });

  it("offers copy buttons for the tune-in links", async () => {
    r = await renderRoute(<SettingsPage />, { path: "/settings", at: "/settings" });
    await waitFor(() => $(r.container, "[aria-label='Copy M3U URL']"));
    expect(r.container.querySelector("[aria-label='Copy guide URL']")).not.toBeNull();
  });
});

describe("SettingsPage storage", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
    fake.on("GET", "/engines", () => ({ items: [] }));
    fake.on("GET", "/stream-key", () => ({ key: "sk", m3u_url: "http://b/m3u?key=sk", guide_url: "http://b/guide?key=sk" }));
    fake.on("GET", "/tokens", () => ({ items: [] }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("shows free space per folder and says when new jobs are refused", async () => {
    fake.on("GET", "/system", () => ({ disk: { min_free_mb: 1024, accepting_jobs: false, folders: [
      { path: "data/media", free_mb: 300, total_mb: 20480 }, { path: "data", free_mb: 4096, total_mb: 20480 }] } }));
    r = await renderRoute(<SettingsPage />, { path: "/settings", at: "/settings" });
    const table = await waitFor(() => $(r.container, "[data-testid=storage-table]"));
    expect(table.textContent).toContain("data/media");
    expect(table.textContent).toContain("300 MB");
    expect(table.textContent).toContain("4.0 GB");
    expect($(r.container, "[data-testid=storage-state]").textContent).toContain("New jobs are refused");
    expect(table.querySelectorAll(".badge--bad").length).toBe(1);
  });
});
