import { expect, test } from "@playwright/test";
import { scriptMarker, uniqueScriptKey } from "./fixtures/model-script";
import { ADMIN_STATE } from "./support";

test.use({ storageState: ADMIN_STATE, timezoneId: "Europe/Berlin" });

test("an admin schedules a skill, sees what the cadence means, runs it now and finds the run in the ledger", async ({ page }) => {
  const key = uniqueScriptKey("schedule");
  const name = `Digest ${key.slice(-8)}`;
  await page.goto("/schedules");
  await page.getByRole("link", { name: "New schedule" }).click();

  const form = page.getByRole("form", { name: "New schedule" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Skill").selectOption({ label: "Weekly status digest" });
  await expect(form.getByLabel("Team")).toBeVisible();
  // The timezone defaults to the browser's.
  await expect(form.getByLabel("Timezone")).toHaveValue("Europe/Berlin");

  await form.getByLabel("Cadence").selectOption("weekdays");
  await form.getByLabel("Time", { exact: true }).fill("08:30");
  await expect(form.getByLabel("Cron expression (5 fields)")).toHaveValue("30 8 * * 1-5");
  const preview = page.getByTestId("cadence-preview");
  await expect(preview).toContainText("At 08:30, Monday through Friday (Europe/Berlin)");
  await expect(preview.getByRole("table", { name: "Next fire times" }).locator("tbody tr")).toHaveCount(5);
  await expect(preview).toContainText("08:30");

  await form.getByLabel("Cron expression (5 fields)").fill("61 * * * *");
  await expect(form.getByText(/Invalid value for minute/)).toBeVisible();
  await form.getByLabel("Cron expression (5 fields)").fill("30 8 * * 1-5");

  await form.getByLabel("Team").fill("Platform");
  await form.getByLabel("Raw notes").fill(`Shipped the ledger. ${scriptMarker(key)}`);
  await form.locator("fieldset").getByLabel("Week of").selectOption("start-of-week");
  await expect(page.getByTestId("resolved-inputs")).toContainText(/"weekOf": "\d{4}-\d{2}-\d{2}"/);
  await form.getByRole("button", { name: "Create schedule" }).click();

  await expect(page).toHaveURL(/\/schedules\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByText("No slots yet.")).toBeVisible();
  await expect(page.getByText("weekOf: start of this week")).toBeVisible();

  await page.getByRole("button", { name: "Run now" }).click();
  const slots = page.getByRole("table", { name: "Slots" });
  await expect(slots.locator("[data-outcome]")).toHaveText(["Fired"]);
  await expect(slots.locator("[data-status]")).toHaveText("Complete", { timeout: 20_000 });
  await slots.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("run-inputs")).toContainText('"teamName": "Platform"');
  await expect(page.getByText("Schedule", { exact: true })).toBeVisible();

  await page.goto("/schedules");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("At 08:30, Monday through Friday");
  await expect(row.locator("[data-outcome]")).toHaveText("Fired");
});
