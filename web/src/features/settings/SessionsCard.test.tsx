import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byText, click, FakeApi, renderRoute, waitFor, type Rendered } from "../../test/harness";
import { deviceLabel } from "./sessions";
import { SessionsCard } from "./SessionsCard";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

describe("SessionsCard", () => {
  let fake: FakeApi;
  let r: Rendered;
  let items: Record<string, unknown>[];
  beforeEach(() => {
    fake = new FakeApi().install();
    items = [
      { family: "fam_here", name: "", source: "session", current: true, created_at: "2026-12-01T11:00:00Z",
        last_used_at: "2026-12-01T11:58:00Z", user_agent: FIREFOX, expires_at: "2026-12-31T11:00:00Z" },
      { family: "fam_phone", name: "phone app", source: "api_token", current: false, created_at: "2026-12-01T09:00:00Z",
        last_used_at: "2026-12-01T11:55:00Z", user_agent: "curl/8.5.0", expires_at: "2026-12-31T09:00:00Z" },
      { family: "fam_tv", name: "", source: "session", current: false, created_at: "2026-11-30T12:00:00Z",
        last_used_at: "2026-11-30T12:00:00Z", user_agent: "", expires_at: "2026-12-30T12:00:00Z" },
    ];
    fake.on("GET", "/auth/families", () => ({ items }));
    fake.on("POST", "/auth/revoke", (req) => {
      const body = req.body as { family?: string; others?: boolean };
      const gone = body.others ? items.filter((i) => !i.current).map((i) => i.family as string) : [body.family as string];
      items = items.filter((i) => !gone.includes(i.family as string));
      return { revoked: gone };
    });
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("lists each session with its device, when it was made and last used, and marks this browser's", async () => {
    r = await renderRoute(<SessionsCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    const here = await waitFor(() => $(r.container, "[data-testid='session-fam_here']"));
    expect(here.textContent).toContain("Firefox on Linux");
    expect(here.textContent).toContain("this browser");
    expect(here.textContent).toContain("2 min ago");
    const phone = $(r.container, "[data-testid='session-fam_phone']");
    expect(phone.textContent).toContain("phone app");
    expect(phone.textContent).toContain("curl");
    expect(phone.textContent).toContain("3 h ago");
    expect(phone.textContent).not.toContain("this browser");
    expect($(r.container, "[data-testid='session-fam_tv']").textContent).toContain("unknown device");
  });

  it("signs one session out after asking", async () => {
    r = await renderRoute(<SessionsCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    const btn = await waitFor(() => $(r.container, "[aria-label='Sign out phone app (fam_phone)']"));
    await click(btn);
    expect(fake.writes()).toEqual([]);
    await click(byText(document.body, "button", "Sign out"));
    await waitFor(() => (r.container.querySelector("[data-testid='session-fam_phone']") ? null : true));
    expect(fake.writes()).toEqual([{ method: "POST", path: "/auth/revoke", body: { family: "fam_phone" } }]);
    expect($(r.container, "[data-testid='session-fam_tv']")).toBeTruthy();
  });

  it("signs out everywhere else and keeps this browser's session", async () => {
    r = await renderRoute(<SessionsCard now={() => NOW} />, { path: "/settings", at: "/settings" });
    await click(await waitFor(() => $(r.container, "[data-testid='sessions-signout-others']")));
    await click(byText(document.body, "button", "Sign out the others"));
    const status = await waitFor(() => $(r.container, "[data-testid='sessions-signed-out']"));
    expect(status.textContent).toBe("Signed out 2 sessions.");
    expect(fake.writes()).toEqual([{ method: "POST", path: "/auth/revoke", body: { others: true } }]);
    await waitFor(() => (r.container.querySelector("[data-testid='session-fam_tv']") ? null : true));
    expect($(r.container, "[data-testid='session-fam_here']")).toBeTruthy();
    expect(r.container.querySelector("[data-testid='sessions-signout-others']")).toBeNull();
  });
});

describe("deviceLabel", () => {
  it("names browsers, tools and unknown agents", () => {
    expect(deviceLabel(FIREFOX)).toBe("Firefox on Linux");
    expect(deviceLabel("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15")).toBe("Safari on macOS");
    expect(deviceLabel("python-urllib/3.11")).toBe("python-urllib");
    expect(deviceLabel("")).toBe("unknown device");
  });
});
