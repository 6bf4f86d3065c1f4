import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ApiClient } from "../../api/client";
import { byLabel, byText, click, FakeApi, renderRoute, type, waitFor, type Rendered } from "../../test/harness";
import { FlagButton } from "./FlagButton";
import { ReviewPage } from "./ReviewPage";

const flagged = (id: number, title: string, reason: string) => ({
  content_id: id, state: "flagged", reason, flagged_at: "2026-11-30T18:00:00Z", reviewed_at: null,
  title, poster: "", published: true, visibility: "private",
});

describe("ReviewPage", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("lists flagged items with their reasons; Approve takes one off the list", async () => {
    let items = [flagged(3, "Harbour", "shows a phone number"), flagged(5, "Storm", "spam")];
    fake.on("GET", "/moderation", () => ({ items }));
    fake.on("GET", /^\/audit/, () => ({ items: [{ id: 9, at: "2026-11-30T18:00:00Z", user_id: 1, user: "admin", action: "flag", content_id: 3, detail: "shows a phone number" }] }));
    fake.on("POST", "/content/3/approve", () => {
      items = items.filter((i) => i.content_id !== 3);
      return { content_id: 3, state: "approved", reason: "shows a phone number", flagged_at: null, reviewed_at: null };
    });
    r = await renderRoute(<ReviewPage />, { path: "/review", at: "/review" });
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=review-item]")).toHaveLength(2));
    expect(r.container.textContent).toContain("Flagged: shows a phone number");
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=audit-line]")).toHaveLength(1));
    const harbour = [...r.container.querySelectorAll("[data-testid=review-item]")].find((e) => e.textContent?.includes("Harbour"))!;
    await click(byText(harbour, "button", "Approve"));
    await waitFor(() => expect(r.container.querySelectorAll("[data-testid=review-item]")).toHaveLength(1));
    expect(fake.writes()).toEqual([{ method: "POST", path: "/content/3/approve", body: undefined }]);
  });

  it("says so when nothing waits for review", async () => {
    fake.on("GET", "/moderation", () => ({ items: [] }));
    fake.on("GET", /^\/audit/, () => ({ items: [] }));
    r = await renderRoute(<ReviewPage />, { path: "/review", at: "/review" });
    await waitFor(() => expect(r.container.querySelector("[data-testid=review-empty]")).not.toBeNull());
  });
});

describe("FlagButton", () => {
  let fake: FakeApi;
  let r: Rendered;
  beforeEach(() => {
    fake = new FakeApi().install();
  });
  afterEach(async () => {
    await r?.unmount();
    fake.uninstall();
  });

  it("sends the reason and shows the item as flagged", async () => {
    let state = { content_id: 7, state: "unreviewed", reason: "", flagged_at: null, reviewed_at: null };
    fake.on("GET", "/content/7/review", () => state);
    fake.on("POST", "/content/7/flag", ({ body }) => {
      state = { ...state, state: "flagged", reason: (body as { reason: string }).reason };
      return state;
    });
    r = await renderRoute(<FlagButton contentId={7} />, { path: "/library/:id", at: "/library/7" });
    await waitFor(() => expect(r.container.textContent).toContain("Not reviewed yet"));
    await click(byText(r.container, "button", "Flag"));
    await type(byLabel(r.container, "Reason"), "a real person's face");
    await click(byText(r.container, "button", "Flag item"));
    await waitFor(() => expect(r.container.textContent).toContain("Flagged for review: a real person's face"));
    expect(fake.writes()).toEqual([{ method: "POST", path: "/content/7/flag", body: { reason: "a real person's face" } }]);
  });
});

describe("ApiClient confirmation", () => {
  const conflict = () => new Response(JSON.stringify({ error: { code: "confirmation_required", message: "item 4 was never reviewed" } }), { status: 409 });

  it("asks, then sends the request again with confirm: true", async () => {
    const bodies: unknown[] = [];
    const client = new ApiClient(async (_url, init) => {
      const body = init?.body ? JSON.parse(String(init.body)) : undefined;
      bodies.push(body);
      return body?.confirm ? new Response(JSON.stringify({ id: 4, published: true }), { status: 200 }) : conflict();
    });
    const asked: string[] = [];
    client.onConfirmationRequired = async (m) => { asked.push(m); return true; };
    expect(await client.publish(4)).toEqual({ id: 4, published: true });
    expect(asked).toEqual(["item 4 was never reviewed"]);
    expect(bodies).toEqual([undefined, { confirm: true }]);
  });

  it("declined: the request fails with the server's code and nothing is sent again", async () => {
    let calls = 0;
    const client = new ApiClient(async () => { calls++; return conflict(); });
    client.onConfirmationRequired = async () => false;
    await expect(client.patchContent(4, { visibility: "public" })).rejects.toMatchObject({ code: "confirmation_required" });
    expect(calls).toBe(1);
  });
});
