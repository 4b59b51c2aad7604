import path from "node:path";
import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { loadSkillCatalog } from "@/server/services/catalog/skill-catalog";
import { expect, test } from "./support";

test("the demo admin signs in, sees the catalog, switches tenant and back, and signs out", async ({
  page,
}) => {
  const catalog = await loadSkillCatalog(path.resolve("skills"));

  await page.goto("/skills");
  await expect(page).toHaveURL(/\/sign-in$/);

  await page.getByLabel("Email").fill(DEMO_ADMIN.email);
  await page.getByLabel("Password").fill(DEMO_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(page).toHaveURL(/\/skills$/);
  await expect(page.getByRole("heading", { name: "Skills", level: 1 })).toBeVisible();
  const skills = page.getByRole("list", { name: "Skills" }).getByRole("listitem");
  // Every built-in once; Acme may also hold skills other specs wrote in the console.
  for (const skill of catalog) await expect(skills.filter({ hasText: skill.name })).toHaveCount(1);
  await expect(page.getByRole("link", { name: "Skills" })).toHaveAttribute("aria-current", "page");

  await page.getByRole("button", { name: "Tenant: Acme Operations" }).click();
  await page.getByRole("menuitemradio", { name: /Globex Research/ }).click();
  // The shell names the role held there.
  await expect(
    page.getByRole("button", { name: /^Tenant: Globex Research\s+Viewer$/ }),
  ).toBeVisible();
  // Globex has only the built-ins.
  await expect(skills).toHaveCount(catalog.length);

  // The palette switches back, then sign-out follows a burst of refetches without a refused one.
  await page.keyboard.press("Control+k");
  const palette = page.getByRole("dialog", { name: "Command palette" });
  await palette.getByRole("combobox").fill("acme");
  await palette.getByRole("option", { name: /Switch to Acme Operations/ }).click();
  await expect(
    page.getByRole("button", { name: /^Tenant: Acme Operations\s+Owner$/ }),
  ).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/skills");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("a wrong password shows an error and signs nobody in", async ({ page, browserConsole }) => {
  browserConsole.expectRefused("/api/auth/sign-in/email", 401);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(DEMO_ADMIN.email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();

  await expect(
    page.getByRole("alert").filter({ hasText: "That email and password do not match an account." }),
  ).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto("/skills");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("pages carry the security headers, and the CSP never allows eval", async ({ request }) => {
  const response = await request.get("/sign-in");
  const headers = response.headers();
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).not.toContain("unsafe-eval");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-powered-by"]).toBeUndefined();
});
