import { expect, test } from "@playwright/test";
import { loggedIn, serverForThisFile } from "./fixtures";

/**
 * Batches in the browser (issue 20): from Create's link to the batch page, paste prompts (one a
 * JSON line with its own title), see the count, queue them, follow the batch to completion on its
 * own page, and open a video it made; a bad line is named before anything is sent.
 */
const srv = serverForThisFile();

test("queue a batch of prompts and follow it to the end", async ({ browser }) => {
  test.setTimeout(240_000);
  const ctx = await loggedIn(browser, srv);
  const p = await ctx.newPage();
  try {
    await p.goto("/create");
    await p.getByTestId("batch-link").click();
    await expect(p).toHaveURL(/\/batches$/);
    await expect(p.getByRole("heading", { name: "Batches", level: 1 })).toBeVisible();

    const prompts = p.getByTestId("batch-prompts");
    await prompts.fill('A kite over dunes. 1 scene.\n{"prompt": "A lamp in the fog. 1 scene.", "title": "Lamp"\n');
    await expect(p.getByTestId("batch-errors")).toContainText("line 2: malformed JSON");
    await expect(p.getByTestId("batch-submit")).toBeDisabled();

    await prompts.fill('# two short ones\nA kite over dunes. 1 scene.\n{"prompt": "A lamp in the fog. 1 scene.", "title": "Lamp"}\n');
    await expect(p.getByTestId("batch-count")).toHaveText("2 prompts (JSON Lines)");
    await p.getByLabel("Duration (s)").fill("3");
    await p.getByLabel("Output").selectOption("480p");
    await p.getByTestId("batch-max-parallel").fill("1");
    await p.getByTestId("batch-submit").click();

    await expect(p).toHaveURL(/\/batches\/\d+$/);
    const detail = p.getByTestId("batch-detail");
    await expect(detail).toHaveAttribute("data-state", "completed", { timeout: 180_000 });
    await expect(p.getByTestId("batch-finished")).toHaveText("2 of 2 finished");
    await expect(p.getByTestId("batch-counts")).toHaveText("2 completed");
    const rows = p.getByTestId("batch-jobs").locator("tbody tr");
    await expect(rows).toHaveCount(2);
    await expect(rows.nth(1)).toContainText("Lamp");
    await expect(p.getByTestId("batch-retry")).toBeDisabled();

    await rows.nth(0).getByRole("link", { name: "Watch" }).click();
    await expect(p).toHaveURL(/\/watch\/\d+$/);
    await p.goBack();
    await p.goto("/batches");
    await expect(p.getByTestId("batches-table").locator("tbody tr")).toHaveCount(1);
  } finally {
    await ctx.close();
  }
});
