import { DEMO_ADMIN } from "@/server/db/demo-accounts";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { expect, test, ADMIN_STATE, EMAIL_SKILL, startRunThroughApi } from "./support";

test.use({ storageState: ADMIN_STATE });

test("an admin finds the run they started in the audit log, and filters it through the URL", async ({
  page,
}) => {
  const script = uniqueScriptKey("audit");
  await scriptModel(script, [{ text: "# Audited" }]);
  const runId = await startRunThroughApi(page, {
    skillSlug: EMAIL_SKILL.slug,
    inputs: { customerEmail: `Audit me ${scriptMarker(script)}` },
  });

  await page.goto("/settings");
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/settings\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();

  const log = page.getByRole("table", { name: "Audit log" });
  const row = log.getByRole("row").filter({ has: page.locator(`a[href="/runs/${runId}"]`) });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Run started");
  await expect(row).toContainText(DEMO_ADMIN.name);
  await expect(row).toContainText(EMAIL_SKILL.name);

  // Filters live in the URL: only schedules' entries → none of the admin's runs.
  const filters = page.getByRole("search", { name: "Filter the audit log" });
  await filters.getByRole("button", { name: /^Actor/ }).click();
  await page.getByRole("radio", { name: "Schedule" }).click();
  await expect(page).toHaveURL(/actor=schedule/);
  await expect(row).toHaveCount(0);
  await filters.getByRole("button", { name: /^Actor/ }).click();
  await page.getByRole("radio", { name: "User" }).click();
  await expect(page).toHaveURL(/actor=user/);
  await filters.getByRole("button", { name: /^Action/ }).click();
  await page.getByRole("checkbox", { name: "Run started" }).check();
  await expect(page).toHaveURL(/action=run\.start/);
  await page.keyboard.press("Escape");
  await expect(row).toHaveCount(1);
  await page.reload();
  await expect(filters.getByRole("button", { name: "Action: Run started" })).toBeVisible();
  await expect(row).toHaveCount(1);

  await row.locator(`a[href="/runs/${runId}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
});
