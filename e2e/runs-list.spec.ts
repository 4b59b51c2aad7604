import type { Page, TestInfo } from "@playwright/test";
import {
  modelCalls,
  releaseModel,
  scriptMarker,
  scriptModel,
  uniqueScriptKey,
} from "./fixtures/model-script";
import {
  ADMIN_STATE,
  EMAIL_SKILL,
  expect,
  isSameDocument,
  markDocument,
  startRunThroughApi,
  test,
} from "./support";
import { trpcMutation, trpcQuery } from "./trpc";

test.use({ storageState: ADMIN_STATE });

/** The runs list's page size (components/runs/runs-table.tsx). */
const PAGE_SIZE = 50;

const runsTable = (page: Page) => page.getByRole("table", { name: "Runs" });
const runRow = (page: Page, runId: string) => runsTable(page).locator(`tr[data-run-id="${runId}"]`);
const statusOf = (page: Page, runId: string) => runRow(page, runId).locator("[data-status]");

/** A screenshot in the report, for a reviewer to look at. */
async function attachScreenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: "image/png" });
}

test("the run list follows runs as they move: a run started elsewhere appears, and running runs turn complete, without a reload", async ({
  page,
}) => {
  const firstKey = uniqueScriptKey("live-first");
  const secondKey = uniqueScriptKey("live-second");
  for (const key of [firstKey, secondKey])
    await scriptModel(key, [{ text: "# Reply", hold: true }]);
  try {
    const first = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Already in flight ${scriptMarker(firstKey)}` },
    });
    await page.goto("/runs");
    await expect(statusOf(page, first)).toHaveText("Running", { timeout: 15_000 });
    await markDocument(page);

    // Started outside this page, as a colleague or a schedule would.
    const second = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Started elsewhere ${scriptMarker(secondKey)}` },
    });
    await expect(runsTable(page).locator("tbody tr").first()).toHaveAttribute(
      "data-run-id",
      second,
    );
    await expect(statusOf(page, second)).toHaveText("Running", { timeout: 15_000 });
    await expect(statusOf(page, first)).toHaveText("Running");

    await releaseModel(firstKey);
    await expect(statusOf(page, first)).toHaveText("Complete", { timeout: 15_000 });
    await expect(statusOf(page, second)).toHaveText("Running");
    await releaseModel(secondKey);
    await expect(statusOf(page, second)).toHaveText("Complete", { timeout: 15_000 });
    expect(await isSameDocument(page)).toBe(true);
  } finally {
    // Nothing stays held for the specs after this one, whatever failed above.
    for (const key of [firstKey, secondKey]) await releaseModel(key, { count: 5 });
  }
});

test("Load more appends the next page of runs, older than the first, without repeating one", async ({
  page,
}) => {
  // More than one page: top the tenant's history up to a page and one run.
  const { runs: existing } = await trpcQuery(page.request, "runs.list", { limit: PAGE_SIZE + 1 });
  const missing = PAGE_SIZE + 1 - existing.length;
  const key = uniqueScriptKey("load-more");
  for (let started = 0; started < missing; started += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, missing - started) }, (_, index) =>
        trpcMutation(page.request, "runs.start", {
          skillSlug: EMAIL_SKILL.slug,
          inputs: { customerEmail: `Page filler ${started + index} ${scriptMarker(key)}` },
        }),
      ),
    );
  }
  const firstPage = await trpcQuery(page.request, "runs.list", { limit: PAGE_SIZE });
  expect(firstPage.nextCursor).not.toBeNull();
  const secondPage = await trpcQuery(page.request, "runs.list", {
    limit: PAGE_SIZE,
    cursor: firstPage.nextCursor,
  });
  const olderRun = secondPage.runs[0]?.id ?? "";
  expect(olderRun).not.toBe("");

  await page.goto("/runs");
  const rows = runsTable(page).locator("tbody tr");
  await expect(rows).toHaveCount(PAGE_SIZE);
  await expect(page.getByText(`${PAGE_SIZE} runs shown`)).toBeVisible();
  await expect(runRow(page, olderRun)).toHaveCount(0);

  await page.getByRole("button", { name: "Load more" }).click();
  const total = PAGE_SIZE + secondPage.runs.length;
  await expect(rows).toHaveCount(total);
  await expect(page.getByText(`${total} runs shown`)).toBeVisible();
  await expect(runRow(page, olderRun)).toBeVisible();
  await expect(rows.nth(PAGE_SIZE)).toHaveAttribute("data-run-id", olderRun);
  const ids = await rows.evaluateAll((elements) =>
    elements.map((element) => element.getAttribute("data-run-id")),
  );
  expect(new Set(ids).size).toBe(total);
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(
    secondPage.nextCursor ? 1 : 0,
  );
});

test("bulk re-run starts a linked run for each selected run; the new runs appear in the list and complete", async ({
  page,
}) => {
  // Four model runs to wait for, and the list they land in opened twice.
  test.slow();
  const key = uniqueScriptKey("bulk-rerun");
  const mira = `Mira ${key.slice(-8)}`;
  const names = [mira, `Tomas ${key.slice(-8)}`];
  const originals: string[] = [];
  for (const customerName of names)
    originals.push(
      await startRunThroughApi(page, {
        skillSlug: EMAIL_SKILL.slug,
        inputs: { customerName, customerEmail: `Please answer again ${scriptMarker(key)}` },
      }),
    );

  await page.goto("/runs");
  for (const runId of originals)
    await expect(statusOf(page, runId)).toHaveText("Complete", { timeout: 20_000 });
  for (const runId of originals) await page.getByLabel(`Select run ${runId}`).check();
  await expect(page.getByText("2 runs selected")).toBeVisible();
  // Each re-run is a paid model call: nothing starts before the count is confirmed.
  await page.getByRole("button", { name: "Re-run selected" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("Re-run 2 runs?");
  await expect(confirm).toContainText("Each starts a new paid model call");
  await confirm.getByRole("button", { name: "Not now" }).click();
  expect((await modelCalls(key)).calls).toBe(2);
  await page.getByRole("button", { name: "Re-run selected" }).click();
  await confirm.getByRole("button", { name: "Re-run 2 runs" }).click();

  await expect(page.getByText("Started 2 re-runs")).toBeVisible();
  await expect(page.getByText("2 runs selected")).toHaveCount(0);
  // The toast links to exactly the new runs.
  await page.getByRole("link", { name: "Show the 2 re-runs" }).click();
  await expect(page).toHaveURL(/[?&]ids=/);
  await expect(
    page.getByRole("search", { name: "Filter runs" }).getByText("these 2"),
  ).toBeVisible();
  await expect(runsTable(page).locator("tbody tr")).toHaveCount(2);
  await expect(runsTable(page).locator("tbody tr").filter({ hasText: "Re-run" })).toHaveCount(2);
  await page.goto("/runs");
  for (const name of names) {
    const runsOfName = runsTable(page).getByRole("row").filter({ hasText: name });
    await expect(runsOfName).toHaveCount(2);
    const rerun = runsOfName.filter({ hasText: "Re-run" });
    await expect(rerun).toHaveCount(1);
    expect(originals).not.toContain(await rerun.getAttribute("data-run-id"));
    await expect(rerun.locator("[data-status]")).toHaveText("Complete", { timeout: 20_000 });
  }
  // Each re-run called the model with its original's inputs.
  expect((await modelCalls(key)).calls).toBe(4);

  await runsTable(page)
    .getByRole("row")
    .filter({ hasText: mira })
    .filter({ hasText: "Re-run" })
    .click();
  await expect(page.getByText("Re-run of")).toBeVisible();
  await page.getByRole("link", { name: `${originals[0]?.slice(0, 8)}…` }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${originals[0]}$`));
});

test("failed rows say why; the status filter takes several statuses, and an old single-status link still works", async ({
  page,
}, testInfo) => {
  const failKey = uniqueScriptKey("triage-failed");
  const holdKey = uniqueScriptKey("triage-running");
  // A 400 is not retried, so the run fails at once with the provider's words.
  await scriptModel(failKey, [{ error: { status: 400, message: "bad request from triage" } }]);
  await scriptModel(holdKey, [{ text: "# Held", hold: true }]);
  try {
    const failed = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Triage fails ${scriptMarker(failKey)}` },
    });
    const running = await startRunThroughApi(page, {
      skillSlug: EMAIL_SKILL.slug,
      inputs: { customerEmail: `Triage runs ${scriptMarker(holdKey)}` },
    });

    // Settled before the page opens: a list of only finished runs polls slowly.
    await expect
      .poll(async () => (await trpcQuery(page.request, "runs.get", { runId: failed })).status, {
        timeout: 20_000,
      })
      .toBe("failed");
    await expect
      .poll(async () => (await trpcQuery(page.request, "runs.get", { runId: running })).status, {
        timeout: 20_000,
      })
      .toBe("running");
    await page.goto("/runs?status=failed");
    const filters = page.getByRole("search", { name: "Filter runs" });
    await expect(filters.getByRole("button", { name: "Status: Failed" })).toBeVisible();
    const failedRow = runRow(page, failed);
    await expect(statusOf(page, failed)).toHaveText("Failed");
    await expect(failedRow.locator('[data-failure-code="model_error"]')).toHaveText("Model error");
    await expect(failedRow).toContainText("bad request from triage");
    await expect(runRow(page, running)).toHaveCount(0);

    await filters.getByRole("button", { name: /^Status/ }).click();
    await page.getByRole("checkbox", { name: "Running" }).check();
    await expect(page).toHaveURL(/status=running(,|%2C)failed/);
    await attachScreenshot(page, testInfo, "status-filter");
    await page.keyboard.press("Escape");
    await expect(filters.getByRole("button", { name: "Status: Running, Failed" })).toBeVisible();
    await expect(statusOf(page, running)).toHaveText("Running");
    await expect(statusOf(page, failed)).toHaveText("Failed");
    for (const text of await runsTable(page).locator("[data-status]").allTextContents())
      expect(["Running", "Failed"]).toContain(text);

    await filters.getByRole("button", { name: "Clear the Status filter" }).click();
    await expect(page).toHaveURL(/\/runs$/);
  } finally {
    await releaseModel(holdKey, { count: 5 });
  }
});

test("the table fits a 1440 px laptop, and the column chooser remembers hidden columns", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/runs");
  const table = runsTable(page);
  await expect(table.locator("tbody tr").first()).toBeVisible();
  for (const name of ["Status", "Skill", "Agent", "Source", "Created", "Tokens", "Cost"])
    await expect(table.getByRole("columnheader", { name, exact: true })).toBeVisible();
  const overflow = await page.evaluate(() => {
    const wrapper = document.querySelector("table")?.parentElement;
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      table: wrapper ? wrapper.scrollWidth - wrapper.clientWidth : -1,
    };
  });
  expect(overflow).toEqual({ page: 0, table: 0 });
  await attachScreenshot(page, testInfo, "runs-1440");

  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("checkbox", { name: "Tokens" }).uncheck();
  await page.keyboard.press("Escape");
  await expect(table.getByRole("columnheader", { name: "Tokens" })).toHaveCount(0);
  await page.reload();
  await expect(table.locator("tbody tr").first()).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "Tokens" })).toHaveCount(0);
  await expect(table.getByRole("columnheader", { name: "Cost" })).toBeVisible();
  await page.getByRole("button", { name: "Columns" }).click();
  await page.getByRole("checkbox", { name: "Tokens" }).check();
  await expect(table.getByRole("columnheader", { name: "Tokens" })).toBeVisible();
});

test("on a phone the runs are cards, selectable, with no sideways scroll", async ({
  page,
}, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/runs");
  const cards = page.getByRole("list", { name: "Runs" });
  await expect(cards.getByRole("listitem").first()).toBeVisible();
  await expect(runsTable(page)).toHaveCount(0);
  const first = cards.getByRole("listitem").first();
  await expect(first.locator("[data-status]")).toBeVisible();
  expect(
    await page.evaluate(
      () => document.documentElement.scrollWidth <= document.documentElement.clientWidth,
    ),
  ).toBe(true);
  const runId = (await first.getAttribute("data-run-id")) ?? "";
  await first.getByLabel(`Select run ${runId}`).check();
  await expect(page.getByText("1 run selected")).toBeVisible();
  await attachScreenshot(page, testInfo, "runs-390");
  await first.getByLabel(`Select run ${runId}`).uncheck();
  await first.locator("[data-status]").click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
});

test("the list says when it is live, and when it shows data from before the connection went", async ({
  page,
  context,
  browserConsole,
}) => {
  // Whatever the page loads while offline (a prefetch, a lazy chunk) fails, on purpose.
  browserConsole.expect(/net::ERR_INTERNET_DISCONNECTED/);
  await page.goto("/runs");
  await expect(runsTable(page).locator("tbody tr").first()).toBeVisible();
  const indicator = page.locator("[data-live]");
  await expect(indicator).toHaveAttribute("data-live", "live");
  await expect(indicator).toContainText(/updated \d+ s ago/);
  await context.setOffline(true);
  await expect(indicator).toHaveAttribute("data-live", "offline");
  await expect(indicator).toHaveText(/^Offline — showing data from \d\d:\d\d$/);
  await context.setOffline(false);
  await expect(indicator).toHaveAttribute("data-live", "live");
});
