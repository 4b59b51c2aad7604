import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { EMAIL_SKILL, expect, test } from "./support";

/**
 * A new user's first minutes under `next dev` (playwright.dev.config.ts), where React reports
 * hydration mismatches: sign in, Run now, the run, then each console page. The console guard
 * (support.ts) fails the walk on any console error or warning, including the mismatch report.
 */
test("a walk through the console under next dev leaves the browser console clean", async ({
  page,
  context,
}) => {
  // What extensions such as Grammarly or ColorZilla do before React hydrates.
  await context.addInitScript(() => {
    const markPage = () => {
      if (!document.body) return false;
      document.documentElement.setAttribute("data-extension-mark", "1");
      document.body.setAttribute("cz-shortcut-listen", "true");
      return true;
    };
    if (!markPage())
      new MutationObserver((_, observer) => {
        if (markPage()) observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
  });

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(DEMO_ADMIN.email);
  await page.getByLabel("Password").fill(DEMO_ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Skills", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: `Run ${EMAIL_SKILL.name} now` }).click();
  const dialog = page.getByRole("dialog", { name: `Run ${EMAIL_SKILL.name}` });
  await dialog.getByLabel("Customer's email").fill("Where is my order?");
  await dialog.getByLabel("Customer name").fill("Dana");
  await dialog.getByLabel("Customer name").press("Enter");
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  // No model is configured: the run fails, and says which setting to fix.
  await expect(page.getByTestId("run-status")).toContainText("Failed");
  // Loaded afresh, the run page is server-rendered and hydrated.
  await page.reload();
  await expect(page.getByTestId("run-status")).toContainText("Failed");

  for (const [path, heading] of [
    ["/runs", "Runs"],
    ["/schedules", "Schedules"],
    ["/webhooks", "Webhooks"],
    ["/settings", "Settings"],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
  }
});
