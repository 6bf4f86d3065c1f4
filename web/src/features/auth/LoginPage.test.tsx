import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { $, byLabel, byText, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { LoginPage } from "./LoginPage";

describe("first-run setup form", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
    fake.on("GET", "/auth/status", () => ({ password_set: false }));
    fake.on("POST", "/auth/setup", () => ({ user: { id: 1, name: "admin" }, csrf_token: "c" }));
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("asks for the password twice, checks length and match before sending, then sets it", async () => {
    r = await renderRoute(<LoginPage />, { path: "/", at: "/" });
    await waitFor(() => expect(r.container.querySelector("h1")!.textContent).toBe("Welcome to Beacon"));
    expect(r.container.querySelector("main")).not.toBeNull();
    const submit = byText<HTMLButtonElement>(r.container, "button", "Set password and enter");
    await type(byLabel(r.container, "Password"), "short");
    await type(byLabel(r.container, "Repeat password"), "short");
    await click(submit);
    expect($(r.container, "[role=alert]").textContent).toBe("Use at least 8 characters.");
    await type(byLabel(r.container, "Password"), "long-enough-1");
    await type(byLabel(r.container, "Repeat password"), "long-enough-2");
    await click(submit);
    expect($(r.container, "[role=alert]").textContent).toBe("The two passwords differ.");
    expect(fake.writes()).toEqual([]);
    await type(byLabel(r.container, "Repeat password"), "long-enough-1");
    await click(submit);
    await waitFor(() => expect(fake.writes()).toEqual([{ method: "POST", path: "/auth/setup", body: { password: "long-enough-1" } }]));
    expect(r.qc.getQueryData(["me"])).toEqual({ user: { id: 1, name: "admin" }, csrf_token: "c" });
  });

  it("a wrong password says so in words (there is no user name field)", async () => {
    fake.on("GET", "/auth/status", () => ({ password_set: true }));
    fake.on("POST", "/auth/login", () => ({ status: 401, body: { error: { code: "unauthorized", message: "wrong user name or password" } } }));
    r = await renderRoute(<LoginPage />, { path: "/", at: "/" });
    await waitFor(() => byText(r.container, "button", "Log in"));
    expect(r.container.textContent).not.toContain("Repeat password");
    await type(byLabel(r.container, "Password"), "nope-nope");
    await click(byText(r.container, "button", "Log in"));
    await waitFor(() => expect($(r.container, "[role=alert]").textContent).toBe("Wrong password. Try again."));
  });
});
