/**
 * A production start without the demo (`npm start`, no --demo, no SKILLRUN_DEMO) on a fresh
 * database: the demo password signs nobody in, the first visit lands on "Create the owner",
 * the setup token comes from the launcher's log, and once the owner exists the page and its
 * endpoint are gone. This spec starts that second app itself — the real launcher on the build
 * the suite's web server made, with a throwaway database on free ports (about 15 s).
 */
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { hasProductionBuild, launchApp, type LaunchedApp } from "./launch-app";
import { expect, test } from "./support";

test.describe.configure({ mode: "serial", timeout: 180_000 });
test.skip(
  !hasProductionBuild(),
  "needs the production build the suite's web server makes (npm run build)",
);

let launcher: LaunchedApp | null = null;
let appUrl = "";
let setupToken = "";

test.beforeAll(async () => {
  launcher = await launchApp({
    SKILLRUN_DEMO: "",
    // Localhost: the launcher may generate the secret into its (throwaway) data directory.
    BETTER_AUTH_SECRET: "",
  });
  appUrl = launcher.url;
  setupToken = (await launcher.waitForLog(/setup token ([A-Za-z0-9_-]{43})/))[1] ?? "";
});

test.afterAll(async () => {
  await launcher?.stop();
});

test("the launcher says it seeded no demo and prints the setup link; the demo password signs nobody in", async ({
  request,
}) => {
  const log = launcher?.log() ?? "";
  expect(log).toContain("no demo data");
  expect(log).not.toContain("DEMO MODE");
  expect(log).toContain(`create the owner at ${appUrl}/setup#token=${setupToken}`);
  const signIn = await request.post(`${appUrl}/api/auth/sign-in/email`, {
    data: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
  });
  expect(signIn.status()).toBe(401);
});

test("the first visit creates the owner with the token from the log; then the page and its endpoint are gone", async ({
  page,
  request,
  browserConsole,
}) => {
  await page.goto(`${appUrl}/skills`);
  await expect(page).toHaveURL(`${appUrl}/setup`);
  const form = page.getByRole("form", { name: "Create the owner" });
  await expect(page.getByRole("heading", { name: "Create the owner", level: 1 })).toBeVisible();

  // The sign-in page points here while nobody exists.
  await page.goto(`${appUrl}/sign-in`);
  await page.getByRole("link", { name: "Create the owner" }).click();
  await expect(page).toHaveURL(`${appUrl}/setup`);

  const password = "owner-password-e2e";
  browserConsole.expectRefused("/api/setup", 403);
  await form.getByLabel("Setup token").fill("A".repeat(43));
  await form.getByLabel("Your name").fill("Olga Owner");
  await form.getByLabel("Email").fill("olga@example.test");
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Repeat the password").fill(password);
  await form.getByLabel("Tenant name").fill("Olga's Operations");
  await form.getByRole("button", { name: "Create the owner" }).click();
  await expect(
    form.getByRole("alert").filter({ hasText: "The setup token is not valid." }),
  ).toBeVisible();
  await expect(form.getByLabel("Setup token")).toHaveAttribute("aria-invalid", "true");

  // The link the launcher printed, opened afresh, fills the token in (from the fragment, which no server sees).
  await page.goto("about:blank");
  await page.goto(`${appUrl}/setup#token=${setupToken}`);
  await expect(form.getByLabel("Setup token")).toHaveValue(setupToken);
  await expect(page).toHaveURL(`${appUrl}/setup`);
  await expect(form.getByLabel("Your name")).toBeFocused();
  await page.keyboard.type("Olga Owner");
  await form.getByLabel("Email").fill("olga@example.test");
  await form.getByLabel("Password", { exact: true }).fill(password);
  await form.getByLabel("Repeat the password").fill(password);
  await form.getByLabel("Tenant name").fill("Olga's Operations");
  await form.getByLabel("Tenant name").press("Enter");

  await expect(page).toHaveURL(`${appUrl}/skills`);
  await expect(page.getByRole("button", { name: "Tenant: Olga's Operations" })).toBeVisible();

  browserConsole.expectRefused("/setup", 404);
  expect((await page.goto(`${appUrl}/setup`))?.status()).toBe(404);
  const again = await request.post(`${appUrl}/api/setup`, {
    data: {
      token: setupToken,
      name: "Mallory",
      email: "mallory@example.test",
      password,
      tenantName: "Second",
    },
  });
  expect(again.status()).toBe(404);
});
