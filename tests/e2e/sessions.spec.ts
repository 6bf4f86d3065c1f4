import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { csrf, loggedIn, serverForThisFile } from "./fixtures";

/**
 * Settings > Sessions (issue 19): the account's signed-token sign-ins. Two apps sign in from
 * their own sessions (a phone and a tablet, each with its User-Agent) and trade them for access
 * + refresh tokens; so does this browser. The page lists all three with their devices, marks
 * this browser's; signing the phone out in the page makes the phone's access and refresh tokens
 * refused by the real server, and "Sign out everywhere else" ends the tablet's while this
 * browser's keeps working.
 */
const srv = serverForThisFile();

interface Issued {
  access_token: string;
  refresh_token: string;
  family: string;
}

async function appSignIn(userAgent: string, name: string): Promise<{ api: APIRequestContext; tokens: Issued }> {
  const api = await playwrightRequest.newContext({ baseURL: srv.url, extraHTTPHeaders: { "User-Agent": userAgent } });
  const login = await api.post("/api/v1/auth/login", { data: { password: srv.password } });
  expect(login.ok(), await login.text()).toBe(true);
  const r = await api.post("/api/v1/auth/token", { headers: await csrf(api), data: { name } });
  expect(r.status(), await r.text()).toBe(200);
  return { api, tokens: (await r.json()) as Issued };
}

/** What the API answers an access token alone (no cookie). */
async function status(access: string): Promise<number> {
  const bare = await playwrightRequest.newContext({ baseURL: srv.url });
  const r = await bare.get("/api/v1/jobs", { headers: { Authorization: `Bearer ${access}` } });
  await bare.dispose();
  return r.status();
}

test("Sessions lists signed-in apps; signing one out, then everywhere else, ends their tokens", async ({ browser }) => {
  const ctx = await loggedIn(browser, srv);
  const mine = await ctx.request.post("/api/v1/auth/token", { headers: await csrf(ctx.request), data: { name: "studio helper" } });
  expect(mine.status(), await mine.text()).toBe(200);
  const own = (await mine.json()) as Issued;
  const phone = await appSignIn("PhoneApp/2.1 (Linux; Android 14)", "phone");
  const tablet = await appSignIn("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15", "tablet");
  for (const t of [own, phone.tokens, tablet.tokens]) expect(await status(t.access_token)).toBe(200);

  const page = await ctx.newPage();
  await page.goto("/settings");
  const card = page.getByTestId("sessions-card");
  await expect(card.getByRole("heading", { name: "Sessions" })).toBeVisible();
  const rows = card.locator("tbody tr");
  await expect(rows).toHaveCount(3);
  const phoneRow = card.getByTestId(`session-${phone.tokens.family}`);
  await expect(phoneRow).toContainText("PhoneApp");
  await expect(phoneRow).toContainText("phone");
  await expect(phoneRow).not.toContainText("this browser");
  await expect(card.getByTestId(`session-${tablet.tokens.family}`)).toContainText("Safari on iOS");
  await expect(card.getByTestId(`session-${own.family}`)).toContainText("this browser");

  const signOut = phoneRow.getByRole("button", { name: `Sign out phone (${phone.tokens.family})` });
  await expect(signOut).toHaveText("Sign out this session");
  await signOut.click();
  await page.locator("dialog[open]").getByRole("button", { name: "Sign out" }).click();
  await expect(phoneRow).toHaveCount(0);
  await expect(rows).toHaveCount(2);
  expect(await status(phone.tokens.access_token)).toBe(401);
  const refresh = await phone.api.post("/api/v1/auth/refresh", { data: { refresh_token: phone.tokens.refresh_token } });
  expect(refresh.status()).toBe(401);
  expect(await status(tablet.tokens.access_token)).toBe(200);

  await card.getByRole("button", { name: "Sign out everywhere else" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Sign out the others" }).click();
  await expect(card.getByTestId("sessions-signed-out")).toHaveText("Signed out 1 session.");
  await expect(rows).toHaveCount(1);
  await expect(card.getByTestId(`session-${own.family}`)).toBeVisible();
  expect(await status(tablet.tokens.access_token)).toBe(401);
  expect(await status(own.access_token)).toBe(200);
  // After a reload the page still shows what the server holds.
  await page.reload();
  await expect(card.locator("tbody tr")).toHaveCount(1);
  await Promise.all([phone.api.dispose(), tablet.api.dispose(), ctx.close()]);
});
