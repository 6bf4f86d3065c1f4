import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byText, click, FakeApi, renderRoute, type as typeInto, waitFor, type Rendered } from "../../test/harness";
import { heartbeatAge } from "./workers";
import { WorkersCard } from "./WorkersCard";

const NOW = Date.parse("2026-11-30T12:00:00Z");

describe("WorkersCard", () => {
  let fake: FakeApi;
  let r: Rendered;
  let tokens: { id: number; name: string; created_at: string; revoked: boolean; workers: number }[];
  beforeEach(() => {
    fake = new FakeApi().install();
    tokens = [{ id: 4, name: "attic box", created_at: "2026-11-30T10:00:00Z", revoked: false, workers: 2 }];
    fake.on("GET", "/workers", () => ({
      silent_after_seconds: 30,
      tokens,
      workers: [
        { id: 1, name: "gpu-one", host: "attic.lan", state: "busy", last_heartbeat: "2026-11-30T11:59:48Z", last_heartbeat_ms: NOW - 12_000,
          current_job: 17, jobs_done: 3, registration_token_id: 4, registered_at: "2026-11-30T10:01:00Z" },
        { id: 2, name: "gpu-two", host: "cellar.lan", state: "silent", last_heartbeat: "2026-11-30T11:55:00Z", last_heartbeat_ms: NOW - 300_000,
          current_job: null, jobs_done: 0, registration_token_id: 4, registered_at: "2026-11-30T10:02:00Z" },
      ],
    }));
    fake.on("POST", "/workers/tokens", (req) => ({ status: 201, body: { id: 5, name: (req.body as { name: string }).name, token: "bwr_secret123" } }));
    fake.on("DELETE", "/workers/tokens/4", () => ((tokens = [{ ...tokens[0], revoked: true }]), { status: 204 }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("lists each worker with its host, state, last heartbeat and current job", async () => {
    r = await renderRoute(<WorkersCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    const one = await waitFor(() => $(r.container, "[data-testid='worker-1']"));
    expect(one.textContent).toContain("gpu-one");
    expect(one.textContent).toContain("attic.lan");
    expect(one.textContent).toContain("working");
    expect(one.textContent).toContain("12 s ago");
    expect(one.textContent).toContain("job 17");
    const two = $(r.container, "[data-testid='worker-2']");
    expect(two.textContent).toContain("silent");
    expect(two.textContent).toContain("5 min ago");
    expect(two.textContent).toContain("—");
    expect(r.container.textContent).toContain("silent for 30 s");
  });

  it("creates a registration token and shows the worker command once", async () => {
    r = await renderRoute(<WorkersCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    await waitFor(() => $(r.container, "[data-testid='worker-1']"));
    await typeInto($<HTMLInputElement>(r.container, "#wtok-name"), "cellar box");
    await click(byText(r.container, "button", "Create token"));
    const cmd = await waitFor(() => $(r.container, "[data-testid='new-worker-command']"));
    expect(cmd.textContent).toMatch(/^beacon worker --server \S+ --token bwr_secret123$/);
    expect(fake.writes()).toEqual([{ method: "POST", path: "/workers/tokens", body: { name: "cellar box" } }]);
  });

  it("asks before revoking a registration token, then shows it revoked", async () => {
    r = await renderRoute(<WorkersCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    const revoke = await waitFor(() => $(r.container, "[aria-label='Revoke attic box']"));
    await click(revoke);
    const dialog = $<HTMLDialogElement>(r.container, "dialog");
    expect(dialog.textContent).toContain("Revoke “attic box”?");
    await click(byText(dialog, "button", "Cancel"));
    expect(fake.writes()).toEqual([]);
    await click(revoke);
    await click(byText(dialog, "button", "Revoke"));
    await waitFor(() => expect(fake.writes()).toEqual([{ method: "DELETE", path: "/workers/tokens/4", body: undefined }]));
    await waitFor(() => expect($(r.container, "[data-testid='worker-tokens']").textContent).toContain("revoked"));
    expect(r.container.querySelector("[aria-label='Revoke attic box']")).toBeNull();
  });

  it("says when there are no workers", async () => {
    fake.on("GET", "/workers", () => ({ silent_after_seconds: 30, tokens: [], workers: [] }));
    r = await renderRoute(<WorkersCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    await waitFor(() => $(r.container, "[data-testid='workers-empty']"));
    expect(r.container.textContent).toContain("No registration tokens.");
  });
});

describe("heartbeatAge", () => {
  it("reads as seconds, minutes, hours", () => {
    expect(heartbeatAge(NOW - 4_000, NOW)).toBe("4 s ago");
    expect(heartbeatAge(NOW - 125_000, NOW)).toBe("2 min ago");
    expect(heartbeatAge(NOW - 3 * 3600_000, NOW)).toBe("3 h ago");
  });
});
