import { expect, test } from "@playwright/test";
import { csrf, finished, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Moderation (issue 19 item 4) on the file's own server with a real item: publishing an item
 * never reviewed asks for confirmation in a dialog; a flag with a reason (item page) makes it
 * private and refuses publishing and sharing; the Review page lists it, Approve clears it, Delete
 * removes an item; the audit log shows publish, flag, approve and delete.
 */
const srv = serverForThisFile();

test("publish asks for confirmation, a flag hides the item until it is approved, delete from the review list", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const req = ctx.request;
  const headers = await csrf(req);
  const make = async (prompt: string) => {
    const r = await req.post("/api/v1/generate", { headers, data: { prompt, duration_target: 3, produce_preview: false, output_preset: "480p" } });
    expect(r.status(), await r.text()).toBe(202);
    return (await finished(req, (await r.json()).job_id)).content_id!;
  };
  const id = await make("A lighthouse at dusk. 1 scene.");
  const page = await ctx.newPage();
  await page.goto(`/library/${id}`);
  await expect(page.getByTestId("review-state")).toHaveText("Not reviewed yet");

  // Publishing an item never reviewed: a dialog asks; Cancel leaves it off LiveLoop.
  await page.getByRole("button", { name: /Publish to LiveLoop/ }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("confirm-message")).toContainText("never reviewed");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect((await (await req.get(`/api/v1/content/${id}`)).json()).published).toBe(false);
  await page.getByRole("button", { name: /Publish to LiveLoop/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("In the LiveLoop rotation")).toBeVisible();

  // Flag it with a reason: it shows as flagged, publishing and sharing are refused.
  await page.getByRole("button", { name: "Flag", exact: true }).click();
  await page.getByLabel("Reason").fill("shows a phone number");
  await page.getByRole("button", { name: "Flag item" }).click();
  await expect(page.getByTestId("review-state")).toHaveText("Flagged for review: shows a phone number");
  const share = await req.patch(`/api/v1/content/${id}`, { headers, data: { visibility: "public", confirm: true } });
  expect(share.status()).toBe(409);
  expect((await share.json()).error.code).toBe("flagged");
  const insert = await req.post(`/api/v1/playlists/1/insert`, { headers, data: { content_id: id, confirm: true } });
  expect(insert.status()).toBe(409);

  // The Review page lists it; Approve takes it off the list and publishing no longer asks.
  await page.getByRole("link", { name: "Review" }).click();
  const row = page.getByTestId("review-item").filter({ hasText: "shows a phone number" });
  await expect(row).toBeVisible();
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("review-empty")).toBeVisible();
  const again = await req.patch(`/api/v1/content/${id}`, { headers, data: { visibility: "public" } });
  expect(again.status(), await again.text()).toBe(200);

  // A second item flagged and deleted from the review list.
  const other = await make("A storm over the sea. 1 scene.");
  expect((await req.post(`/api/v1/content/${other}/flag`, { headers, data: { reason: "spam" } })).ok()).toBe(true);
  await page.reload();
  const spam = page.getByTestId("review-item").filter({ hasText: "spam" });
  await spam.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("review-empty")).toBeVisible();
  expect((await req.get(`/api/v1/content/${other}`)).status()).toBe(404);

  // The audit log: newest first.
  await page.reload();
  const lines = page.getByTestId("audit-line");
  await expect(lines.first()).toContainText("delete");
  const actions = (await (await req.get("/api/v1/audit")).json()).items.map((a: { action: string }) => a.action);
  expect(actions).toEqual(["delete", "flag", "share", "approve", "flag", "publish"]);
  await ctx.close();
});
