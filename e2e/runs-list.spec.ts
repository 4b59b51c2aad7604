import type { Page } from "@playwright/test";
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
  await page.getByRole("button", { name: "Re-run selected" }).click();

  await expect(page.getByText("Started 2 re-runs")).toBeVisible();
  await expect(page.getByText("2 runs selected")).toHaveCount(0);
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
