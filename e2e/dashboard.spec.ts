import type { Locator, Page } from "@playwright/test";
import { scriptMarker, scriptModel, uniqueScriptKey } from "./fixtures/model-script";
import { describeViolations, seriousViolations } from "./page-checks";
import { ADMIN_STATE, EMAIL_SKILL, expect, startRunThroughApi, test } from "./support";
import { trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

const integer = new Intl.NumberFormat("en");

async function overview(page: Page) {
  return trpcQuery(page.request, "dashboard.overview", { window: "24h" });
}

async function finished(page: Page, runId: string) {
  await expect
    .poll(async () => (await trpcQuery(page.request, "runs.get", { runId })).status, {
      timeout: 20_000,
    })
    .toMatch(/^(complete|failed)$/);
}

/** How many runs the history lists, loading every page. */
async function historyCount(page: Page): Promise<number> {
  const table = page.getByRole("table", { name: "Runs" });
  await expect(table).toBeVisible();
  const loadMore = page.getByRole("button", { name: "Load more" });
  while (await loadMore.isVisible()) {
    await loadMore.click();
    await expect(loadMore).toBeEnabled();
  }
  const shown = await page.getByText(/^\d+ runs? shown/).textContent();
  return Number(/^(\d+)/.exec(shown ?? "")?.[1]);
}

/** A chart panel by its title, switched to its table view. */
async function tableViewOf(page: Page, title: string): Promise<Locator> {
  const panel = page.getByRole("region", { name: title });
  await panel.getByRole("button", { name: "Table" }).click();
  await expect(panel.getByRole("button", { name: "Table" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  return panel.getByRole("table");
}

test("the dashboard counts the runs just made, and a chart's table view agrees with the run history", async ({
  page,
}) => {
  const before = await overview(page);
  const scripts = [
    { key: uniqueScriptKey("dash-ok"), step: { text: "# One" } },
    { key: uniqueScriptKey("dash-ok"), step: { text: "# Two" } },
    {
      key: uniqueScriptKey("dash-fail"),
      step: { error: { status: 400, message: "bad request for the dashboard" } },
    },
  ];
  for (const { key, step } of scripts) await scriptModel(key, [step]);
  for (const { key } of scripts) {
    const runId = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Dashboard ${scriptMarker(key)}` },
    });
    await finished(page, runId);
  }
  const after = await overview(page);
  expect(after.totals.byStatus.complete - before.totals.byStatus.complete).toBe(2);
  expect(after.totals.byStatus.failed - before.totals.byStatus.failed).toBe(1);
  const modelErrors = after.totals.failureCodes.find((code) => code.code === "model_error");
  expect(modelErrors?.runs ?? 0).toBeGreaterThanOrEqual(1);

  // Home is the dashboard, and it shows those figures.
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Dashboard", exact: true })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await expect(page.getByTestId("total-runs")).toHaveText(integer.format(after.totals.runs));

  // The runs chart's table: its total of failed runs opens the history showing that many runs.
  const runsTable = await tableViewOf(page, "Runs by status");
  const failedTotal = runsTable.locator('[data-status="failed"]').getByRole("link");
  await expect(failedTotal).toHaveText(integer.format(after.totals.byStatus.failed));
  const violations = await seriousViolations(page);
  expect(violations, describeViolations(violations)).toEqual([]);
  await failedTotal.click();
  await expect(page).toHaveURL(/\/runs\?.*status=failed/);
  await expect(page).toHaveURL(/created=24h/);
  expect(await historyCount(page)).toBe(after.totals.byStatus.failed);

  // The failure codes' table: model_error's count is the history's, filtered by that code.
  await page.goto("/");
  const codesTable = await tableViewOf(page, "Top failure codes");
  const modelErrorLink = codesTable.getByRole("link", { name: /failed with Model error/ });
  const shown = Number((await modelErrorLink.textContent())?.replaceAll(",", ""));
  expect(shown).toBe(modelErrors?.runs);
  await modelErrorLink.click();
  await expect(page).toHaveURL(/failure=model_error/);
  expect(await historyCount(page)).toBe(shown);
});

test("the window lives in the URL, and each window shows its own figures", async ({ page }) => {
  await page.goto("/?window=7d");
  await expect(page.getByRole("button", { name: "Last 7 days" })).toHaveAttribute(
    "aria-pressed",
    "true",
  );
  await page.getByRole("button", { name: "Last 30 days" }).click();
  await expect(page).toHaveURL(/window=30d/);
  await expect(page.getByTestId("total-runs")).toBeVisible();
  const month = await trpcQuery(page.request, "dashboard.overview", { window: "30d" });
  await expect(page.getByTestId("total-runs")).toHaveText(integer.format(month.totals.runs));
});
